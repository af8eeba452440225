// envelope: keyrings (who can unwrap a message's data key) and the
// materials managers built on them.
//
// A Keyring wraps the data key on encrypt (generating it first when it is
// the first keyring asked) and unwraps it on decrypt from the first
// encrypted data key (EDK) it can open. The raw keyrings are compatible with
// every AWS Encryption SDK: same namespace, key name and key bytes, same
// messages. Materials managers (CMMs) add the message-level rules; messages
// are encrypted and decrypted through a CMM (message.hpp), or directly
// through a keyring with the Encrypt/Decrypt overloads below.
//
// In a function that returns a Result (error.hpp has the macro):
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto key, SecretBytes::Random(32));  // or ReadSecret (io.hpp)
//   ENVELOPE_ASSIGN_OR_RETURN(auto keyring, NewRawAesKeyring("my-namespace", "my-key", key));
//   ENVELOPE_ASSIGN_OR_RETURN(auto message,
//                             Encrypt(plaintext, *keyring, {.context = {{"purpose", "demo"}}}));
//   ENVELOPE_ASSIGN_OR_RETURN(auto result, Decrypt(message, *keyring));
#ifndef ENVELOPE_KEYRING_HPP_
#define ENVELOPE_KEYRING_HPP_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/materials.hpp"
#include "envelope/message.hpp"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// Keyring wraps and unwraps data keys. Implementations are immutable after
// construction and safe to share between threads.
class Keyring {
 public:
  virtual ~Keyring() = default;

  // OnEncrypt adds this keyring's EDK to `materials`, first generating the
  // data key (suite key size, from the CSPRNG) when it has none. On failure
  // `materials` is unchanged.
  [[nodiscard]] virtual Result<void> OnEncrypt(EncryptionMaterials& materials) const = 0;

  // OnDecrypt sets materials.data_key from the first EDK of `edks` this
  // keyring can unwrap (nothing to do when a key is already set). Fails with
  // `not_found` when no EDK is addressed to this keyring, `auth_failed` (one
  // fixed message) when one is but does not unwrap, which is what a wrong
  // wrapping key or a changed encryption context gives.
  [[nodiscard]] virtual Result<void> OnDecrypt(DecryptionMaterials& materials,
                                               std::span<const EncryptedDataKey> edks) const = 0;
};

// NewRawAesKeyring wraps data keys with AES-GCM under `wrapping_key` (16, 24
// or 32 bytes; copied into secret memory), binding the encryption context.
// EDKs carry provider id `key_namespace` and the key name. Fails with
// `invalid_argument` for another key size, an empty name or namespace, or a
// namespace starting with "aws-kms" (reserved for AWS KMS keyrings).
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewRawAesKeyring(
    std::string_view key_namespace, std::string_view key_name, KeyView wrapping_key);

// RsaPadding is the padding of a raw RSA keyring; OAEP uses MGF1 with the
// same hash. PKCS#1 v1.5 exists to read old data; prefer OAEP.
enum class RsaPadding { pkcs1_v15, oaep_sha1, oaep_sha256, oaep_sha384, oaep_sha512 };

// NewRawRsaKeyring wraps data keys with RSA under PEM keys. Give the public
// key to encrypt, the private key to decrypt, or both (an empty string means
// absent; with only a private key, encryption uses its public half). The
// encryption context is not bound into an RSA wrap (it still is into the
// message). Fails with `invalid_argument` for malformed PEM, a non-RSA key,
// or neither key given.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewRawRsaKeyring(
    std::string_view key_namespace, std::string_view key_name, RsaPadding padding,
    std::string_view public_key_pem, std::string_view private_key_pem);

// NewMultiKeyring combines keyrings: on encrypt the generator (if any)
// makes the data key and every child wraps it too, so any of them can
// decrypt; on decrypt the generator then the children are tried in order
// until one unwraps. Without a generator, encrypt needs a data key made by
// an earlier keyring. Fails with `invalid_argument` when no keyring is given.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewMultiKeyring(
    std::shared_ptr<const Keyring> generator, std::vector<std::shared_ptr<const Keyring>> children);

// NewDefaultCmm returns the default materials manager over `keyring`:
// rejects caller context keys starting with "aws-crypto-", picks the suite
// (0x0478 unless asked), generates the signing key of signed suites and
// publishes it under aws-crypto-public-key; on decrypt it checks the
// reproduced context against the stored one and extracts the verification
// key. Fails with `invalid_argument` for a null keyring.
[[nodiscard]] Result<std::shared_ptr<const CryptoMaterialsManager>> NewDefaultCmm(
    std::shared_ptr<const Keyring> keyring);

// NewRequiredEncryptionContextCmm wraps `underlying` so every key of
// `required_keys` must be in the context on encrypt and in the reproduced
// context on decrypt; those pairs are authenticated but not stored in the
// message, so a reader must know them. Encryption without one of them fails
// with `invalid_argument`; decryption with a reproduced context that lacks
// one fails with `auth_failed`, like any context that does not match the
// message. Fails with `invalid_argument` for a null CMM, no keys, or a
// reserved key.
[[nodiscard]] Result<std::shared_ptr<const CryptoMaterialsManager>> NewRequiredEncryptionContextCmm(
    std::shared_ptr<const CryptoMaterialsManager> underlying,
    std::vector<std::string> required_keys);

// Encrypt encrypts with `keyring` through a default CMM.
[[nodiscard]] Result<std::vector<uint8_t>> Encrypt(std::span<const uint8_t> plaintext,
                                                   const Keyring& keyring,
                                                   const EncryptOptions& options = {});

// Encrypt encrypts text with `keyring` through a default CMM.
[[nodiscard]] inline Result<std::vector<uint8_t>> Encrypt(std::string_view plaintext,
                                                          const Keyring& keyring,
                                                          const EncryptOptions& options = {}) {
  return Encrypt(AsBytes(plaintext), keyring, options);
}

// EncryptStream encrypts a stream with `keyring` through a default CMM.
[[nodiscard]] Result<uint64_t> EncryptStream(Source& plaintext, Sink& ciphertext,
                                             const Keyring& keyring,
                                             const EncryptOptions& options = {});

// DecryptStream decrypts a stream with `keyring` through a default CMM.
[[nodiscard]] Result<DecryptStreamResult> DecryptStream(Source& ciphertext, Sink& plaintext,
                                                        const Keyring& keyring,
                                                        const DecryptOptions& options = {});

// Decrypt decrypts with `keyring` through a default CMM.
[[nodiscard]] Result<DecryptResult> Decrypt(std::span<const uint8_t> message,
                                            const Keyring& keyring,
                                            const DecryptOptions& options = {});

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_KEYRING_HPP_
