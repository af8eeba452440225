#include "aws/error_shapes.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace envelope::aws {
namespace {

// Sorted by name (a test checks). The KMS rows are the model's
// "exception": true shapes (Debian's awscli 2.9.19, test/aws/data, plus
// ConflictException and DryRunOperationException of newer models); the
// model marks DependencyTimeoutException, KMSInternalException and
// KeyUnavailableException as faults (500). The rest are the errors every
// AWS JSON service may answer, for authentication, throttling and protocol.
constexpr AwsErrorShape kShapes[] = {
    {"AccessDeniedException", 400, true},
    {"AlreadyExistsException", 400, true},
    {"CloudHsmClusterInUseException", 400, true},
    {"CloudHsmClusterInvalidConfigurationException", 400, true},
    {"CloudHsmClusterNotActiveException", 400, true},
    {"CloudHsmClusterNotFoundException", 400, true},
    {"CloudHsmClusterNotRelatedException", 400, true},
    {"ConflictException", 400, true},
    {"CustomKeyStoreHasCMKsException", 400, true},
    {"CustomKeyStoreInvalidStateException", 400, true},
    {"CustomKeyStoreNameInUseException", 400, true},
    {"CustomKeyStoreNotFoundException", 400, true},
    {"DependencyTimeoutException", 500, false},
    {"DisabledException", 400, true},
    {"DryRunOperationException", 400, true},
    {"ExpiredImportTokenException", 400, true},
    {"ExpiredTokenException", 400, true},
    {"IncompleteSignatureException", 400, true},
    {"IncorrectKeyException", 400, true},
    {"IncorrectKeyMaterialException", 400, true},
    {"IncorrectTrustAnchorException", 400, true},
    {"InternalFailure", 500, false},
    {"InvalidAliasNameException", 400, true},
    {"InvalidArnException", 400, true},
    {"InvalidCiphertextException", 400, true},
    {"InvalidGrantIdException", 400, true},
    {"InvalidGrantTokenException", 400, true},
    {"InvalidImportTokenException", 400, true},
    {"InvalidKeyUsageException", 400, true},
    {"InvalidMarkerException", 400, true},
    {"InvalidSignatureException", 400, true},
    {"KMSInternalException", 500, false},
    {"KMSInvalidMacException", 400, true},
    {"KMSInvalidSignatureException", 400, true},
    {"KMSInvalidStateException", 400, true},
    {"KeyUnavailableException", 500, false},
    {"LimitExceededException", 400, true},
    {"MalformedPolicyDocumentException", 400, true},
    {"MissingAuthenticationTokenException", 403, true},
    {"NotFoundException", 400, true},
    {"SerializationException", 400, true},
    {"ServiceUnavailableException", 503, false},
    {"TagException", 400, true},
    {"ThrottlingException", 400, true},
    {"UnknownOperationException", 400, true},
    {"UnrecognizedClientException", 400, true},
    {"UnsupportedOperationException", 400, true},
    {"ValidationException", 400, true},
    {"XksKeyAlreadyInUseException", 400, true},
    {"XksKeyInvalidConfigurationException", 400, true},
    {"XksKeyNotFoundException", 400, true},
    {"XksProxyIncorrectAuthenticationCredentialException", 400, true},
    {"XksProxyInvalidConfigurationException", 400, true},
    {"XksProxyInvalidResponseException", 400, true},
    {"XksProxyUriEndpointInUseException", 400, true},
    {"XksProxyUriInUseException", 400, true},
    {"XksProxyUriUnreachableException", 400, true},
    {"XksProxyVpcEndpointServiceInUseException", 400, true},
    {"XksProxyVpcEndpointServiceInvalidConfigurationException", 400, true},
    {"XksProxyVpcEndpointServiceNotFoundException", 400, true},
};

}  // namespace

std::span<const AwsErrorShape> AwsErrorShapes() noexcept { return kShapes; }

const AwsErrorShape* FindAwsErrorShape(std::string_view type) noexcept {
  const auto* it = std::lower_bound(
      std::begin(kShapes), std::end(kShapes), type,
      [](const AwsErrorShape& row, std::string_view name) { return row.type < name; });
  return it != std::end(kShapes) && it->type == type ? it : nullptr;
}

tl::unexpected<Error> MakeAwsError(std::string_view type, ErrorCode code, std::string message) {
  return MakeError(code, std::string(type) + ": " + message);
}

std::string_view KmsExceptionFor(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::not_found:
      return "NotFoundException";
    case ErrorCode::key_state:
      return "KMSInvalidStateException";
    case ErrorCode::auth_failed:
      return "InvalidCiphertextException";
    case ErrorCode::truncated:
    case ErrorCode::malformed:
      return "InvalidCiphertextException";
    case ErrorCode::invalid_argument:
      return "ValidationException";
    case ErrorCode::unsupported:
      return "UnsupportedOperationException";
    case ErrorCode::limit_exceeded:
      return "LimitExceededException";
    case ErrorCode::io:
      return "KMSInternalException";
    case ErrorCode::internal:
      return "KMSInternalException";
  }
  return "KMSInternalException";
}

AwsError ToAwsError(const Error& error) {
  const std::string& m = error.message();
  const size_t colon = m.find(": ");
  if (colon != std::string::npos) {
    if (const AwsErrorShape* shape = FindAwsErrorShape(std::string_view(m).substr(0, colon))) {
      return {std::string(shape->type), m.substr(colon + 2), shape->http_status};
    }
  }
  const std::string_view type = KmsExceptionFor(error.code());
  const AwsErrorShape* shape = FindAwsErrorShape(type);
  return {std::string(type), m, shape != nullptr ? shape->http_status : 500};
}

std::string RenderJsonError(std::string_view type, std::string_view message) noexcept {
  try {
    nlohmann::json body = {{"__type", std::string(type)}, {"message", std::string(message)}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (...) {
    return R"({"__type":"InternalFailure","message":"internal failure"})";
  }
}

}  // namespace envelope::aws
