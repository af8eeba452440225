// lib/keyring: the caching materials manager (ESDK framework/caching-cmm.md;
// the trade-off and the rules are in include/envelope/caching_cmm.hpp).
//
//   encrypt:  request --(no KDF suite, or length unknown, or > max_bytes)-->
//             underlying CMM, nothing cached
//             request --id = SHA-512(partition, suite, policy, context)-->
//             cache hit within limits: a copy, usage counted
//             miss: underlying CMM (asked with max_bytes as the length),
//             stored with usage {1 message, length}
//   decrypt:  request --(no KDF suite)--> underlying CMM
//             request --id = SHA-512(partition, suite, policy, sorted EDK
//             hashes, stored and reproduced context)--> hit: a copy;
//             miss: underlying CMM, stored
#ifndef ENVELOPE_LIB_KEYRING_CACHING_CMM_H_
#define ENVELOPE_LIB_KEYRING_CACHING_CMM_H_

#include <memory>
#include <string>

#include "envelope/caching_cmm.hpp"
#include "keyring/caching_cmm_cache.h"

namespace envelope::keyring {

// CachingCmm implements CryptoMaterialsManager; build it with NewCachingCmm.
class CachingCmm final : public CryptoMaterialsManager {
 public:
  // CachingCmm takes validated options; `partition_hash` is SHA-512 of the
  // partition id.
  CachingCmm(std::shared_ptr<const CryptoMaterialsManager> underlying,
             std::shared_ptr<LruMaterialsCache> cache, const CachingCmmOptions& options,
             std::vector<uint8_t> partition_hash)
      : underlying_(std::move(underlying)),
        cache_(std::move(cache)),
        max_age_(options.max_age),
        limits_{options.max_messages, options.max_bytes},
        partition_hash_(std::move(partition_hash)) {}

  Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest& request) const override;
  Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const override;

 private:
  Result<std::string> EncryptId(const EncryptionMaterialsRequest& request) const;
  Result<std::string> DecryptId(const DecryptionMaterialsRequest& request) const;

  std::shared_ptr<const CryptoMaterialsManager> underlying_;
  std::shared_ptr<LruMaterialsCache> cache_;
  Clock::duration max_age_;
  UsageLimits limits_;
  std::vector<uint8_t> partition_hash_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_CACHING_CMM_H_
