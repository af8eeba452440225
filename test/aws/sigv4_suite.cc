#include "sigv4_suite.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "support/vectors.h"

namespace envelope::aws::sigv4_suite {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& p) {
  const auto bytes = testing::ReadFile(p);
  return std::string(bytes.begin(), bytes.end());
}

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  for (const auto& entry : fs::directory_iterator(testing::VectorPath("sigv4"))) {
    if (!entry.is_directory()) continue;
    cases.push_back({entry.path().filename().string(), entry.path(),
                     testing::LoadJson(entry.path() / "context.json")});
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

Credentials CredentialsOf(const nlohmann::json& context) {
  const auto& c = context.at("credentials");
  const std::string secret = c.at("secret_access_key").get<std::string>();
  auto bytes =
      SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(secret.data()), secret.size()});
  REQUIRE(bytes);
  return {c.at("access_key_id").get<std::string>(), std::move(*bytes),
          c.value("token", std::string())};
}

SigningParams ParamsOf(const nlohmann::json& context) {
  SigningParams params;
  params.region = context.at("region").get<std::string>();
  params.service = context.at("service").get<std::string>();
  const auto time = ParseIso8601(context.at("timestamp").get<std::string>());
  REQUIRE(time);
  params.time = *time;
  params.canonical.normalize_path = context.at("normalize").get<bool>();
  params.sign_body = context.at("sign_body").get<bool>();
  params.omit_session_token = context.value("omit_session_token", false);
  return params;
}

// Verifies a request with the case's clock and key.
Result<Principal> VerifyParsed(const Case& c, const HttpRequest& request) {
  const SigningParams params = ParamsOf(c.context);
  VerifyConfig config;
  config.region = params.region;
  config.service = params.service;
  config.canonical = params.canonical;
  config.allow_unsigned_session_token = params.omit_session_token;
  const Credentials credentials = CredentialsOf(c.context);
  const SecretLookup lookup = [&](std::string_view id) -> Result<SecretBytes> {
    if (id != credentials.access_key_id) return MakeError(ErrorCode::not_found, "no such key");
    return credentials.secret_access_key.Clone();
  };
  return VerifyRequest(request, config, lookup, params.time);
}

Result<Principal> VerifyFile(const Case& c, const fs::path& file) {
  auto request = ParseRawRequest(ReadText(file));
  REQUIRE(request);
  return VerifyParsed(c, *request);
}

}  // namespace envelope::aws::sigv4_suite
