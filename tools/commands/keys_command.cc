// envelope keys ...: the key lifecycle of the local KMS, with the verbs of
// AWS KMS (create, describe, list, aliases, enable/disable, rotation,
// scheduled deletion).
#include <cstdio>

#include "cli/exit_codes.h"
#include "commands/admin.h"

namespace envelope::cli {
namespace {

struct KeysArgs {
  std::string key, alias, description;
  std::vector<std::string> tags;
  bool json = false, remove = false;
  int period_days = kms::kDefaultRotationPeriodDays;
  int pending_days = kms::kDefaultPendingWindowDays;
};

std::vector<std::string> AliasesOf(kms::Kms& kms, const std::string& key_id) {
  std::vector<std::string> names;
  if (auto aliases = kms.ListAliases(key_id)) {
    for (const auto& a : *aliases) names.push_back(a.alias_name);
  }
  return names;
}

void PrintKey(const kms::KeyMetadata& k, const std::vector<std::string>& aliases) {
  std::printf("key id:       %s\n", k.key_id.c_str());
  std::printf("state:        %s\n", std::string(kms::KeyStateName(k.state)).c_str());
  std::printf("created:      %s\n", FormatTime(k.creation_date).c_str());
  std::printf("description:  %s\n", k.description.c_str());
  for (const auto& a : aliases) std::printf("alias:        %s\n", a.c_str());
  std::printf("version:      %u\n", k.current_version);
  if (k.rotation_enabled) {
    std::printf("rotation:     every %d days, next %s\n", k.rotation_period_days,
                k.next_rotation_date ? FormatTime(*k.next_rotation_date).c_str() : "-");
  } else {
    std::printf("rotation:     off\n");
  }
  if (k.deletion_date) std::printf("deletion:     %s\n", FormatTime(*k.deletion_date).c_str());
  for (const auto& [tk, tv] : k.tags) std::printf("tag:          %s=%s\n", tk.c_str(), tv.c_str());
}

CLI::App* Leaf(CLI::App& parent, const std::string& name, const std::string& help,
               const std::string& examples) {
  CLI::App* sub = parent.add_subcommand(name, help);
  sub->footer(Examples(examples));
  return sub;
}

}  // namespace

void RegisterKeysCommands(CLI::App& app, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<KeysArgs>();
  CLI::App* keys = app.add_subcommand("keys", "create and manage KMS keys");
  keys->require_subcommand(1);

  CLI::App* create = Leaf(*keys, "create", "create a key (prints its id)",
                          "envelope keys create --description 'web uploads' --alias alias/web");
  create->add_option("--description", a->description, "free text");
  create->add_option("--tag", a->tags, "KEY=VALUE label; repeatable")->allow_extra_args(false);
  create->add_option("--alias", a->alias, "also create this alias (alias/NAME)");
  create->add_flag("--json", a->json, "print the key's metadata as JSON");
  out.push_back({create, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   kms::CreateKeyRequest request;
                   request.description = a->description;
                   for (const auto& t : a->tags) {
                     const size_t eq = t.find('=');
                     if (eq == std::string::npos || eq == 0) {
                       return MakeError(ErrorCode::invalid_argument,
                                        "--tag \"" + t + "\": expected KEY=VALUE");
                     }
                     request.tags[t.substr(0, eq)] = t.substr(eq + 1);
                   }
                   // One transaction: a refused alias refuses the key too.
                   request.alias = a->alias;
                   auto key = kms.CreateKey(request);
                   ENVELOPE_RETURN_IF_ERROR(key);
                   if (a->json) {
                     PrintJson(KeyJson(*key, AliasesOf(kms, key->key_id)));
                   } else {
                     std::printf("%s\n", key->key_id.c_str());
                   }
                   // The key exists now: say which one, if its id could not be printed.
                   if (auto r = FlushStdout(); !r) {
                     return MakeError(ErrorCode::io, "key " + key->key_id + " was created, but " +
                                                         r.error().message());
                   }
                   return {};
                 })});

  CLI::App* list = Leaf(*keys, "list", "list keys", "envelope keys list --json");
  list->add_flag("--json", a->json, "JSON array of key metadata");
  out.push_back({list, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   auto all = kms.ListKeys();
                   ENVELOPE_RETURN_IF_ERROR(all);
                   nlohmann::json array = nlohmann::json::array();
                   if (!a->json)
                     std::printf("%-36s  %-15s  %-7s  %-8s  %s\n", "KEY ID", "STATE", "VERSION",
                                 "ROTATION", "ALIASES");
                   for (const auto& k : *all) {
                     const auto aliases = AliasesOf(kms, k.key_id);
                     if (a->json) {
                       array.push_back(KeyJson(k, aliases));
                       continue;
                     }
                     std::string names;
                     for (const auto& n : aliases) names += (names.empty() ? "" : ",") + n;
                     std::printf("%-36s  %-15s  %-7u  %-8s  %s\n", k.key_id.c_str(),
                                 std::string(kms::KeyStateName(k.state)).c_str(), k.current_version,
                                 k.rotation_enabled
                                     ? (std::to_string(k.rotation_period_days) + "d").c_str()
                                     : "off",
                                 names.c_str());
                   }
                   if (a->json) PrintJson(array);
                   return {};
                 })});

  CLI::App* describe =
      Leaf(*keys, "describe", "show a key's metadata", "envelope keys describe alias/web");
  describe->add_option("key", a->key, "key id or alias/NAME")->required();
  describe->add_flag("--json", a->json, "JSON object");
  out.push_back({describe, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   auto key = kms.DescribeKey(a->key);
                   ENVELOPE_RETURN_IF_ERROR(key);
                   const auto aliases = AliasesOf(kms, key->key_id);
                   if (a->json) {
                     PrintJson(KeyJson(*key, aliases));
                   } else {
                     PrintKey(*key, aliases);
                   }
                   return {};
                 })});

  CLI::App* alias = Leaf(*keys, "alias", "point an alias at a key, or delete it",
                         "envelope keys alias alias/web 1234abcd-...\n"
                         "  envelope keys alias --delete alias/web");
  alias->add_option("alias", a->alias, "alias/NAME")->required();
  alias->add_option("key", a->key, "key id or alias the alias should name");
  alias->add_flag("--delete", a->remove, "delete the alias (the key is untouched)");
  out.push_back({alias, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   if (a->remove) {
                     if (!a->key.empty())
                       return MakeError(ErrorCode::invalid_argument, "--delete takes no key");
                     return kms.DeleteAlias(a->alias);
                   }
                   if (a->key.empty())
                     return MakeError(ErrorCode::invalid_argument, "name the key to point at");
                   auto target = kms.DescribeKey(a->key);
                   ENVELOPE_RETURN_IF_ERROR(target);
                   auto existing = kms.ListAliases();
                   ENVELOPE_RETURN_IF_ERROR(existing);
                   for (const auto& e : *existing) {
                     if (e.alias_name == a->alias) return kms.UpdateAlias(a->alias, target->key_id);
                   }
                   return kms.CreateAlias(a->alias, target->key_id);
                 })});

  for (const bool enable : {true, false}) {
    CLI::App* sub =
        Leaf(*keys, enable ? "enable" : "disable",
             enable ? "enable a disabled key"
                    : "disable a key (it neither encrypts nor "
                      "decrypts until enabled)",
             std::string("envelope keys ") + (enable ? "enable" : "disable") + " alias/web");
    sub->add_option("key", a->key, "key id or alias/NAME")->required();
    out.push_back({sub, WithKms(g, [a, enable](kms::Kms& kms) -> Result<void> {
                     return enable ? kms.EnableKey(a->key) : kms.DisableKey(a->key);
                   })});
  }

  CLI::App* rotate = Leaf(*keys, "rotate", "add a key version now (older versions still decrypt)",
                          "envelope keys rotate alias/web");
  rotate->add_option("key", a->key, "key id or alias/NAME")->required();
  out.push_back({rotate, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   auto r = kms.RotateKeyOnDemand(a->key);
                   // The on-demand rotation quota (LimitExceededException) is no refused
                   // input, which limit_exceeded means to the exit codes: "other", 1.
                   if (!r && r.error().code() == ErrorCode::limit_exceeded) {
                     return MakeError(ErrorCode::unsupported, r.error().message());
                   }
                   ENVELOPE_RETURN_IF_ERROR(r);
                   std::printf("%s version %u\n", r->key_id.c_str(), r->version);
                   return {};
                 })});

  RegisterRotationCommands(*keys, g, out);
  RegisterDeletionCommands(*keys, g, out);
}

}  // namespace envelope::cli
