// tools/commands: the `envelope` admin subcommands. Each Register function
// adds its subcommands to the app and records what to run when one of them
// is chosen; envelope_main.cc parses and runs the chosen one.
#ifndef ENVELOPE_TOOLS_COMMANDS_ADMIN_H_
#define ENVELOPE_TOOLS_COMMANDS_ADMIN_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "commands/keys.h"
#include "envelope/kms_types.hpp"

namespace envelope::cli {

// Globals are the options every envelope subcommand sees.
struct Globals {
  std::string keystore;  // --keystore DIR
  // region and account place the keystore's keys, parameters and secrets
  // in AWS's name space (the ARNs it prints and puts in encryption
  // contexts); `params` and `secrets` take them as --region and --account
  // (AddArnScopeOptions), as `kms serve` does.
  std::string region = kms::KmsOptions{}.region;
  std::string account = kms::KmsOptions{}.account;
};

// AddArnScopeOptions adds --region and --account (else $ENVELOPE_REGION
// and $ENVELOPE_ACCOUNT, else us-east-1 and 111122223333) to `app` and its
// subcommands, stored in `globals`; a malformed value is refused when
// parsed.
void AddArnScopeOptions(CLI::App& app, Globals& globals);

// Command is a leaf subcommand and what runs it.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};
using Commands = std::vector<Command>;

void RegisterKeysCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);
void RegisterDataKeyCommand(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);
void RegisterInspectCommand(CLI::App& app, Commands& out);
void RegisterAuditCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);
void RegisterRewrapCommand(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);
void RegisterCryptCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);
void RegisterSelfTestCommand(CLI::App& app, Commands& out);
void RegisterPkcs11Commands(CLI::App& app, Commands& out);
void RegisterKmsCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);
void RegisterParamsCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);
void RegisterSecretsCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);
// RegisterAuditLookup adds `audit lookup` to `audit` (audit_lookup.cc).
void RegisterAuditLookup(CLI::App& audit, std::shared_ptr<Globals> globals, Commands& out);
// RegisterIamCommands adds `keys policy` and `kms users` to the `keys` and
// `kms` commands already registered (iam_command.cc).
void RegisterIamCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out);

// kTool is the name errors start with.
inline constexpr const char* kTool = "envelope";

void RegisterRotationCommands(CLI::App& keys, std::shared_ptr<Globals> globals, Commands& out);
void RegisterDeletionCommands(CLI::App& keys, std::shared_ptr<Globals> globals, Commands& out);

// WithKms returns a runner that opens the keystore, runs `body(kms)` (which
// returns Result<void>) and turns a failure into "envelope: error: ..." and
// its exit code.
template <typename Body>
std::function<int()> WithKms(std::shared_ptr<Globals> g, Body body) {
  return [g, body]() -> int {
    Keystore keystore(g->keystore);
    keystore.SetArnScope(g->region, g->account);
    auto kms = keystore.Get();
    if (!kms) return Fail(kTool, kms.error());
    auto r = body(**kms);
    if (!r) return Fail(kTool, r.error());
    return kExitOk;
  };
}

// FormatTime renders a time point as RFC 3339 UTC ("2025-01-31T12:00:00Z").
std::string FormatTime(kms::TimePoint t);

// KeyJson is the JSON form of a key's metadata, with its aliases.
nlohmann::json KeyJson(const kms::KeyMetadata& key, const std::vector<std::string>& aliases);

// Hex returns `bytes` as lowercase hex digits (ids and provider info, never
// key material).
std::string Hex(std::span<const uint8_t> bytes);

// Printable reports whether `bytes` are all printable ASCII.
bool Printable(std::span<const uint8_t> bytes);

// PrintJson writes `value` indented to standard output.
void PrintJson(const nlohmann::json& value);

// ForEachAuditLine calls `line` with every record of `kms`'s audit log,
// oldest first, through its archives and audit.log. A line that is not a
// JSON object stops the walk with an error (hint: 'envelope audit verify').
// Returns kExitOk, or the exit code of the error it printed.
int ForEachAuditLine(kms::Kms& kms, const std::function<void(nlohmann::json&&)>& line);

// Example returns a help footer: "Example(s):" lines, then the exit codes.
std::string Examples(const std::string& lines);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_ADMIN_H_
