// test/interop/esdk_tool: our side of the interop test. Encrypts or decrypts
// one file with a raw AES or raw RSA keyring through the public API only
// (envelope/keyring.hpp, envelope/message.hpp), taking the same arguments as
// test/interop/esdk.mjs so the driver can swap the two:
//
//   esdk_tool encrypt|decrypt --in FILE --out FILE
//       --keyring aes --key-file FILE --key-namespace NS --key-name NAME
//     | --keyring rsa --public-key PEM --private-key PEM
//                     --padding oaep-sha1|oaep-sha256|oaep-sha384|oaep-sha512|pkcs1
//                     --key-namespace NS --key-name NAME
//       [--suite 0x0478|0x0578]   encrypt: the suite (default 0x0578);
//                                 decrypt: the suite the message must have
//       [--frame-length N]        encrypt only (default 4096, as esdk.mjs)
//       [--context JSON | --context-file FILE]
//                                 encrypt: the encryption context;
//                                 decrypt: the reproduced context (must match)
//
// Output goes to a temporary file beside --out, renamed on success only.
// Exit status: 0 success, 1 failure, 2 bad usage; errors on stderr as
// "esdk_tool <command>: error: ...".
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"

namespace {

using envelope::ErrorCode;
using envelope::MakeError;
using envelope::Result;

constexpr size_t kChunk = size_t{1} << 20;

struct Usage {
  std::string message;
};

struct Options {
  std::string command;
  std::map<std::string, std::string> values;

  bool has(const std::string& name) const { return values.count(name) != 0; }
  const std::string& get(const std::string& name) const { return values.at(name); }
};

Options ParseArgs(int argc, char** argv) {
  static const char* const kNames[] = {
      "in",           "out",        "keyring",     "key-file", "key-namespace",
      "key-name",     "public-key", "private-key", "padding",  "suite",
      "frame-length", "context",    "context-file"};
  Options o;
  if (argc < 2 || (std::strcmp(argv[1], "encrypt") != 0 && std::strcmp(argv[1], "decrypt") != 0)) {
    throw Usage{"the first argument must be \"encrypt\" or \"decrypt\""};
  }
  o.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    bool known = false;
    for (const char* name : kNames) known = known || arg == std::string("--") + name;
    if (!known) throw Usage{"unknown argument \"" + arg + "\""};
    if (i + 1 >= argc) throw Usage{arg + " needs a value"};
    if (!o.values.emplace(arg.substr(2), argv[++i]).second) throw Usage{arg + " given twice"};
  }
  for (const char* required : {"in", "out", "keyring", "key-namespace", "key-name"}) {
    if (!o.has(required)) throw Usage{std::string("--") + required + " is required"};
  }
  return o;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::io, "cannot read " + path + ": " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

envelope::EncryptionContext ReadContext(const Options& o) {
  if (o.has("context") && o.has("context-file")) {
    throw Usage{"give --context or --context-file, not both"};
  }
  std::string text = "{}";
  if (o.has("context")) text = o.get("context");
  if (o.has("context-file")) {
    auto file = ReadWholeFile(o.get("context-file"));
    if (!file) throw Usage{file.error().message()};
    text = *file;
  }
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) throw Usage{"the encryption context must be a JSON object of strings"};
  envelope::EncryptionContext context;
  for (const auto& [key, value] : json.items()) {
    if (!value.is_string()) throw Usage{"the encryption context must be a JSON object of strings"};
    context.emplace(key, value.get<std::string>());
  }
  return context;
}

envelope::AlgorithmSuiteId ParseSuite(const std::string& text) {
  if (text == "0x0478") return envelope::AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  if (text == "0x0578") {
    return envelope::AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
  }
  throw Usage{"--suite must be 0x0478 or 0x0578"};
}

