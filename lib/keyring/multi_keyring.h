// lib/keyring: the multi-keyring (ESDK framework/multi-keyring.md).
//
//   encrypt:  generator.OnEncrypt (makes the data key + first EDK)
//             child_1.OnEncrypt, ..., child_n.OnEncrypt (one EDK each)
//   decrypt:  generator, child_1, ..., child_n: the first that unwraps wins
//
// Every keyring must succeed on encrypt (a message nobody expected to be
// able to read must not be written); on decrypt, failures are collected and
// only reported when no keyring unwrapped.
#ifndef ENVELOPE_LIB_KEYRING_MULTI_KEYRING_H_
#define ENVELOPE_LIB_KEYRING_MULTI_KEYRING_H_

#include <memory>
#include <vector>

#include "envelope/keyring.hpp"

namespace envelope::keyring {

// MultiKeyring implements Keyring; build it with NewMultiKeyring.
class MultiKeyring final : public Keyring {
 public:
  MultiKeyring(std::shared_ptr<const Keyring> generator,
               std::vector<std::shared_ptr<const Keyring>> children)
      : generator_(std::move(generator)), children_(std::move(children)) {}
  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

 private:
  std::shared_ptr<const Keyring> generator_;
  std::vector<std::shared_ptr<const Keyring>> children_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_MULTI_KEYRING_H_
