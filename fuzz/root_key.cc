// fuzz target root_key: loading the KMS root key (lib/kms/root_key.cc):
// the managed root key file and the passphrase file of a passphrase
// keystore, read from a private file written by the harness (mode 0600, in
// its scratch folder).
//
// Input: mode byte, then the file's contents. Properties:
//  - mode even, a root key file: accepted exactly when it is 40 bytes that
//    start with "ENVROOT\n", the key being the 32 bytes after it; otherwise
//    `invalid_argument`, with a message that does not change when the bytes
//    after the magic (key material) do;
//  - mode odd, a passphrase file: up to 4096 bytes are accepted, minus one
//    trailing "\n" and then one trailing "\r" (so "\r\n" and, as the code
//    does it, a bare final "\r"), unless that leaves nothing (then
//    `invalid_argument`); over 4096 bytes is `invalid_argument`; no
//    message holds the passphrase.
#include "kms/root_key.h"

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "envelope/kms_types.hpp"
#include "fuzz_util.h"
#include "scratch.h"

namespace {

using namespace envelope;
namespace ki = envelope::kms::internal;

constexpr char kMagic[] = "ENVROOT\n";

std::string WriteFile(std::span<const uint8_t> bytes) {
  const std::string path = fuzz::ScratchRoot() + "/input";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    FUZZ_CHECK(out.good());
  }
  FUZZ_CHECK(chmod(path.c_str(), 0600) == 0);
  return path;
}

bool Equal(const SecretBytes& s, std::span<const uint8_t> b) {
  return s.size() == b.size() && std::equal(b.begin(), b.end(), s.span().begin());
}

void RootKeyFile(std::span<const uint8_t> file) {
  const std::string path = WriteFile(file);
  auto key = ki::LoadManagedRootKey(path);
  const bool valid = file.size() == 40 &&
                     std::equal(kMagic, kMagic + 8, reinterpret_cast<const char*>(file.data()));
  FUZZ_CHECK(key.has_value() == valid);
  if (key) {
    FUZZ_CHECK(Equal(*key, file.subspan(8)));
    return;
  }
  FUZZ_CHECK(key.error().code() == ErrorCode::invalid_argument);
  // The message does not depend on the bytes after the magic (the key
  // material): the same file with those bytes changed gets the same one.
  // (Searching the message for pieces of the file is no test: the fuzzer
  // writes the message's own words into the file.)
  std::vector<uint8_t> other(file.begin(), file.end());
  for (size_t i = 8; i < other.size(); ++i) other[i] ^= 0xa5;
  const std::string message = key.error().ToString();
  auto again = ki::LoadManagedRootKey(WriteFile(other));
  FUZZ_CHECK(!again.has_value());
  FUZZ_CHECK(again.error().ToString() == message);
}

void PassphraseFile(std::span<const uint8_t> file) {
  const std::string path = WriteFile(file);
  auto pass = ki::ReadPassphrase(kms::RootKeySource::PassphraseFile(path));
  size_t n = file.size();
  if (n > 0 && file[n - 1] == '\n') --n;
  if (n > 0 && file[n - 1] == '\r') --n;
  const bool valid = file.size() <= ki::kMaxPassphraseSize && n > 0;
  FUZZ_CHECK(pass.has_value() == valid);
  if (pass) {
    FUZZ_CHECK(Equal(*pass, file.first(n)));
    return;
  }
  FUZZ_CHECK(pass.error().code() == ErrorCode::invalid_argument);
  if (n >= 8 && !fuzz::Contains(path, file.first(n))) {
    FUZZ_CHECK(!fuzz::Contains(pass.error().ToString(), file.first(n)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  if (in.U8() % 2 == 0) {
    RootKeyFile(in.Rest());
  } else {
    PassphraseFile(in.Rest());
  }
  return 0;
}
