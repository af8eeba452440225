// ResolveAwsConfig: where credentials, region, endpoint and CA bundle come
// from, each case in a temporary HOME with its own shared files; and the
// credential_process runner.
#include "aws/aws_config.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "aws/credential_process.h"

namespace envelope::aws {
namespace {

// Home is a temporary HOME with ~/.aws; removed afterwards.
struct Home {
  Home() {
    std::string tmpl = "/tmp/envelope-awscfg-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
    std::filesystem::create_directories(path + "/.aws");
    env["HOME"] = path;
  }
  ~Home() { std::filesystem::remove_all(path); }
  void Write(const std::string& relative, const std::string& text, bool executable = false) {
    std::ofstream(path + "/" + relative) << text;
    if (executable) chmod((path + "/" + relative).c_str(), 0700);
  }
  // Process writes a credential_process script printing `json`.
  std::string Process(const std::string& name, const std::string& json, int status = 0) {
    Write(name, "#!/bin/sh\ncat <<'EOF'\n" + json + "\nEOF\nexit " + std::to_string(status) + "\n",
          true);
    return path + "/" + name;
  }
  Result<AwsClientConfig> Resolve(AwsConfigOverrides overrides = {}) {
    return ResolveAwsConfig(overrides, env);
  }
  std::string path;
  AwsEnvironment env;
};

std::string Secret(const AwsClientConfig& c) {
  return {c.credentials.secret_access_key.span().begin(),
          c.credentials.secret_access_key.span().end()};
}

constexpr char kCredentials[] =
    "[default]\naws_access_key_id = AKIADEFAULTFILE\naws_secret_access_key = default-secret\n"
    "# a comment\n[dev]\naws_access_key_id=AKIADEVFILE\naws_secret_access_key=dev-secret\n"
    "aws_session_token = dev-token\n";

TEST_CASE("ResolveAwsConfig: environment credentials beat the shared files") {
  Home h;
  h.Write(".aws/credentials", kCredentials);
  h.env["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT";
  h.env["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  h.env["AWS_SESSION_TOKEN"] = "env-token";
  auto c = h.Resolve();
  REQUIRE(c);
  CHECK(c->credentials_source == "environment");
  CHECK(c->credentials.access_key_id == "AKIAENVIRONMENT");
  CHECK(Secret(*c) == "env-secret");
  CHECK(c->credentials.session_token == "env-token");
  // AWS_PROFILE does not override environment keys; --profile does.
  h.env["AWS_PROFILE"] = "dev";
  CHECK(h.Resolve()->credentials_source == "environment");
  auto named = h.Resolve({.profile = "dev"});
  REQUIRE(named);
  CHECK(named->credentials.access_key_id == "AKIADEVFILE");
  CHECK(named->credentials.session_token == "dev-token");
}

TEST_CASE("ResolveAwsConfig: profiles from the credentials file, AWS_PROFILE, --profile") {
  Home h;
  h.Write(".aws/credentials", kCredentials);
  auto d = h.Resolve();
  REQUIRE(d);
  CHECK(d->profile == "default");
  CHECK(d->credentials_source == "credentials file");
  CHECK(d->credentials.access_key_id == "AKIADEFAULTFILE");
  CHECK(Secret(*d) == "default-secret");
  h.env["AWS_PROFILE"] = "dev";
  CHECK(h.Resolve()->credentials.access_key_id == "AKIADEVFILE");
  auto missing = h.Resolve({.profile = "nope"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::invalid_argument);
  CHECK(missing.error().message().find("'nope'") != std::string::npos);
  // Files elsewhere, named by the environment.
  h.Write("creds", "[default]\naws_access_key_id = AKIAOTHERFILE\naws_secret_access_key = s\n");
  h.env.erase("AWS_PROFILE");
  h.env["AWS_SHARED_CREDENTIALS_FILE"] = h.path + "/creds";
  CHECK(h.Resolve()->credentials.access_key_id == "AKIAOTHERFILE");
}

TEST_CASE("ResolveAwsConfig: static keys beat credential_process, which beats config keys") {
  Home h;
  const std::string script = h.Process(
      "proc.sh", R"({"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "proc-secret",
                     "SessionToken": "proc-token", "Expiration": "2999-01-01T00:00:00Z"})");
  h.Write(".aws/config", "[profile p]\ncredential_process = " + script +
                             "\naws_access_key_id = AKIACONFIG\naws_secret_access_key = c\n"
                             "region = eu-west-1\n");
  auto p = h.Resolve({.profile = "p"});
  REQUIRE_MESSAGE(p, (p ? "" : p.error().ToString()));
  CHECK(p->credentials_source == "credential_process");
  CHECK(p->credentials.access_key_id == "AKIAPROCESS");
  CHECK(Secret(*p) == "proc-secret");
  CHECK(p->credentials.session_token == "proc-token");
  CHECK(p->region == "eu-west-1");
  h.Write(".aws/credentials", "[p]\naws_access_key_id = AKIACREDFILE\naws_secret_access_key = f\n");
  CHECK(h.Resolve({.profile = "p"})->credentials.access_key_id == "AKIACREDFILE");
  h.Write(".aws/credentials", "");
  h.Write(".aws/config",
          "[profile p]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = c\n");
  CHECK(h.Resolve({.profile = "p"})->credentials_source == "config file");
}

TEST_CASE("ResolveAwsConfig: a failing or malformed credential_process is an error") {
  Home h;
  const std::string fails = h.Process("fails.sh", "{}", 3);
  h.Write(".aws/config", "[default]\ncredential_process = " + fails + "\n");
  auto r = h.Resolve();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::io);
  CHECK(r.error().message().find("exit status 3") != std::string::npos);
  const std::string v2 = h.Process(
      "v2.sh", R"({"Version": 2, "AccessKeyId": "AKIAX", "SecretAccessKey": "do-not-print"})");
  h.Write(".aws/config", "[default]\ncredential_process = " + v2 + "\n");
  r = h.Resolve();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::invalid_argument);
  CHECK(r.error().message().find("do-not-print") == std::string::npos);
  const std::string expired =
      h.Process("old.sh", R"({"Version": 1, "AccessKeyId": "AKIAX", "SecretAccessKey": "s",
                    "Expiration": "2001-01-01T00:00:00Z"})");
  h.Write(".aws/config", "[default]\ncredential_process = " + expired + "\n");
  r = h.Resolve();
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("expired") != std::string::npos);
  h.Write(".aws/config", "[default]\ncredential_process = /nonexistent/program\n");
  r = h.Resolve();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::io);
}

