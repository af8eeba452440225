// The pieces of SigV4's canonical request, the timestamps and the signing
// key, each on its own (the test suite covers them together).
#include <doctest/doctest.h>

#include "aws/amz_date.h"
#include "aws/sigv4.h"
#include "aws/uri.h"
#include "crypto/hex.h"

namespace envelope::aws {
namespace {

TEST_CASE("UriEncode: unreserved characters stay, everything else is %XX upper case") {
  CHECK(UriEncode("AZaz09-._~", false) == "AZaz09-._~");
  CHECK(UriEncode("a b+c/d=e&f%", false) == "a%20b%2Bc%2Fd%3De%26f%25");
  CHECK(UriEncode("a b/c", true) == "a%20b/c");
  CHECK(UriEncode("\xe1\x88\xb4", false) == "%E1%88%B4");
  CHECK(UriEncode(std::string_view("\0\xff", 2), false) == "%00%FF");
}

TEST_CASE("UriDecode: %XY in either case; a stray '%' and '+' stay") {
  CHECK(UriDecode("%E1%88%b4") == "\xe1\x88\xb4");
  CHECK(UriDecode("a%2Fb") == "a/b");
  CHECK(UriDecode("100%") == "100%");
  CHECK(UriDecode("%4") == "%4");
  CHECK(UriDecode("%zz%41") == "%zzA");
  CHECK(UriDecode("a+b") == "a+b");
}

TEST_CASE("NormalizePath: dot segments and empty segments") {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "/"},
      {"/", "/"},
      {"//", "/"},
      {"/./", "/"},
      {"/example/..", "/"},
      {"/a/b/../..", "/"},
      {"/./example", "/example"},
      {"//example//", "/example/"},
      {"/a/b/..", "/a/"},
      {"/a/./b/.", "/a/b/"},
      {"/..", "/"},
      {"/../a", "/a"},
      {"/a/b", "/a/b"},
      {"/a%2F..", "/a%2F.."},
      {"/a%20b/", "/a%20b/"},
  };
  for (const auto& [in, out] : cases) {
    const std::string input(in), expected(out);
    CAPTURE(input);
    CHECK(NormalizePath(input) == expected);
  }
}

TEST_CASE("CanonicalUri: normalized and encoded, or as sent") {
  CHECK(CanonicalUri("/example space/", {}) == "/example%20space/");
  CHECK(CanonicalUri("/a%20b", {}) == "/a%2520b");  // AWS's double encoding
  CHECK(CanonicalUri("//a/../b", {}) == "/b");
  CHECK(CanonicalUri("//a/../b", {false, true}) == "//a/../b");
  CHECK(CanonicalUri("/a%20b", {false, false}) == "/a%20b");  // S3
  CHECK(CanonicalUri("", {false, false}) == "/");
}

TEST_CASE("CanonicalQueryString: decoded, re-encoded, sorted by name then value") {
  CHECK(CanonicalQueryString({}) == "");
  CHECK(CanonicalQueryString(ParseQuery("Param-3=Value3&Param=Value2&%E1%88%B4=Value1")) ==
        "%E1%88%B4=Value1&Param=Value2&Param-3=Value3");
  CHECK(CanonicalQueryString(ParseQuery("b=2&a=2&a=1&c")) == "a=1&a=2&b=2&c=");
  CHECK(CanonicalQueryString(ParseQuery("k=a b&k2=a+b&k3=%2b%7E")) == "k=a%20b&k2=a%2Bb&k3=%2B~");
  CHECK(CanonicalQueryString(ParseQuery("B=1&a=1")) == "B=1&a=1");  // byte order
  CHECK(CanonicalQueryString(ParseQuery("x=1&X-Amz-Signature=ab&y=2"), {"X-Amz-Signature"}) ==
        "x=1&y=2");
}

TEST_CASE("CanonicalHeaderValue: trim, fold inner whitespace, join with ','") {
  CHECK(CanonicalHeaderValue({" value1"}) == "value1");
  CHECK(CanonicalHeaderValue({"\"a   b   c\""}) == "\"a b c\"");
  CHECK(CanonicalHeaderValue({"value1\n  value2\n     value3"}) == "value1 value2 value3");
  CHECK(CanonicalHeaderValue({"value2", "value2", " value1 "}) == "value2,value2,value1");
  CHECK(CanonicalHeaderValue({"\t x \t"}) == "x");
  CHECK(CanonicalHeaderValue({""}) == "");
}

TEST_CASE("DefaultSignedHeaders: lower case, sorted, distinct, proxy headers left out") {
  HttpRequest r;
  r.headers = {{"X-B", "1"},           {"Host", "h"},     {"x-b", "2"},
               {"User-Agent", "curl"}, {"Expect", "100"}, {"Content-Length", "3"}};
  CHECK(DefaultSignedHeaders(r) == std::vector<std::string>{"content-length", "host", "x-b"});
  CHECK(JoinSignedHeaders(DefaultSignedHeaders(r)) == "content-length;host;x-b");
}

TEST_CASE("CanonicalRequest: a signed header missing from the request fails") {
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  r.headers = {{"Host", "h"}};
  auto c = CanonicalRequest(r, {"host"}, "UNSIGNED-PAYLOAD", {});
  REQUIRE(c);
  CHECK(*c == "GET\n/\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD");
  CHECK(CanonicalRequest(r, {"host", "x-amz-date"}, "", {}).error().code() ==
        ErrorCode::invalid_argument);
}

TEST_CASE("DeriveSigningKey: the derivation example of the AWS documentation") {
  // Secret of the AWS examples, 20120215/us-east-1/iam.
  const std::string_view secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  auto key =
      SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(secret.data()), secret.size()});
  REQUIRE(key);
  auto signing = DeriveSigningKey(*key, {"20120215", "us-east-1", "iam"});
  REQUIRE(signing);
  CHECK(crypto::ToHex(signing->span()) ==
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST_CASE("AmzDate: format and strict parse") {
  const auto t = ParseAmzDate("20150830T123600Z");
  REQUIRE(t);
  CHECK(FormatAmzDate(*t) == "20150830T123600Z");
  CHECK(FormatAmzDay(*t) == "20150830");
  CHECK(ParseIso8601("2015-08-30T12:36:00Z") == t);
  CHECK(t->time_since_epoch().count() == 1440938160);
  CHECK(ParseAmzDate("20160229T000000Z"));
  CHECK(FormatAmzDate(*ParseAmzDate("20160229T235959Z")) == "20160229T235959Z");
  for (const std::string_view bad :
       {"20150229T000000Z", "20151301T000000Z", "20150830T240000Z", "20150830T126000Z",
        "20150830T123660Z", "20150830T123600", "20150830 123600Z", "2015083T123600Z",
        "19691231T235959Z", "2015-08-30T12:36:00Z", "20150830T12360aZ", ""}) {
    CAPTURE(bad);
    CHECK(!ParseAmzDate(bad));
  }
  CHECK(!ParseIso8601("20150830T123600Z"));
  CHECK(!ParseIso8601("2015-08-30 12:36:00Z"));
}

}  // namespace
}  // namespace envelope::aws
