// test/aws_kms: our KMS server (lib/service) on a free loopback port with
// its self-signed certificate, and AWS KMS clients pointed at it.
#ifndef ENVELOPE_TEST_AWS_KMS_KMS_SERVER_FIXTURE_H_
#define ENVELOPE_TEST_AWS_KMS_KMS_SERVER_FIXTURE_H_

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aws/aws_kms_client.h"
#include "envelope/aws_kms.hpp"
#include "envelope/kms.hpp"
#include "kms/kms_test_util.h"
#include "service/http_server.h"
#include "service/kms_service.h"
#include "service/tls_files.h"

namespace envelope::testing {

// KmsServer is one server: a keystore, an access key, HTTPS on 127.0.0.1.
class KmsServer {
 public:
  // KmsServer starts a server with a new keystore, or with a copy of the
  // keystore folder `replica_of` (another region's server: the same keys
  // and key material, as multi-Region key replicas have).
  explicit KmsServer(std::string region = "us-east-1", std::string account = "111122223333",
                     int throttle_first = 0, const std::string& replica_of = "")
      : region_(std::move(region)), account_(std::move(account)) {
    if (!replica_of.empty()) {
      std::filesystem::copy(replica_of, dir_.keystore(), std::filesystem::copy_options::recursive);
    }
    kms::KmsOptions options;
    options.directory = dir_.keystore();
    auto opened = kms::Kms::Open(std::move(options));
    REQUIRE(opened.has_value());
    kms_.emplace(std::move(*opened));
    auto key = kms_->CreateAccessKey();
    REQUIRE(key.has_value());
    credentials_ = std::make_shared<aws::Credentials>();
    credentials_->access_key_id = key->info.access_key_id;
    credentials_->secret_access_key = std::move(key->secret_access_key);
    auto tls = service::DefaultServerTls(dir_.keystore());
    REQUIRE(tls.has_value());
    cert_ = tls->certificate_path;
    service::KmsServiceOptions service_options;
    service_options.api = {"aws", region_, account_};
    service_options.throttle_first = throttle_first;
    service_.emplace(*kms_, std::move(service_options));
    service::HttpServerOptions http;
    http.tls = std::move(tls->credentials);
    http.threads = 2;
    auto server = service::HttpServer::Start(
        std::move(http), [this](service::HttpRequest request, service::Respond respond) {
          respond(service_->Handle(request));
        });
    REQUIRE(server.has_value());
    server_ = std::move(*server);
  }
  ~KmsServer() { server_->Stop(std::chrono::seconds(2)); }

  kms::Kms& kms() { return *kms_; }
  const std::string& region() const { return region_; }
  std::string url() const { return server_->url(); }
  const std::string& cert() const { return cert_; }
  std::string keystore_dir() const { return dir_.keystore(); }
  std::shared_ptr<const aws::Credentials> credentials() const { return credentials_; }

  // CreateKey returns the ARN of a new key.
  std::string CreateKey(bool multi_region = false) {
    kms::CreateKeyRequest request;
    request.multi_region = multi_region;
    auto key = kms_->CreateKey(request);
    REQUIRE(key.has_value());
    return KeyArn(key->key_id);
  }
  std::string KeyArn(std::string_view key_id) const {
    return "arn:aws:kms:" + region_ + ":" + account_ + ":key/" + std::string(key_id);
  }

  // Client returns a client of this server, signing for its region.
  std::shared_ptr<aws::KmsHttpClient> Client(
      int max_attempts = 3,
      std::chrono::milliseconds base_delay = std::chrono::milliseconds(5)) const {
    aws::AwsKmsClientOptions options;
    options.region = region_;
    options.endpoint_url = url();
    options.credentials = credentials_;
    options.http.ca_bundle = cert_;
    options.retry.max_attempts = max_attempts;
    options.retry.base_delay = base_delay;
    auto client = aws::KmsHttpClient::Create(std::move(options));
    REQUIRE_MESSAGE(client.has_value(), (client ? "" : client.error().ToString()));
    return *client;
  }

  // TestCredentials are credentials no server knows (for servers that do
  // not check them).
  static std::shared_ptr<const aws::Credentials> TestCredentials() {
    auto c = std::make_shared<aws::Credentials>();
    c->access_key_id = "AKIAIOSFODNN7EXAMPLE";
    auto s = SecretBytes::CopyFrom(
        {reinterpret_cast<const uint8_t*>("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), 40});
    REQUIRE(s.has_value());
    c->secret_access_key = std::move(*s);
    return c;
  }

  // Supplier answers this server's client for its region (and "").
  AwsKmsClientSupplier Supplier() const {
    auto client = Client();
    const std::string region = region_;
    return [client, region](std::string_view wanted) -> Result<std::shared_ptr<AwsKmsClient>> {
      if (!wanted.empty() && wanted != region) {
        return MakeError(ErrorCode::not_found, "no client for region " + std::string(wanted));
      }
      return std::shared_ptr<AwsKmsClient>(client);
    };
  }

 private:
  kms::testing::TempDir dir_;
  std::string region_;
  std::string account_;
  std::optional<kms::Kms> kms_;
  std::shared_ptr<aws::Credentials> credentials_;
  std::string cert_;
  std::optional<service::KmsService> service_;
  std::unique_ptr<service::HttpServer> server_;
};

}  // namespace envelope::testing

#endif  // ENVELOPE_TEST_AWS_KMS_KMS_SERVER_FIXTURE_H_
