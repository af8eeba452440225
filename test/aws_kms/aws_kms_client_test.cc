// KmsHttpClient against our KMS server over HTTPS: the KMS calls, AWS's
// error names and our codes, connection reuse, timeouts and the standard
// retry mode against a server that throttles.
#include "aws/aws_kms_client.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "kms_server_fixture.h"

namespace envelope::aws {
namespace {

using envelope::testing::KmsServer;

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

const EncryptionContext kContext = {{"purpose", "test"}};

TEST_CASE("KmsHttpClient: data key, encrypt, decrypt and re-encrypt against the server") {
  KmsServer server;
  const std::string key = server.CreateKey();
  const std::string other = server.CreateKey();
  auto client = server.Client();
  auto dk = client->GenerateDataKeyWith(key, kContext, 32, {});
  REQUIRE_MESSAGE(dk, (dk ? "" : dk.error().ToString()));
  CHECK(dk->plaintext.size() == 32);
  CHECK(dk->key_id == key);
  auto opened = client->Decrypt(dk->blob, kContext, key);
  REQUIRE(opened);
  CHECK(opened->plaintext.Equals(dk->plaintext));
  CHECK(opened->key_id == key);

  auto wrapped = client->Encrypt(key, Bytes("hello"), kContext);
  REQUIRE(wrapped);
  auto re = client->ReEncrypt(wrapped->blob, kContext, other, {});
  REQUIRE(re);
  CHECK(re->key_id == other);
  auto back = client->Decrypt(re->blob, {}, "");
  REQUIRE(back);
  CHECK(std::string(back->plaintext.span().begin(), back->plaintext.span().end()) == "hello");
}

TEST_CASE("KmsHttpClient: AWS errors keep their name and map to our codes") {
  KmsServer server;
  const std::string key = server.CreateKey();
  auto client = server.Client();
  auto wrapped = client->Encrypt(key, Bytes("x"), kContext);
  REQUIRE(wrapped);

  auto missing =
      client->Encrypt(server.KeyArn("00000000-0000-4000-8000-000000000000"), Bytes("x"), {});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::not_found);
  CHECK(missing.error().message().starts_with("NotFoundException: "));

  auto wrong_context = client->Decrypt(wrapped->blob, {{"purpose", "other"}}, "");
  REQUIRE_FALSE(wrong_context);
  CHECK(wrong_context.error().code() == ErrorCode::auth_failed);
  CHECK(wrong_context.error().message().starts_with("InvalidCiphertextException: "));

  auto wrong_key = client->Decrypt(wrapped->blob, kContext, server.CreateKey());
  REQUIRE_FALSE(wrong_key);
  CHECK(wrong_key.error().code() == ErrorCode::invalid_argument);
  CHECK(wrong_key.error().message().starts_with("IncorrectKeyException: "));

  REQUIRE(server.kms().DisableKey(key.substr(key.rfind('/') + 1)));
  auto disabled = client->Decrypt(wrapped->blob, kContext, key);
  REQUIRE_FALSE(disabled);
  CHECK(disabled.error().code() == ErrorCode::key_state);
  CHECK(disabled.error().message().starts_with("DisabledException: "));

  // A wrong secret: the server refuses the signature.
  AwsKmsClientOptions options;
  options.region = server.region();
  options.endpoint_url = server.url();
  auto forged = std::make_shared<Credentials>();
  forged->access_key_id = server.credentials()->access_key_id;
  forged->secret_access_key = *SecretBytes::CopyFrom(Bytes(std::string(40, 'x')));
  options.credentials = forged;
  options.http.ca_bundle = server.cert();
  auto bad = KmsHttpClient::Create(std::move(options));
  REQUIRE(bad);
  auto refused = (*bad)->Encrypt(key, Bytes("x"), {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::invalid_argument);
  CHECK(refused.error().message().starts_with("InvalidSignatureException: "));
}

TEST_CASE("KmsHttpClient: one connection serves a run of calls, also from two threads") {
  KmsServer server;
  const std::string key = server.CreateKey();
  auto client = server.Client();
  for (int i = 0; i < 10; ++i) REQUIRE(client->Encrypt(key, Bytes("x"), {}));
  CHECK(client->connections_opened() == 1);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) ok += client->Encrypt(key, Bytes("x"), {}).has_value();
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 20);
  CHECK(client->connections_opened() <= 2);
}

