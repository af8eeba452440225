// lib/aws: an HTTPS client for AWS API calls, over libcurl.
//
// One HttpClient keeps a small pool of libcurl handles; each handle keeps
// its connections open between calls, so a run of KMS calls to one endpoint
// pays for one TLS handshake per handle, not one per call. Calls may come
// from several threads at once: each takes a handle from the pool.
//
// It sends a request that lib/aws already built and signed (HttpRequest) to
// a base URL ("https://kms.us-east-1.amazonaws.com"), and returns the status,
// headers and body. Transport failures (no connection, timeout, TLS) are
// `io` errors; every HTTP status is a successful call (the caller reads AWS's
// error shape from the body).
#ifndef ENVELOPE_LIB_AWS_HTTP_CLIENT_H_
#define ENVELOPE_LIB_AWS_HTTP_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http_request.h"
#include "envelope/error.hpp"

namespace envelope::aws {

// HttpClientOptions are the limits of every call.
struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{10000};  // TCP + TLS handshake
  std::chrono::milliseconds request_timeout{60000};  // the whole call
  std::string ca_bundle;                             // PEM file of trusted CAs; empty: the system's
  size_t max_response_size = 1 << 20;                // a longer body fails (limit_exceeded)
  size_t max_idle_handles = 8;                       // handles (and their connections) kept
};

// HttpResponse is one answer.
struct HttpResponse {
  long status = 0;
  std::vector<Header> headers;
  std::string body;

  // HeaderValue returns the first header named `name` (any case), or "".
  std::string_view HeaderValue(std::string_view name) const;
};

// HttpTransportError says what kind of transport failure an `io` error of
// Send was; the retry strategy treats timeouts and refused connections as
// retryable.
enum class HttpTransportError { none, connect, timeout, tls, other };

// HttpClient sends requests; it is safe to use from several threads.
class HttpClient {
 public:
  // Create checks the options (timeouts over zero, a readable CA bundle).
  // Fails with invalid_argument.
  [[nodiscard]] static Result<std::unique_ptr<HttpClient>> Create(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Send sends `request` to `base_url` + request.Target(). Fails with `io`
  // (and sets *kind when given) when no answer arrived, limit_exceeded
  // for a body over max_response_size.
  [[nodiscard]] Result<HttpResponse> Send(std::string_view base_url, const HttpRequest& request,
                                          HttpTransportError* kind = nullptr);

  // connections_opened returns how many connections Send has opened so far
  // (a reused connection opens none).
  size_t connections_opened() const noexcept { return connections_.load(); }

 private:
  explicit HttpClient(HttpClientOptions options) : options_(std::move(options)) {}
  void* Take();
  void Give(void* handle);

  HttpClientOptions options_;
  std::mutex mutex_;
  std::vector<void*> idle_;  // CURL* handles, connections kept open
  std::atomic<size_t> connections_{0};
};

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_HTTP_CLIENT_H_
