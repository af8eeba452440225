// fuzz target root_key: loading the KMS root key (lib/kms/root_key.cc):
// the managed root key file and the passphrase file of a passphrase
// keystore, read from a private file written by the harness (mode 0600, in
// its scratch folder).
//
// Input: mode byte, then the file's contents. Properties:
//  - mode even, a root key file: accepted exactly when it is 40 bytes that
//    start with "ENVROOT\n", the key being the 32 bytes after it; otherwise
//    `invalid_argument`, with a message that does not change when the bytes
//    after the magic (key material) do; the same file readable by others is
//    refused with `io`, a missing one with `not_found`. With mode bit 1,
//    CreateManagedRootKey then writes a fresh root key file (mode 0600) that
//    LoadManagedRootKey reads back to the same key, and refuses with `io` to
//    replace it or the input file;
//  - mode odd, a passphrase, given as (mode >> 1) % 3 says: 0 a file, 1 an
//    open descriptor of that file, 2 an environment variable holding the
//    bytes (up to the first NUL, as the environment keeps them): up to 4096
//    bytes are accepted, minus one trailing "\n" and then one trailing "\r"
//    (so "\r\n" and, as the code does it, a bare final "\r"), unless that
//    leaves nothing (then `invalid_argument`); over 4096 bytes is
//    `invalid_argument`; no message holds the passphrase. An unset variable,
//    a descriptor of -1 and a managed source are refused without reading.
#include "kms/root_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
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

// CreateAndLoad: a fresh root key file reads back to the key its creation
// returned; neither it nor the input file `existing` is ever replaced.
void CreateAndLoad(const std::string& existing) {
  const std::string path = fuzz::ScratchRoot() + "/created.key";
  std::filesystem::remove(path);
  auto created = ki::CreateManagedRootKey(path);
  FUZZ_CHECK(created.has_value() && created->size() == ki::kRootKeySize);
  struct stat st {};
  FUZZ_CHECK(stat(path.c_str(), &st) == 0 && (st.st_mode & 0777) == 0600);
  auto loaded = ki::LoadManagedRootKey(path);
  FUZZ_CHECK(loaded.has_value() && loaded->Equals(*created));
  for (const std::string& p : {path, existing}) {
    auto again = ki::CreateManagedRootKey(p);
    FUZZ_CHECK(!again.has_value() && again.error().code() == ErrorCode::io);
  }
  auto still = ki::LoadManagedRootKey(path);
  FUZZ_CHECK(still.has_value() && still->Equals(*created));
}

void RootKeyFile(std::span<const uint8_t> file, bool create) {
  const std::string path = WriteFile(file);
  if (create) CreateAndLoad(path);
  auto key = ki::LoadManagedRootKey(path);
  const bool valid = file.size() == 40 &&
                     std::equal(kMagic, kMagic + 8, reinterpret_cast<const char*>(file.data()));
  FUZZ_CHECK(key.has_value() == valid);
  // Readable by others: refused before its contents are looked at.
  FUZZ_CHECK(chmod(path.c_str(), 0640) == 0);
  auto open_file = ki::LoadManagedRootKey(path);
  FUZZ_CHECK(!open_file.has_value() && open_file.error().code() == ErrorCode::io);
  FUZZ_CHECK(unlink(path.c_str()) == 0);
  auto missing = ki::LoadManagedRootKey(path);
  FUZZ_CHECK(!missing.has_value() && missing.error().code() == ErrorCode::not_found);
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

constexpr char kEnvName[] = "ENVELOPE_FUZZ_PASSPHRASE";

// Passphrase reads `file`'s bytes as a passphrase from source `how` (0 a
// file, 1 a descriptor, 2 the environment, which stops at a NUL) and returns
// the result and the bytes the source really held.
Result<SecretBytes> Passphrase(std::span<const uint8_t> file, unsigned how,
                               std::span<const uint8_t>& held) {
  held = file;
  const std::string path = WriteFile(file);
  if (how == 0) return ki::ReadPassphrase(kms::RootKeySource::PassphraseFile(path));
  if (how == 1) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    auto pass = ki::ReadPassphrase(kms::RootKeySource::PassphraseFd(fd));
    FUZZ_CHECK(close(fd) == 0);  // read, not closed
    return pass;
  }
  held = file.first(std::find(file.begin(), file.end(), 0) - file.begin());
  const std::string value(held.begin(), held.end());
  FUZZ_CHECK(setenv(kEnvName, value.c_str(), 1) == 0);
  auto pass = ki::ReadPassphrase(kms::RootKeySource::PassphraseEnv(kEnvName));
  FUZZ_CHECK(unsetenv(kEnvName) == 0);
  return pass;
}

// Sources that hold nothing to read are refused as such.
void Unreadable() {
  auto unset = ki::ReadPassphrase(kms::RootKeySource::PassphraseEnv(kEnvName));
  FUZZ_CHECK(!unset.has_value() && unset.error().code() == ErrorCode::invalid_argument);
  auto no_fd = ki::ReadPassphrase(kms::RootKeySource::PassphraseFd(-1));
  FUZZ_CHECK(!no_fd.has_value() && no_fd.error().code() == ErrorCode::invalid_argument);
  auto managed = ki::ReadPassphrase(kms::RootKeySource::Managed());
  FUZZ_CHECK(!managed.has_value() && managed.error().code() == ErrorCode::internal);
  auto missing =
      ki::ReadPassphrase(kms::RootKeySource::PassphraseFile(fuzz::ScratchRoot() + "/no-such-file"));
  FUZZ_CHECK(!missing.has_value() && missing.error().code() == ErrorCode::not_found);
}

void PassphraseFile(std::span<const uint8_t> input, unsigned how) {
  std::span<const uint8_t> file;
  auto pass = Passphrase(input, how, file);
  Unreadable();
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
  const std::string named = fuzz::ScratchRoot() + "/input " + kEnvName;
  if (n >= 8 && !fuzz::Contains(named, file.first(n))) {
    FUZZ_CHECK(!fuzz::Contains(pass.error().ToString(), file.first(n)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.U8();
  if (mode % 2 == 0) {
    RootKeyFile(in.Rest(), mode & 2);
  } else {
    PassphraseFile(in.Rest(), (mode >> 1) % 3);
  }
  return 0;
}
