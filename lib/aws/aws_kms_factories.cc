// The public constructors of include/envelope/aws_kms.hpp.
#include <map>
#include <mutex>

#include "aws/arn.h"
#include "aws/aws_config.h"
#include "aws/aws_kms_client.h"
#include "aws/aws_kms_keyring.h"
#include "aws/aws_kms_mrk.h"

namespace envelope {
namespace {

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::invalid_argument, std::move(message));
}

// SupplierState is what every copy of a supplier shares.
struct SupplierState {
  aws::AwsClientConfig config;
  std::shared_ptr<const aws::Credentials> credentials;
  AwsSettings settings;
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<AwsKmsClient>, std::less<>> clients;
};

Result<aws::AwsKmsKey> Key(const std::string& id, const AwsKmsClientSupplier& supplier) {
  auto ref = aws::ClassifyKeyId(id);
  if (!ref)
    return Invalid("aws-kms keyring: '" + id +
                   "' is not a key ARN, alias ARN, key id or alias name");
  auto client = supplier(ref->arn ? std::string_view(ref->arn->region) : std::string_view());
  ENVELOPE_RETURN_IF_ERROR(client);
  if (!*client) return Invalid("aws-kms keyring: the client supplier gave no client for " + id);
  return aws::AwsKmsKey{id, std::move(*client)};
}

}  // namespace

Result<AwsKmsClientSupplier> NewAwsKmsClientSupplier(const AwsSettings& settings) {
  auto config = aws::ResolveAwsConfig({settings.profile, settings.region, settings.endpoint_url},
                                      aws::ProcessEnvironment());
  ENVELOPE_RETURN_IF_ERROR(config);
  auto state = std::make_shared<SupplierState>();
  state->credentials = std::make_shared<const aws::Credentials>(std::move(config->credentials));
  state->config = std::move(*config);
  state->settings = settings;
  return AwsKmsClientSupplier(
      [state](std::string_view wanted) -> Result<std::shared_ptr<AwsKmsClient>> {
        const std::string region = wanted.empty() ? state->config.region : std::string(wanted);
        if (region.empty()) {
          return Invalid("aws kms: no region: give --region, set AWS_REGION, or name keys by ARN");
        }
        std::lock_guard lock(state->mutex);
        if (auto it = state->clients.find(region); it != state->clients.end()) return it->second;
        aws::AwsKmsClientOptions options;
        options.region = region;
        options.endpoint_url = state->config.endpoint_url;
        options.credentials = state->credentials;
        options.http.ca_bundle = state->config.ca_bundle;
        options.http.connect_timeout = state->settings.connect_timeout;
        options.http.request_timeout = state->settings.request_timeout;
        options.retry.max_attempts = state->config.max_attempts;
        auto client = aws::KmsHttpClient::Create(std::move(options));
        ENVELOPE_RETURN_IF_ERROR(client);
        state->clients.emplace(region, *client);
        return std::shared_ptr<AwsKmsClient>(*client);
      });
}

Result<std::shared_ptr<const Keyring>> NewAwsKmsKeyring(const AwsKmsKeyringConfig& config,
                                                        AwsKmsClientSupplier supplier) {
  if (!supplier) return Invalid("aws-kms keyring: no client supplier");
  if (config.generator.empty() && config.children.empty()) {
    return Invalid("aws-kms keyring: name a generator key or child keys");
  }
  std::vector<std::string> all;
  if (!config.generator.empty()) all.push_back(config.generator);
  for (const std::string& c : config.children) {
    if (c.empty()) return Invalid("aws-kms keyring: a child key is empty");
    all.push_back(c);
  }
  if (config.mrk_aware) {
    // Two replicas of one multi-Region key would wrap the data key twice
    // under the same key material; the specification forbids it.
    for (size_t i = 0; i < all.size(); ++i) {
      for (size_t j = i + 1; j < all.size(); ++j) {
        if (aws::IsMultiRegionKey(all[i]) && aws::MrkMatchForDecrypt(all[i], all[j])) {
          return Invalid("aws-kms keyring: " + all[i] + " and " + all[j] +
                         " are the same multi-Region key");
        }
      }
    }
  }
  std::optional<aws::AwsKmsKey> generator;
  if (!config.generator.empty()) {
    auto key = Key(config.generator, supplier);
    ENVELOPE_RETURN_IF_ERROR(key);
    generator = std::move(*key);
  }
  std::vector<aws::AwsKmsKey> children;
  for (const std::string& c : config.children) {
    auto key = Key(c, supplier);
    ENVELOPE_RETURN_IF_ERROR(key);
    children.push_back(std::move(*key));
  }
  return std::make_shared<const aws::AwsKmsKeyring>(std::move(generator), std::move(children),
                                                    config.grant_tokens, config.mrk_aware);
}

Result<std::shared_ptr<const Keyring>> NewAwsKmsDiscoveryKeyring(
    const AwsKmsDiscoveryConfig& config, AwsKmsClientSupplier supplier) {
  if (!supplier) return Invalid("aws-kms discovery keyring: no client supplier");
  if (const auto& filter = config.filter) {
    if (!aws::IsKnownPartition(filter->partition)) {
      return Invalid("aws-kms discovery keyring: '" + filter->partition +
                     "' is not an AWS partition");
    }
    if (filter->accounts.empty()) {
      return Invalid("aws-kms discovery keyring: a discovery filter needs at least one account");
    }
    for (const std::string& account : filter->accounts) {
      const bool digits =
          account.size() == 12 && account.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) {
        return Invalid("aws-kms discovery keyring: '" + account + "' is not a 12-digit account id");
      }
    }
  }
  if (!config.mrk_region.empty() && !aws::IsScopeName(config.mrk_region)) {
    return Invalid("aws-kms discovery keyring: '" + config.mrk_region + "' is not a region name");
  }
  return std::make_shared<const aws::AwsKmsDiscoveryKeyring>(config, std::move(supplier));
}

}  // namespace envelope
