// lib/kms: the root key that protects the keystore file at rest.
//
// Managed mode: a random 256-bit key in a private file beside the keystore,
// created together with it:
//
//   +--------------------+-------------------------+
//   | "ENVROOT\n" magic  | root key (32 bytes)     |   exactly 40 bytes
//   +--------------------+-------------------------+
//
// Passphrase mode: root key = Argon2id(passphrase, salt, passes, memory)
// with the salt and costs from the keystore header; the passphrase comes from
// a file, a descriptor or an environment variable, one trailing newline
// dropped, never empty.
#ifndef ENVELOPE_LIB_KMS_ROOT_KEY_H_
#define ENVELOPE_LIB_KMS_ROOT_KEY_H_

#include <string>

#include "envelope/error.hpp"
#include "envelope/kms_types.hpp"
#include "envelope/secret.hpp"
#include "kms/keystore_file.h"

namespace envelope::kms::internal {

inline constexpr size_t kRootKeySize = 32;
inline constexpr size_t kMaxPassphraseSize = 4096;

// RootKeyPath returns the managed root key file of `source` in `dir`.
std::string RootKeyPath(const RootKeySource& source, const std::string& dir);

// LoadManagedRootKey reads a root key file. `not_found` when missing (with a
// hint that the keystore cannot be opened without it), `invalid_argument`
// for a file that is not a root key file, `io` for permissions.
[[nodiscard]] Result<SecretBytes> LoadManagedRootKey(const std::string& path);

// CreateManagedRootKey writes a new random root key file atomically. Fails
// with `io` if one already exists (never overwrites).
[[nodiscard]] Result<SecretBytes> CreateManagedRootKey(const std::string& path);

// ReadPassphrase reads the passphrase `source` names into secret memory.
// Fails with `invalid_argument` for an empty passphrase or unset variable.
[[nodiscard]] Result<SecretBytes> ReadPassphrase(const RootKeySource& source);

// DerivePassphraseRootKey runs Argon2id with the header's salt and costs.
[[nodiscard]] Result<SecretBytes> DerivePassphraseRootKey(const SecretBytes& passphrase,
                                                          const KeystoreHeader& header);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_ROOT_KEY_H_
