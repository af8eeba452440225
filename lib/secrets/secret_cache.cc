#include "envelope/secret_cache.hpp"

namespace envelope::secrets {

// Entry is one secret: its own mutex, held during a fetch so concurrent
// readers of the same secret wait for it instead of fetching again.
struct SecretCache::Entry {
  std::mutex mu;
  std::optional<SecretValue> value;
  kms::TimePoint expires;
};

namespace {

Result<SecretValue> Copy(const SecretValue& v) {
  auto bytes = v.value.Clone();
  ENVELOPE_RETURN_IF_ERROR(bytes);
  return SecretValue{v.arn, v.name, v.version, std::move(*bytes), v.binary};
}

// CurrentVersion returns the id of the version labelled AWSCURRENT.
Result<std::string> CurrentVersion(const Result<SecretInfo>& info) {
  ENVELOPE_RETURN_IF_ERROR(info);
  for (const SecretVersion& v : info->versions) {
    if (std::find(v.stages.begin(), v.stages.end(), kStageCurrent) != v.stages.end()) {
      return v.version_id;
    }
  }
  return MakeError(ErrorCode::not_found,
                   "ResourceNotFoundException: the secret has no AWSCURRENT version");
}

}  // namespace

SecretCache::SecretCache(FetchValue fetch, FetchCurrentVersion current, SecretCacheOptions options)
    : fetch_(std::move(fetch)),
      current_(std::move(current)),
      options_(std::move(options)),
      mu_(std::make_shared<std::mutex>()),
      entries_(std::make_shared<std::map<std::string, std::shared_ptr<Entry>, std::less<>>>()),
      fetches_(std::make_shared<std::atomic<uint64_t>>(0)) {}

SecretCache SecretCache::ForStore(SecretStore store, SecretCacheOptions options) {
  auto shared = std::make_shared<SecretStore>(std::move(store));
  return SecretCache([shared](std::string_view id) { return shared->GetValue(id); },
                     [shared](std::string_view id) { return CurrentVersion(shared->Describe(id)); },
                     std::move(options));
}

SecretCache SecretCache::ForClient(std::shared_ptr<SecretsManagerClient> client,
                                   SecretCacheOptions options) {
  return SecretCache(
      [client](std::string_view id) { return client->GetSecretValue(id); },
      [client](std::string_view id) { return CurrentVersion(client->DescribeSecret(id)); },
      std::move(options));
}

kms::TimePoint SecretCache::Now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

Result<SecretValue> SecretCache::GetSecretValue(std::string_view secret_id) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> guard(*mu_);
    auto it = entries_->find(secret_id);
    if (it == entries_->end()) {
      it = entries_->emplace(std::string(secret_id), std::make_shared<Entry>()).first;
    }
    entry = it->second;
  }
  std::lock_guard<std::mutex> guard(entry->mu);
  const kms::TimePoint now = Now();
  if (entry->value && now < entry->expires) return Copy(*entry->value);
  if (entry->value) {
    // Expired: fetch the value again only if AWSCURRENT moved.
    auto current = current_(secret_id);
    if (current && *current == entry->value->version.version_id) {
      entry->expires = now + options_.ttl;
      return Copy(*entry->value);
    }
  }
  auto fresh = fetch_(secret_id);
  if (!fresh) {
    entry->value.reset();
    return fresh;
  }
  fetches_->fetch_add(1);
  entry->value = std::move(*fresh);
  entry->expires = now + options_.ttl;
  return Copy(*entry->value);
}

void SecretCache::Invalidate(std::string_view secret_id) {
  std::lock_guard<std::mutex> guard(*mu_);
  auto it = entries_->find(secret_id);
  if (it != entries_->end()) entries_->erase(it);
}

}  // namespace envelope::secrets
