#include "aws/aws_kms_client.h"

#include <chrono>
#include <thread>

#include "aws/aws_config.h"
#include "aws/error_shapes.h"
#include "aws/sigv4_sign.h"
#include "envelope/secret.hpp"
#include "message/base64.h"

namespace envelope::aws {
namespace {

using json = nlohmann::json;

constexpr std::string_view kKeyUnavailable = "KeyUnavailableException";

void Wipe(std::string& s) { SecureZero({reinterpret_cast<uint8_t*>(s.data()), s.size()}); }

// WipeMember wipes a string member of an answer (a base64 plaintext).
void WipeMember(json& j, const char* name) {
  if (auto it = j.find(name); it != j.end() && it->is_string()) Wipe(it->get_ref<std::string&>());
}

json Context(const EncryptionContext& context) {
  json j = json::object();
  for (const auto& [k, v] : context) j[k] = v;
  return j;
}

json Tokens(std::span<const std::string> tokens) {
  json j = json::array();
  for (const std::string& t : tokens) j.push_back(t);
  return j;
}

tl::unexpected<Error> Malformed(std::string_view operation, std::string_view what) {
  return MakeError(ErrorCode::malformed, "aws kms: the " + std::string(operation) +
                                             " answer has no valid " + std::string(what));
}

Result<std::vector<uint8_t>> Blob(const json& answer, const char* member,
                                  std::string_view operation) {
  auto it = answer.find(member);
  if (it == answer.end() || !it->is_string()) return Malformed(operation, member);
  auto bytes = message::Base64Decode(it->get_ref<const std::string&>());
  if (!bytes || bytes->empty()) return Malformed(operation, member);
  return std::move(*bytes);
}

Result<SecretBytes> Plaintext(json& answer, std::string_view operation) {
  auto it = answer.find("Plaintext");
  if (it == answer.end() || !it->is_string()) return Malformed(operation, "Plaintext");
  auto bytes = message::Base64Decode(it->get_ref<const std::string&>());
  WipeMember(answer, "Plaintext");
  if (!bytes || bytes->empty()) return Malformed(operation, "Plaintext");
  auto secret = SecretBytes::CopyFrom(*bytes);
  SecureZero(*bytes);
  return secret;
}

Result<std::string> KeyId(const json& answer, std::string_view operation,
                          const char* member = "KeyId") {
  auto it = answer.find(member);
  if (it == answer.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Malformed(operation, member);
  }
  return it->get<std::string>();
}

// HostOf returns the authority of an http(s) URL ("host:port").
std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  std::string_view rest = url.substr(scheme == std::string_view::npos ? 0 : scheme + 3);
  return std::string(rest.substr(0, rest.find('/')));
}

}  // namespace

ErrorCode AwsErrorCode(std::string_view type, long status) noexcept {
  if (type == "NotFoundException") return ErrorCode::not_found;
  if (type == "DisabledException" || type == "KMSInvalidStateException" ||
      type == kKeyUnavailable) {
    return ErrorCode::key_state;
  }
  if (type == "InvalidCiphertextException") return ErrorCode::auth_failed;
  if (IsThrottlingError(type)) return ErrorCode::limit_exceeded;
  if (status >= 500) return ErrorCode::io;
  return ErrorCode::invalid_argument;
}

Result<std::shared_ptr<KmsHttpClient>> KmsHttpClient::Create(AwsKmsClientOptions options) {
  if (!IsScopeName(options.region)) {
    return MakeError(ErrorCode::invalid_argument,
                     "aws kms: '" + options.region + "' is not a region name");
  }
  if (!options.credentials || !IsAccessKeyId(options.credentials->access_key_id)) {
    return MakeError(ErrorCode::invalid_argument, "aws kms: the client has no credentials");
  }
  if (options.endpoint_url.empty()) options.endpoint_url = KmsEndpointForRegion(options.region);
  while (options.endpoint_url.ends_with('/')) options.endpoint_url.pop_back();
  if (!options.endpoint_url.starts_with("https://") &&
      !options.endpoint_url.starts_with("http://")) {
    return MakeError(ErrorCode::invalid_argument,
                     "aws kms: the endpoint '" + options.endpoint_url + "' is not an http(s) url");
  }
  std::string host = HostOf(options.endpoint_url);
  if (host.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     "aws kms: the endpoint '" + options.endpoint_url + "' names no host");
  }
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  auto http = HttpClient::Create(options.http);
  if (!http) return tl::unexpected(http.error().WithContext("aws kms"));
  return std::shared_ptr<KmsHttpClient>(
      new KmsHttpClient(std::move(options), std::move(*http), std::move(host)));
}

