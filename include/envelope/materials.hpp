// envelope: cryptographic materials of an envelope message, and the
// materials manager interface the message layer asks for them.
//
// Encrypting a message needs a data key, its encrypted copies (EDKs) and,
// for signed suites, a signing key: the EncryptionMaterials. Decrypting needs
// the data key back from one of the EDKs in the header: the
// DecryptionMaterials. A CryptoMaterialsManager (CMM) produces both, usually
// by asking a Keyring (keyring.hpp). The message layer only ever talks to
// this interface, never to keyrings, so keyrings sit above it.
#ifndef ENVELOPE_MATERIALS_HPP_
#define ENVELOPE_MATERIALS_HPP_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// AlgorithmSuiteId names an AWS Encryption SDK algorithm suite by its wire
// id. We encrypt with the two committing suites (0x0478 is the default) and
// decrypt every suite listed, the legacy v1 ones only when the commitment
// policy allows.
enum class AlgorithmSuiteId : uint16_t {
  aes_128_gcm_iv12_tag16_no_kdf = 0x0014,
  aes_192_gcm_iv12_tag16_no_kdf = 0x0046,
  aes_256_gcm_iv12_tag16_no_kdf = 0x0078,
  aes_128_gcm_iv12_tag16_hkdf_sha256 = 0x0114,
  aes_192_gcm_iv12_tag16_hkdf_sha256 = 0x0146,
  aes_256_gcm_iv12_tag16_hkdf_sha256 = 0x0178,
  aes_128_gcm_iv12_tag16_hkdf_sha256_ecdsa_p256 = 0x0214,
  aes_192_gcm_iv12_tag16_hkdf_sha384_ecdsa_p384 = 0x0346,
  aes_256_gcm_iv12_tag16_hkdf_sha384_ecdsa_p384 = 0x0378,
  aes_256_gcm_hkdf_sha512_commit_key = 0x0478,
  aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384 = 0x0578,
};

// CommitmentPolicy says which suites may be written and read. Key-committing
// suites (0x0478, 0x0578) guarantee that a message decrypts under exactly one
// data key; the legacy suites do not.
enum class CommitmentPolicy {
  require_encrypt_require_decrypt,  // default: committing suites only
  require_encrypt_allow_decrypt,    // write committing, read legacy too
  forbid_encrypt_allow_decrypt,     // legacy writers: read everything
};

// EncryptionContext is the authenticated, never secret, key-value data of a
// message. std::map orders keys by their raw UTF-8 bytes (std::string
// compares as unsigned char), which is the canonical order of the format.
// Keys starting with "aws-crypto-" are reserved for the library.
using EncryptionContext = std::map<std::string, std::string>;

// kReservedContextPrefix starts every reserved context key.
inline constexpr std::string_view kReservedContextPrefix = "aws-crypto-";
// kPublicKeyContextKey carries the signature verification key of a signed
// message (base64 of the compressed point).
inline constexpr std::string_view kPublicKeyContextKey = "aws-crypto-public-key";

// EncryptedDataKey is one wrapped copy of the data key, as stored in the
// header: who can unwrap it (provider id and info) and the wrapped bytes.
struct EncryptedDataKey {
  std::string provider_id;
  std::vector<uint8_t> provider_info;
  std::vector<uint8_t> ciphertext;

  friend bool operator==(const EncryptedDataKey&, const EncryptedDataKey&) = default;
};

// SigningKey signs the digest of a message for signed suites. It is made by
// NewSigningKey (message.hpp) and owned by shared_ptr so materials can be
// copied; the private key never leaves it. Immutable after creation and safe
// to share between threads.
class SigningKey {
 public:
  virtual ~SigningKey() = default;
  // SignDigest returns a DER ECDSA signature of `digest` (SHA-384, 48 bytes).
  [[nodiscard]] virtual Result<std::vector<uint8_t>> SignDigest(
      std::span<const uint8_t> digest) const = 0;
  // PublicKey returns the compressed public point (49 bytes for P-384).
  virtual std::vector<uint8_t> PublicKey() const = 0;
};

// EncryptionMaterials is what a message is encrypted with.
struct EncryptionMaterials {
  AlgorithmSuiteId suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  // context is the whole encryption context, including the reserved
  // aws-crypto-public-key of signed suites and the required keys below.
  EncryptionContext context;
  // required_context_keys are context keys that are authenticated but not
  // stored in the header: the decrypting party must supply them again.
  std::vector<std::string> required_context_keys;
  // data_key is empty until a keyring generates it.
  SecretBytes data_key;
  std::vector<EncryptedDataKey> encrypted_data_keys;
  // signing_key is set for signed suites, null otherwise.
  std::shared_ptr<const SigningKey> signing_key;
};

// EncryptionMaterialsRequest is what the caller of encrypt asks for.
struct EncryptionMaterialsRequest {
  EncryptionContext context;
  std::optional<AlgorithmSuiteId> suite;  // nullopt: the policy's default
  CommitmentPolicy commitment_policy = CommitmentPolicy::require_encrypt_require_decrypt;
  // max_plaintext_length is the most plaintext the materials will encrypt,
  // when the caller knows it (the one-shot Encrypt does; streams do not). A
  // caching CMM (caching_cmm.hpp) only reuses data keys when it is set.
  std::optional<uint64_t> max_plaintext_length;
};

// DecryptionMaterialsRequest carries what the header says (after parsing,
// before it is authenticated) plus what the caller expects.
struct DecryptionMaterialsRequest {
  AlgorithmSuiteId suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  CommitmentPolicy commitment_policy = CommitmentPolicy::require_encrypt_require_decrypt;
  std::span<const EncryptedDataKey> encrypted_data_keys;
  // stored_context is the encryption context in the header.
  const EncryptionContext* stored_context = nullptr;
  // reproduced_context is the context the caller supplies to decrypt (may
  // be empty): shared keys must have equal values, and keys missing from the
  // header become required keys authenticated by the header tag.
  const EncryptionContext* reproduced_context = nullptr;
};

// DecryptionMaterials is what a message is decrypted with.
struct DecryptionMaterials {
  AlgorithmSuiteId suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  // context is the stored context plus the reproduced one.
  EncryptionContext context;
  // required_context_keys are the keys of `context` not stored in the header.
  std::vector<std::string> required_context_keys;
  // data_key is empty until a keyring unwraps an EDK.
  SecretBytes data_key;
  // verification_key is the compressed public point of signed suites.
  std::vector<uint8_t> verification_key;
};

// CryptoMaterialsManager hands out materials for encrypt and decrypt. The
// default one (NewDefaultCmm in keyring.hpp) asks a keyring; others wrap it
// to add rules. Implementations must be safe to call from several threads.
class CryptoMaterialsManager {
 public:
  virtual ~CryptoMaterialsManager() = default;

  // GetEncryptionMaterials returns the materials to encrypt one message.
  [[nodiscard]] virtual Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest& request) const = 0;

  // DecryptMaterials returns the materials to decrypt one message, with the
  // data key unwrapped from one of the request's EDKs.
  [[nodiscard]] virtual Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const = 0;
};

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_MATERIALS_HPP_
