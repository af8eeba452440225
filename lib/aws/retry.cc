#include "aws/retry.h"

#include <algorithm>
#include <cstdint>
#include <random>

namespace envelope::aws {
namespace {

constexpr int kCapacity = 500;

// kThrottling and kTransient are the names the AWS SDKs' standard mode
// retries (botocore's retries/standard.py and the JS SDK's service-error-
// classification agree on these).
constexpr std::string_view kThrottling[] = {
    "BandwidthLimitExceeded",
    "EC2ThrottledException",
    "LimitExceededException",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ThrottledException",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "TransactionInProgressException",
};
constexpr std::string_view kTransient[] = {
    "IDPCommunicationError",
    "InternalError",
    "RequestTimeout",
    "RequestTimeoutException",
};

}  // namespace

bool IsThrottlingError(std::string_view type) noexcept {
  return std::find(std::begin(kThrottling), std::end(kThrottling), type) != std::end(kThrottling);
}

bool IsRetryableAnswer(long status, std::string_view type) noexcept {
  if (IsThrottlingError(type)) return true;
  if (std::find(std::begin(kTransient), std::end(kTransient), type) != std::end(kTransient)) {
    return true;
  }
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool RetryQuota::Acquire(bool timeout) {
  const int cost = timeout ? 10 : 5;
  std::lock_guard lock(mutex_);
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

void RetryQuota::Release(int tokens) {
  std::lock_guard lock(mutex_);
  tokens_ = std::min(kCapacity, tokens_ + tokens);
}

std::chrono::milliseconds BackoffDelay(const RetryOptions& options, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  const double scale = static_cast<double>(uint64_t{1} << std::clamp(attempt - 1, 0, 30));
  const double ms = jitter(rng) * static_cast<double>(options.base_delay.count()) * scale;
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::min(ms, static_cast<double>(options.max_backoff.count()))));
}

}  // namespace envelope::aws
