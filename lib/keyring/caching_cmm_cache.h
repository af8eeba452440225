// lib/keyring: the LRU store behind the caching materials manager.
//
// Entries are found by a 64-byte id (a SHA-512 the caching CMM computes),
// hold one set of materials with their secret keys in secret memory, an
// expiry time and, for encryption, the messages and bytes already encrypted
// under them. Every lookup hands out a copy (the data key cloned), so an
// entry can be evicted, and wiped, while its copies are in use.
#ifndef ENVELOPE_LIB_KEYRING_CACHING_CMM_CACHE_H_
#define ENVELOPE_LIB_KEYRING_CACHING_CMM_CACHE_H_

#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "envelope/caching_cmm.hpp"

namespace envelope::keyring {

using Clock = std::chrono::steady_clock;

// UsageLimits bound how much one cached data key may encrypt.
struct UsageLimits {
  uint64_t max_messages = 0;
  uint64_t max_bytes = 0;
};

// CloneEncryptionMaterials returns a copy with its own data key.
[[nodiscard]] Result<EncryptionMaterials> CloneEncryptionMaterials(const EncryptionMaterials& m);
// CloneDecryptionMaterials returns a copy with its own data key.
[[nodiscard]] Result<DecryptionMaterials> CloneDecryptionMaterials(const DecryptionMaterials& m);

// LruMaterialsCache implements MaterialsCache. All members are thread-safe.
class LruMaterialsCache final : public MaterialsCache {
 public:
  explicit LruMaterialsCache(size_t capacity) : capacity_(capacity) {}

  size_t size() const override;
  size_t capacity() const override { return capacity_; }
  void Clear() override;

  // TakeEncryption returns a copy of the entry `id` if it is live and can
  // encrypt one more message of `bytes` within `limits`, counting that
  // message; nullopt on a miss. An expired entry, or one the message would
  // take over a limit, is evicted.
  std::optional<Result<EncryptionMaterials>> TakeEncryption(const std::string& id, uint64_t bytes,
                                                            const UsageLimits& limits,
                                                            Clock::time_point now);
  // PutEncryption stores a copy of `materials`, already used for one
  // message of `bytes`, until `expires` (replacing any entry `id`).
  [[nodiscard]] Result<void> PutEncryption(const std::string& id,
                                           const EncryptionMaterials& materials, uint64_t bytes,
                                           Clock::time_point expires, Clock::time_point now);

  // GetDecryption returns a copy of the live entry `id`, or nullopt.
  std::optional<Result<DecryptionMaterials>> GetDecryption(const std::string& id,
                                                           Clock::time_point now);
  // PutDecryption stores a copy of `materials` until `expires`.
  [[nodiscard]] Result<void> PutDecryption(const std::string& id,
                                           const DecryptionMaterials& materials,
                                           Clock::time_point expires, Clock::time_point now);

 private:
  struct Entry {
    std::string id;
    Clock::time_point expires;
    uint64_t messages = 0;
    uint64_t bytes = 0;
    std::variant<EncryptionMaterials, DecryptionMaterials> materials;
  };
  using List = std::list<Entry>;

  // Insert puts `entry` first, replacing an entry with its id, and evicts
  // expired entries and then the least recently used beyond capacity.
  void Insert(Entry entry, Clock::time_point now);
  void Erase(List::iterator it);

  const size_t capacity_;
  mutable std::mutex mu_;
  List entries_;  // most recently used first
  std::unordered_map<std::string, List::iterator> index_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_CACHING_CMM_CACHE_H_
