#include "aws/http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <memory>

namespace envelope::aws {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// GlobalInit runs curl_global_init once per process (it is not thread-safe
// itself, so every first use goes through here).
bool GlobalInit() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

// Sink collects a response, refusing more than `limit` body bytes.
struct Sink {
  HttpResponse* response;
  size_t limit;
  bool over = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->response->body.size() + n > sink->limit) {
    sink->over = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    sink->response->headers.clear();  // a new response (after 100 Continue)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  sink->response->headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  return n;
}

HttpTransportError Kind(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return HttpTransportError::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpTransportError::timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return HttpTransportError::tls;
    default:
      return HttpTransportError::other;
  }
}

}  // namespace

std::string_view HttpResponse::HeaderValue(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpClientOptions options) {
  if (options.connect_timeout.count() <= 0 || options.request_timeout.count() <= 0) {
    return MakeError(ErrorCode::invalid_argument, "http client: timeouts must be over zero");
  }
  if (!options.ca_bundle.empty() && access(options.ca_bundle.c_str(), R_OK) != 0) {
    return MakeError(ErrorCode::invalid_argument,
                     "http client: cannot read the ca bundle '" + options.ca_bundle + "'");
  }
  if (!GlobalInit()) return MakeError(ErrorCode::internal, "http client: libcurl did not start");
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(options)));
}

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::Take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::Give(void* handle) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_handles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

Result<HttpResponse> HttpClient::Send(std::string_view base_url, const HttpRequest& request,
                                      HttpTransportError* kind) {
  if (kind) *kind = HttpTransportError::none;
  CURL* curl = static_cast<CURL*>(Take());
  if (curl == nullptr) return MakeError(ErrorCode::internal, "http client: no libcurl handle");
  // reset keeps the handle's connection cache (and so its open connections).
  curl_easy_reset(curl);

  Slist headers;
  for (const Header& h : request.headers) {
    // libcurl sets Host from the URL; ours is the same value and signed.
    if (EqualsIgnoreCase(h.name, "host")) continue;
    const std::string line = h.name + ": " + h.value;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) {
      Give(curl);
      return MakeError(ErrorCode::internal, "http client: out of memory");
    }
    (void)headers.release();
    headers.reset(next);
  }
  // No "Expect: 100-continue" round trip, and no header we did not sign.
  for (const char* off : {"Expect:", "Accept:"}) {
    curl_slist* next = curl_slist_append(headers.get(), off);
    if (next != nullptr) {
      (void)headers.release();
      headers.reset(next);
    }
  }

  HttpResponse response;
  Sink sink{&response, options_.max_response_size};
  const std::string url = std::string(base_url) + request.Target();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "POST" || !request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty())
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);

  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  long opened = 0;
  if (curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK && opened > 0) {
    connections_ += static_cast<size_t>(opened);
  }
  // The handle no longer points at our buffers once reset by its next use.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  Give(curl);
  if (sink.over) {
    return MakeError(ErrorCode::limit_exceeded,
                     "http client: the answer from " + std::string(base_url) + " is over " +
                         std::to_string(options_.max_response_size) + " bytes");
  }
  if (code != CURLE_OK) {
    if (kind) *kind = Kind(code);
    return MakeError(ErrorCode::io,
                     "http client: " + std::string(base_url) + ": " + curl_easy_strerror(code));
  }
  response.status = status;
  return response;
}

}  // namespace envelope::aws
