// envelope: the one error model of the library.
//
// Every fallible library function returns `Result<T>`: either a value or an
// `Error`. Expected failures (bad input, authentication failure, I/O, key
// state) never throw. An `Error` carries a code for programs and a short
// lowercase message with context for people; messages never contain key
// material or plaintext.
#ifndef ENVELOPE_ERROR_HPP_
#define ENVELOPE_ERROR_HPP_

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

#include "envelope/export.h"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// ErrorCode classifies a failure so callers can react without parsing text.
// Data from outside (messages, blobs, streams) fails only with auth_failed,
// truncated, malformed or limit_exceeded, never with invalid_argument, which
// is kept for the caller's own arguments: the tools turn the first four into
// exit 3 ("the input is corrupt or tampered") and invalid_argument into 2.
enum class ErrorCode {
  invalid_argument,  // the caller's own argument or option is malformed or out of range
  auth_failed,       // a tag, commitment, signature or key check did not verify
  truncated,         // input ended before the format said it would
  malformed,         // input data (a message, blob, chunked stream) breaks its format:
                     // a version, suite, content type, length or byte it forbids,
                     // trailing bytes; also an unknown version or suite, which a
                     // flipped byte produces just as well as a newer writer
  unsupported,       // well-formed, but refused by a policy or a feature we do not do
  key_state,         // the key exists but is disabled, pending deletion, ...
  not_found,         // a key, alias or file that was named does not exist
  limit_exceeded,    // input over a configured decoding bound (EDK count, header,
                     // frame or context size, passphrase cost): a corrupted length
                     // looks the same, so the tools treat it like malformed input
  io,                // reading or writing a file, pipe or descriptor failed
  internal,          // OpenSSL/libsodium failed where it should not
};

// ErrorCodeName returns the stable snake_case name of `code`.
std::string_view ErrorCodeName(ErrorCode code) noexcept;

// Error is a code plus a message such as "aes-gcm: iv must be 12 bytes".
// A value type: copies are independent, const use is thread-safe.
class Error {
 public:
  // Error takes a code and a short lowercase message with context, which
  // must never contain key material or plaintext.
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  // code returns the classification, for programs to branch on.
  ErrorCode code() const noexcept { return code_; }
  // message returns the text for people, e.g. "aes-gcm: authentication failed".
  const std::string& message() const noexcept { return message_; }

  // ToString returns "<code name>: <message>".
  std::string ToString() const;

  // WithContext returns the same error with "context: " put in front of the
  // message, for callers that add where the failure happened.
  Error WithContext(std::string_view context) const;

  // Two errors are equal when their codes and messages are.
  friend bool operator==(const Error&, const Error&) = default;

 private:
  ErrorCode code_;
  std::string message_;
};

// Result is the return type of every fallible library function.
template <typename T>
using Result = tl::expected<T, Error>;

// MakeError builds the failure side of a Result:
//   return MakeError(ErrorCode::invalid_argument, "iv must be 12 bytes");
inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}

}  // namespace envelope
ENVELOPE_EXPORT_END

// ENVELOPE_RETURN_IF_ERROR(expr) evaluates `expr` (a Result or any
// tl::expected whose error converts to the enclosing function's) once and,
// when it holds an error, returns that error from the enclosing function:
//   auto header = ParseHeader(bytes);
//   ENVELOPE_RETURN_IF_ERROR(header);
//   ENVELOPE_RETURN_IF_ERROR(sink.Write(block));
#define ENVELOPE_RETURN_IF_ERROR(expr)                                                             \
  do {                                                                                             \
    if (auto&& envelope_result_ = (expr); !envelope_result_) {                                     \
      return ::tl::unexpected(std::forward<decltype(envelope_result_)>(envelope_result_).error()); \
    }                                                                                              \
  } while (false)

// ENVELOPE_ASSIGN_OR_RETURN(lhs, expr) evaluates `expr` (a Result) once;
// on success it moves the value into `lhs`, a declaration or an lvalue, and
// on failure it returns the error from the enclosing function:
//   ENVELOPE_ASSIGN_OR_RETURN(auto key, kms.GenerateDataKey(key_id, context));
// It expands to more than one statement: do not use it as the body of an
// unbraced if or loop.
#define ENVELOPE_ASSIGN_OR_RETURN(lhs, expr) \
  ENVELOPE_ASSIGN_OR_RETURN_IMPL_(ENVELOPE_CONCAT_(envelope_result_, __LINE__), lhs, expr)

#define ENVELOPE_CONCAT_INNER_(a, b) a##b
#define ENVELOPE_CONCAT_(a, b) ENVELOPE_CONCAT_INNER_(a, b)
#define ENVELOPE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)      \
  auto tmp = (expr);                                         \
  if (!tmp) return ::tl::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)

#endif  // ENVELOPE_ERROR_HPP_
