// lib/aws: where an AWS client finds its credentials, region, endpoint and
// CA bundle, the way the AWS CLI and SDKs do.
//
//   setting       first found wins
//   -----------   -------------------------------------------------------------
//   profile       --profile, AWS_PROFILE, "default"
//   credentials   AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
//                 unless --profile was given; then the profile in the shared
//                 credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials);
//                 then the profile's credential_process; then static keys in the
//                 config file (AWS_CONFIG_FILE, ~/.aws/config)   (botocore's order)
//   region        --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region
//                 (a keyring given a key ARN uses the ARN's region instead)
//   endpoint      --endpoint-url, AWS_ENDPOINT_URL_KMS (the service's variable:
//                 AWS_ENDPOINT_URL_SECRETS_MANAGER for Secrets Manager),
//                 AWS_ENDPOINT_URL, the profile's endpoint_url, else the
//                 service's AWS endpoint (https://kms.REGION.amazonaws.com)
//   CA bundle     AWS_CA_BUNDLE, the profile's ca_bundle
//   max attempts  AWS_MAX_ATTEMPTS, the profile's max_attempts, 3
//
// The config file names profiles "[profile NAME]" (and "[default]"); the
// credentials file "[NAME]". Secrets go into SecretBytes at once; they never
// appear in an error.
#ifndef ENVELOPE_LIB_AWS_AWS_CONFIG_H_
#define ENVELOPE_LIB_AWS_AWS_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "envelope/error.hpp"

namespace envelope::aws {

// AwsEnvironment is the process environment as the resolver sees it (a map,
// so tests can give their own).
using AwsEnvironment = std::map<std::string, std::string, std::less<>>;

// ProcessEnvironment returns HOME and every AWS_* variable of this process.
AwsEnvironment ProcessEnvironment();

// AwsConfigOverrides are the command line's --profile, --region and
// --endpoint-url; empty means not given.
struct AwsConfigOverrides {
  std::string profile;
  std::string region;
  std::string endpoint_url;
  // endpoint_variable is the service's own endpoint variable.
  std::string endpoint_variable = "AWS_ENDPOINT_URL_KMS";
};

// AwsClientConfig is the resolved configuration. Each *_source names where
// the value came from ("environment", "command line", "config file",
// "credentials file", "credential_process", "default"), for messages and
// tests.
struct AwsClientConfig {
  std::string profile;
  std::string region;  // may be empty: then a key ARN must name it
  std::string region_source;
  std::string endpoint_url;  // empty: the AWS endpoint of the region
  std::string endpoint_source;
  std::string ca_bundle;
  int max_attempts = 3;
  Credentials credentials;
  std::string credentials_source;
};

// ResolveAwsConfig reads the environment and the shared files. Fails with
// not_found when no credentials are found (naming the places it looked),
// invalid_argument for a named profile that exists in neither file, a
// malformed setting or credential_process output, and io when a
// credential_process cannot run or exits non-zero.
[[nodiscard]] Result<AwsClientConfig> ResolveAwsConfig(const AwsConfigOverrides& overrides,
                                                       const AwsEnvironment& env);

// IniProfiles is one shared file: section name -> key -> value (keys lower
// case, values trimmed). Config file sections keep their "profile " prefix.
using IniProfiles = std::map<std::string, std::map<std::string, std::string>, std::less<>>;

// ParseIni reads the INI dialect of the AWS shared files: "[section]",
// "key = value", comment lines starting with '#' or ';', and indented
// sub-settings (which belong to the key above and are skipped here).
IniProfiles ParseIni(std::string_view text);

// KmsEndpointForRegion returns https://kms.REGION.amazonaws.com (".com.cn"
// for cn- regions).
std::string KmsEndpointForRegion(std::string_view region);
// EndpointForRegion returns https://SERVICE.REGION.amazonaws.com (".com.cn"
// for cn- regions).
std::string EndpointForRegion(std::string_view service, std::string_view region);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_AWS_CONFIG_H_
