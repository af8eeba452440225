#include "aws/aws_json_client.h"

#include <chrono>
#include <thread>

#include "aws/sigv4_sign.h"
#include "envelope/secret.hpp"

namespace envelope::aws {
namespace {

using json = nlohmann::json;

// HostOf returns the authority of an http(s) URL ("host:port").
std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  std::string_view rest = url.substr(scheme == std::string_view::npos ? 0 : scheme + 3);
  return std::string(rest.substr(0, rest.find('/')));
}

// Wiper wipes a string when it goes out of scope.
struct Wiper {
  std::string& s;
  ~Wiper() { WipeString(s); }
};

}  // namespace

void WipeString(std::string& s) noexcept {
  SecureZero({reinterpret_cast<uint8_t*>(s.data()), s.size()});
}

Result<std::unique_ptr<AwsJsonClient>> AwsJsonClient::Create(AwsJsonClientOptions options,
                                                             ErrorCodeOf code_of) {
  const std::string& label = options.label;
  if (!IsScopeName(options.region)) {
    return MakeError(ErrorCode::invalid_argument,
                     label + ": '" + options.region + "' is not a region name");
  }
  if (!options.credentials || !IsAccessKeyId(options.credentials->access_key_id)) {
    return MakeError(ErrorCode::invalid_argument, label + ": the client has no credentials");
  }
  while (options.endpoint_url.ends_with('/')) options.endpoint_url.pop_back();
  if (!options.endpoint_url.starts_with("https://") &&
      !options.endpoint_url.starts_with("http://")) {
    return MakeError(ErrorCode::invalid_argument,
                     label + ": the endpoint '" + options.endpoint_url + "' is not an http(s) url");
  }
  std::string host = HostOf(options.endpoint_url);
  if (host.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     label + ": the endpoint '" + options.endpoint_url + "' names no host");
  }
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  auto http = HttpClient::Create(options.http);
  if (!http) return tl::unexpected(http.error().WithContext(label));
  return std::unique_ptr<AwsJsonClient>(
      new AwsJsonClient(std::move(options), std::move(code_of), std::move(*http), std::move(host)));
}

Result<json> AwsJsonClient::Attempt(std::string_view operation, const std::string& body,
                                    bool& retry, bool& timeout) {
  retry = false;
  timeout = false;
  const std::string& label = options_.label;
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"Host", host_},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", options_.target_prefix + std::string(operation)}};
  request.body = body;
  Wiper request_wiper{request.body};
  SigningParams params;
  params.region = options_.region;
  params.service = options_.service;
  params.time =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto signed_ = SignRequest(request, *options_.credentials, params); !signed_) {
    return tl::unexpected(signed_.error().WithContext(label));
  }
  HttpTransportError kind = HttpTransportError::none;
  auto response = http_->Send(options_.endpoint_url, request, &kind);
  if (!response) {
    retry = kind == HttpTransportError::connect || kind == HttpTransportError::timeout;
    timeout = kind == HttpTransportError::timeout;
    return tl::unexpected(response.error().WithContext(label));
  }
  Wiper answer_wiper{response->body};
  json answer = json::parse(response->body, nullptr, false);
  if (response->status == 200) {
    if (answer.is_discarded() || !answer.is_object()) {
      return MakeError(ErrorCode::malformed,
                       label + ": the " + std::string(operation) + " answer is not a JSON object");
    }
    return answer;
  }
  std::string type;
  std::string message;
  if (answer.is_object()) {
    for (const char* member : {"__type", "code", "Code"}) {
      if (auto it = answer.find(member); it != answer.end() && it->is_string()) {
        type = it->get<std::string>();
        break;
      }
    }
    for (const char* member : {"message", "Message"}) {
      if (auto it = answer.find(member); it != answer.end() && it->is_string()) {
        message = it->get<std::string>();
        break;
      }
    }
  }
  if (type.empty()) type = std::string(response->HeaderValue("x-amzn-ErrorType"));
  // "com.amazonaws.kms#NotFoundException" and "Name:http://..." both occur.
  if (const size_t hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
  if (const size_t colon = type.find(':'); colon != std::string::npos) type.resize(colon);
  if (type.empty()) type = response->status >= 500 ? "InternalFailure" : "UnknownError";
  if (message.empty()) message = "HTTP status " + std::to_string(response->status);
  retry = IsRetryableAnswer(response->status, type);
  return MakeError(code_of_(type, response->status), type + ": " + message);
}

Result<json> AwsJsonClient::Call(std::string_view operation, const json& body) {
  std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  Wiper wiper{text};
  int retry_cost = 0;
  for (int attempt = 1;; ++attempt) {
    bool retry = false;
    bool timeout = false;
    auto answer = Attempt(operation, text, retry, timeout);
    if (answer) {
      quota_.Release(retry_cost == 0 ? 1 : retry_cost);
      return answer;
    }
    const bool last = attempt >= options_.retry.max_attempts;
    if (!retry || last || !quota_.Acquire(timeout)) {
      if (attempt == 1) return answer;
      std::string why = last ? "" : ", retry quota exhausted";
      return tl::unexpected(Error(
          answer.error().code(),
          answer.error().message() + " (" + std::to_string(attempt) + " attempts" + why + ")"));
    }
    retry_cost += timeout ? 10 : 5;
    std::this_thread::sleep_for(BackoffDelay(options_.retry, attempt));
  }
}

}  // namespace envelope::aws