Result<std::shared_ptr<const envelope::Keyring>> MakeKeyring(const Options& o) {
  const std::string& ns = o.get("key-namespace");
  const std::string& name = o.get("key-name");
  if (o.get("keyring") == "aes") {
    for (const char* bad : {"public-key", "private-key", "padding"}) {
      if (o.has(bad)) throw Usage{std::string("--") + bad + " is for --keyring rsa"};
    }
    if (!o.has("key-file")) throw Usage{"--keyring aes needs --key-file"};
    auto key = ReadWholeFile(o.get("key-file"));
    ENVELOPE_RETURN_IF_ERROR(key);
    std::vector<uint8_t> bytes(key->begin(), key->end());
    auto keyring = envelope::NewRawAesKeyring(ns, name, envelope::KeyView(bytes));
    envelope::SecureZero(bytes);
    envelope::SecureZero({reinterpret_cast<uint8_t*>(key->data()), key->size()});
    return keyring;
  }
  if (o.get("keyring") == "rsa") {
    if (o.has("key-file")) throw Usage{"--key-file is for --keyring aes"};
    static const std::map<std::string, envelope::RsaPadding> kPaddings = {
        {"oaep-sha1", envelope::RsaPadding::oaep_sha1},
        {"oaep-sha256", envelope::RsaPadding::oaep_sha256},
        {"oaep-sha384", envelope::RsaPadding::oaep_sha384},
        {"oaep-sha512", envelope::RsaPadding::oaep_sha512},
        {"pkcs1", envelope::RsaPadding::pkcs1_v15}};
    auto padding = kPaddings.find(o.has("padding") ? o.get("padding") : "");
    if (padding == kPaddings.end()) {
      throw Usage{
          "--padding must be one of oaep-sha1, oaep-sha256, oaep-sha384, oaep-sha512, "
          "pkcs1"};
    }
    std::string public_pem, private_pem;
    if (o.has("public-key")) {
      auto pem = ReadWholeFile(o.get("public-key"));
      ENVELOPE_RETURN_IF_ERROR(pem);
      public_pem = std::move(*pem);
    }
    if (o.has("private-key")) {
      auto pem = ReadWholeFile(o.get("private-key"));
      ENVELOPE_RETURN_IF_ERROR(pem);
      private_pem = std::move(*pem);
    }
    auto keyring = envelope::NewRawRsaKeyring(ns, name, padding->second, public_pem, private_pem);
    envelope::SecureZero({reinterpret_cast<uint8_t*>(private_pem.data()), private_pem.size()});
    return keyring;
  }
  throw Usage{"--keyring must be \"aes\" or \"rsa\""};
}

// TempFileSink writes to a temporary file beside the destination and moves
// it into place only in Commit(); otherwise the destructor removes it.
class TempFileSink final : public envelope::Sink {
 public:
  explicit TempFileSink(std::string destination)
      : destination_(std::move(destination)),
        temp_(destination_ + "." + std::to_string(getpid()) + ".tmp") {}
  ~TempFileSink() override {
    if (fd_ >= 0) close(fd_);
    if (!committed_) unlink(temp_.c_str());
  }

  Result<void> Open() {
    fd_ = open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0)
      return MakeError(ErrorCode::io, "cannot create " + temp_ + ": " + std::strerror(errno));
    return {};
  }

  Result<void> Write(std::span<const uint8_t> data) override {
    while (!data.empty()) {
      const ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        return MakeError(ErrorCode::io, "cannot write " + temp_ + ": " + std::strerror(errno));
      data = data.subspan(static_cast<size_t>(n));
    }
    return {};
  }

  // Sink's Commit(n) belongs to its Reserve; this Commit() is the file's.
  using Sink::Commit;
  Result<void> Commit() {
    if (fsync(fd_) != 0 || close(fd_) != 0) {
      fd_ = -1;
      return MakeError(ErrorCode::io, "cannot flush " + temp_ + ": " + std::strerror(errno));
    }
    fd_ = -1;
    if (rename(temp_.c_str(), destination_.c_str()) != 0) {
      return MakeError(ErrorCode::io,
                       "cannot rename to " + destination_ + ": " + std::strerror(errno));
    }
    committed_ = true;
    return {};
  }

 private:
  std::string destination_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Pump feeds the input file to `update` in 1 MiB pieces.
