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

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_API_ERRORS_H_
