#include "kms/root_key.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "crypto/password_hash.h"
#include "kms/file_io.h"

namespace envelope::kms::internal {
namespace {

constexpr uint8_t kRootMagic[8] = {'E', 'N', 'V', 'R', 'O', 'O', 'T', '\n'};
constexpr size_t kRootFileSize = sizeof kRootMagic + kRootKeySize;

// StripNewline drops one trailing "\n" or "\r\n" by copying the rest.
Result<SecretBytes> StripNewline(SecretBytes raw) {
  size_t n = raw.size();
  if (n > 0 && raw.data()[n - 1] == '\n') --n;
  if (n > 0 && raw.data()[n - 1] == '\r') --n;
  if (n == 0) return MakeError(ErrorCode::invalid_argument, "the passphrase is empty");
  if (n == raw.size()) return raw;
  return SecretBytes::CopyFrom(raw.span().first(n));
}

}  // namespace

std::string RootKeyPath(const RootKeySource& source, const std::string& dir) {
  if (source.kind == RootKeySource::Kind::managed_file && !source.path.empty()) return source.path;
  return dir + "/root.key";
}

Result<SecretBytes> LoadManagedRootKey(const std::string& path) {
  auto raw = ReadSecretFile(path, kRootFileSize + 1);
  if (!raw) {
    if (raw.error().code() == ErrorCode::not_found) {
      return MakeError(ErrorCode::not_found,
                       "root key file " + path +
                           " is missing; the keystore cannot be opened without it; hint: "
                           "restore it from a backup, or give the passphrase if this keystore "
                           "uses one");
    }
    return raw;
  }
  if (raw->size() != kRootFileSize ||
      !std::equal(std::begin(kRootMagic), std::end(kRootMagic), raw->data())) {
    return MakeError(ErrorCode::invalid_argument, path + " is not an envelope root key file");
  }
  return SecretBytes::CopyFrom(raw->span().subspan(sizeof kRootMagic));
}

Result<SecretBytes> CreateManagedRootKey(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    return MakeError(ErrorCode::io, "root key file " + path + " already exists; not replacing it");
  }
  auto key = SecretBytes::Random(kRootKeySize);
  if (!key) return key;
  auto file = SecretBytes::Allocate(kRootFileSize);
  if (!file) return file;
  std::memcpy(file->data(), kRootMagic, sizeof kRootMagic);
  std::memcpy(file->data() + sizeof kRootMagic, key->data(), kRootKeySize);
  const std::filesystem::path p(path);
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  ENVELOPE_RETURN_IF_ERROR(WriteFileAtomically(dir, p.filename().string(), file->span()));
  return key;
}

Result<SecretBytes> ReadPassphrase(const RootKeySource& source) {
  using Kind = RootKeySource::Kind;
  switch (source.kind) {
    case Kind::passphrase_file: {
      auto raw = ReadSecretFile(source.path, kMaxPassphraseSize);
      if (!raw) return tl::unexpected(raw.error().WithContext("passphrase file"));
      return StripNewline(std::move(*raw));
    }
    case Kind::passphrase_fd: {
      if (source.fd < 0) {
        return MakeError(ErrorCode::invalid_argument, "passphrase descriptor is not set");
      }
      auto raw = ReadSecretFd(source.fd, kMaxPassphraseSize);
      if (!raw) return tl::unexpected(raw.error().WithContext("passphrase descriptor"));
      return StripNewline(std::move(*raw));
    }
    case Kind::passphrase_env: {
      auto raw = ReadSecret({SecretSource::Kind::env, source.env}, kMaxPassphraseSize);
      if (!raw) return tl::unexpected(raw.error().WithContext("passphrase"));
      return StripNewline(std::move(*raw));
    }
    case Kind::managed_file:
      break;
  }
  return MakeError(ErrorCode::internal, "root key source is not a passphrase");
}

Result<SecretBytes> DerivePassphraseRootKey(const SecretBytes& passphrase,
                                            const KeystoreHeader& header) {
  return crypto::Argon2idDeriveKey(passphrase.span(), header.salt, header.argon2id, kRootKeySize);
}

}  // namespace envelope::kms::internal
