// lib/keyring: the default and the required-encryption-context materials
// managers (ESDK framework/default-cmm.md, required-encryption-context-cmm.md).
//
//   encrypt:  caller context --(reject aws-crypto-*)--> suite choice
//             --(signed: new P-384 key, context += aws-crypto-public-key)-->
//             keyring.OnEncrypt --> materials
//   decrypt:  stored context (+ reproduced: equal values on shared keys,
//             others become required keys) --(signed: verification key from
//             aws-crypto-public-key)--> keyring.OnDecrypt --> materials
#ifndef ENVELOPE_LIB_KEYRING_DEFAULT_CMM_H_
#define ENVELOPE_LIB_KEYRING_DEFAULT_CMM_H_

#include <memory>
#include <string>
#include <vector>

#include "envelope/keyring.hpp"

namespace envelope::keyring {

// DefaultCmm implements CryptoMaterialsManager over one keyring.
class DefaultCmm final : public CryptoMaterialsManager {
 public:
  explicit DefaultCmm(std::shared_ptr<const Keyring> keyring) : keyring_(std::move(keyring)) {}
  Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest& request) const override;
  Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const override;

 private:
  std::shared_ptr<const Keyring> keyring_;
};

// RequiredContextCmm implements CryptoMaterialsManager over another CMM.
class RequiredContextCmm final : public CryptoMaterialsManager {
 public:
  RequiredContextCmm(std::shared_ptr<const CryptoMaterialsManager> underlying,
                     std::vector<std::string> keys)
      : underlying_(std::move(underlying)), keys_(std::move(keys)) {}
  Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest& request) const override;
  Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const override;

 private:
  std::shared_ptr<const CryptoMaterialsManager> underlying_;
  std::vector<std::string> keys_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_DEFAULT_CMM_H_
