#include "keyring/caching_cmm.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "message/context_codec.h"
#include "message/suite.h"
#include "message/wire.h"

namespace envelope::keyring {
namespace {

constexpr size_t kHashSize = 64;
constexpr AlgorithmSuiteId kDefaultSuite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;

Result<std::vector<uint8_t>> Sha512(std::span<const uint8_t> data) {
  return crypto::Hash(crypto::HashAlg::sha512, data);
}

Result<void> AppendHashOfContext(std::vector<uint8_t>& out, const EncryptionContext* context) {
  static const EncryptionContext kEmpty;
  auto serialized = message::SerializeContext(context ? *context : kEmpty);
  ENVELOPE_RETURN_IF_ERROR(serialized);
  auto hash = Sha512(*serialized);
  ENVELOPE_RETURN_IF_ERROR(hash);
  message::AppendBytes(out, *hash);
  return {};
}

// Cacheable: the identity-KDF v1 suites encrypt with the data key itself,
// so a cached one would repeat (key, IV) pairs across messages.
bool Cacheable(AlgorithmSuiteId id) {
  const auto* suite = message::FindSuite(static_cast<uint16_t>(id));
  return suite != nullptr && suite->kdf != message::Kdf::identity;
}

Result<std::string> Finish(const std::vector<uint8_t>& input) {
  auto id = Sha512(input);
  ENVELOPE_RETURN_IF_ERROR(id);
  return std::string(id->begin(), id->end());
}

}  // namespace

Result<std::string> CachingCmm::EncryptId(const EncryptionMaterialsRequest& request) const {
  // ESDK Appendix A: SHA512(SHA512(partition) || 0x00 | 0x01 suite ||
  // SHA512(context)), with the commitment policy added after the suite
  // marker, since it decides which suites the underlying CMM allows.
  std::vector<uint8_t> input = partition_hash_;
  if (request.suite) {
    input.push_back(0x01);
    message::AppendUint(input, static_cast<uint16_t>(*request.suite), 2);
  } else {
    input.push_back(0x00);
  }
  input.push_back(static_cast<uint8_t>(request.commitment_policy));
  ENVELOPE_RETURN_IF_ERROR(AppendHashOfContext(input, &request.context));
  return Finish(input);
}

Result<std::string> CachingCmm::DecryptId(const DecryptionMaterialsRequest& request) const {
  std::vector<uint8_t> input = partition_hash_;
  message::AppendUint(input, static_cast<uint16_t>(request.suite), 2);
  input.push_back(static_cast<uint8_t>(request.commitment_policy));
  std::vector<std::vector<uint8_t>> edk_hashes;
  for (const EncryptedDataKey& edk : request.encrypted_data_keys) {
    // The EDK as the header serializes it: three 2-byte length prefixes.
    std::vector<uint8_t> serialized;
    message::AppendUint(serialized, edk.provider_id.size(), 2);
    message::AppendBytes(serialized,
                         std::span(reinterpret_cast<const uint8_t*>(edk.provider_id.data()),
                                   edk.provider_id.size()));
    message::AppendUint(serialized, edk.provider_info.size(), 2);
    message::AppendBytes(serialized, edk.provider_info);
    message::AppendUint(serialized, edk.ciphertext.size(), 2);
    message::AppendBytes(serialized, edk.ciphertext);
    auto hash = Sha512(serialized);
    ENVELOPE_RETURN_IF_ERROR(hash);
    edk_hashes.push_back(std::move(*hash));
  }
  std::sort(edk_hashes.begin(), edk_hashes.end());
  for (const auto& hash : edk_hashes) message::AppendBytes(input, hash);
  input.insert(input.end(), kHashSize, 0);  // sentinel: end of the EDK hashes
  ENVELOPE_RETURN_IF_ERROR(AppendHashOfContext(input, request.stored_context));
  // The reproduced context changes the materials (required keys) and may
  // fail to match: a different one is a different entry.
  ENVELOPE_RETURN_IF_ERROR(AppendHashOfContext(input, request.reproduced_context));
  return Finish(input);
}

Result<EncryptionMaterials> CachingCmm::GetEncryptionMaterials(
    const EncryptionMaterialsRequest& request) const {
  const AlgorithmSuiteId suite = request.suite.value_or(kDefaultSuite);
  if (!Cacheable(suite) || !request.max_plaintext_length ||
      *request.max_plaintext_length > limits_.max_bytes) {
    return underlying_->GetEncryptionMaterials(request);
  }
  const uint64_t length = *request.max_plaintext_length;
  auto id = EncryptId(request);
  ENVELOPE_RETURN_IF_ERROR(id);
  if (auto hit = cache_->TakeEncryption(*id, length, limits_, Clock::now())) {
    return std::move(*hit);
  }
  EncryptionMaterialsRequest inner = request;
  inner.max_plaintext_length = limits_.max_bytes;
  auto materials = underlying_->GetEncryptionMaterials(inner);
  if (!materials) return materials;
  // A key that may encrypt one message only would never be served again.
  if (limits_.max_messages > 1 && length < limits_.max_bytes) {
    const auto now = Clock::now();
    ENVELOPE_RETURN_IF_ERROR(cache_->PutEncryption(*id, *materials, length, now + max_age_, now));
  }
  return materials;
}

Result<DecryptionMaterials> CachingCmm::DecryptMaterials(
    const DecryptionMaterialsRequest& request) const {
  if (!Cacheable(request.suite)) return underlying_->DecryptMaterials(request);
  auto id = DecryptId(request);
  ENVELOPE_RETURN_IF_ERROR(id);
  if (auto hit = cache_->GetDecryption(*id, Clock::now())) return std::move(*hit);
  auto materials = underlying_->DecryptMaterials(request);
  if (!materials) return materials;
  const auto now = Clock::now();
  ENVELOPE_RETURN_IF_ERROR(cache_->PutDecryption(*id, *materials, now + max_age_, now));
  return materials;
}

}  // namespace envelope::keyring

