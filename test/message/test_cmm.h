// test/message: a materials manager with a fixed data key, so lib/message is
// tested without any keyring (keyrings sit above it).
#ifndef ENVELOPE_TEST_MESSAGE_TEST_CMM_H_
#define ENVELOPE_TEST_MESSAGE_TEST_CMM_H_

#include <vector>

#include "envelope/materials.hpp"
#include "envelope/message.hpp"
#include "message/base64.h"

namespace envelope::testing {

// FixedCmm hands out one data key and one dummy EDK; signed suites get a
// fresh P-384 key published under aws-crypto-public-key.
class FixedCmm final : public CryptoMaterialsManager {
 public:
  explicit FixedCmm(uint8_t fill = 0x5a) : key_(32, fill) {}
  Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest& request) const override {
    EncryptionMaterials m;
    m.suite = request.suite.value_or(AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key);
    m.context = request.context;
    if (m.suite == AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384) {
      auto key = NewSigningKey();
      ENVELOPE_RETURN_IF_ERROR(key);
      m.context[std::string(kPublicKeyContextKey)] = message::Base64Encode((*key)->PublicKey());
      m.signing_key = *key;
    }
    m.data_key = *SecretBytes::CopyFrom(key_);
    m.encrypted_data_keys.push_back({"test", {1, 2, 3}, {4, 5, 6}});
    return m;
  }
  Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const override {
    ++calls;
    DecryptionMaterials m;
    m.suite = request.suite;
    m.context = *request.stored_context;
    auto pk = m.context.find(std::string(kPublicKeyContextKey));
    if (pk != m.context.end()) {
      auto point = message::Base64Decode(pk->second);
      if (!point) return MakeError(ErrorCode::malformed, "test cmm: bad public key");
      m.verification_key = std::move(*point);
    }
    m.data_key = *SecretBytes::CopyFrom(key_);
    return m;
  }
  mutable int calls = 0;

 private:
  std::vector<uint8_t> key_;
};

}  // namespace envelope::testing

#endif  // ENVELOPE_TEST_MESSAGE_TEST_CMM_H_
