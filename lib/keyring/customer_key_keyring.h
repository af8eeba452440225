// lib/keyring: the SSE-C keyring (layout in include/envelope/customer_key.hpp).
//
// Per EDK, with a fresh random 32-byte salt and customer key K:
//
//   wrap key    = HKDF-SHA-512(salt, ikm = K, info = "envelope sse-c v1 wrap", 32)
//   fingerprint = HMAC-SHA-256(K, "envelope sse-c v1 fingerprint" || salt)
//
// Why the fingerprint check is no oracle on the data: it is computed from
// the supplied key and the public salt only, and compared (in constant
// time) before anything is decrypted. Its answer, "this is the key or it is
// not", depends on nothing but the key, never on the data key, the context
// or the body, so it tells a caller only what trying the key would tell
// them anyway, and with 256-bit random keys guessing is hopeless (which is
// why this keyring takes only full-size keys, not passwords: a fingerprint
// of a low-entropy secret would allow an offline dictionary attack). An
// attacker who alters the fingerprint only changes which error is shown;
// the data key stays protected by the AES-GCM tag, whose failure keeps the
// one fixed message. The salt makes fingerprints of the same key differ
// from message to message, so they do not link messages to one customer,
// and defeats precomputed tables.
#ifndef ENVELOPE_LIB_KEYRING_CUSTOMER_KEY_KEYRING_H_
#define ENVELOPE_LIB_KEYRING_CUSTOMER_KEY_KEYRING_H_

#include "envelope/customer_key.hpp"
#include "envelope/secret.hpp"

namespace envelope::keyring {

// CustomerKeyKeyring implements Keyring; build it with NewCustomerKeyKeyring.
class CustomerKeyKeyring final : public Keyring {
 public:
  explicit CustomerKeyKeyring(SecretBytes customer_key) : key_(std::move(customer_key)) {}
  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

 private:
  SecretBytes key_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_CUSTOMER_KEY_KEYRING_H_
