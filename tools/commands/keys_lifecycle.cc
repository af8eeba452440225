// envelope keys rotation ... and keys schedule-deletion / cancel-deletion.
#include <cstdio>

#include "commands/admin.h"

namespace envelope::cli {
namespace {

struct LifecycleArgs {
  std::string key;
  int period_days = kms::kDefaultRotationPeriodDays;
  int pending_days = kms::kDefaultPendingWindowDays;
  bool json = false;
};

const char* TypeName(kms::RotationType t) {
  return t == kms::RotationType::automatic ? "AUTOMATIC" : "ON_DEMAND";
}

}  // namespace

void RegisterRotationCommands(CLI::App& keys, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<LifecycleArgs>();
  CLI::App* rotation = keys.add_subcommand("rotation", "automatic rotation of a key");
  rotation->require_subcommand(1);

  CLI::App* enable = rotation->add_subcommand("enable", "rotate the key automatically");
  enable->add_option("key", a->key, "key id or alias/NAME")->required();
  enable->add_option("--period-days", a->period_days, "days between rotations (90 to 2560)")
      ->capture_default_str();
  enable->footer(Examples("envelope keys rotation enable --period-days 180 alias/web"));
  out.push_back({enable, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   return kms.EnableKeyRotation(a->key, a->period_days);
                 })});

  CLI::App* disable = rotation->add_subcommand("disable", "stop automatic rotation");
  disable->add_option("key", a->key, "key id or alias/NAME")->required();
  disable->footer(Examples("envelope keys rotation disable alias/web"));
  out.push_back({disable, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   return kms.DisableKeyRotation(a->key);
                 })});

  CLI::App* list = rotation->add_subcommand("list", "show rotation settings and past rotations");
  list->add_option("key", a->key, "key id or alias/NAME")->required();
  list->add_flag("--json", a->json, "JSON object");
  list->footer(Examples("envelope keys rotation list alias/web"));
  out.push_back({list, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   auto status = kms.GetKeyRotationStatus(a->key);
                   ENVELOPE_RETURN_IF_ERROR(status);
                   auto rotations = kms.ListKeyRotations(a->key);
                   ENVELOPE_RETURN_IF_ERROR(rotations);
                   if (a->json) {
                     nlohmann::json j = {{"rotation_enabled", status->enabled}};
                     if (status->enabled) j["rotation_period_days"] = status->period_days;
                     if (status->next_rotation_date) {
                       j["next_rotation_date"] = FormatTime(*status->next_rotation_date);
                     }
                     j["rotations"] = nlohmann::json::array();
                     for (const auto& r : *rotations) {
                       j["rotations"].push_back({{"key_id", r.key_id},
                                                 {"version", r.version},
                                                 {"rotation_date", FormatTime(r.rotation_date)},
                                                 {"rotation_type", TypeName(r.type)}});
                     }
                     PrintJson(j);
                     return {};
                   }
                   if (status->enabled) {
                     std::printf("rotation: every %d days, next %s\n", status->period_days,
                                 status->next_rotation_date
                                     ? FormatTime(*status->next_rotation_date).c_str()
                                     : "-");
                   } else {
                     std::printf("rotation: off\n");
                   }
                   for (const auto& r : *rotations) {
                     std::printf("version %u  %s  %s\n", r.version,
                                 FormatTime(r.rotation_date).c_str(), TypeName(r.type));
                   }
                   return {};
                 })});
}

void RegisterDeletionCommands(CLI::App& keys, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<LifecycleArgs>();
  CLI::App* schedule = keys.add_subcommand(
      "schedule-deletion",
      "delete a key after a waiting period (its messages then never decrypt again)");
  schedule->add_option("key", a->key, "key id or alias/NAME")->required();
  schedule->add_option("--days", a->pending_days, "waiting period, 7 to 30 days")
      ->capture_default_str();
  schedule->footer(Examples("envelope keys schedule-deletion --days 7 alias/old"));
  out.push_back({schedule, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   auto s = kms.ScheduleKeyDeletion(a->key, a->pending_days);
                   ENVELOPE_RETURN_IF_ERROR(s);
                   std::printf("%s will be deleted on %s\n", s->key_id.c_str(),
                               FormatTime(s->deletion_date).c_str());
                   std::fprintf(stderr,
                                "envelope: hint: cancel with 'envelope keys cancel-deletion %s'\n",
                                s->key_id.c_str());
                   return {};
                 })});

  CLI::App* cancel = keys.add_subcommand(
      "cancel-deletion", "stop a scheduled deletion (the key stays disabled, as in AWS KMS)");
  cancel->add_option("key", a->key, "key id or alias/NAME")->required();
  cancel->footer(
      Examples("envelope keys cancel-deletion alias/old\n"
               "  envelope keys enable alias/old"));
  out.push_back({cancel, WithKms(g, [a](kms::Kms& kms) -> Result<void> {
                   auto k = kms.CancelKeyDeletion(a->key);
                   ENVELOPE_RETURN_IF_ERROR(k);
                   std::printf("%s is %s\n", k->key_id.c_str(),
                               std::string(kms::KeyStateName(k->state)).c_str());
                   return {};
                 })});
}

}  // namespace envelope::cli
