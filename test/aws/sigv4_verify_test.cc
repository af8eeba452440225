// VerifyRequest: a KMS request signed by SignRequest verifies, and every
// single change to it is rejected with the exception AWS would name.
#include "aws/sigv4_verify.h"

#include <doctest/doctest.h>

#include <string>

#include "aws/error_shapes.h"
#include "aws/sigv4_sign.h"

namespace envelope::aws {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

SecretBytes Secret(std::string_view s) {
  auto b = SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  REQUIRE(b);
  return std::move(*b);
}

Credentials Creds(std::string token = "") {
  return {std::string(kAkid), Secret(kSecret), std::move(token)};
}

AmzTime SigningTime() { return *ParseAmzDate("20261205T142000Z"); }

HttpRequest KmsRequest() {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "kms.us-east-1.amazonaws.com"},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "TrentService.Encrypt"}};
  r.body = R"({"KeyId":"alias/app","Plaintext":"aGVsbG8="})";
  return r;
}

SigningParams Params(std::string region = "us-east-1", std::string service = "kms") {
  SigningParams p;
  p.region = std::move(region);
  p.service = std::move(service);
  p.time = SigningTime();
  return p;
}

HttpRequest Signed(SigningParams params = Params(), std::string token = "") {
  HttpRequest r = KmsRequest();
  REQUIRE(SignRequest(r, Creds(std::move(token)), params));
  return r;
}

HttpRequest Presigned(std::chrono::seconds expires = 900s, std::string token = "") {
  HttpRequest r = KmsRequest();
  REQUIRE(PresignRequest(r, Creds(std::move(token)), Params(), expires));
  return r;
}

VerifyConfig Config() {
  VerifyConfig c;
  c.region = "us-east-1";
  c.service = "kms";
  return c;
}

Result<SecretBytes> Lookup(std::string_view id) {
  if (id == kAkid) return Secret(kSecret);
  if (id == "AKIDBROKENSTORE") return MakeError(ErrorCode::io, "keystore unreadable");
  return MakeError(ErrorCode::not_found, "no such access key");
}

Result<Principal> Verify(const HttpRequest& r, VerifyConfig config = Config(),
                         AmzTime now = SigningTime()) {
  return VerifyRequest(r, config, Lookup, now);
}

// Rejection returns the AWS exception name of a failed verification, or
// "accepted".
std::string Rejection(const Result<Principal>& r) {
  return r ? "accepted" : ToAwsError(r.error()).type;
}

