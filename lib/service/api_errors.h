// lib/service: the error tables of the APIs beside KMS (SSM, Secrets
// Manager): each API lists its exceptions and their HTTP status once, and
// these helpers find a name there, split a library error "<Name>: message"
// whose name is in the table, and render an error answer.
#ifndef ENVELOPE_LIB_SERVICE_API_ERRORS_H_
#define ENVELOPE_LIB_SERVICE_API_ERRORS_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aws/error_shapes.h"
#include "envelope/kms.hpp"
#include "service/json_request.h"
#include "service/kms_api.h"

namespace envelope::service {

// ApiError is one exception of an API: its `__type` and HTTP status.
struct ApiError {
  std::string_view type;
  int status;
};

// FindApiError returns the row of `table` named `type`, or nullptr.
inline const ApiError* FindApiError(std::span<const ApiError> table, std::string_view type) {
  for (const ApiError& e : table) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

// OwnFailure returns the failure of a library error whose message starts
// with a name of `table` ("ParameterNotFound: ..."), else nullopt.
inline std::optional<Failure> OwnFailure(std::span<const ApiError> table, const Error& error) {
  const std::string& m = error.message();
  const size_t colon = m.find(": ");
  if (colon == std::string::npos || !FindApiError(table, m.substr(0, colon))) return std::nullopt;
  return Failure{m.substr(0, colon), m.substr(colon + 2)};
}

// ErrorAnswer renders `failure` with its status from `table` (else the AWS
// table, else 400).
inline KmsApiResult ErrorAnswer(std::span<const ApiError> table, const Failure& failure,
                                bool reached_kms) {
  KmsApiResult result;
  const ApiError* own = FindApiError(table, failure.type);
  const aws::AwsErrorShape* shape = aws::FindAwsErrorShape(failure.type);
  result.http_status = own ? own->status : shape ? shape->http_status : 400;
  result.error_type = failure.type;
  result.error_message = failure.message;
  result.body = aws::RenderJsonError(failure.type, failure.message);
  result.reached_kms = reached_kms;
  return result;
}

// Authorize asks the Kms whether the request's caller may do `action` on
// `resource_arn` (Kms::AuthorizeServiceAction): AccessDeniedException with
// AWS's message when not, `internal_error` (the API's name for a server
// fault) when the keystore cannot be read.
inline Step<void> Authorize(kms::Kms& kms, std::string_view action, std::string_view resource_arn,
                            std::string_view internal_error) {
  auto ok = kms.AuthorizeServiceAction(action, resource_arn);
  if (ok) return {};
  const std::string& m = ok.error().message();
  constexpr std::string_view kDenied = "AccessDeniedException: ";
  if (m.starts_with(kDenied))
    return Fail(std::string(kDenied.substr(0, kDenied.size() - 2)), m.substr(kDenied.size()));
  return Fail(std::string(internal_error), "internal error");
}

// AuditRequest writes `call`, the audit line of a request whose operation
// wrote none of its own, with `failure` as its error (nullptr: it
// succeeded). A line that cannot be written is `internal_error`: the answer
// must not leave unaudited.
inline Step<void> AuditRequest(kms::Kms& kms, const kms::ServiceCall& call, const Failure* failure,
                               std::string_view internal_error) {
  std::optional<Error> error;
  if (failure != nullptr)
    error.emplace(ErrorCode::invalid_argument, failure->type + ": " + failure->message);
  if (kms.AuditServiceCall(call, error ? &*error : nullptr)) return {};
  return Fail(std::string(internal_error), "the audit log cannot be written");
}

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_API_ERRORS_H_
