// Every single change to every signed request of the AWS SigV4 test suite
// (header and query form) is rejected with the exception AWS names: a
// changed header, body, path, query, method, date, region, service or
// signature digit, host left unsigned or removed, whitespace in the
// credential, an unknown access key.
#include <doctest/doctest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "aws/error_shapes.h"
#include "aws/sigv4_auth.h"
#include "aws/uri.h"
#include "sigv4_suite.h"

namespace envelope::aws {
namespace {

using namespace sigv4_suite;

std::string& HeaderOf(HttpRequest& r, std::string_view name) {
  for (Header& h : r.headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  FAIL("no header " << name);
  return r.headers.front().value;
}

std::string& ParamOf(HttpRequest& r, std::string_view name) {
  for (QueryParam& p : r.query) {
    if (p.name == name) return p.value;
  }
  FAIL("no query parameter " << name);
  return r.query.front().value;
}

void ReplaceIn(std::string& s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
}

void FlipLastDigit(std::string& s) { s.back() = s.back() == '0' ? '1' : '0'; }

// WithoutHost returns a SignedHeaders list ("a;host;b") without "host".
std::string WithoutHost(std::string list) {
  Authorization a;
  REQUIRE(ParseSignedHeaders(list, a));
  std::erase(a.signed_headers, "host");
  return JoinSignedHeaders(a.signed_headers);
}

struct Mutation {
  const char* what;
  std::function<void(HttpRequest&)> apply;
  std::string_view expect;
};

TEST_CASE("SigV4 test suite: every single change to every signed request is rejected") {
  constexpr std::string_view kInvalid = "InvalidSignatureException";
  constexpr std::string_view kIncomplete = "IncompleteSignatureException";
  constexpr std::string_view kUnrecognized = "UnrecognizedClientException";
  const std::vector<Mutation> header_form = {
      {"host value", [](HttpRequest& r) { HeaderOf(r, "host") += "x"; }, kInvalid},
      {"body byte", [](HttpRequest& r) { r.body += "x"; }, kInvalid},
      {"path", [](HttpRequest& r) { r.path += "x"; }, kInvalid},
      {"query",
       [](HttpRequest& r) {
         r.query.push_back({"zz", "1"});
       },
       kInvalid},
      {"method", [](HttpRequest& r) { r.method = r.method == "GET" ? "PUT" : "GET"; }, kInvalid},
      {"date", [](HttpRequest& r) { HeaderOf(r, "x-amz-date") = "20150830T123601Z"; }, kInvalid},
      {"day", [](HttpRequest& r) { HeaderOf(r, "x-amz-date") = "20150831T123600Z"; }, kInvalid},
      {"region",
       [](HttpRequest& r) {
         ReplaceIn(HeaderOf(r, "authorization"), "/us-east-1/", "/us-west-2/");
       },
       kInvalid},
      {"service",
       [](HttpRequest& r) { ReplaceIn(HeaderOf(r, "authorization"), "/service/", "/kms/"); },
       kInvalid},
      {"signature digit", [](HttpRequest& r) { FlipLastDigit(HeaderOf(r, "authorization")); },
       kInvalid},
      {"host not signed",
       [](HttpRequest& r) {
         auto a = ParseAuthorization(HeaderOf(r, "authorization"));
         REQUIRE(a);
         std::erase(a->signed_headers, "host");
         HeaderOf(r, "authorization") = FormatAuthorization(*a);
       },
       kIncomplete},
      {"signed header removed", [](HttpRequest& r) { r.RemoveHeaders("host"); }, kInvalid},
      {"whitespace",
       [](HttpRequest& r) {
         ReplaceIn(HeaderOf(r, "authorization"), "Credential=", "Credential= ");
       },
       kIncomplete},
      {"unknown key",
       [](HttpRequest& r) { ReplaceIn(HeaderOf(r, "authorization"), "AKIDEXAMPLE", "AKIDOTHER"); },
       kUnrecognized},
  };
  const std::vector<Mutation> query_form = {
      {"host value", [](HttpRequest& r) { HeaderOf(r, "host") += "x"; }, kInvalid},
      {"body byte", [](HttpRequest& r) { r.body += "x"; }, kInvalid},
      {"path", [](HttpRequest& r) { r.path += "x"; }, kInvalid},
      {"query",
       [](HttpRequest& r) {
         r.query.push_back({"zz", "1"});
       },
       kInvalid},
      {"date", [](HttpRequest& r) { ParamOf(r, "X-Amz-Date") = "20150830T123601Z"; }, kInvalid},
      {"expires", [](HttpRequest& r) { ParamOf(r, "X-Amz-Expires") = "3601"; }, kInvalid},
      {"region",
       [](HttpRequest& r) { ReplaceIn(ParamOf(r, "X-Amz-Credential"), "us-east-1", "us-west-2"); },
       kInvalid},
      {"service",
       [](HttpRequest& r) {
         ReplaceIn(ParamOf(r, "X-Amz-Credential"), "%2Fservice%2F", "%2Fkms%2F");
       },
       kInvalid},
      {"signature digit", [](HttpRequest& r) { FlipLastDigit(ParamOf(r, "X-Amz-Signature")); },
       kInvalid},
      {"host not signed",
       [](HttpRequest& r) {
         std::string& v = ParamOf(r, "X-Amz-SignedHeaders");
         v = UriEncode(WithoutHost(UriDecode(v)), false);
       },
       kIncomplete},
      {"signed header removed", [](HttpRequest& r) { r.RemoveHeaders("host"); }, kInvalid},
      {"whitespace", [](HttpRequest& r) { ParamOf(r, "X-Amz-Credential").insert(0, "%20"); },
       kIncomplete},
      {"unknown key",
       [](HttpRequest& r) {
         ReplaceIn(ParamOf(r, "X-Amz-Credential"), "AKIDEXAMPLE", "AKIDOTHER");
       },
       kUnrecognized},
  };
  int rejected = 0, total = 0;
  for (const Case& c : LoadCases()) {
    for (const auto& [file, mutations] : {std::pair{"header-signed-request.txt", &header_form},
                                          std::pair{"query-signed-request.txt", &query_form}}) {
      auto signed_request = ParseRawRequest(ReadText(c.dir / file));
      REQUIRE(signed_request);
      for (const Mutation& m : *mutations) {
        const std::string where = c.name + " " + file + ": " + m.what;
        CAPTURE(where);
        HttpRequest r = *signed_request;
        m.apply(r);
        auto v = VerifyParsed(c, r);
        ++total;
        CHECK(!v);
        if (!v) {
          const std::string type = ToAwsError(v.error()).type;
          CHECK(type == m.expect);
          rejected += type == m.expect;
        }
      }
    }
  }
  std::printf(
      "sigv4: %d of %d single changes to the suite's signed requests rejected as "
      "expected\n",
      rejected, total);
  CHECK(total == 38 * 27);
  CHECK(rejected == total);
}

}  // namespace
}  // namespace envelope::aws