template <typename Update>
Result<void> Pump(const std::string& path, Update&& update) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) return MakeError(ErrorCode::io, "cannot open " + path + ": " + std::strerror(errno));
  std::vector<uint8_t> buf(kChunk);
  for (;;) {
    const size_t n = std::fread(buf.data(), 1, buf.size(), in.get());
    if (n > 0) {
      if (auto ok = update(std::span<const uint8_t>(buf.data(), n)); !ok) return ok;
    }
    if (n < buf.size()) {
      if (std::ferror(in.get())) return MakeError(ErrorCode::io, "cannot read " + path);
      return {};
    }
  }
}

Result<void> Run(const Options& o) {
  auto context = ReadContext(o);
  auto keyring = MakeKeyring(o);
  ENVELOPE_RETURN_IF_ERROR(keyring);
  auto cmm = envelope::NewDefaultCmm(*keyring);
  ENVELOPE_RETURN_IF_ERROR(cmm);
  TempFileSink sink(o.get("out"));
  if (auto ok = sink.Open(); !ok) return ok;

  if (o.command == "encrypt") {
    envelope::EncryptOptions options;
    options.suite = ParseSuite(o.has("suite") ? o.get("suite") : "0x0578");
    options.context = std::move(context);
    options.frame_length = 4096;
    if (o.has("frame-length")) {
      const std::string& text = o.get("frame-length");
      char* end = nullptr;
      errno = 0;
      const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno != 0 || v < 1 || v > 0xffffffffull ||
          text[0] == '-') {
        throw Usage{"--frame-length must be an integer from 1 to 2^32-1"};
      }
      options.frame_length = static_cast<uint32_t>(v);
    }
    auto enc = envelope::MessageEncryptor::New(**cmm, options, sink);
    ENVELOPE_RETURN_IF_ERROR(enc);
    if (auto ok = Pump(o.get("in"), [&](auto piece) { return (*enc)->Update(piece); }); !ok) {
      return ok;
    }
    if (auto ok = (*enc)->Finish(); !ok) return ok;
  } else {
    if (o.has("frame-length")) throw Usage{"--frame-length is for encrypt"};
    std::optional<envelope::AlgorithmSuiteId> want;
    if (o.has("suite")) want = ParseSuite(o.get("suite"));
    envelope::DecryptOptions options;
    options.reproduced_context = std::move(context);
    auto dec = envelope::MessageDecryptor::New(**cmm, options, sink);
    ENVELOPE_RETURN_IF_ERROR(dec);
    if (auto ok = Pump(o.get("in"), [&](auto piece) { return (*dec)->Update(piece); }); !ok) {
      return ok;
    }
    if (auto ok = (*dec)->Finish(); !ok) return ok;
    const envelope::HeaderInfo* header = (*dec)->header();
    if (header == nullptr) return MakeError(ErrorCode::internal, "no authenticated header");
    if (want && header->suite != *want) {
      char got[8];
      std::snprintf(got, sizeof got, "0x%04x", static_cast<unsigned>(header->suite));
      return MakeError(ErrorCode::invalid_argument,
                       std::string("message suite is ") + got + ", expected " + o.get("suite"));
    }
  }
  return sink.Commit();
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = ParseArgs(argc, argv);
  } catch (const Usage& u) {
    std::fprintf(stderr, "esdk_tool: error: %s\n", u.message.c_str());
    return 2;
  }
  try {
    auto ok = Run(options);
    if (!ok) {
      std::fprintf(stderr, "esdk_tool %s: error: %s\n", options.command.c_str(),
                   ok.error().ToString().c_str());
      return 1;
    }
  } catch (const Usage& u) {
    std::fprintf(stderr, "esdk_tool %s: error: %s\n", options.command.c_str(), u.message.c_str());
    return 2;
  }
  return 0;
}
