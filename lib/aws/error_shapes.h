// lib/aws: the error shapes of AWS JSON 1.1 services (KMS and the auth
// errors every AWS service shares), in one table.
//
// An error response is an HTTP status and a JSON body:
//
//   HTTP/1.1 400 Bad Request
//   Content-Type: application/x-amz-json-1.1
//
//   {"__type":"NotFoundException","message":"key ... is not in this keystore"}
//
// Inside the library an AWS error is an ordinary envelope::Error whose
// message starts with the exception name and ": " (lib/kms already writes
// "NotFoundException: ..."); ToAwsError splits it off, and falls back to the
// ErrorCode when there is no known name.
#ifndef ENVELOPE_LIB_AWS_ERROR_SHAPES_H_
#define ENVELOPE_LIB_AWS_ERROR_SHAPES_H_

#include <span>
#include <string>
#include <string_view>

#include "envelope/error.hpp"

namespace envelope::aws {

// Names the signer, verifier and server use by name.
inline constexpr std::string_view kIncompleteSignature = "IncompleteSignatureException";
inline constexpr std::string_view kInvalidSignature = "InvalidSignatureException";
inline constexpr std::string_view kUnrecognizedClient = "UnrecognizedClientException";
inline constexpr std::string_view kMissingAuthenticationToken =
    "MissingAuthenticationTokenException";
inline constexpr std::string_view kInternalFailure = "InternalFailure";

// AwsErrorShape is one exception: its `__type` name, HTTP status and who is
// at fault (sender: the client must change the request; otherwise the
// service failed and the request may be retried).
struct AwsErrorShape {
  std::string_view type;
  int http_status;
  bool sender_fault;
};

// AwsErrorShapes returns the table, sorted by name: every exception of the
// KMS API model (service-2.json, 2014-11-01; 500 for those it marks as
// faults, 400 for the rest) and the common ones of AWS JSON services.
std::span<const AwsErrorShape> AwsErrorShapes() noexcept;

// FindAwsErrorShape returns the row named `type`, or nullptr.
const AwsErrorShape* FindAwsErrorShape(std::string_view type) noexcept;

// MakeAwsError returns an Error with code `code` and message
// "<type>: <message>"; `type` should be a name of the table.
tl::unexpected<Error> MakeAwsError(std::string_view type, ErrorCode code, std::string message);

// KmsExceptionFor returns the KMS exception for an ErrorCode, for errors
// whose message names none: not_found -> NotFoundException, key_state ->
// KMSInvalidStateException, auth_failed, truncated and malformed ->
// InvalidCiphertextException, invalid_argument -> ValidationException,
// unsupported -> UnsupportedOperationException, limit_exceeded ->
// LimitExceededException, io and internal -> KMSInternalException.
std::string_view KmsExceptionFor(ErrorCode code) noexcept;

// AwsError is what goes on the wire.
struct AwsError {
  std::string type;
  std::string message;
  int http_status = 500;
};

// ToAwsError maps a library error: a message "<Name>: rest" whose Name is
// in the table gives that name and "rest"; otherwise KmsExceptionFor(code)
// and the whole message. (DisabledException, AlreadyExistsException, ...
// come from lib/kms's messages this way.)
AwsError ToAwsError(const Error& error);

// RenderJsonError returns {"__type":"<type>","message":"<message>"}. It never
// throws: bytes that are not UTF-8 become U+FFFD, and if even that fails
// (allocation) it returns a fixed InternalFailure body.
std::string RenderJsonError(std::string_view type, std::string_view message) noexcept;

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_ERROR_SHAPES_H_
