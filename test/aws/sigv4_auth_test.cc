// ParseAuthorization and its parts: the strict grammar of the header, and
// format-then-parse giving the same value.
#include "aws/sigv4_auth.h"

#include <doctest/doctest.h>

#include "aws/error_shapes.h"

namespace envelope::aws {
namespace {

constexpr std::string_view kGood =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

std::string Rejection(std::string_view value) {
  auto r = ParseAuthorization(value);
  if (r) return "accepted";
  CHECK(r.error().code() == ErrorCode::invalid_argument);
  return ToAwsError(r.error()).type;
}

TEST_CASE("ParseAuthorization: the parts, and format gives the header back") {
  auto a = ParseAuthorization(kGood);
  REQUIRE(a);
  CHECK(a->access_key_id == "AKIDEXAMPLE");
  CHECK(a->scope == CredentialScope{"20150830", "us-east-1", "service"});
  CHECK(a->signed_headers == std::vector<std::string>{"host", "x-amz-date"});
  CHECK(a->signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  CHECK(FormatAuthorization(*a) == kGood);
  // Any order, and no space after the commas.
  auto b = ParseAuthorization(
      "AWS4-HMAC-SHA256 Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31,"
      "SignedHeaders=host;x-amz-date,Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request");
  REQUIRE(b);
  CHECK(*b == *a);
}

TEST_CASE("ParseAuthorization: every malformed or missing part is IncompleteSignature") {
  const std::string good(kGood);
  auto without = [&](std::string_view part) {
    std::string s = good;
    const size_t at = s.find(part);
    REQUIRE(at != std::string::npos);
    return s.erase(at, part.size());
  };
  auto with = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    const size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  const std::string bad[] = {
      "",
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA512 Credential=x",
      "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
      without(", SignedHeaders=host;x-amz-date"),
      without("Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "),
      without(", Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
      good + ", Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
      good + ", Extra=1",
      good + ",",
      with("Credential=", "credential="),
      with("/aws4_request", "/aws4_requests"),
      with("/aws4_request", ""),
      with("/20150830/", "/2015083/"),
      with("/20150830/", "/20150230/"),
      with("/us-east-1/", "/US-EAST-1/"),
      with("/us-east-1/", "//"),
      with("AKIDEXAMPLE/", "AKID-EXAMPLE/"),
      with("AKIDEXAMPLE/", "/"),
      with("host;x-amz-date", "x-amz-date;host"),
      with("host;x-amz-date", "host;host;x-amz-date"),
      with("host;x-amz-date", "Host;x-amz-date"),
      with("host;x-amz-date", "host;;x-amz-date"),
      with("host;x-amz-date", ""),
      with("Signature=5f", "Signature=5F"),
      with("Signature=5f", "Signature=5"),
      with("Signature=5f", "Signature=5fa"),
      with("Signature=5f", "Signature=5g"),
      with("Credential=", "Credential= "),
      with(", Sig", " , Sig"),
      with(", Sig", ",\tSig"),
      good + " ",
  };
  for (const std::string& value : bad) {
    CAPTURE(value);
    CHECK(Rejection(value) == "IncompleteSignatureException");
  }
}

TEST_CASE("ParseCredential, ParseSignedHeaders, IsSigningQueryParam, IsSha256Hex") {
  Authorization a;
  REQUIRE(ParseCredential("AKID_1/20260101/eu-west-3/kms/aws4_request", a));
  CHECK(a.access_key_id == "AKID_1");
  CHECK(a.scope == CredentialScope{"20260101", "eu-west-3", "kms"});
  CHECK(!ParseCredential("AKID/20260101/eu-west-3/kms/aws4_request/extra", a));
  CHECK(!ParseCredential(std::string(129, 'A') + "/20260101/eu-west-3/kms/aws4_request", a));
  REQUIRE(ParseSignedHeaders("content-type;host;x-amz-date", a));
  CHECK(a.signed_headers.size() == 3);
  CHECK(!ParseSignedHeaders("host;x amz", a));
  CHECK(IsSigningQueryParam("X-Amz-Signature"));
  CHECK(IsSigningQueryParam("X-Amz-Security-Token"));
  CHECK(!IsSigningQueryParam("x-amz-signature"));
  CHECK(!IsSigningQueryParam("X-Amz-Target"));
  CHECK(IsSha256Hex(std::string(64, 'a')));
  CHECK(!IsSha256Hex(std::string(64, 'A')));
  CHECK(!IsSha256Hex(std::string(63, 'a')));
}

}  // namespace
}  // namespace envelope::aws
