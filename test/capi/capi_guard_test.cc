// The C API's one boundary (lib/capi/capi_internal.h): Guard turns a Result
// error and any exception into a status and the thread's last error, and
// every ErrorCode has its own status. These paths cannot be reached through
// the C functions on purpose (an allocation failure, a stray exception), so
// they are driven here directly.
#include <doctest/doctest.h>

#include <new>
#include <stdexcept>
#include <string>
#include <thread>

#include "capi/capi_internal.h"

namespace envelope::capi {
namespace {

constexpr ErrorCode kCodes[] = {
    ErrorCode::invalid_argument, ErrorCode::auth_failed,    ErrorCode::truncated,
    ErrorCode::malformed,        ErrorCode::unsupported,    ErrorCode::key_state,
    ErrorCode::not_found,        ErrorCode::limit_exceeded, ErrorCode::io,
    ErrorCode::internal,
};

TEST_CASE("Guard: success is ENVELOPE_OK") {
  CHECK(Guard([]() -> Result<void> { return {}; }) == ENVELOPE_OK);
}

TEST_CASE("Guard: a Result error becomes its status and message") {
  for (ErrorCode code : kCodes) {
    const std::string message = "guard test: " + std::string(ErrorCodeName(code));
    CAPTURE(message);
    const envelope_status status =
        Guard([&]() -> Result<void> { return MakeError(code, message); });
    CHECK(status == StatusOf(code));
    CHECK(std::string(envelope_last_error()) == message);
    CHECK(std::string(envelope_status_name(status)) == ErrorCodeName(code));
  }
}

TEST_CASE("Guard: std::bad_alloc is ENVELOPE_INTERNAL, out of memory") {
  const envelope_status status = Guard([]() -> Result<void> { throw std::bad_alloc(); });
  CHECK(status == ENVELOPE_INTERNAL);
  CHECK(std::string(envelope_last_error()) == "out of memory");
}

TEST_CASE("Guard: any other exception is ENVELOPE_INTERNAL, and nothing escapes") {
  CHECK(Guard([]() -> Result<void> { throw std::runtime_error("secret detail"); }) ==
        ENVELOPE_INTERNAL);
  // The exception's own text may hold anything: it is not passed on.
  CHECK(std::string(envelope_last_error()) == "unexpected exception");
  CHECK(Guard([]() -> Result<void> { throw 42; }) == ENVELOPE_INTERNAL);
  CHECK(std::string(envelope_last_error()) == "unexpected exception");
}

TEST_CASE("StatusOf: each ErrorCode its own status, the values of envelope.h") {
  CHECK(StatusOf(ErrorCode::invalid_argument) == ENVELOPE_INVALID_ARGUMENT);
  CHECK(StatusOf(ErrorCode::auth_failed) == ENVELOPE_AUTH_FAILED);
  CHECK(StatusOf(ErrorCode::truncated) == ENVELOPE_TRUNCATED);
  CHECK(StatusOf(ErrorCode::malformed) == ENVELOPE_MALFORMED);
  CHECK(StatusOf(ErrorCode::unsupported) == ENVELOPE_UNSUPPORTED);
  CHECK(StatusOf(ErrorCode::key_state) == ENVELOPE_KEY_STATE);
  CHECK(StatusOf(ErrorCode::not_found) == ENVELOPE_NOT_FOUND);
  CHECK(StatusOf(ErrorCode::limit_exceeded) == ENVELOPE_LIMIT_EXCEEDED);
  CHECK(StatusOf(ErrorCode::io) == ENVELOPE_IO);
  CHECK(StatusOf(ErrorCode::internal) == ENVELOPE_INTERNAL);
}

TEST_CASE("envelope_last_error: one per thread") {
  Guard([]() -> Result<void> { return MakeError(ErrorCode::io, "main thread"); });
  std::string other;
  std::thread([&] {
    other = envelope_last_error();  // nothing failed in this thread yet
    Guard([]() -> Result<void> { return MakeError(ErrorCode::io, "other thread"); });
  }).join();
  CHECK(other.empty());
  CHECK(std::string(envelope_last_error()) == "main thread");
}

}  // namespace
}  // namespace envelope::capi