TEST_CASE("KmsHttpClient: a server that throttles the first calls is retried") {
  KmsServer server("us-east-1", "111122223333", /*throttle_first=*/2);
  const std::string key = server.CreateKey();
  auto client = server.Client(/*max_attempts=*/3);
  auto wrapped = client->Encrypt(key, Bytes("x"), {});
  REQUIRE_MESSAGE(wrapped, (wrapped ? "" : wrapped.error().ToString()));
  CHECK(wrapped->key_id == key);
}

TEST_CASE("KmsHttpClient: past max attempts the throttling error says how many were made") {
  KmsServer server("us-east-1", "111122223333", /*throttle_first=*/10);
  const std::string key = server.CreateKey();
  auto client = server.Client(/*max_attempts=*/4);
  auto wrapped = client->Encrypt(key, Bytes("x"), {});
  REQUIRE_FALSE(wrapped);
  CHECK(wrapped.error().code() == ErrorCode::limit_exceeded);
  CHECK(wrapped.error().message() == "ThrottlingException: Rate exceeded (4 attempts)");
  // One attempt only: no retry, the plain AWS error.
  auto once = server.Client(/*max_attempts=*/1)->Encrypt(key, Bytes("x"), {});
  REQUIRE_FALSE(once);
  CHECK(once.error().message() == "ThrottlingException: Rate exceeded");
}

TEST_CASE("KmsHttpClient: a server that does not answer in time is a timeout, retried") {
  std::atomic<int> calls{0};
  service::HttpServerOptions http;
  http.address = "127.0.0.1";
  auto slow = service::HttpServer::Start(
      std::move(http), [&calls](service::HttpRequest, service::Respond respond) {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        respond(service::HttpResponse{});
      });
  REQUIRE(slow);
  AwsKmsClientOptions options;
  options.region = "us-east-1";
  options.endpoint_url = (*slow)->url();
  options.credentials = KmsServer::TestCredentials();
  options.http.request_timeout = std::chrono::milliseconds(150);
  options.retry.max_attempts = 2;
  options.retry.base_delay = std::chrono::milliseconds(5);
  auto client = KmsHttpClient::Create(std::move(options));
  REQUIRE(client);
  auto r = (*client)->Encrypt("alias/x", Bytes("x"), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::io);
  CHECK(r.error().message().find("(2 attempts)") != std::string::npos);
  (*slow)->Stop(std::chrono::seconds(2));
  CHECK(calls == 2);
}

TEST_CASE("KmsHttpClient: nothing listening is an io error after the retries") {
  uint16_t port = 0;
  {
    service::HttpServerOptions http;
    auto probe =
        service::HttpServer::Start(std::move(http), [](service::HttpRequest, service::Respond) {});
    REQUIRE(probe);
    port = (*probe)->port();
    (*probe)->Stop(std::chrono::milliseconds(100));
  }
  AwsKmsClientOptions options;
  options.region = "us-east-1";
  options.endpoint_url = "http://127.0.0.1:" + std::to_string(port);
  options.credentials = KmsServer::TestCredentials();
  options.retry.max_attempts = 3;
  options.retry.base_delay = std::chrono::milliseconds(1);
  auto client = KmsHttpClient::Create(std::move(options));
  REQUIRE(client);
  auto r = (*client)->Encrypt("alias/x", Bytes("x"), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::io);
  CHECK(r.error().message().ends_with("(3 attempts)"));
}

TEST_CASE("KmsHttpClient: options are checked") {
  AwsKmsClientOptions options;
  options.region = "Not A Region";
  options.credentials = KmsServer::TestCredentials();
  CHECK(KmsHttpClient::Create(options).error().code() == ErrorCode::invalid_argument);
  options.region = "us-east-1";
  options.endpoint_url = "ftp://example.com";
  CHECK_FALSE(KmsHttpClient::Create(options));
  options.endpoint_url = "";
  options.credentials = nullptr;
  CHECK_FALSE(KmsHttpClient::Create(options));
  options.credentials = KmsServer::TestCredentials();
  options.http.ca_bundle = "/nonexistent/ca.pem";
  CHECK_FALSE(KmsHttpClient::Create(options));
  options.http.ca_bundle = "";
  auto ok = KmsHttpClient::Create(options);
  REQUIRE(ok);
  CHECK((*ok)->endpoint() == "https://kms.us-east-1.amazonaws.com");
}

}  // namespace
}  // namespace envelope::aws
