// lib/keyring: the PKCS#11 keyring. The wrapping key stays in the token;
// data keys go in and come back wrapped (and the reverse).
//
// EDK written for a data key:
//
//   provider id   = "envelope-pkcs11"
//   provider info = ASCII: the key's RFC 7512 URI, then the mechanism
//                   +------------------------------------------------------+
//                   | pkcs11:token=<label>;object=<label>;id=<hex escapes> |
//                   |   ;type=secret-key?x-mechanism=<aes-gcm | aes-kwp>   |
//                   +------------------------------------------------------+
//                   (attributes percent-encoded; object or id left out when
//                   the key has none)
//   ciphertext    = aes-gcm: +--------+--------------------------+---------+
//                            | IV (12)| AES-GCM(data key) (32)   | tag (16)|
//                            +--------+--------------------------+---------+
//                            AAD = the serialized encryption context, as the
//                            raw AES keyring binds it
//                   aes-kwp: CKM_AES_KEY_WRAP_PAD(data key) (RFC 5649, 40
//                            bytes for a 256-bit key; no AAD)
//
// A keyring addresses the EDKs whose URI is its own key's, byte for byte
// (token label, key label and id as the token reports them).
#ifndef ENVELOPE_LIB_KEYRING_PKCS11_KEYRING_H_
#define ENVELOPE_LIB_KEYRING_PKCS11_KEYRING_H_

#include <memory>
#include <string>

#include "envelope/keyring.hpp"
#include "envelope/pkcs11.hpp"
#include "keyring/pkcs11_session_pool.h"

namespace envelope::keyring::pkcs11 {

// KeyRights is what the wrapping key may do, as read from the token.
struct KeyRights {
  bool encrypt = false, decrypt = false, wrap = false, unwrap = false;
};

// Pkcs11Keyring implements Keyring; build it with NewPkcs11Keyring.
class Pkcs11Keyring final : public Keyring {
 public:
  // Pkcs11Keyring uses `key` (a handle valid in every session of `pool`)
  // with `mechanism` (aes_gcm or aes_key_wrap_pad) to encrypt; it decrypts
  // EDKs of either mechanism. `uri` is the key's canonical URI.
  Pkcs11Keyring(std::unique_ptr<SessionPool> pool, CK_OBJECT_HANDLE key, std::string uri,
                Pkcs11Mechanism mechanism, KeyRights rights)
      : pool_(std::move(pool)),
        key_(key),
        uri_(std::move(uri)),
        mechanism_(mechanism),
        rights_(rights) {}

  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

  // pool is the session pool (tests look at how many sessions it opened).
  const SessionPool& pool() const { return *pool_; }
  // mechanism is what OnEncrypt uses.
  Pkcs11Mechanism mechanism() const { return mechanism_; }
  const std::string& uri() const { return uri_; }

 private:
  Result<std::vector<uint8_t>> SealGcm(const SecretBytes& data_key,
                                       std::span<const uint8_t> aad) const;
  Result<SecretBytes> OpenGcm(std::span<const uint8_t> ciphertext, std::span<const uint8_t> aad,
                              size_t key_size) const;
  Result<std::vector<uint8_t>> WrapKwp(const SecretBytes& data_key) const;
  Result<SecretBytes> UnwrapKwp(std::span<const uint8_t> wrapped, size_t key_size) const;

  std::unique_ptr<SessionPool> pool_;
  CK_OBJECT_HANDLE key_;
  std::string uri_;
  Pkcs11Mechanism mechanism_;
  KeyRights rights_;
};

// MechanismName is the x-mechanism value of `mechanism` in provider info.
std::string_view MechanismName(Pkcs11Mechanism mechanism);

}  // namespace envelope::keyring::pkcs11

#endif  // ENVELOPE_LIB_KEYRING_PKCS11_KEYRING_H_
