#include "keyring/default_cmm.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "envelope/message.hpp"
#include "message/base64.h"
#include "message/suite.h"

namespace envelope::keyring {
namespace {

bool IsReserved(const std::string& key) { return key.starts_with(kReservedContextPrefix); }

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, std::move(what));
}

// Malformed is a message whose stored context breaks the format's rules.
tl::unexpected<Error> Malformed(std::string what) {
  return MakeError(ErrorCode::malformed, std::move(what));
}

// kMaxEdksPerKey bounds the EDKs one message may hold for one key (same
// provider id and provider info): a writer wraps the data key once per key,
// and each EDK tried can be an RSA private-key operation, a KMS call or an
// HSM round trip before anything is authenticated.
constexpr int kMaxEdksPerKey = 4;

// CheckEdksPerKey refuses a message with more than kMaxEdksPerKey EDKs for
// one key, before any keyring runs.
Result<void> CheckEdksPerKey(std::span<const EncryptedDataKey> edks) {
  std::map<std::pair<std::string, std::vector<uint8_t>>, int> seen;
  for (const EncryptedDataKey& edk : edks) {
    if (++seen[{edk.provider_id, edk.provider_info}] > kMaxEdksPerKey) {
      return MakeError(ErrorCode::limit_exceeded,
                       "decrypt: the message wraps its data key more than " +
                           std::to_string(kMaxEdksPerKey) + " times for one key (provider '" +
                           edk.provider_id + "'); a writer wraps it once per key");
    }
  }
  return {};
}

}  // namespace

Result<EncryptionMaterials> DefaultCmm::GetEncryptionMaterials(
    const EncryptionMaterialsRequest& request) const {
  for (const auto& [key, value] : request.context) {
    if (IsReserved(key)) {
      return Bad("encrypt: context key '" + key + "' is reserved (keys starting with " +
                 std::string(kReservedContextPrefix) + " belong to the library)");
    }
  }
  const AlgorithmSuiteId id =
      request.suite.value_or(AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key);
  const auto* suite = message::FindSuite(static_cast<uint16_t>(id));
  if (suite == nullptr) return Bad("encrypt: unknown algorithm suite");
  ENVELOPE_RETURN_IF_ERROR(message::CheckEncryptPolicy(*suite, request.commitment_policy));
  EncryptionMaterials materials;
  materials.suite = id;
  materials.context = request.context;
  if (suite->signed_suite()) {
    auto key = NewSigningKey();
    ENVELOPE_RETURN_IF_ERROR(key);
    materials.context.emplace(std::string(kPublicKeyContextKey),
                              message::Base64Encode((*key)->PublicKey()));
    materials.signing_key = std::move(*key);
  }
  ENVELOPE_RETURN_IF_ERROR(keyring_->OnEncrypt(materials));
  if (materials.data_key.size() != suite->key_size || materials.encrypted_data_keys.empty()) {
    return MakeError(ErrorCode::internal, "encrypt: the keyring produced no data key or EDK");
  }
  return materials;
}

Result<DecryptionMaterials> DefaultCmm::DecryptMaterials(
    const DecryptionMaterialsRequest& request) const {
  const auto* suite = message::FindSuite(static_cast<uint16_t>(request.suite));
  if (suite == nullptr) return MakeError(ErrorCode::unsupported, "decrypt: unknown suite");
  ENVELOPE_RETURN_IF_ERROR(message::CheckDecryptPolicy(*suite, request.commitment_policy));
  static const EncryptionContext kEmpty;
  const EncryptionContext& stored = request.stored_context ? *request.stored_context : kEmpty;
  const EncryptionContext& reproduced =
      request.reproduced_context ? *request.reproduced_context : kEmpty;
  DecryptionMaterials materials;
  materials.suite = request.suite;
  materials.context = stored;
  for (const auto& [key, value] : reproduced) {
    auto it = stored.find(key);
    if (it != stored.end()) {
      if (it->second != value) {
        // A wrong context is a failed check of the message, like a wrong key.
        return MakeError(ErrorCode::auth_failed,
                         "decrypt: the encryption context does not match the message's: key '" +
                             key + "' has another value");
      }
      continue;
    }
    if (IsReserved(key)) return Bad("decrypt: reproduced context uses reserved key '" + key + "'");
    materials.context.emplace(key, value);
    materials.required_context_keys.push_back(key);
  }
  const auto pk = stored.find(std::string(kPublicKeyContextKey));
  if (suite->signed_suite()) {
    if (pk == stored.end()) {
      return Malformed("decrypt: signed message without aws-crypto-public-key in its context");
    }
    auto point = message::Base64Decode(pk->second);
    if (!point || point->size() != suite->public_key_size()) {
      return Malformed("decrypt: aws-crypto-public-key is not a base64 compressed point");
    }
    materials.verification_key = std::move(*point);
  } else if (pk != stored.end()) {
    return Malformed("decrypt: unsigned message carries aws-crypto-public-key in its context");
  }
  ENVELOPE_RETURN_IF_ERROR(CheckEdksPerKey(request.encrypted_data_keys));
  ENVELOPE_RETURN_IF_ERROR(keyring_->OnDecrypt(materials, request.encrypted_data_keys));
  if (materials.data_key.size() != suite->key_size) {
    return MakeError(ErrorCode::not_found, "decrypt: the keyring unwrapped no data key");
  }
  return materials;
}

Result<EncryptionMaterials> RequiredContextCmm::GetEncryptionMaterials(
    const EncryptionMaterialsRequest& request) const {
  for (const std::string& key : keys_) {
    if (!request.context.contains(key)) {
      return Bad("encrypt: the encryption context lacks required key '" + key + "'");
    }
  }
  auto materials = underlying_->GetEncryptionMaterials(request);
  if (!materials) return materials;
  for (const std::string& key : keys_) {
    auto& required = materials->required_context_keys;
    if (std::find(required.begin(), required.end(), key) == required.end()) {
      required.push_back(key);
    }
  }
  return materials;
}

Result<DecryptionMaterials> RequiredContextCmm::DecryptMaterials(
    const DecryptionMaterialsRequest& request) const {
  for (const std::string& key : keys_) {
    if (request.reproduced_context == nullptr || !request.reproduced_context->contains(key)) {
      // A context that does not match the message is an authentication
      // failure in every API (the chunked format, KMS, the tools' exit 3).
      return MakeError(
          ErrorCode::auth_failed,
          "decrypt: the reproduced encryption context lacks required key '" + key + "'");
    }
  }
  auto materials = underlying_->DecryptMaterials(request);
  if (!materials) return materials;
  for (const std::string& key : keys_) {
    if (!materials->context.contains(key)) {
      return Bad("decrypt: the materials manager dropped required key '" + key + "'");
    }
  }
  return materials;
}

}  // namespace envelope::keyring
