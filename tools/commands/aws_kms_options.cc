#include "commands/aws_kms_options.h"

#include "envelope/aws_kms.hpp"

namespace envelope::cli {

void AddAwsSettingsOptions(CLI::App& app, AwsKmsOptions& o) {
  app.add_option("--profile", o.profile,
                 "AWS profile of ~/.aws/credentials and ~/.aws/config (default $AWS_PROFILE, "
                 "else default)")
      ->type_name("NAME")
      ->group(kAwsGroup);
  app.add_option("--grant-token", o.grant_tokens,
                 "AWS KMS grant token sent with every call (repeatable, at most 10)")
      ->type_name("TOKEN")
      ->allow_extra_args(false)
      ->group(kAwsGroup);
  app.add_option("--region", o.region,
                 "AWS region for keys not named by ARN (default $AWS_REGION, "
                 "$AWS_DEFAULT_REGION, the profile's)")
      ->type_name("REGION")
      ->group(kAwsGroup);
  app.add_option("--endpoint-url", o.endpoint_url,
                 "AWS KMS endpoint, e.g. an `envelope kms serve` URL (default "
                 "$AWS_ENDPOINT_URL_KMS, $AWS_ENDPOINT_URL, the profile's, else AWS)")
      ->type_name("URL")
      ->group(kAwsGroup);
}

void AddAwsKmsOptions(CLI::App& app, AwsKmsOptions& o, bool decrypt) {
  app.add_option("--aws-kms", o.keys,
                 decrypt ? "AWS KMS key ARN that may open the message (repeatable)"
                         : "AWS KMS key ARN or alias ARN to wrap the data key under "
                           "(repeatable; the first makes it)")
      ->type_name("KEY")
      ->allow_extra_args(false)
      ->group(kAwsGroup);
  if (decrypt) {
    app.add_flag("--aws-kms-discovery", o.discovery,
                 "try every AWS KMS data key of the message, with whatever key made it")
        ->group(kAwsGroup);
    app.add_option("--discovery-account", o.discovery_accounts,
                   "with --aws-kms-discovery: only keys of this account (repeatable)")
        ->type_name("ID")
        ->allow_extra_args(false)
        ->group(kAwsGroup);
    app.add_option("--discovery-partition", o.discovery_partition,
                   "with --discovery-account: the keys' partition (default aws)")
        ->type_name("PARTITION")
        ->group(kAwsGroup);
  }
  AddAwsSettingsOptions(app, o);
}

Result<std::vector<std::shared_ptr<const Keyring>>> AwsKmsKeyrings(const AwsKmsOptions& o) {
  std::vector<std::shared_ptr<const Keyring>> out;
  if (!o.discovery && !o.discovery_accounts.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     "--discovery-account restricts --aws-kms-discovery; give both");
  }
  if (o.grant_tokens.size() > 10) {
    return MakeError(ErrorCode::invalid_argument, "AWS KMS takes at most 10 --grant-token");
  }
  if (!o.named()) return out;
  auto supplier = NewAwsKmsClientSupplier(
      {.profile = o.profile, .region = o.region, .endpoint_url = o.endpoint_url});
  ENVELOPE_RETURN_IF_ERROR(supplier);
  if (!o.keys.empty()) {
    AwsKmsKeyringConfig config;
    config.generator = o.keys.front();
    config.children.assign(o.keys.begin() + 1, o.keys.end());
    config.mrk_aware = true;
    config.grant_tokens = o.grant_tokens;
    auto keyring = NewAwsKmsKeyring(config, *supplier);
    ENVELOPE_RETURN_IF_ERROR(keyring);
    out.push_back(std::move(*keyring));
  }
  if (o.discovery) {
    AwsKmsDiscoveryConfig config;
    config.grant_tokens = o.grant_tokens;
    if (!o.discovery_accounts.empty()) {
      config.filter = AwsKmsDiscoveryFilter{o.discovery_partition, o.discovery_accounts};
    }
    auto keyring = NewAwsKmsDiscoveryKeyring(config, *supplier);
    ENVELOPE_RETURN_IF_ERROR(keyring);
    out.push_back(std::move(*keyring));
  }
  return out;
}

}  // namespace envelope::cli
