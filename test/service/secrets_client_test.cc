// The Secrets Manager client (lib/aws) and the SecretCache on it against
// our server (lib/service) on a free loopback port over HTTPS: values,
// staging labels, metadata, AWS's error names, and N threads reading one
// secret through the cache making one GetSecretValue per time-to-live, as
// the server's audit log counts them.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "aws/secrets_manager_client.h"
#include "aws_kms/kms_server_fixture.h"
#include "envelope/secret_cache.hpp"

namespace envelope::secrets {
namespace {

using envelope::testing::KmsServer;
using kms::testing::FakeClock;

NewSecretValue Value(std::string_view text, bool binary = false) {
  return {*SecretBytes::CopyFrom(kms::testing::Bytes(text)), binary, {}};
}

std::string Str(const SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::shared_ptr<aws::SecretsManagerHttpClient> Client(
    KmsServer& server, std::shared_ptr<const aws::Credentials> credentials = nullptr) {
  aws::SecretsManagerClientOptions options;
  options.region = server.region();
  options.endpoint_url = server.url();
  options.credentials = credentials ? credentials : server.credentials();
  options.http.ca_bundle = server.cert();
  options.retry.max_attempts = 1;
  auto client = aws::SecretsManagerHttpClient::Create(std::move(options));
  REQUIRE_MESSAGE(client, (client ? "" : client.error().ToString()));
  return *client;
}

// AuditLines returns the successful lines of `operation` that Secrets
// Manager wrote in the server's audit log.
std::vector<nlohmann::json> AuditLines(const KmsServer& server, std::string_view operation) {
  std::istringstream log(kms::testing::ReadText(server.keystore_dir() + "/audit.log"));
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(log, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["eventSource"] == "secretsmanager.amazonaws.com" && j["eventName"] == operation &&
        !j.contains("errorCode")) {
      out.push_back(std::move(j));
    }
  }
  return out;
}

bool HasStage(const SecretVersion& v, std::string_view stage) {
  return std::find(v.stages.begin(), v.stages.end(), stage) != v.stages.end();
}

TEST_CASE("SecretsManagerHttpClient: values, stages and metadata from the server") {
  KmsServer server;
  auto store = SecretStore::Open(server.kms(), {"aws", server.region(), "111122223333"});
  REQUIRE(store);
  auto first = store->Create("app/db", Value("pw-one"), {}, "the db");
  REQUIRE(first);
  auto second = store->PutValue("app/db", Value("pw-two"));
  REQUIRE(second);
  const std::string binary_value("\x00\x01\xfe\xff", 4);
  REQUIRE(store->Create("app/blob", Value(binary_value, true)));
  auto client = Client(server);

  auto current = client->GetSecretValue("app/db");
  REQUIRE_MESSAGE(current, (current ? "" : current.error().ToString()));
  CHECK(Str(current->value) == "pw-two");
  CHECK_FALSE(current->binary);
  CHECK(current->arn == first->arn);
  CHECK(current->name == "app/db");
  CHECK(current->version.version_id == second->version.version_id);
  CHECK(HasStage(current->version, kStageCurrent));
  CHECK(current->version.created.time_since_epoch().count() > 0);

  auto previous = client->GetSecretValue(first->arn, {}, kStagePrevious);
  REQUIRE(previous);
  CHECK(Str(previous->value) == "pw-one");
  auto by_id = client->GetSecretValue("app/db", first->version.version_id);
  REQUIRE(by_id);
  CHECK(Str(by_id->value) == "pw-one");

  auto blob = client->GetSecretValue("app/blob");
  REQUIRE(blob);
  CHECK(blob->binary);
  CHECK(Str(blob->value) == binary_value);

  auto info = client->DescribeSecret("app/db");
  REQUIRE(info);
  CHECK(info->arn == first->arn);
  CHECK(info->description == "the db");
  CHECK(info->key_id.starts_with("arn:aws:kms:us-east-1:111122223333:key/"));
  REQUIRE(info->versions.size() == 2);
  for (const SecretVersion& v : info->versions) {
    CHECK(HasStage(v, v.version_id == second->version.version_id ? kStageCurrent : kStagePrevious));
  }

  // Every read of a value is an audit line of the server naming the caller.
  const auto reads = AuditLines(server, "GetSecretValue");
  CHECK(reads.size() == 4);
  for (const auto& line : reads) {
    CHECK(line["userIdentity"]["accessKeyId"] == server.credentials()->access_key_id);
  }
}

TEST_CASE("SecretsManagerHttpClient: AWS's error names map to our codes") {
  KmsServer server;
  auto store = SecretStore::Open(server.kms(), {"aws", server.region(), "111122223333"});
  REQUIRE(store);
  REQUIRE(store->Create("app/db", Value("pw")));
  auto client = Client(server);

  auto missing = client->GetSecretValue("app/none");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::not_found);
  CHECK(missing.error().message().starts_with("ResourceNotFoundException: "));
  auto no_stage = client->GetSecretValue("app/db", {}, "NOSUCHSTAGE");
  REQUIRE_FALSE(no_stage);
  CHECK(no_stage.error().code() == ErrorCode::not_found);
  auto described = client->DescribeSecret("app/none");
  REQUIRE_FALSE(described);
  CHECK(described.error().code() == ErrorCode::not_found);

