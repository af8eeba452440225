// SignRequest and PresignRequest: presigned requests verify until they
// expire, session tokens (signed, or appended unsigned), and what the signer
// refuses to sign.
#include "aws/sigv4_sign.h"

#include <doctest/doctest.h>

#include "sigv4_test_util.h"

namespace envelope::aws {
namespace {

using namespace std::chrono_literals;
using namespace sigv4_test;

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

  for (const std::string_view name : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                                      "X-Amz-SignedHeaders", "X-Amz-Expires", "X-Amz-Signature"}) {
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
