// The AWS JSON 1.1 error table, the ErrorCode mapping and the error body.
#include "aws/error_shapes.h"

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

namespace envelope::aws {
namespace {

TEST_CASE("AwsErrorShapes: sorted, distinct, and FindAwsErrorShape finds every row") {
  const auto shapes = AwsErrorShapes();
  REQUIRE(shapes.size() > 50);
  for (size_t i = 0; i < shapes.size(); ++i) {
    CAPTURE(shapes[i].type);
    if (i > 0) CHECK(shapes[i - 1].type < shapes[i].type);
    CHECK(FindAwsErrorShape(shapes[i].type) == &shapes[i]);
    CHECK(shapes[i].sender_fault == (shapes[i].http_status < 500));
  }
  CHECK(FindAwsErrorShape("NoSuchException") == nullptr);
  CHECK(FindAwsErrorShape("") == nullptr);
}

TEST_CASE("AwsErrorShapes: every exception of the KMS API model, 500 exactly for its faults") {
  std::ifstream in(ENVELOPE_AWS_TEST_DATA_DIR "/kms_model_exceptions.txt");
  REQUIRE(in);
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, fault;
    fields >> name >> fault;
    CAPTURE(name);
    const AwsErrorShape* shape = FindAwsErrorShape(name);
    REQUIRE(shape != nullptr);
    CHECK(shape->http_status == (fault == "fault" ? 500 : 400));
    ++count;
  }
  CHECK(count == 46);
}

TEST_CASE("AwsErrorShapes: the common errors of AWS JSON services") {
  const std::pair<std::string_view, int> common[] = {
      {"AccessDeniedException", 400},
      {"IncompleteSignatureException", 400},
      {"InternalFailure", 500},
      {"InvalidSignatureException", 400},
      {"MissingAuthenticationTokenException", 403},
      {"SerializationException", 400},
      {"ThrottlingException", 400},
      {"UnknownOperationException", 400},
      {"UnrecognizedClientException", 400},
      {"UnsupportedOperationException", 400},
      {"ValidationException", 400},
      {"ServiceUnavailableException", 503},
  };
  for (const auto& [name, status] : common) {
    const std::string n(name);
    const int expected = status;
    CAPTURE(n);
    REQUIRE(FindAwsErrorShape(n) != nullptr);
    CHECK(FindAwsErrorShape(n)->http_status == expected);
  }
}

TEST_CASE("KmsExceptionFor: one KMS exception per ErrorCode") {
  CHECK(KmsExceptionFor(ErrorCode::not_found) == "NotFoundException");
  CHECK(KmsExceptionFor(ErrorCode::key_state) == "KMSInvalidStateException");
  CHECK(KmsExceptionFor(ErrorCode::auth_failed) == "InvalidCiphertextException");
  CHECK(KmsExceptionFor(ErrorCode::truncated) == "InvalidCiphertextException");
  CHECK(KmsExceptionFor(ErrorCode::malformed) == "InvalidCiphertextException");
  CHECK(KmsExceptionFor(ErrorCode::invalid_argument) == "ValidationException");
  CHECK(KmsExceptionFor(ErrorCode::unsupported) == "UnsupportedOperationException");
  CHECK(KmsExceptionFor(ErrorCode::limit_exceeded) == "LimitExceededException");
  CHECK(KmsExceptionFor(ErrorCode::io) == "KMSInternalException");
  CHECK(KmsExceptionFor(ErrorCode::internal) == "KMSInternalException");
  for (int c = 0; c <= static_cast<int>(ErrorCode::internal); ++c) {
    CHECK(FindAwsErrorShape(KmsExceptionFor(static_cast<ErrorCode>(c))) != nullptr);
  }
}

TEST_CASE("ToAwsError: the name in the message wins, else the code decides") {
  // lib/kms writes the exception name in front of its messages.
  AwsError e = ToAwsError(
      Error(ErrorCode::key_state, "DisabledException: key 1234 is disabled; hint: enable it"));
  CHECK(e.type == "DisabledException");
  CHECK(e.message == "key 1234 is disabled; hint: enable it");
  CHECK(e.http_status == 400);

  e = ToAwsError(Error(ErrorCode::key_state, "KMSInvalidStateException: key is pending deletion"));
  CHECK(e.type == "KMSInvalidStateException");
  e = ToAwsError(Error(ErrorCode::key_state, "key is pending deletion"));
  CHECK(e.type == "KMSInvalidStateException");
  CHECK(e.message == "key is pending deletion");

  e = ToAwsError(Error(ErrorCode::auth_failed, "blob: authentication failed"));
  CHECK(e.type == "InvalidCiphertextException");
  CHECK(e.message == "blob: authentication failed");  // "blob" is no exception name

  e = ToAwsError(Error(ErrorCode::io, "keystore: disk full"));
  CHECK(e.type == "KMSInternalException");
  CHECK(e.http_status == 500);

  auto made = MakeAwsError(kInvalidSignature, ErrorCode::auth_failed, "mismatch");
  CHECK(made.value().message() == "InvalidSignatureException: mismatch");
  e = ToAwsError(made.value());
  CHECK(e.type == "InvalidSignatureException");
  CHECK(e.message == "mismatch");
}

TEST_CASE("RenderJsonError: the AWS JSON 1.1 body, never throwing on bad UTF-8") {
  CHECK(RenderJsonError("NotFoundException", "key \"k\" not found") ==
        R"({"__type":"NotFoundException","message":"key \"k\" not found"})");
  const std::string body = RenderJsonError("ValidationException", "bad byte \xff here");
  const auto parsed = nlohmann::json::parse(body);
  CHECK(parsed.at("__type") == "ValidationException");
  CHECK(parsed.at("message") == "bad byte \xef\xbf\xbd here");
}

}  // namespace
}  // namespace envelope::aws
