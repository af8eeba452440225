#include "keyring/caching_cmm_cache.h"

namespace envelope::keyring {

Result<EncryptionMaterials> CloneEncryptionMaterials(const EncryptionMaterials& m) {
  EncryptionMaterials copy;
  copy.suite = m.suite;
  copy.context = m.context;
  copy.required_context_keys = m.required_context_keys;
  copy.encrypted_data_keys = m.encrypted_data_keys;
  copy.signing_key = m.signing_key;
  auto key = m.data_key.Clone();
  ENVELOPE_RETURN_IF_ERROR(key);
  copy.data_key = std::move(*key);
  return copy;
}

Result<DecryptionMaterials> CloneDecryptionMaterials(const DecryptionMaterials& m) {
  DecryptionMaterials copy;
  copy.suite = m.suite;
  copy.context = m.context;
  copy.required_context_keys = m.required_context_keys;
  copy.verification_key = m.verification_key;
  auto key = m.data_key.Clone();
  ENVELOPE_RETURN_IF_ERROR(key);
  copy.data_key = std::move(*key);
  return copy;
}

size_t LruMaterialsCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void LruMaterialsCache::Clear() {
  std::lock_guard lock(mu_);
  index_.clear();
  entries_.clear();  // each entry's SecretBytes wipes its key
}

void LruMaterialsCache::Erase(List::iterator it) {
  index_.erase(it->id);
  entries_.erase(it);
}

std::optional<Result<EncryptionMaterials>> LruMaterialsCache::TakeEncryption(
    const std::string& id, uint64_t bytes, const UsageLimits& limits, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto found = index_.find(id);
  if (found == index_.end()) return std::nullopt;
  const List::iterator it = found->second;
  auto* materials = std::get_if<EncryptionMaterials>(&it->materials);
  // Overflow-safe: bytes <= max_bytes is checked before the subtraction.
  const bool usable = materials != nullptr && now < it->expires &&
                      it->messages < limits.max_messages && bytes <= limits.max_bytes &&
                      it->bytes <= limits.max_bytes - bytes;
  if (!usable) {
    Erase(it);
    return std::nullopt;
  }
  auto copy = CloneEncryptionMaterials(*materials);
  if (!copy) return copy;
  ++it->messages;
  it->bytes += bytes;
  entries_.splice(entries_.begin(), entries_, it);
  // A data key that has reached a limit serves no one else: wipe it now.
  if (it->messages >= limits.max_messages || it->bytes >= limits.max_bytes) Erase(it);
  return copy;
}

Result<void> LruMaterialsCache::PutEncryption(const std::string& id,
                                              const EncryptionMaterials& materials, uint64_t bytes,
                                              Clock::time_point expires, Clock::time_point now) {
  auto copy = CloneEncryptionMaterials(materials);
  ENVELOPE_RETURN_IF_ERROR(copy);
  Entry entry;
  entry.id = id;
  entry.expires = expires;
  entry.messages = 1;
  entry.bytes = bytes;
  entry.materials = std::move(*copy);
  std::lock_guard lock(mu_);
  Insert(std::move(entry), now);
  return {};
}

std::optional<Result<DecryptionMaterials>> LruMaterialsCache::GetDecryption(const std::string& id,
                                                                            Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto found = index_.find(id);
  if (found == index_.end()) return std::nullopt;
  const List::iterator it = found->second;
  auto* materials = std::get_if<DecryptionMaterials>(&it->materials);
  if (materials == nullptr || now >= it->expires) {
    Erase(it);
    return std::nullopt;
  }
  entries_.splice(entries_.begin(), entries_, it);
  return CloneDecryptionMaterials(*materials);
}

Result<void> LruMaterialsCache::PutDecryption(const std::string& id,
                                              const DecryptionMaterials& materials,
                                              Clock::time_point expires, Clock::time_point now) {
  auto copy = CloneDecryptionMaterials(materials);
  ENVELOPE_RETURN_IF_ERROR(copy);
  Entry entry;
  entry.id = id;
  entry.expires = expires;
  entry.materials = std::move(*copy);
  std::lock_guard lock(mu_);
  Insert(std::move(entry), now);
  return {};
}

void LruMaterialsCache::Insert(Entry entry, Clock::time_point now) {
  if (auto found = index_.find(entry.id); found != index_.end()) Erase(found->second);
  // Sweep expired entries so their keys do not wait for LRU eviction to be
  // wiped. Capacity is small (entries are keyed by context), so a linear
  // pass per insert is cheap next to the keyring call that preceded it.
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (now >= it->expires) Erase(it);
    it = next;
  }
  entries_.push_front(std::move(entry));
  index_[entries_.front().id] = entries_.begin();
  while (entries_.size() > capacity_) Erase(std::prev(entries_.end()));
}

}  // namespace envelope::keyring
