#include "aws/aws_config.h"

#include <sys/stat.h>

#include <cstdlib>

#include "aws/credential_process.h"
#include "envelope/io.hpp"
#include "envelope/secret.hpp"

extern char** environ;

namespace envelope::aws {
namespace {

constexpr size_t kMaxSharedFileSize = 1 << 20;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

const std::string* Get(const AwsEnvironment& env, std::string_view name) {
  auto it = env.find(name);
  return it == env.end() || it->second.empty() ? nullptr : &it->second;
}

// WipeProfiles overwrites every value before the map frees it: the
// credentials file holds secret keys.
void WipeProfiles(IniProfiles& profiles) {
  for (auto& [section, keys] : profiles) {
    for (auto& [key, value] : keys) {
      SecureZero({reinterpret_cast<uint8_t*>(value.data()), value.size()});
    }
  }
}

// SharedFile reads one of the shared files through the one secret reader
// (it may hold secret keys). A missing or empty file has no profiles.
Result<IniProfiles> ReadSharedFile(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || (S_ISREG(st.st_mode) && st.st_size == 0)) {
    return IniProfiles{};
  }
  auto text = ReadSecret({SecretSource::Kind::file, path}, kMaxSharedFileSize);
  if (!text) {
    if (text.error().code() == ErrorCode::not_found) return IniProfiles{};
    return tl::unexpected(text.error().WithContext("aws config"));
  }
  return ParseIni({reinterpret_cast<const char*>(text->data()), text->size()});
}

std::string Home(const AwsEnvironment& env) {
  const std::string* home = Get(env, "HOME");
  return home ? *home : std::string(".");
}

std::string ExpandHome(const std::string& path, const AwsEnvironment& env) {
  if (path == "~" || path.starts_with("~/")) return Home(env) + path.substr(1);
  return path;
}

// Profile is one profile's settings from both files.
struct Profile {
  const std::map<std::string, std::string>* credentials = nullptr;  // credentials file
  const std::map<std::string, std::string>* config = nullptr;       // config file

  const std::string* Setting(std::string_view key) const {
    for (const auto* section : {config, credentials}) {
      if (section == nullptr) continue;
      auto it = section->find(std::string(key));
      if (it != section->end() && !it->second.empty()) return &it->second;
    }
    return nullptr;
  }
};

Result<Credentials> StaticKeys(const std::map<std::string, std::string>& section,
                               const std::string& where) {
  auto id = section.find("aws_access_key_id");
  auto secret = section.find("aws_secret_access_key");
  if (id == section.end() || secret == section.end() || id->second.empty() ||
      secret->second.empty()) {
    return MakeError(ErrorCode::invalid_argument, "aws config: " + where +
                                                      " needs both aws_access_key_id and "
                                                      "aws_secret_access_key");
  }
  Credentials c;
  c.access_key_id = id->second;
  auto s = SecretBytes::CopyFrom(
      {reinterpret_cast<const uint8_t*>(secret->second.data()), secret->second.size()});
  ENVELOPE_RETURN_IF_ERROR(s);
  c.secret_access_key = std::move(*s);
  if (auto token = section.find("aws_session_token"); token != section.end()) {
    c.session_token = token->second;
  }
  return c;
}

bool HasKeys(const std::map<std::string, std::string>* section) {
  return section != nullptr &&
         (section->contains("aws_access_key_id") || section->contains("aws_secret_access_key"));
}

}  // namespace

AwsEnvironment ProcessEnvironment() {
  AwsEnvironment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = entry.substr(0, eq);
    if (name == "HOME" || name.starts_with("AWS_")) {
      env.emplace(std::string(name), std::string(entry.substr(eq + 1)));
    }
  }
  return env;
}

IniProfiles ParseIni(std::string_view text) {
  IniProfiles out;
  std::map<std::string, std::string>* section = nullptr;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const size_t close = line.find(']');
      section = close == std::string_view::npos
                    ? nullptr
                    : &out[std::string(Trim(line.substr(1, close - 1)))];
      continue;
    }
    if (section == nullptr || indented) continue;  // sub-settings of a nested key
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = ToLowerAscii(Trim(line.substr(0, eq)));
    (*section)[std::move(key)] = std::string(Trim(line.substr(eq + 1)));
  }
  return out;
}

std::string EndpointForRegion(std::string_view service, std::string_view region) {
  const std::string suffix = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://" + std::string(service) + "." + std::string(region) + "." + suffix;
}

std::string KmsEndpointForRegion(std::string_view region) {
  return EndpointForRegion("kms", region);
}

