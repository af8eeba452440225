// The AWS SigV4 test suite (../shared/vectors/sigv4, 38 cases): for each
// case, sign request.txt in the header form and in the query form and compare
// every intermediate (canonical request, string to sign, signature, signed
// request) byte for byte; then verify both signed requests with the case's
// clock and credentials.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "aws/error_shapes.h"
#include "sigv4_suite.h"

namespace envelope::aws {
namespace {

using namespace sigv4_suite;

TEST_CASE("SigV4 test suite: every case, header and query form, every intermediate") {
  const std::vector<Case> cases = LoadCases();
  CHECK(cases.size() == 38);
  int header_passed = 0, query_passed = 0, verified = 0;
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string raw = ReadText(c.dir / "request.txt");
    auto request = ParseRawRequest(raw);
    REQUIRE(request);
    const Credentials credentials = CredentialsOf(c.context);
    const SigningParams params = ParamsOf(c.context);

    HttpRequest header_form = *request;
    auto header = SignRequest(header_form, credentials, params);
    REQUIRE(header);
    const bool header_ok =
        header->canonical_request == ReadText(c.dir / "header-canonical-request.txt") &&
        header->string_to_sign == ReadText(c.dir / "header-string-to-sign.txt") &&
        header->signature == ReadText(c.dir / "header-signature.txt") &&
        FormatRawRequest(header_form) == ReadText(c.dir / "header-signed-request.txt");
    CHECK(header->canonical_request == ReadText(c.dir / "header-canonical-request.txt"));
    CHECK(header->string_to_sign == ReadText(c.dir / "header-string-to-sign.txt"));
    CHECK(header->signature == ReadText(c.dir / "header-signature.txt"));
    CHECK(FormatRawRequest(header_form) == ReadText(c.dir / "header-signed-request.txt"));
    header_passed += header_ok;

    HttpRequest query_form = *request;
    auto query =
        PresignRequest(query_form, credentials, params,
                       std::chrono::seconds(c.context.at("expiration_in_seconds").get<int>()));
    REQUIRE(query);
    const bool query_ok =
        query->canonical_request == ReadText(c.dir / "query-canonical-request.txt") &&
        query->string_to_sign == ReadText(c.dir / "query-string-to-sign.txt") &&
        query->signature == ReadText(c.dir / "query-signature.txt") &&
        FormatRawRequest(query_form) == ReadText(c.dir / "query-signed-request.txt");
    CHECK(query->canonical_request == ReadText(c.dir / "query-canonical-request.txt"));
    CHECK(query->string_to_sign == ReadText(c.dir / "query-string-to-sign.txt"));
    CHECK(query->signature == ReadText(c.dir / "query-signature.txt"));
    CHECK(FormatRawRequest(query_form) == ReadText(c.dir / "query-signed-request.txt"));
    query_passed += query_ok;

    // The verifier accepts both signed requests of the suite as they are.
    auto by_header = VerifyFile(c, c.dir / "header-signed-request.txt");
    auto by_query = VerifyFile(c, c.dir / "query-signed-request.txt");
    CHECK_MESSAGE(by_header, (by_header ? "" : by_header.error().message()));
    CHECK_MESSAGE(by_query, (by_query ? "" : by_query.error().message()));
    if (by_header && by_query) {
      CHECK(by_header->access_key_id == "AKIDEXAMPLE");
      CHECK(by_header->scope == CredentialScope{"20150830", "us-east-1", "service"});
      CHECK(!by_header->presigned);
      CHECK(by_query->presigned);
      CHECK(by_header->session_token.has_value() == !credentials.session_token.empty());
      CHECK(by_query->session_token.has_value() == !credentials.session_token.empty());
      if (by_header->session_token) {
        CHECK(*by_header->session_token == credentials.session_token);
        CHECK(by_header->session_token_signed == !params.omit_session_token);
        CHECK(by_query->session_token_signed == !params.omit_session_token);
      }
      verified += 2;
    }
  }
  std::printf(
      "sigv4: %zu cases: header form %d/%zu, query form %d/%zu, %d signed requests "
      "verified\n",
      cases.size(), header_passed, cases.size(), query_passed, cases.size(), verified);
  CHECK(header_passed == 38);
  CHECK(query_passed == 38);
  CHECK(verified == 76);
}

TEST_CASE("SigV4 test suite: each signed request fails to verify one second after the window") {
  // The clock is part of the case: 5 minutes and 1 second later the header
  // form is expired, one hour and 1 second later the query form is.
  for (const Case& c : LoadCases()) {
    CAPTURE(c.name);
    auto request = ParseRawRequest(ReadText(c.dir / "header-signed-request.txt"));
    REQUIRE(request);
    Case late = c;
    late.context["timestamp"] = "2015-08-30T12:41:01Z";
    auto r = VerifyFile(late, c.dir / "header-signed-request.txt");
    REQUIRE(!r);
    CHECK(ToAwsError(r.error()).type == "InvalidSignatureException");
    CHECK(ToAwsError(r.error()).message.starts_with("Signature expired: 20150830T123600Z"));
    late.context["timestamp"] = "2015-08-30T13:36:01Z";
    auto q = VerifyFile(late, c.dir / "query-signed-request.txt");
    REQUIRE(!q);
    CHECK(ToAwsError(q.error()).type == "InvalidSignatureException");
  }
}

}  // namespace
}  // namespace envelope::aws
