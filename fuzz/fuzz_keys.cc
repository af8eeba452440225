#include "fuzz_keys.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace envelope::fuzz {
namespace {

template <typename T>
T OrDie(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "fuzz setup: %s: %s\n", what, r.error().ToString().c_str());
    std::abort();
  }
  return std::move(*r);
}

void Field(std::string& key, std::string_view s) {
  key += std::to_string(s.size());
  key += ':';
  key += s;
}

// MemoCmm answers a decryption request it has just answered from memory:
// message_decrypt asks up to seven times per input (one-shot, threads, push,
// pull, random access) for the same EDKs, and an RSA-4096 unwrap costs
// milliseconds. The keyrings are deterministic, so the answer is the same.
class MemoCmm final : public CryptoMaterialsManager {
 public:
  explicit MemoCmm(std::shared_ptr<const CryptoMaterialsManager> inner)
      : inner_(std::move(inner)) {}

  Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest& request) const override {
    return inner_->GetEncryptionMaterials(request);
  }

  Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const override {
    std::string key = std::to_string(static_cast<int>(request.suite)) + "/" +
                      std::to_string(static_cast<int>(request.commitment_policy)) + "/";
    for (const auto& edk : request.encrypted_data_keys) {
      Field(key, edk.provider_id);
      Field(key,
            {reinterpret_cast<const char*>(edk.provider_info.data()), edk.provider_info.size()});
      Field(key, {reinterpret_cast<const char*>(edk.ciphertext.data()), edk.ciphertext.size()});
    }
    for (const auto* context : {request.stored_context, request.reproduced_context}) {
      key += '|';
      if (context == nullptr) continue;
      for (const auto& [k, v] : *context) {
        Field(key, k);
        Field(key, v);
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (key != last_key_ || !last_) {
      last_key_ = std::move(key);
      last_ = std::make_unique<Result<DecryptionMaterials>>(inner_->DecryptMaterials(request));
    }
    if (!*last_) return tl::unexpected(last_->error());
    DecryptionMaterials copy;
    copy.suite = (*last_)->suite;
    copy.context = (*last_)->context;
    copy.required_context_keys = (*last_)->required_context_keys;
    copy.verification_key = (*last_)->verification_key;
    auto data_key = (*last_)->data_key.Clone();
    ENVELOPE_RETURN_IF_ERROR(data_key);
    copy.data_key = std::move(*data_key);
    return copy;
  }

 private:
  std::shared_ptr<const CryptoMaterialsManager> inner_;
  mutable std::mutex mu_;
  mutable std::string last_key_;
  mutable std::unique_ptr<Result<DecryptionMaterials>> last_;
};

}  // namespace

std::shared_ptr<const Keyring> AesKeyring() {
  static const auto keyring =
      OrDie(NewRawAesKeyring(kVectorProvider, "aes-256", KeyView(kAesKey)), "raw AES keyring");
  return keyring;
}

std::shared_ptr<const Keyring> VectorKeyring() {
  static const auto keyring = [] {
    auto rsa = OrDie(NewRawRsaKeyring(kVectorProvider, "rsa-4096-private", RsaPadding::oaep_sha512,
                                      "", kRsaPrivateKeyPem),
                     "raw RSA keyring");
    return OrDie(NewMultiKeyring(AesKeyring(), {rsa}), "multi keyring");
  }();
  return keyring;
}

std::shared_ptr<const CryptoMaterialsManager> VectorCmm() {
  static const std::shared_ptr<const CryptoMaterialsManager> cmm =
      std::make_shared<MemoCmm>(OrDie(NewDefaultCmm(VectorKeyring()), "default CMM"));
  return cmm;
}

}  // namespace envelope::fuzz
