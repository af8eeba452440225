// test/aws: the AWS SigV4 test suite (../shared/vectors/sigv4): its cases
// and how to sign and verify with each case's context.
#ifndef ENVELOPE_TEST_AWS_SIGV4_SUITE_H_
#define ENVELOPE_TEST_AWS_SIGV4_SUITE_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/sigv4_sign.h"
#include "aws/sigv4_verify.h"

namespace envelope::aws::sigv4_suite {

// ReadText returns the bytes of a vector file.
std::string ReadText(const std::filesystem::path& p);

// Case is one folder of the suite.
struct Case {
  std::string name;
  std::filesystem::path dir;
  nlohmann::json context;
};

// LoadCases returns every case, sorted by name; it throws (failing the
// test) when the vectors folder is missing.
std::vector<Case> LoadCases();

// CredentialsOf and ParamsOf read a case's context.json.
Credentials CredentialsOf(const nlohmann::json& context);
SigningParams ParamsOf(const nlohmann::json& context);

// VerifyParsed verifies `request` with the case's clock, scope and key;
// VerifyFile reads the request from a file of the case first.
Result<Principal> VerifyParsed(const Case& c, const HttpRequest& request);
Result<Principal> VerifyFile(const Case& c, const std::filesystem::path& file);

}  // namespace envelope::aws::sigv4_suite

#endif  // ENVELOPE_TEST_AWS_SIGV4_SUITE_H_
