// fuzz/esdk_diff: our side of the differential test against the AWS
// Encryption SDK for JavaScript (fuzz/esdk_diff.py runs both). Decrypts every
// file of the given folders, one-shot, as message_decrypt does: the keys of
// fuzz_keys.h (raw AES, then raw RSA with OAEP-SHA-512), every suite
// (FORBID_ENCRYPT_ALLOW_DECRYPT), default limits.
//
//   esdk_diff DIR...
//
// Prints one line per file, sorted by name within each folder:
// "<folder>/<name> ok <sha-256 of the plaintext>", "<folder>/<name> fail
// <error code>: <message>", or, for a message followed by bytes (which
// Decrypt refuses: "bytes follow the end of the message"), "<folder>/<name>
// trailing <n> <answer for the message without its n trailing bytes>".
// Exit status 0 unless a folder cannot be read.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "crypto/digest.h"
#include "envelope/message.hpp"
#include "fuzz_keys.h"
#include "fuzz_util.h"

namespace {

using namespace envelope;

// Answer is "ok <sha-256 of the plaintext>" or "fail <code>: <message>".
std::string Answer(std::span<const uint8_t> message, const DecryptOptions& options) {
  auto plain = Decrypt(message, *fuzz::VectorCmm(), options);
  if (!plain) return "fail " + plain.error().ToString();
  auto digest = crypto::Hash(crypto::HashAlg::sha256, plain->plaintext);
  if (!digest) return "fail " + digest.error().ToString();
  return "ok " + fuzz::Hex(*digest);
}

bool IsTrailing(const std::string& answer) {
  return answer.starts_with("fail ") &&
         answer.find("bytes follow the end of the message") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 2) {
    std::fprintf(stderr, "usage: esdk_diff DIR...\n");
    return 2;
  }
  DecryptOptions options;
  options.commitment_policy = CommitmentPolicy::forbid_encrypt_allow_decrypt;
  for (int i = 1; i < argc; ++i) {
    const fs::path dir(argv[i]);
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    if (ec) {
      std::fprintf(stderr, "esdk_diff: cannot read %s: %s\n", argv[i], ec.message().c_str());
      return 1;
    }
    std::sort(files.begin(), files.end());
    const std::string folder =
        dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
      const std::string label = folder + "/" + f.filename().string();
      auto answer = Answer(bytes, options);
      // Bytes after the message: find where it ends (the longest prefix
      // that is not refused for trailing bytes) and answer for that.
      size_t cut = bytes.size();
      while (IsTrailing(answer) && cut > 0) {
        answer = Answer(std::span(bytes).first(--cut), options);
      }
      if (cut < bytes.size()) {
        std::printf("%s trailing %zu %s\n", label.c_str(), bytes.size() - cut, answer.c_str());
      } else {
        std::printf("%s %s\n", label.c_str(), answer.c_str());
      }
    }
  }
  return 0;
}
