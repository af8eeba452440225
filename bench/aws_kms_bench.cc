// 1 KiB messages through the AWS KMS keyring against our KMS server on a
// loopback port (HTTPS, SigV4, one kept-alive connection), with and without
// the caching materials manager, against the same through the local
// keystore's KMS keyring. (bench/aws_kms_cli.py times whole commands.)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "aws/aws_kms_client.h"
#include "envelope/aws_kms.hpp"
#include "envelope/caching_cmm.hpp"
#include "envelope/kms.hpp"
#include "envelope/message.hpp"
#include "service/http_server.h"
#include "service/kms_service.h"
#include "service/tls_files.h"

namespace envelope {
namespace {

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "aws_kms_bench: %s: %s\n", what, r.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

// Env is one server on a fresh keystore (removed at exit) and the keyrings.
struct Env {
  Env() {
    char tmpl[] = "/tmp/envelope-aws-kms-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) std::exit(1);
    dir = tmpl;
    kms::KmsOptions options;
    options.directory = dir + "/ks";
    kms = std::make_shared<kms::Kms>(Must(kms::Kms::Open(options), "kms open"));
    auto access = Must(kms->CreateAccessKey(), "access key");
    auto credentials = std::make_shared<aws::Credentials>();
    credentials->access_key_id = access.info.access_key_id;
    credentials->secret_access_key = std::move(access.secret_access_key);
    auto tls = Must(service::DefaultServerTls(dir + "/ks"), "tls");
    service::KmsServiceOptions service_options;
    service_options.api = {"aws", "us-east-1", "111122223333"};
    kms_service = std::make_unique<service::KmsService>(*kms, std::move(service_options));
    service::HttpServerOptions http;
    http.tls = std::move(tls.credentials);
    http.threads = 1;
    server = Must(
        service::HttpServer::Start(std::move(http),
                                   [this](service::HttpRequest request, service::Respond respond) {
                                     respond(kms_service->Handle(request));
                                   }),
        "server");
    const std::string key_id = Must(kms->CreateKey(), "create key").key_id;
    aws::AwsKmsClientOptions client_options;
    client_options.region = "us-east-1";
    client_options.endpoint_url = server->url();
    client_options.credentials = credentials;
    client_options.http.ca_bundle = tls.certificate_path;
    std::shared_ptr<AwsKmsClient> client =
        Must(aws::KmsHttpClient::Create(std::move(client_options)), "client");
    AwsKmsClientSupplier supplier = [client](std::string_view) {
      return Result<std::shared_ptr<AwsKmsClient>>(client);
    };
    aws_keyring =
        Must(NewAwsKmsKeyring({.generator = "arn:aws:kms:us-east-1:111122223333:key/" + key_id},
                              supplier),
             "aws keyring");
    local_keyring = Must(NewKmsKeyring(kms::NewKmsClient(kms), key_id), "local keyring");
  }
  ~Env() {
    server->Stop(std::chrono::seconds(1));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir;
  std::shared_ptr<kms::Kms> kms;
  std::unique_ptr<service::KmsService> kms_service;
  std::unique_ptr<service::HttpServer> server;
  std::shared_ptr<const Keyring> aws_keyring;
  std::shared_ptr<const Keyring> local_keyring;
};

Env& TheEnv() {
  static Env env;
  return env;
}

enum Which { kAws, kAwsCached, kLocal, kLocalCached };
const char* const kNames[] = {"aws-kms", "aws-kms+cache", "kms-local", "kms-local+cache"};

std::shared_ptr<const CryptoMaterialsManager> CmmFor(int which) {
  Env& env = TheEnv();
  const bool aws = which == kAws || which == kAwsCached;
  auto cmm = Must(NewDefaultCmm(aws ? env.aws_keyring : env.local_keyring), "default cmm");
  if (which == kAws || which == kLocal) return cmm;
  auto cache = Must(NewMaterialsCache(64), "cache");
  return Must(NewCachingCmm(cmm, cache, {.max_messages = 1000}), "caching cmm");
}

void BM_Encrypt1KiB(benchmark::State& state) {
  static const auto* cmms = new std::shared_ptr<const CryptoMaterialsManager>[4] {
    CmmFor(kAws), CmmFor(kAwsCached), CmmFor(kLocal), CmmFor(kLocalCached)
  };
  const std::vector<uint8_t> plain(1024, 0x61);
  EncryptOptions options;
  options.context = {{"bench", "1k"}};
  for (auto _ : state) {
    auto message = Encrypt(plain, *cmms[state.range(0)], options);
    if (!message) state.SkipWithError(message.error().ToString().c_str());
    benchmark::DoNotOptimize(message);
  }
  state.SetLabel(kNames[state.range(0)]);
  state.counters["msgs/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Encrypt1KiB)->DenseRange(0, 3)->UseRealTime();

void BM_RoundTrip1KiB(benchmark::State& state) {
  Env& env = TheEnv();
  const auto& keyring = state.range(0) == kAws ? env.aws_keyring : env.local_keyring;
  const std::vector<uint8_t> plain(1024, 0x62);
  for (auto _ : state) {
    auto message = Encrypt(plain, *keyring, {});
    if (!message) state.SkipWithError(message.error().ToString().c_str());
    auto out = Decrypt(*message, *keyring);
    if (!out) state.SkipWithError(out.error().ToString().c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(kNames[state.range(0)]);
  state.counters["msgs/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RoundTrip1KiB)->Arg(kAws)->Arg(kLocal)->UseRealTime();

}  // namespace
}  // namespace envelope

BENCHMARK_MAIN();
