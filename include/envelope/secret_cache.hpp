// envelope: a client-side cache of secrets, the counterpart of the AWS
// Secrets Manager caching client (aws-secretsmanager-caching-*).
//
// An application reads a secret on every use; the cache answers from
// memory and goes to the store at most once per time-to-live per secret,
// however many threads ask at once (they wait for the one fetch). When the
// time-to-live has passed it first asks which version is AWSCURRENT (a
// describe: no decryption, no value moves) and fetches the value again only
// when that changed, as the AWS caching client does.
//
//   auto cache = envelope::secrets::SecretCache::ForStore(store, {.ttl = 5min});
//   ENVELOPE_ASSIGN_OR_RETURN(auto password, cache.GetSecretValue("app/db"));  // SecretValue
//
// The fetch and describe functions make it usable against any source: the
// local keystore (ForStore), the Secrets Manager API of `envelope kms
// serve` or AWS (ForClient, secrets_manager.hpp), or another the caller
// brings.
#ifndef ENVELOPE_SECRET_CACHE_HPP_
#define ENVELOPE_SECRET_CACHE_HPP_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "envelope/export.h"
#include "envelope/secrets.hpp"
#include "envelope/secrets_manager.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope::secrets {

// SecretCacheOptions configure a SecretCache.
struct SecretCacheOptions {
  std::chrono::milliseconds ttl = std::chrono::hours(1);  // AWS's default
  kms::Clock clock;                                       // empty: the system clock
};

// SecretCache caches AWSCURRENT values by secret id. Thread-safe; the
// values it hands out are copies in secret memory.
class SecretCache {
 public:
  // FetchValue returns the AWSCURRENT version of a secret with its value.
  using FetchValue = std::function<Result<SecretValue>(std::string_view secret_id)>;
  // FetchCurrentVersion returns the id of the AWSCURRENT version only.
  using FetchCurrentVersion = std::function<Result<std::string>(std::string_view secret_id)>;

  // SecretCache fetches through `fetch` and `current` (which must be safe
  // to call from several threads).
  SecretCache(FetchValue fetch, FetchCurrentVersion current, SecretCacheOptions options = {});
  // ForStore caches the secrets of `store` (a copy of the handle; the Kms
  // behind it must outlive the cache).
  static SecretCache ForStore(SecretStore store, SecretCacheOptions options = {});
  // ForClient caches the secrets `client` reads (GetSecretValue, and
  // DescribeSecret to see whether AWSCURRENT moved); it shares the client.
  static SecretCache ForClient(std::shared_ptr<SecretsManagerClient> client,
                               SecretCacheOptions options = {});

  // GetSecretValue returns the AWSCURRENT value of `secret_id`, from memory
  // while it is younger than the time-to-live. A failed fetch is returned
  // and not cached (the next call tries again).
  [[nodiscard]] Result<SecretValue> GetSecretValue(std::string_view secret_id);
  // Invalidate drops what is cached for `secret_id`.
  void Invalidate(std::string_view secret_id);
  // fetches counts the values fetched (for tests and metrics).
  uint64_t fetches() const noexcept { return fetches_->load(); }

 private:
  struct Entry;
  kms::TimePoint Now() const;
  FetchValue fetch_;
  FetchCurrentVersion current_;
  SecretCacheOptions options_;
  std::shared_ptr<std::mutex> mu_;
  std::shared_ptr<std::map<std::string, std::shared_ptr<Entry>, std::less<>>> entries_;
  std::shared_ptr<std::atomic<uint64_t>> fetches_;
};

}  // namespace envelope::secrets
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_SECRET_CACHE_HPP_
