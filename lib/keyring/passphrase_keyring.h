// lib/keyring: the passphrase keyring (layout in include/envelope/passphrase.hpp).
#ifndef ENVELOPE_LIB_KEYRING_PASSPHRASE_KEYRING_H_
#define ENVELOPE_LIB_KEYRING_PASSPHRASE_KEYRING_H_

#include "envelope/passphrase.hpp"
#include "envelope/secret.hpp"

namespace envelope::keyring {

// PassphraseKeyring implements Keyring; build it with NewPassphraseKeyring,
// which validates the options.
class PassphraseKeyring final : public Keyring {
 public:
  PassphraseKeyring(SecretBytes passphrase, PassphraseOptions options)
      : passphrase_(std::move(passphrase)), options_(options) {}
  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

 private:
  SecretBytes passphrase_;
  PassphraseOptions options_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_PASSPHRASE_KEYRING_H_
