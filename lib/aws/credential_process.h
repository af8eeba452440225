// lib/aws: credentials from an external program (a profile's
// credential_process), as the AWS CLI runs it.
//
// The command line is split into words like a POSIX shell would (single and
// double quotes, backslash escapes; no expansion, no shell), run with the
// process's environment, and must print on stdout within 64 KiB:
//
//   {"Version": 1, "AccessKeyId": "AKIA...", "SecretAccessKey": "...",
//    "SessionToken": "...", "Expiration": "2026-12-05T18:00:00Z"}
//
// (SessionToken and Expiration optional). Its stderr passes through.
#ifndef ENVELOPE_LIB_AWS_CREDENTIAL_PROCESS_H_
#define ENVELOPE_LIB_AWS_CREDENTIAL_PROCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/amz_date.h"
#include "aws/sigv4.h"
#include "envelope/error.hpp"

namespace envelope::aws {

// SplitCommandLine splits `command` into words. Fails with invalid_argument
// for an unterminated quote or an empty command.
[[nodiscard]] Result<std::vector<std::string>> SplitCommandLine(std::string_view command);

// ProcessCredentials is what a credential_process returned.
struct ProcessCredentials {
  Credentials credentials;
  std::optional<AmzTime> expiration;
};

// ParseProcessOutput reads the JSON above. Fails with invalid_argument for
// another Version, a missing key or secret, or a malformed Expiration; the
// message never quotes the output.
[[nodiscard]] Result<ProcessCredentials> ParseProcessOutput(std::string_view output);

// RunCredentialProcess runs `command` and parses its output. Fails with io
// when it cannot start or exits non-zero, and as ParseProcessOutput. Expired
// credentials (Expiration in the past) fail with invalid_argument.
[[nodiscard]] Result<ProcessCredentials> RunCredentialProcess(std::string_view command);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_CREDENTIAL_PROCESS_H_