Result<json> KmsHttpClient::Attempt(std::string_view operation, const std::string& body,
                                    bool& retry, bool& timeout) {
  retry = false;
  timeout = false;
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"Host", host_},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "TrentService." + std::string(operation)}};
  request.body = body;
  struct BodyWiper {
    std::string& b;
    ~BodyWiper() { Wipe(b); }
  } request_wiper{request.body};
  SigningParams params;
  params.region = options_.region;
  params.service = "kms";
  params.time =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto signed_ = SignRequest(request, *options_.credentials, params); !signed_) {
    return tl::unexpected(signed_.error().WithContext("aws kms"));
  }
  HttpTransportError kind = HttpTransportError::none;
  auto response = http_->Send(options_.endpoint_url, request, &kind);
  if (!response) {
    retry = kind == HttpTransportError::connect || kind == HttpTransportError::timeout;
    timeout = kind == HttpTransportError::timeout;
    return tl::unexpected(response.error().WithContext("aws kms"));
  }
  struct AnswerWiper {
    std::string& b;
    ~AnswerWiper() { Wipe(b); }
  } answer_wiper{response->body};
  json answer = json::parse(response->body, nullptr, false);
  if (response->status == 200) {
    if (answer.is_discarded() || !answer.is_object()) {
      return MakeError(ErrorCode::malformed,
                       "aws kms: the " + std::string(operation) + " answer is not a JSON object");
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
  return MakeError(AwsErrorCode(type, response->status), type + ": " + message);
}

Result<json> KmsHttpClient::Call(std::string_view operation, const json& body) {
  std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  struct Wiper {
    std::string& b;
    ~Wiper() { Wipe(b); }
  } wiper{text};
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

Result<KmsDataKey> KmsHttpClient::GenerateDataKeyWith(std::string_view key,
                                                      const EncryptionContext& context, size_t size,
                                                      std::span<const std::string> grant_tokens) {
  json body = {{"KeyId", key}, {"NumberOfBytes", size}};
  if (!context.empty()) body["EncryptionContext"] = Context(context);
  if (!grant_tokens.empty()) body["GrantTokens"] = Tokens(grant_tokens);
  auto answer = Call("GenerateDataKey", body);
  ENVELOPE_RETURN_IF_ERROR(answer);
  auto plaintext = Plaintext(*answer, "GenerateDataKey");
  ENVELOPE_RETURN_IF_ERROR(plaintext);
  auto blob = Blob(*answer, "CiphertextBlob", "GenerateDataKey");
  ENVELOPE_RETURN_IF_ERROR(blob);
  auto id = KeyId(*answer, "GenerateDataKey");
  ENVELOPE_RETURN_IF_ERROR(id);
  return KmsDataKey{std::move(*plaintext), std::move(*blob), std::move(*id)};
}

Result<KmsWrapped> KmsHttpClient::EncryptWith(std::string_view key,
                                              std::span<const uint8_t> plaintext,
                                              const EncryptionContext& context,
                                              std::span<const std::string> grant_tokens) {
  std::string b64 = message::Base64Encode(plaintext);
  json body = {{"KeyId", key}, {"Plaintext", b64}};
  Wipe(b64);
  if (!context.empty()) body["EncryptionContext"] = Context(context);
  if (!grant_tokens.empty()) body["GrantTokens"] = Tokens(grant_tokens);
  auto answer = Call("Encrypt", body);
  WipeMember(body, "Plaintext");
  ENVELOPE_RETURN_IF_ERROR(answer);
  auto blob = Blob(*answer, "CiphertextBlob", "Encrypt");
  ENVELOPE_RETURN_IF_ERROR(blob);
  auto id = KeyId(*answer, "Encrypt");
  ENVELOPE_RETURN_IF_ERROR(id);
  return KmsWrapped{std::move(*blob), std::move(*id)};
}

Result<KmsUnwrapped> KmsHttpClient::DecryptWith(std::span<const uint8_t> blob,
                                                const EncryptionContext& context,
                                                std::string_view key,
                                                std::span<const std::string> grant_tokens) {
  json body = {{"CiphertextBlob", message::Base64Encode(blob)}};
  if (!key.empty()) body["KeyId"] = key;
  if (!context.empty()) body["EncryptionContext"] = Context(context);
  if (!grant_tokens.empty()) body["GrantTokens"] = Tokens(grant_tokens);
  auto answer = Call("Decrypt", body);
  ENVELOPE_RETURN_IF_ERROR(answer);
  auto plaintext = Plaintext(*answer, "Decrypt");
  ENVELOPE_RETURN_IF_ERROR(plaintext);
  auto id = KeyId(*answer, "Decrypt");
  ENVELOPE_RETURN_IF_ERROR(id);
  return KmsUnwrapped{std::move(*plaintext), std::move(*id)};
}

Result<KmsDataKey> KmsHttpClient::GenerateDataKey(std::string_view key,
                                                  const EncryptionContext& context) {
  return GenerateDataKeyWith(key, context, 32, {});
}

Result<KmsWrapped> KmsHttpClient::Encrypt(std::string_view key, std::span<const uint8_t> plaintext,
                                          const EncryptionContext& context) {
  return EncryptWith(key, plaintext, context, {});
}

Result<KmsUnwrapped> KmsHttpClient::Decrypt(std::span<const uint8_t> blob,
                                            const EncryptionContext& context,
                                            std::string_view expected_key) {
  return DecryptWith(blob, context, expected_key, {});
}

Result<KmsWrapped> KmsHttpClient::ReEncrypt(std::span<const uint8_t> blob,
                                            const EncryptionContext& source_context,
                                            std::string_view destination_key,
                                            const EncryptionContext& destination_context) {
  json body = {{"CiphertextBlob", message::Base64Encode(blob)},
               {"DestinationKeyId", destination_key}};
  if (!source_context.empty()) body["SourceEncryptionContext"] = Context(source_context);
  if (!destination_context.empty()) {
    body["DestinationEncryptionContext"] = Context(destination_context);
  }
  auto answer = Call("ReEncrypt", body);
  ENVELOPE_RETURN_IF_ERROR(answer);
  auto out = Blob(*answer, "CiphertextBlob", "ReEncrypt");
  ENVELOPE_RETURN_IF_ERROR(out);
  auto id = KeyId(*answer, "ReEncrypt");
  ENVELOPE_RETURN_IF_ERROR(id);
  return KmsWrapped{std::move(*out), std::move(*id)};
}

}  // namespace envelope::aws