  REQUIRE(store->Delete("app/db", 7));
  auto deleted = client->GetSecretValue("app/db");
  REQUIRE_FALSE(deleted);
  CHECK(deleted.error().code() == ErrorCode::invalid_argument);
  CHECK(deleted.error().message().starts_with("InvalidRequestException: "));

  // An access key the server does not know.
  auto stranger = Client(server, KmsServer::TestCredentials());
  auto refused = stranger->GetSecretValue("app/db");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::invalid_argument);
  CHECK(refused.error().message().starts_with("UnrecognizedClientException: "));
}

TEST_CASE("SecretCache::ForClient: 8 threads reading one secret make one fetch per time-to-live") {
  KmsServer server;
  auto store = SecretStore::Open(server.kms(), {"aws", server.region(), "111122223333"});
  REQUIRE(store);
  REQUIRE(store->Create("app/db", Value("v1")));
  FakeClock clock;
  SecretCache cache =
      SecretCache::ForClient(Client(server), {std::chrono::minutes(5), clock.clock()});

  auto read_many = [&](const std::string& expected) {
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 25; ++i) {
          auto v = cache.GetSecretValue("app/db");
          if (!v || Str(v->value) != expected) ++wrong;
        }
      });
    }
    for (auto& t : threads) t.join();
    return wrong.load();
  };
  CHECK(read_many("v1") == 0);
  CHECK(cache.fetches() == 1);
  CHECK(AuditLines(server, "GetSecretValue").size() == 1);

  // Past the time-to-live with AWSCURRENT unchanged: one DescribeSecret,
  // no value crosses the network again.
  clock.Advance(std::chrono::hours(1));
  CHECK(read_many("v1") == 0);
  CHECK(cache.fetches() == 1);
  CHECK(AuditLines(server, "GetSecretValue").size() == 1);

  // A new AWSCURRENT on the server is seen after the time-to-live, not
  // before, with one fetch.
  REQUIRE(store->PutValue("app/db", Value("v2")));
  CHECK(read_many("v1") == 0);
  clock.Advance(std::chrono::hours(1));
  CHECK(read_many("v2") == 0);
  CHECK(cache.fetches() == 2);
  CHECK(AuditLines(server, "GetSecretValue").size() == 2);

  // A failure is returned and not cached.
  CHECK_FALSE(cache.GetSecretValue("app/none"));
  CHECK(cache.fetches() == 2);
}

TEST_CASE("NewSecretsManagerClient: settings and the environment decide the endpoint") {
  KmsServer server;
  auto store = SecretStore::Open(server.kms(), {"aws", server.region(), "111122223333"});
  REQUIRE(store);
  REQUIRE(store->Create("app/db", Value("from-settings")));
  // Credentials and the CA bundle from the environment, as the AWS SDKs
  // read them; the endpoint from the settings.
  const std::string secret = Str(server.credentials()->secret_access_key);
  REQUIRE(setenv("AWS_ACCESS_KEY_ID", server.credentials()->access_key_id.c_str(), 1) == 0);
  REQUIRE(setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1) == 0);
  REQUIRE(setenv("AWS_CA_BUNDLE", server.cert().c_str(), 1) == 0);
  REQUIRE(setenv("AWS_CONFIG_FILE", "/nonexistent", 1) == 0);
  REQUIRE(setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent", 1) == 0);
  auto client = NewSecretsManagerClient({.region = server.region(), .endpoint_url = server.url()});
  REQUIRE_MESSAGE(client, (client ? "" : client.error().ToString()));
  auto v = (*client)->GetSecretValue("app/db");
  REQUIRE_MESSAGE(v, (v ? "" : v.error().ToString()));
  CHECK(Str(v->value) == "from-settings");

  // AWS_ENDPOINT_URL_SECRETS_MANAGER names the server, not the KMS's variable.
  REQUIRE(setenv("AWS_ENDPOINT_URL_KMS", "https://127.0.0.1:1", 1) == 0);
  REQUIRE(setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", server.url().c_str(), 1) == 0);
  auto from_env = NewSecretsManagerClient({.region = server.region()});
  REQUIRE(from_env);
  auto again = (*from_env)->GetSecretValue("app/db");
  CHECK_MESSAGE(again, (again ? "" : again.error().ToString()));

  auto no_region = NewSecretsManagerClient({.region = "not a region"});
  CHECK_FALSE(no_region);
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_CA_BUNDLE",
                           "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL_KMS",
                           "AWS_ENDPOINT_URL_SECRETS_MANAGER"}) {
    unsetenv(name);
  }
}

}  // namespace
}  // namespace envelope::secrets