std::string& HeaderValue(HttpRequest& r, std::string_view name) {
  for (Header& h : r.headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  FAIL("no header " << name);
  return r.headers.front().value;
}

// Replace returns `s` with the first `from` replaced by `to`.
std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

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
  HeaderValue(r, "Authorization") =
      Replace(HeaderValue(r, "Authorization"), ";x-amz-date;", ";");
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

TEST_CASE("VerifyRequest: presigned requests") {
  const HttpRequest r = Presigned(900s);
  CHECK(Verify(r, Config(), SigningTime() + 900s));
  auto expired = Verify(r, Config(), SigningTime() + 901s);
  CHECK(Rejection(expired) == "InvalidSignatureException");
  CHECK(ToAwsError(expired.error()).message.starts_with("Signature expired"));
  CHECK(Rejection(Verify(r, Config(), SigningTime() - 301s)) == "InvalidSignatureException");

  VerifyConfig no_presign = Config();
  no_presign.allow_presigned = false;
  CHECK(Rejection(Verify(r, no_presign)) == "IncompleteSignatureException");

  for (const std::string_view name :
       {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders",
        "X-Amz-Expires", "X-Amz-Signature"}) {
    CAPTURE(name);
    HttpRequest missing = r;
    std::erase_if(missing.query, [&](const QueryParam& p) { return p.name == name; });
    CHECK(Rejection(Verify(missing)) == "IncompleteSignatureException");
    HttpRequest twice = r;
    for (const QueryParam& p : r.query) {
      if (p.name == name) twice.query.push_back(p);
    }
    CHECK(Rejection(Verify(twice)) == "IncompleteSignatureException");
  }
  for (const std::string_view expires : {"0", "604801", "-1", "0900", "1e3", ""}) {
    CAPTURE(expires);
    HttpRequest bad = r;
    for (QueryParam& p : bad.query) {
      if (p.name == "X-Amz-Expires") p.value = std::string(expires);
    }
    CHECK(Rejection(Verify(bad)) == "IncompleteSignatureException");
  }
  HttpRequest longer = r;
  for (QueryParam& p : longer.query) {
    if (p.name == "X-Amz-Expires") p.value = "901";
  }
  CHECK(Rejection(Verify(longer)) == "InvalidSignatureException");
  CHECK(!PresignRequest(longer, Creds(), Params(), 0s));
  CHECK(!PresignRequest(longer, Creds(), Params(), 604801s));
}

TEST_CASE("VerifyRequest: session tokens") {
  auto p = Verify(Signed(Params(), "TOKEN/+="));
  REQUIRE(p);
  REQUIRE(p->session_token);
  CHECK(*p->session_token == "TOKEN/+=");
  CHECK(p->session_token_signed);

  SigningParams omit = Params();
  omit.omit_session_token = true;
  const HttpRequest unsigned_token = Signed(omit, "TOKEN");
  CHECK(Rejection(Verify(unsigned_token)) == "IncompleteSignatureException");
  VerifyConfig lenient = Config();
  lenient.allow_unsigned_session_token = true;
  p = Verify(unsigned_token, lenient);
  REQUIRE(p);
  CHECK(!p->session_token_signed);

  // An empty token is no token.
  HttpRequest empty = Signed();
  empty.headers.push_back({"X-Amz-Security-Token", ""});
  CHECK(Rejection(Verify(empty, lenient)) == "IncompleteSignatureException");

  // A token parameter changed after presigning is a mismatch even when
  // unsigned tokens are allowed: only an appended one is unsigned.
  HttpRequest presigned = Presigned(900s, "TOKEN");
  CHECK(Verify(presigned, lenient)->session_token_signed);
  for (QueryParam& q : presigned.query) {
    if (q.name == "X-Amz-Security-Token") q.value = "OTHER";
  }
  CHECK(Rejection(Verify(presigned, lenient)) == "InvalidSignatureException");
}

TEST_CASE("SignRequest: refuses what it cannot sign, and changes nothing then") {
  HttpRequest r = KmsRequest();
  r.RemoveHeaders("host");
  const HttpRequest before = r;
  CHECK(SignRequest(r, Creds(), Params()).error().code() == ErrorCode::invalid_argument);
  CHECK(r == before);

  r = KmsRequest();
  r.headers.push_back({"Bad Name", "x"});
  CHECK(!SignRequest(r, Creds(), Params()));
  r = KmsRequest();
  CHECK(!SignRequest(r, Creds(), Params("US-EAST-1")));
  CHECK(!SignRequest(r, {"AKID/X", Secret(kSecret), ""}, Params()));
  CHECK(!SignRequest(r, Creds("line\nbreak"), Params()));
  SigningParams p = Params();
  p.signed_headers = std::vector<std::string>{"host"};  // x-amz-date missing
  CHECK(!SignRequest(r, Creds(), p));
  p.signed_headers = std::vector<std::string>{"x-amz-date", "host"};  // unsorted
  CHECK(!SignRequest(r, Creds(), p));
  p.signed_headers = std::vector<std::string>{"host", "x-amz-date"};
  REQUIRE(SignRequest(r, Creds(), p));
  CHECK(Verify(r));
  CHECK(HeaderValue(r, "Authorization").find("SignedHeaders=host;x-amz-date,") !=
        std::string::npos);
  // Signing again replaces the earlier signature instead of adding a second.
  p.time = SigningTime() + 60s;
  REQUIRE(SignRequest(r, Creds(), p));
  CHECK(r.HeaderValues("authorization").size() == 1);
  CHECK(r.HeaderValues("x-amz-date").size() == 1);
  CHECK(Verify(r, Config(), SigningTime() + 60s));
}

}  // namespace
}  // namespace envelope::aws
