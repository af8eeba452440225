// The error model (include/envelope/error.hpp, lib/crypto/error.cc).
#include "envelope/error.hpp"

#include <doctest/doctest.h>

#include <iterator>
#include <set>
#include <string>
#include <utility>

namespace envelope {
namespace {

TEST_CASE("ErrorCodeName: a distinct snake_case name for every code") {
  const std::pair<ErrorCode, const char*> names[] = {
      {ErrorCode::invalid_argument, "invalid_argument"},
      {ErrorCode::auth_failed, "auth_failed"},
      {ErrorCode::truncated, "truncated"},
      {ErrorCode::malformed, "malformed"},
      {ErrorCode::unsupported, "unsupported"},
      {ErrorCode::key_state, "key_state"},
      {ErrorCode::not_found, "not_found"},
      {ErrorCode::limit_exceeded, "limit_exceeded"},
      {ErrorCode::io, "io"},
      {ErrorCode::internal, "internal"},
  };
  std::set<std::string_view> seen;
  // No structured binding: clang 14 cannot capture one in CAPTURE's lambda.
  for (const auto& entry : names) {
    const std::string_view name = entry.second;
    CAPTURE(name);
    CHECK(ErrorCodeName(entry.first) == name);
    seen.insert(ErrorCodeName(entry.first));
  }
  CHECK(seen.size() == std::size(names));
}

TEST_CASE("ErrorCodeName: an out-of-range code is \"unknown\"") {
  CHECK(ErrorCodeName(static_cast<ErrorCode>(999)) == "unknown");
}

TEST_CASE("Error: ToString is \"<code>: <message>\"") {
  const Error e(ErrorCode::auth_failed, "aes-gcm: authentication failed");
  CHECK(e.code() == ErrorCode::auth_failed);
  CHECK(e.message() == "aes-gcm: authentication failed");
  CHECK(e.ToString() == "auth_failed: aes-gcm: authentication failed");
}

TEST_CASE("Error: WithContext prefixes the message and keeps the code") {
  const Error e(ErrorCode::io, "short read");
  const Error wrapped = e.WithContext("keystore");
  CHECK(wrapped.code() == ErrorCode::io);
  CHECK(wrapped.message() == "keystore: short read");
  CHECK(wrapped.WithContext("load").message() == "load: keystore: short read");
  CHECK(e.message() == "short read");  // the original is unchanged
}

TEST_CASE("MakeError: builds the failure side of a Result") {
  auto f = []() -> Result<int> { return MakeError(ErrorCode::truncated, "header ended early"); };
  auto r = f();
  REQUIRE_FALSE(r);
  CHECK(r.error() == Error(ErrorCode::truncated, "header ended early"));
  CHECK_FALSE(r.error() == Error(ErrorCode::io, "header ended early"));
  CHECK_FALSE(r.error() == Error(ErrorCode::truncated, "other"));
}

}  // namespace
}  // namespace envelope
