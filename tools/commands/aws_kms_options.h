// tools/commands: the AWS KMS options of encrypt, decrypt and rewrap
// (--aws-kms, --aws-kms-discovery, --discovery-account, and the AWS CLI's
// --profile, --region and --endpoint-url), and the keyring they name.
#ifndef ENVELOPE_TOOLS_COMMANDS_AWS_KMS_OPTIONS_H_
#define ENVELOPE_TOOLS_COMMANDS_AWS_KMS_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/keyring.hpp"

namespace envelope::cli {

// kAwsGroup is the --help group of the AWS KMS options.
inline constexpr char kAwsGroup[] = "AWS KMS";

// AwsKmsOptions is the parsed AWS KMS part of a command line.
struct AwsKmsOptions {
  std::vector<std::string> keys;  // --aws-kms, repeatable
  bool discovery = false;         // decrypt: --aws-kms-discovery
  std::vector<std::string> discovery_accounts;
  std::string discovery_partition = "aws";
  std::vector<std::string> grant_tokens;  // --grant-token, repeatable
  std::string profile;
  std::string region;
  std::string endpoint_url;

  // named reports whether any AWS KMS key or discovery was asked for.
  bool named() const { return !keys.empty() || discovery; }
};

// AddAwsKmsOptions declares --aws-kms (and for decrypt the discovery
// options) plus the AWS settings on `app`.
void AddAwsKmsOptions(CLI::App& app, AwsKmsOptions& options, bool decrypt);

// AddAwsSettingsOptions declares --profile, --region and --endpoint-url.
void AddAwsSettingsOptions(CLI::App& app, AwsKmsOptions& options);

// AwsKmsKeyrings returns the keyrings `options` name: one AWS KMS keyring
// (multi-Region aware) of every --aws-kms key, the first the generator, and
// for --aws-kms-discovery the discovery keyring with its filter. Fails with
// invalid_argument for discovery options without --aws-kms-discovery or a
// malformed key, and as the AWS configuration does (no credentials, ...).
[[nodiscard]] Result<std::vector<std::shared_ptr<const Keyring>>> AwsKmsKeyrings(
    const AwsKmsOptions& options);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_AWS_KMS_OPTIONS_H_
