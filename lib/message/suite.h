// lib/message: the algorithm suites of the ESDK message format, the
// commitment policy rules and the key derivation of each suite.
//
//   id      ver key  KDF                  signature        commits
//   0x0014  1   16   identity             -                no
//   0x0046  1   24   identity             -                no
//   0x0078  1   32   identity             -                no
//   0x0114  1   16   HKDF-SHA-256         -                no
//   0x0146  1   24   HKDF-SHA-256         -                no
//   0x0178  1   32   HKDF-SHA-256         -                no
//   0x0214  1   16   HKDF-SHA-256         ECDSA P-256      no
//   0x0346  1   24   HKDF-SHA-384         ECDSA P-384      no
//   0x0378  1   32   HKDF-SHA-384         ECDSA P-384      no
//   0x0478  2   32   HKDF-SHA-512         -                yes
//   0x0578  2   32   HKDF-SHA-512         ECDSA P-384      yes
// All use AES-GCM with 12-byte IVs and 16-byte tags.
#ifndef ENVELOPE_LIB_MESSAGE_SUITE_H_
#define ENVELOPE_LIB_MESSAGE_SUITE_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "envelope/error.hpp"
#include "envelope/materials.hpp"
#include "envelope/secret.hpp"

namespace envelope::message {

enum class Kdf { identity, hkdf_sha256, hkdf_sha384, hkdf_sha512_commit };
enum class SignatureAlg { none, ecdsa_p256_sha256, ecdsa_p384_sha384 };

// SuiteInfo describes one algorithm suite.
struct SuiteInfo {
  AlgorithmSuiteId id;
  uint8_t message_version;  // 1 or 2
  size_t key_size;          // data key and encryption key bytes
  Kdf kdf;
  SignatureAlg signature;

  bool committing() const { return kdf == Kdf::hkdf_sha512_commit; }
  bool signed_suite() const { return signature != SignatureAlg::none; }
  size_t message_id_size() const { return message_version == 2 ? 32 : 16; }
  // digest_size of the signature hash (0 for unsigned suites).
  size_t digest_size() const;
  // public_key_size is the compressed point size (0 for unsigned suites).
  size_t public_key_size() const;
};

inline constexpr size_t kCommitKeySize = 32;

// FindSuite returns the suite with wire id `id`, or nullptr.
const SuiteInfo* FindSuite(uint16_t id);

// CheckEncryptPolicy fails with `invalid_argument` when `suite` may not be
// written: only the committing v2 suites are ever written here, and only
// under a policy that requires commitment.
[[nodiscard]] Result<void> CheckEncryptPolicy(const SuiteInfo& suite, CommitmentPolicy policy);

// CheckDecryptPolicy fails with `unsupported` for a non-committing suite
// under REQUIRE_ENCRYPT_REQUIRE_DECRYPT.
[[nodiscard]] Result<void> CheckDecryptPolicy(const SuiteInfo& suite, CommitmentPolicy policy);

// DerivedKeys are the per-message keys.
struct DerivedKeys {
  SecretBytes encryption_key;  // key_size bytes
  SecretBytes commit_key;      // 32 bytes for committing suites, else empty
};

// DeriveKeys derives the per-message keys from the data key:
//  - v2: PRK = HKDF-Extract-SHA-512(salt = message id, data key);
//        key = Expand(PRK, suite id || "DERIVEKEY"), commit = Expand(PRK, "COMMITKEY")
//  - v1 HKDF: HKDF(salt = none, data key, info = suite id || message id)
//  - v1 identity: the data key itself.
// Fails with `invalid_argument` when the data key or message id has the
// wrong size for the suite.
[[nodiscard]] Result<DerivedKeys> DeriveKeys(const SuiteInfo& suite,
                                             std::span<const uint8_t> data_key,
                                             std::span<const uint8_t> message_id);

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_SUITE_H_