Result<AwsClientConfig> ResolveAwsConfig(const AwsConfigOverrides& overrides,
                                         const AwsEnvironment& env) {
  AwsClientConfig config;
  const std::string* env_profile = Get(env, "AWS_PROFILE");
  config.profile = !overrides.profile.empty() ? overrides.profile
                   : env_profile              ? *env_profile
                                              : "default";
  const bool named = !overrides.profile.empty() || env_profile != nullptr;

  const std::string* cred_path = Get(env, "AWS_SHARED_CREDENTIALS_FILE");
  const std::string* conf_path = Get(env, "AWS_CONFIG_FILE");
  const std::string credentials_file =
      ExpandHome(cred_path ? *cred_path : "~/.aws/credentials", env);
  const std::string config_file = ExpandHome(conf_path ? *conf_path : "~/.aws/config", env);
  auto cred_ini = ReadSharedFile(credentials_file);
  ENVELOPE_RETURN_IF_ERROR(cred_ini);
  auto conf_ini = ReadSharedFile(config_file);
  if (!conf_ini) {
    WipeProfiles(*cred_ini);
    return tl::unexpected(conf_ini.error());
  }
  struct Wiper {
    IniProfiles& a;
    IniProfiles& b;
    ~Wiper() {
      WipeProfiles(a);
      WipeProfiles(b);
    }
  } wiper{*cred_ini, *conf_ini};

  Profile profile;
  if (auto it = cred_ini->find(config.profile); it != cred_ini->end()) {
    profile.credentials = &it->second;
  }
  const std::string conf_section =
      config.profile == "default" ? "default" : "profile " + config.profile;
  if (auto it = conf_ini->find(conf_section); it != conf_ini->end()) profile.config = &it->second;
  if (named && config.profile != "default" && !profile.credentials && !profile.config) {
    return MakeError(ErrorCode::invalid_argument, "aws config: the profile '" + config.profile +
                                                      "' is in neither " + credentials_file +
                                                      " nor " + config_file);
  }

  // Region.
  if (!overrides.region.empty()) {
    config.region = overrides.region;
    config.region_source = "command line";
  } else if (const std::string* r = Get(env, "AWS_REGION")) {
    config.region = *r;
    config.region_source = "environment";
  } else if (const std::string* dr = Get(env, "AWS_DEFAULT_REGION")) {
    config.region = *dr;
    config.region_source = "environment";
  } else if (const std::string* pr = profile.Setting("region")) {
    config.region = *pr;
    config.region_source = "config file";
  }
  if (!config.region.empty() && !IsScopeName(config.region)) {
    return MakeError(ErrorCode::invalid_argument,
                     "aws config: '" + config.region + "' is not a region name");
  }

  // Endpoint.
  if (!overrides.endpoint_url.empty()) {
    config.endpoint_url = overrides.endpoint_url;
    config.endpoint_source = "command line";
  } else if (const std::string* e = Get(env, overrides.endpoint_variable)) {
    config.endpoint_url = *e;
    config.endpoint_source = "environment";
  } else if (const std::string* g = Get(env, "AWS_ENDPOINT_URL")) {
    config.endpoint_url = *g;
    config.endpoint_source = "environment";
  } else if (const std::string* pe = profile.Setting("endpoint_url")) {
    config.endpoint_url = *pe;
    config.endpoint_source = "config file";
  } else {
    config.endpoint_source = "default";
  }
  while (config.endpoint_url.ends_with('/')) config.endpoint_url.pop_back();
  if (!config.endpoint_url.empty() && !config.endpoint_url.starts_with("https://") &&
      !config.endpoint_url.starts_with("http://")) {
    return MakeError(
        ErrorCode::invalid_argument,
        "aws config: the endpoint url '" + config.endpoint_url + "' must start with https://");
  }

  // CA bundle and attempts.
  if (const std::string* ca = Get(env, "AWS_CA_BUNDLE")) {
    config.ca_bundle = ExpandHome(*ca, env);
  } else if (const std::string* pca = profile.Setting("ca_bundle")) {
    config.ca_bundle = ExpandHome(*pca, env);
  }
  const std::string* attempts = Get(env, "AWS_MAX_ATTEMPTS");
  if (!attempts) attempts = profile.Setting("max_attempts");
  if (attempts) {
    char* end = nullptr;
    const long n = std::strtol(attempts->c_str(), &end, 10);
    if (end == attempts->c_str() || *end != '\0' || n < 1 || n > 20) {
      return MakeError(ErrorCode::invalid_argument,
                       "aws config: max_attempts must be 1 to 20, not '" + *attempts + "'");
    }
    config.max_attempts = static_cast<int>(n);
  }

  // Credentials.
  const std::string* env_id = Get(env, "AWS_ACCESS_KEY_ID");
  const std::string* env_secret = Get(env, "AWS_SECRET_ACCESS_KEY");
  if (overrides.profile.empty() && env_id && env_secret) {
    config.credentials.access_key_id = *env_id;
    auto s = SecretBytes::CopyFrom(
        {reinterpret_cast<const uint8_t*>(env_secret->data()), env_secret->size()});
    ENVELOPE_RETURN_IF_ERROR(s);
    config.credentials.secret_access_key = std::move(*s);
    if (const std::string* token = Get(env, "AWS_SESSION_TOKEN")) {
      config.credentials.session_token = *token;
    }
    config.credentials_source = "environment";
  } else if (HasKeys(profile.credentials)) {
    auto c =
        StaticKeys(*profile.credentials, "profile '" + config.profile + "' in " + credentials_file);
    ENVELOPE_RETURN_IF_ERROR(c);
    config.credentials = std::move(*c);
    config.credentials_source = "credentials file";
  } else if (const std::string* process = profile.Setting("credential_process")) {
    auto c = RunCredentialProcess(*process);
    if (!c) {
      return tl::unexpected(
          c.error().WithContext("aws config: profile '" + config.profile + "' credential_process"));
    }
    config.credentials = std::move(c->credentials);
    config.credentials_source = "credential_process";
  } else if (HasKeys(profile.config)) {
    auto c = StaticKeys(*profile.config, "profile '" + config.profile + "' in " + config_file);
    ENVELOPE_RETURN_IF_ERROR(c);
    config.credentials = std::move(*c);
    config.credentials_source = "config file";
  } else {
    return MakeError(ErrorCode::not_found,
                     "aws config: no credentials: set AWS_ACCESS_KEY_ID and "
                     "AWS_SECRET_ACCESS_KEY, or give profile '" +
                         config.profile + "' keys or a credential_process in " + credentials_file +
                         " or " + config_file);
  }
  if (!IsAccessKeyId(config.credentials.access_key_id)) {
    return MakeError(ErrorCode::invalid_argument, "aws config: the access key id from the " +
                                                      config.credentials_source + " is malformed");
  }
  return config;
}

}  // namespace envelope::aws