TEST_CASE("ResolveAwsConfig: no credentials anywhere is not_found") {
  Home h;
  auto r = h.Resolve();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::not_found);
}

TEST_CASE(
    "ResolveAwsConfig: region from the command line, AWS_REGION, AWS_DEFAULT_REGION, "
    "the profile") {
  Home h;
  h.Write(".aws/credentials", kCredentials);
  h.Write(".aws/config", "[default]\nregion = eu-central-1\n[profile dev]\nregion = ap-south-1\n");
  CHECK(h.Resolve()->region == "eu-central-1");
  CHECK(h.Resolve()->region_source == "config file");
  CHECK(h.Resolve({.profile = "dev"})->region == "ap-south-1");
  h.env["AWS_DEFAULT_REGION"] = "us-west-1";
  CHECK(h.Resolve()->region == "us-west-1");
  h.env["AWS_REGION"] = "us-west-2";
  CHECK(h.Resolve()->region == "us-west-2");
  auto cli = h.Resolve({.region = "sa-east-1"});
  CHECK(cli->region == "sa-east-1");
  CHECK(cli->region_source == "command line");
  CHECK_FALSE(h.Resolve({.region = "Bad Region"}));
}

TEST_CASE("ResolveAwsConfig: endpoint, CA bundle and attempts") {
  Home h;
  h.Write(".aws/credentials", kCredentials);
  h.Write(".aws/config",
          "[default]\nendpoint_url = https://profile.example:4443/\nca_bundle = ~/ca.pem\n"
          "max_attempts = 5\ns3 =\n  endpoint_url = https://s3-only.example\n");
  auto p = h.Resolve();
  REQUIRE(p);
  CHECK(p->endpoint_url == "https://profile.example:4443");
  CHECK(p->endpoint_source == "config file");
  CHECK(p->ca_bundle == h.path + "/ca.pem");
  CHECK(p->max_attempts == 5);
  h.env["AWS_ENDPOINT_URL"] = "https://global.example";
  CHECK(h.Resolve()->endpoint_url == "https://global.example");
  h.env["AWS_ENDPOINT_URL_KMS"] = "https://kms.example";
  CHECK(h.Resolve()->endpoint_url == "https://kms.example");
  CHECK(h.Resolve({.endpoint_url = "https://cli.example"})->endpoint_url == "https://cli.example");
  h.env["AWS_CA_BUNDLE"] = "/etc/env-ca.pem";
  h.env["AWS_MAX_ATTEMPTS"] = "2";
  CHECK(h.Resolve()->ca_bundle == "/etc/env-ca.pem");
  CHECK(h.Resolve()->max_attempts == 2);
  h.env["AWS_MAX_ATTEMPTS"] = "zero";
  CHECK_FALSE(h.Resolve());
  h.env.erase("AWS_MAX_ATTEMPTS");
  CHECK_FALSE(h.Resolve({.endpoint_url = "kms.example"}));
  Home none;
  none.Write(".aws/credentials", kCredentials);
  CHECK(none.Resolve()->endpoint_url.empty());
  CHECK(KmsEndpointForRegion("eu-west-1") == "https://kms.eu-west-1.amazonaws.com");
  CHECK(KmsEndpointForRegion("cn-north-1") == "https://kms.cn-north-1.amazonaws.com.cn");
}

TEST_CASE("SplitCommandLine: quotes and escapes as a shell splits words") {
  auto w = SplitCommandLine(R"(/bin/tool --name 'a b' "c \"d\"" e\ f)");
  REQUIRE(w);
  CHECK(*w == std::vector<std::string>{"/bin/tool", "--name", "a b", "c \"d\"", "e f"});
  CHECK_FALSE(SplitCommandLine("'open"));
  CHECK_FALSE(SplitCommandLine("   "));
}

TEST_CASE("ParseIni: sections, comments and nested settings") {
  auto ini = ParseIni("; c\n[a]\nKey = v \n  nested = x\n[profile b]\nk=1\n");
  CHECK(ini["a"]["key"] == "v");
  CHECK_FALSE(ini["a"].contains("nested"));
  CHECK(ini["profile b"]["k"] == "1");
}

}  // namespace
}  // namespace envelope::aws
