// lib/kms: the keystore file, `keystore.kms`: the key payload (see
// keystore_state.h) encrypted at rest under the root key.
//
// Wire format, version 1 (integers big-endian):
//
//    0          8      10     11    12          16          20
//   +----------+------+------+-----+-----------+-----------+------------------+
//   | magic    | ver  | mode | 00  | argon2id  | argon2id  | argon2id salt    |
//   | ENVKMS\0\n| 0001 |      |     | passes    | mem (KiB) | (16 bytes)       |
//   +----------+------+------+-----+-----------+-----------+------------------+
//    36                  52               64            68
//   +-------------------+----------------+-------------+--------------------+-----+
//   | root key check    | IV (12 bytes)  | payload     | ciphertext         | tag |
//   | (16 bytes)        |                | length n    | (n bytes)          | (16)|
//   +-------------------+----------------+-------------+--------------------+-----+
//   |<-------------- header: 68 bytes, all of it AAD -------------------->|
//
//   mode 1 = managed root key file (passes, memory and salt are zero)
//   mode 2 = passphrase: root key = Argon2id(passphrase, salt, passes, mem)
//   encryption key = HKDF-SHA-512(root key, info "envelope keystore v1 key")
//   check          = HKDF-SHA-512(root key, info "envelope keystore v1 check")
//   AES-256-GCM(encryption key, IV, AAD = header) over the payload.
//
// The check value tells a wrong root key or passphrase ("wrong passphrase")
// apart from a damaged or tampered file (the tag fails with the right key).
// The file must end exactly after the tag; n is at most 64 MiB.
#ifndef ENVELOPE_LIB_KMS_KEYSTORE_FILE_H_
#define ENVELOPE_LIB_KMS_KEYSTORE_FILE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/password_hash.h"
#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::kms::internal {

inline constexpr uint8_t kKeystoreMagic[8] = {'E', 'N', 'V', 'K', 'M', 'S', 0, '\n'};
inline constexpr uint16_t kKeystoreVersion = 1;
inline constexpr size_t kKeystoreHeaderSize = 68;
inline constexpr size_t kKeystoreMaxPayload = size_t{64} << 20;
inline constexpr size_t kKeystoreMaxFile = kKeystoreHeaderSize + kKeystoreMaxPayload + 16;

// RootKeyMode is the header's mode byte.
enum class RootKeyMode : uint8_t { managed = 1, passphrase = 2 };

// KeystoreHeader is the parsed header of a keystore file.
struct KeystoreHeader {
  RootKeyMode mode = RootKeyMode::managed;
  crypto::Argon2idParams argon2id{0, 0};  // zero in managed mode
  std::array<uint8_t, 16> salt{};         // zero in managed mode
  std::array<uint8_t, 16> check{};
  std::array<uint8_t, 12> iv{};
  uint32_t payload_size = 0;
};

// ParseKeystoreHeader reads the header of `file` and checks that the file's
// length is exactly what it says, never reading past the span: `truncated`
// for a short file, `invalid_argument` for a foreign file (bad magic), stray
// bytes or bad fields, `unsupported` for a later version.
[[nodiscard]] Result<KeystoreHeader> ParseKeystoreHeader(std::span<const uint8_t> file);

// SealKeystore encrypts `payload` under `root_key` into a complete file,
// with the mode, Argon2id parameters and salt of `base` and a fresh IV.
[[nodiscard]] Result<std::vector<uint8_t>> SealKeystore(const KeystoreHeader& base,
                                                        const SecretBytes& root_key,
                                                        std::span<const uint8_t> payload);

// OpenKeystore decrypts a keystore file. A root key whose check value does
// not match is `auth_failed` "wrong root key" (or "wrong passphrase"); a
// matching key whose tag fails is `auth_failed` "corrupt or tampered".
[[nodiscard]] Result<SecretBytes> OpenKeystore(std::span<const uint8_t> file,
                                               const SecretBytes& root_key);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_KEYSTORE_FILE_H_
