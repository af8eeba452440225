#include "keyring/multi_keyring.h"

#include "message/decryptor.h"

namespace envelope::keyring {

Result<void> MultiKeyring::OnEncrypt(EncryptionMaterials& materials) const {
  if (!generator_ && materials.data_key.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     "multi-keyring: no generator and no data key to wrap");
  }
  // Work on a copy so a failing child leaves `materials` unchanged.
  EncryptionMaterials work;
  work.suite = materials.suite;
  work.context = materials.context;
  work.required_context_keys = materials.required_context_keys;
  work.encrypted_data_keys = materials.encrypted_data_keys;
  work.signing_key = materials.signing_key;
  if (!materials.data_key.empty()) {
    auto copy = materials.data_key.Clone();
    ENVELOPE_RETURN_IF_ERROR(copy);
    work.data_key = std::move(*copy);
  }
  if (generator_) {
    if (auto r = generator_->OnEncrypt(work); !r) return r;
  }
  for (const auto& child : children_) {
    if (auto r = child->OnEncrypt(work); !r) return r;
  }
  materials = std::move(work);
  return {};
}

Result<void> MultiKeyring::OnDecrypt(DecryptionMaterials& materials,
                                     std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  // The first authentication failure is kept as it is: every keyring
  // reports the one fixed message, except SSE-C's deliberate "customer key
  // does not match", which must survive being wrapped in a multi-keyring.
  std::optional<Error> auth_failure;
  std::optional<Error> other;
  auto attempt = [&](const Keyring& keyring) {
    auto r = keyring.OnDecrypt(materials, edks);
    if (r && !materials.data_key.empty()) return true;
    if (!r) {
      if (r.error().code() == ErrorCode::auth_failed) {
        if (!auth_failure) auth_failure = r.error();
      } else if (!other || other->code() == ErrorCode::not_found) {
        other = r.error();
      }
    }
    return false;
  };
  if (generator_ && attempt(*generator_)) return {};
  for (const auto& child : children_) {
    if (attempt(*child)) return {};
  }
  if (auth_failure) return tl::unexpected(*auth_failure);
  if (other) return tl::unexpected(other->WithContext("multi-keyring"));
  return MakeError(ErrorCode::not_found, "multi-keyring: no keyring could unwrap a data key");
}

}  // namespace envelope::keyring
