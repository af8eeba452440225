#include "aws/aws_kms_client.h"

#include "aws/aws_config.h"
#include "aws/error_shapes.h"
#include "envelope/secret.hpp"
#include "message/base64.h"

namespace envelope::aws {
namespace {

using json = nlohmann::json;

constexpr std::string_view kKeyUnavailable = "KeyUnavailableException";

// WipeMember wipes a string member of an answer (a base64 plaintext).
void WipeMember(json& j, const char* name) {
  if (auto it = j.find(name); it != j.end() && it->is_string())
    WipeString(it->get_ref<std::string&>());
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
  if (options.endpoint_url.empty() && IsScopeName(options.region)) {
    options.endpoint_url = KmsEndpointForRegion(options.region);
  }
  AwsJsonClientOptions json_options;
  json_options.label = "aws kms";
  json_options.target_prefix = "TrentService.";
  json_options.service = "kms";
  json_options.region = options.region;
  json_options.endpoint_url = options.endpoint_url;
  json_options.credentials = options.credentials;
  json_options.http = options.http;
  json_options.retry = options.retry;
  auto json_client = AwsJsonClient::Create(std::move(json_options), AwsErrorCode);
  ENVELOPE_RETURN_IF_ERROR(json_client);
  options.endpoint_url = (*json_client)->options().endpoint_url;
  return std::shared_ptr<KmsHttpClient>(
      new KmsHttpClient(std::move(options), std::move(*json_client)));
}

Result<json> KmsHttpClient::Call(std::string_view operation, const json& body) {
  return json_->Call(operation, body);
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
  WipeString(b64);
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