namespace envelope {

Result<std::shared_ptr<MaterialsCache>> NewMaterialsCache(size_t capacity) {
  if (capacity == 0) {
    return MakeError(ErrorCode::invalid_argument, "materials cache: capacity must be at least 1");
  }
  return std::make_shared<keyring::LruMaterialsCache>(capacity);
}

Result<std::shared_ptr<const CryptoMaterialsManager>> NewCachingCmm(
    std::shared_ptr<const CryptoMaterialsManager> underlying, std::shared_ptr<MaterialsCache> cache,
    const CachingCmmOptions& options) {
  auto bad = [](std::string what) {
    return MakeError(ErrorCode::invalid_argument, "caching cmm: " + std::move(what));
  };
  if (!underlying) return bad("the underlying cmm is null");
  auto lru = std::dynamic_pointer_cast<keyring::LruMaterialsCache>(cache);
  if (!lru) return bad("the cache is null or not made by NewMaterialsCache");
  if (options.max_age <= std::chrono::steady_clock::duration::zero()) {
    return bad("max_age must be positive");
  }
  if (options.max_messages == 0 || options.max_messages > (uint64_t{1} << 32)) {
    return bad("max_messages must be 1 to 2^32");
  }
  if (options.max_bytes > (uint64_t{1} << 63) - 1) return bad("max_bytes must be at most 2^63-1");
  std::vector<uint8_t> partition(options.partition_id.begin(), options.partition_id.end());
  if (partition.empty()) {
    partition.resize(32);
    ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(partition));
  }
  auto partition_hash = crypto::Hash(crypto::HashAlg::sha512, partition);
  ENVELOPE_RETURN_IF_ERROR(partition_hash);
  return std::make_shared<const keyring::CachingCmm>(std::move(underlying), std::move(lru), options,
                                                     std::move(*partition_hash));
}

}  // namespace envelope
