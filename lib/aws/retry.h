// lib/aws: the AWS SDKs' "standard" retry mode.
//
//   attempt 1 ──fails, retryable──> wait min(b * 2^(n-1), max_backoff) ──> attempt n+1
//                                    b uniform in [0, base_delay)
//   stop at max_attempts, on a non-retryable error, or when the retry quota
//   (a token bucket shared by every call of a client: 500 tokens, a retry
//   costs 5, one after a timeout 10, a success without retry refunds 1) is
//   empty.
//
// Retryable: transport failures (no connection, timeout), HTTP 500, 502,
// 503 and 504, and the throttling and transient error names of the AWS SDKs
// (ThrottlingException, LimitExceededException, RequestTimeout, ...).
#ifndef ENVELOPE_LIB_AWS_RETRY_H_
#define ENVELOPE_LIB_AWS_RETRY_H_

#include <chrono>
#include <mutex>
#include <string_view>

namespace envelope::aws {

// RetryOptions tune the strategy; the defaults are the SDKs'.
struct RetryOptions {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_backoff{20000};
};

// IsThrottlingError reports whether an AWS error name is a throttling error.
bool IsThrottlingError(std::string_view type) noexcept;

// IsRetryableAnswer reports whether an error answer (HTTP `status`, AWS
// error name `type`, possibly empty) may be retried.
bool IsRetryableAnswer(long status, std::string_view type) noexcept;

// RetryQuota is the token bucket; thread-safe.
class RetryQuota {
 public:
  // Acquire takes the cost of one retry (10 after a timeout, else 5);
  // false when the bucket cannot pay it.
  bool Acquire(bool timeout);
  // Release returns what a retried call took once it succeeds, or 1 token
  // for a success at the first attempt, up to the capacity.
  void Release(int tokens);

 private:
  std::mutex mutex_;
  int tokens_ = 500;
};

// BackoffDelay returns the wait before attempt `attempt` + 1 (attempt >= 1).
std::chrono::milliseconds BackoffDelay(const RetryOptions& options, int attempt);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_RETRY_H_
