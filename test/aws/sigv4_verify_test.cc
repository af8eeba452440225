// VerifyRequest: a KMS request signed by SignRequest verifies, and every
// single change to it is rejected with the exception AWS would name.
#include "aws/sigv4_verify.h"

#include <doctest/doctest.h>

#include "sigv4_test_util.h"

namespace envelope::aws {
namespace {

using namespace std::chrono_literals;
using namespace sigv4_test;

TEST_CASE("VerifyRequest: accepts what SignRequest signed, and names the principal") {
  auto p = Verify(Signed());
  REQUIRE(p);
  CHECK(p->access_key_id == kAkid);
  CHECK(p->scope == CredentialScope{"20261205", "us-east-1", "kms"});
  CHECK(p->request_time == SigningTime());
  CHECK(!p->session_token);
  CHECK(!p->presigned);

  SigningParams with_body = Params();
  with_body.sign_body = true;
  CHECK(Verify(Signed(with_body)));
  auto presigned = Verify(Presigned());
  REQUIRE(presigned);
  CHECK(presigned->presigned);
}

TEST_CASE("VerifyRequest: a changed header, body, path, query or method is InvalidSignature") {
  HttpRequest r = Signed();
  HeaderValue(r, "X-Amz-Target") = "TrentService.Decrypt";
  CHECK(Rejection(Verify(r)) == "InvalidSignatureException");

  r = Signed();
  r.body[2] ^= 1;
  CHECK(Rejection(Verify(r)) == "InvalidSignatureException");

  r = Signed();
  r.path = "/x";
  CHECK(Rejection(Verify(r)) == "InvalidSignatureException");

  r = Signed();
  r.query.push_back({"a", "1"});
  CHECK(Rejection(Verify(r)) == "InvalidSignatureException");

  r = Signed();
  r.method = "PUT";
  CHECK(Rejection(Verify(r)) == "InvalidSignatureException");

  // Whitespace and case the canonical form folds are not changes.
  r = Signed();
  HeaderValue(r, "X-Amz-Target") = "  TrentService.Encrypt ";
  r.headers[1].name = "CONTENT-TYPE";
  CHECK(Verify(r));
}

TEST_CASE("VerifyRequest: a signed body hash that does not match the body") {
  SigningParams p = Params();
  p.sign_body = true;
  HttpRequest r = Signed(p);
  r.body += " ";
  auto v = Verify(r);
  CHECK(Rejection(v) == "InvalidSignatureException");
  CHECK(ToAwsError(v.error()).message.find("x-amz-content-sha256") != std::string::npos);

  // UNSIGNED-PAYLOAD only where the configuration allows it.
  p.payload_hash = std::string(kUnsignedPayload);
  r = Signed(p);
  CHECK(Rejection(Verify(r)) == "InvalidSignatureException");
  VerifyConfig c = Config();
  c.allow_unsigned_payload = true;
  CHECK(Verify(r, c));
}

TEST_CASE("VerifyRequest: the date, region and service of the scope") {
  HttpRequest r = Signed();
  HeaderValue(r, "X-Amz-Date") = "20261205T142001Z";  // one second off
  CHECK(Rejection(Verify(r)) == "InvalidSignatureException");

  r = Signed();
  HeaderValue(r, "X-Amz-Date") = "20261206T000000Z";  // another day than the scope's
  auto v = Verify(r, Config(), *ParseAmzDate("20261206T000000Z"));
  CHECK(Rejection(v) == "InvalidSignatureException");
  CHECK(ToAwsError(v.error()).message.starts_with("Date in Credential scope does not match"));

  v = Verify(Signed(Params("us-west-2")));
  CHECK(Rejection(v) == "InvalidSignatureException");
  CHECK(ToAwsError(v.error()).message ==
        "Credential should be scoped to a valid region, not 'us-west-2'.");

  v = Verify(Signed(Params("us-east-1", "s3")));
  CHECK(Rejection(v) == "InvalidSignatureException");
  CHECK(ToAwsError(v.error()).message == "Credential should be scoped to correct service: 'kms'.");
}

TEST_CASE("VerifyRequest: a changed signature digit") {
  HttpRequest r = Signed();
  std::string& auth = HeaderValue(r, "Authorization");
  auth.back() = auth.back() == '0' ? '1' : '0';
  auto v = Verify(r);
  CHECK(Rejection(v) == "InvalidSignatureException");
  CHECK(ToAwsError(v.error()).message.starts_with("The request signature we calculated"));
}

TEST_CASE("VerifyRequest: host and x-amz-date must be signed, and signed headers present") {
  HttpRequest r = Signed();
  std::string& auth = HeaderValue(r, "Authorization");
  auth = Replace(auth, "SignedHeaders=content-type;host;", "SignedHeaders=content-type;");
  CHECK(Rejection(Verify(r)) == "IncompleteSignatureException");

  r = Signed();
  HeaderValue(r, "Authorization") = Replace(HeaderValue(r, "Authorization"), ";x-amz-date;", ";");
  CHECK(Rejection(Verify(r)) == "IncompleteSignatureException");

  r = Signed();
  r.RemoveHeaders("X-Amz-Target");
  auto v = Verify(r);
  CHECK(Rejection(v) == "InvalidSignatureException");
  CHECK(ToAwsError(v.error()).message.find("'x-amz-target'") != std::string::npos);

  r = Signed();
  r.RemoveHeaders("X-Amz-Date");
  CHECK(Rejection(Verify(r)) == "IncompleteSignatureException");
  r = Signed();
  r.headers.push_back({"X-Amz-Date", "20261205T142000Z"});
  CHECK(Rejection(Verify(r)) == "IncompleteSignatureException");
}

TEST_CASE("VerifyRequest: whitespace AWS does not accept in the Authorization header") {
  HttpRequest signed_request = Signed();
  const std::string good = HeaderValue(signed_request, "Authorization");
  const std::string bad[] = {
      Replace(good, "Credential=", "Credential= "),
      Replace(good, "Credential=", "Credential ="),
      Replace(good, ", SignedHeaders", " , SignedHeaders"),
      Replace(good, "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256\t"),
      good + " ",
      Replace(good, "host;", "host; "),
  };
  for (const std::string& value : bad) {
    CAPTURE(value);
    HttpRequest r = Signed();
    HeaderValue(r, "Authorization") = value;
    CHECK(Rejection(Verify(r)) == "IncompleteSignatureException");
  }
  // What every SDK varies is accepted: no space after a comma, another order.
  HttpRequest r = Signed();
  HeaderValue(r, "Authorization") = Replace(Replace(good, ", SignedHeaders", ",SignedHeaders"),
                                            "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256  ");
  CHECK(Verify(r));
}

TEST_CASE("VerifyRequest: the clock, 5 minutes either way") {
  const HttpRequest r = Signed();
  CHECK(Verify(r, Config(), SigningTime() + 300s));
  CHECK(Verify(r, Config(), SigningTime() - 300s));
  auto late = Verify(r, Config(), SigningTime() + 301s);
  CHECK(Rejection(late) == "InvalidSignatureException");
  CHECK(ToAwsError(late.error()).message ==
        "Signature expired: 20261205T142000Z is now earlier than 20261205T142001Z "
        "(20261205T142501Z - 5 min.)");
  auto early = Verify(r, Config(), SigningTime() - 301s);
  CHECK(Rejection(early) == "InvalidSignatureException");
  CHECK(ToAwsError(early.error()).message ==
        "Signature not yet current: 20261205T142000Z is still later than 20261205T141959Z "
        "(20261205T141459Z + 5 min.)");
}

TEST_CASE("VerifyRequest: unknown key, failed lookup, no authentication, two mechanisms") {
  HttpRequest r = Signed();
  HeaderValue(r, "Authorization") =
      Replace(HeaderValue(r, "Authorization"), "AKIDEXAMPLE", "AKIDUNKNOWN");
  auto v = Verify(r);
  CHECK(Rejection(v) == "UnrecognizedClientException");
  CHECK(v.error().code() == ErrorCode::auth_failed);

  r = Signed();
  HeaderValue(r, "Authorization") =
      Replace(HeaderValue(r, "Authorization"), "AKIDEXAMPLE", "AKIDBROKENSTORE");
  v = Verify(r);
  CHECK(Rejection(v) == "InternalFailure");
  CHECK(v.error().code() == ErrorCode::internal);

  r = KmsRequest();
  v = Verify(r);
  CHECK(Rejection(v) == "MissingAuthenticationTokenException");

  r = Signed();
  r.headers.push_back(r.headers.back());
  CHECK(Rejection(Verify(r)) == "IncompleteSignatureException");

  r = Signed();
  const HttpRequest presigned = Presigned();
  r.query = presigned.query;
  CHECK(Rejection(Verify(r)) == "IncompleteSignatureException");
}

}  // namespace
}  // namespace envelope::aws
