// Formatting shared by the envelope subcommands.
#include <cstdio>
#include <ctime>
#include <fstream>

#include "commands/admin.h"
#include "commands/crypt_options.h"

namespace envelope::cli {

std::string Hex(std::span<const uint8_t> bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

bool Printable(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

void AddArnScopeOptions(CLI::App& app, Globals& globals) {
  app.fallthrough();
  app.add_option("--region", globals.region,
                 "region in the ARNs of parameters, secrets and keys; the same as the "
                 "server's (kms serve --region)")
      ->envname("ENVELOPE_REGION")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](const std::string& region) -> std::string {
            const bool ok = !region.empty() && region.size() <= 64 &&
                            region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") ==
                                std::string::npos;
            return ok ? "" : "--region must be a region name such as eu-west-1";
          },
          "REGION"));
  app.add_option("--account", globals.account,
                 "12-digit account id in the ARNs; the same as the server's (kms serve --account)")
      ->envname("ENVELOPE_ACCOUNT")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](const std::string& account) -> std::string {
            const bool ok = account.size() == 12 &&
                            account.find_first_not_of("0123456789") == std::string::npos;
            return ok ? "" : "--account must be 12 digits";
          },
          "ACCOUNT"));
}

std::string FormatTime(kms::TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json KeyJson(const kms::KeyMetadata& k, const std::vector<std::string>& aliases) {
  nlohmann::json j = {
      {"key_id", k.key_id},
      {"description", k.description},
      {"key_state", std::string(kms::KeyStateName(k.state))},
      {"creation_date", FormatTime(k.creation_date)},
      {"current_version", k.current_version},
      {"rotation_enabled", k.rotation_enabled},
      {"aliases", aliases},
      {"tags", k.tags},
  };
  if (k.rotation_enabled) j["rotation_period_days"] = k.rotation_period_days;
  if (k.next_rotation_date) j["next_rotation_date"] = FormatTime(*k.next_rotation_date);
  if (k.deletion_date) {
    j["deletion_date"] = FormatTime(*k.deletion_date);
    j["pending_window_days"] = k.pending_window_days;
  }
  return j;
}

void PrintJson(const nlohmann::json& value) {
  // Replace invalid UTF-8 (a context value is arbitrary bytes) instead of
  // throwing.
  const std::string text = value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::printf("%s\n", text.c_str());
}

std::string Examples(const std::string& lines) {
  return "Example:\n  " + lines + "\n\n" + ExitCodesHelp();
}

int ForEachAuditLine(kms::Kms& kms, const std::function<void(nlohmann::json&&)>& line) {
  auto files = kms.AuditLogFiles();
  if (!files) return Fail(kTool, files.error());
  uint64_t lineno = 0;
  for (const std::string& path : *files) {
    std::ifstream in(path);
    if (!in) return Fail(kTool, Error(ErrorCode::io, "cannot read \"" + path + "\""));
    std::string text;
    while (std::getline(in, text)) {
      ++lineno;
      auto record = nlohmann::json::parse(text, nullptr, false);
      if (record.is_discarded() || !record.is_object()) {
        PrintError(kTool, "audit log line " + std::to_string(lineno) + " is not JSON",
                   {"run 'envelope audit verify' to check the log"});
        return kExitFailure;
      }
      line(std::move(record));
    }
  }
  return kExitOk;
}

}  // namespace envelope::cli
