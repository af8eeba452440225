// Shared by the SigV4 sign and verify tests: a KMS request, the example
// key of the AWS documentation, and helpers that name a rejection.
#ifndef ENVELOPE_TEST_AWS_SIGV4_TEST_UTIL_H_
#define ENVELOPE_TEST_AWS_SIGV4_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "aws/error_shapes.h"
#include "aws/sigv4_sign.h"
#include "aws/sigv4_verify.h"

namespace envelope::aws::sigv4_test {

using namespace std::chrono_literals;

inline constexpr std::string_view kAkid = "AKIDEXAMPLE";
inline constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

inline SecretBytes Secret(std::string_view s) {
  auto b = SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  REQUIRE(b);
  return std::move(*b);
}

inline Credentials Creds(std::string token = "") {
  return {std::string(kAkid), Secret(kSecret), std::move(token)};
}

inline AmzTime SigningTime() { return *ParseAmzDate("20261205T142000Z"); }

inline HttpRequest KmsRequest() {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "kms.us-east-1.amazonaws.com"},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "TrentService.Encrypt"}};
  r.body = R"({"KeyId":"alias/app","Plaintext":"aGVsbG8="})";
  return r;
}

inline SigningParams Params(std::string region = "us-east-1", std::string service = "kms") {
  SigningParams p;
  p.region = std::move(region);
  p.service = std::move(service);
  p.time = SigningTime();
  return p;
}

inline HttpRequest Signed(SigningParams params = Params(), std::string token = "") {
  HttpRequest r = KmsRequest();
  REQUIRE(SignRequest(r, Creds(std::move(token)), params));
  return r;
}

inline HttpRequest Presigned(std::chrono::seconds expires = 900s, std::string token = "") {
  HttpRequest r = KmsRequest();
  REQUIRE(PresignRequest(r, Creds(std::move(token)), Params(), expires));
  return r;
}

inline VerifyConfig Config() {
  VerifyConfig c;
  c.region = "us-east-1";
  c.service = "kms";
  return c;
}

inline Result<SecretBytes> Lookup(std::string_view id) {
  if (id == kAkid) return Secret(kSecret);
  if (id == "AKIDBROKENSTORE") return MakeError(ErrorCode::io, "keystore unreadable");
  return MakeError(ErrorCode::not_found, "no such access key");
}

inline Result<Principal> Verify(const HttpRequest& r, VerifyConfig config = Config(),
                                AmzTime now = SigningTime()) {
  return VerifyRequest(r, config, Lookup, now);
}

// Rejection returns the AWS exception name of a failed verification, or
// "accepted".
inline std::string Rejection(const Result<Principal>& r) {
  return r ? "accepted" : ToAwsError(r.error()).type;
}

inline std::string& HeaderValue(HttpRequest& r, std::string_view name) {
  for (Header& h : r.headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  FAIL("no header " << name);
  return r.headers.front().value;
}

// Replace returns `s` with the first `from` replaced by `to`.
inline std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace envelope::aws::sigv4_test

#endif  // ENVELOPE_TEST_AWS_SIGV4_TEST_UTIL_H_
