// envelope secrets: secrets on the KMS, as AWS Secrets Manager keeps them
// (lib/secrets): versions with staging labels, deletion with a recovery
// window, rotation by a rotation command. Values are read as `envelope
// params put` reads them (value_source.h).
#include "commands/admin.h"
#include "commands/value_source.h"
#include "envelope/armor.hpp"
#include "envelope/secrets.hpp"

namespace envelope::cli {
namespace {

using secrets::SecretInfo;
using secrets::SecretStore;

nlohmann::json InfoJson(const SecretInfo& s) {
  nlohmann::json versions = nlohmann::json::object();
  for (const auto& v : s.versions) {
    if (!v.stages.empty()) versions[v.version_id] = v.stages;
  }
  nlohmann::json j = {{"ARN", s.arn},
                      {"Name", s.name},
                      {"KmsKeyId", s.key_id},
                      {"CreatedDate", FormatTime(s.created)},
                      {"LastChangedDate", FormatTime(s.last_changed)},
                      {"RotationEnabled", s.rotation_enabled},
                      {"VersionIdsToStages", std::move(versions)}};
  if (!s.description.empty()) j["Description"] = s.description;
  if (s.last_rotated) j["LastRotatedDate"] = FormatTime(*s.last_rotated);
  if (s.deletion_date) j["DeletedDate"] = FormatTime(*s.deletion_date);
  if (s.rotation_days) j["RotationRules"] = {{"AutomaticallyAfterDays", s.rotation_days}};
  if (s.next_rotation) j["NextRotationDate"] = FormatTime(*s.next_rotation);
  return j;
}

template <typename Body>
std::function<int()> WithSecrets(std::shared_ptr<Globals> g, Body body) {
  return WithKms(g, [g, body](kms::Kms& k) -> Result<void> {
    auto store = SecretStore::Open(k, {"aws", g->region, g->account});
    ENVELOPE_RETURN_IF_ERROR(store);
    return body(*store);
  });
}

struct Options {
  std::string id, key, description, version_id, stage, command;
  std::vector<std::string> stages;
  bool binary = false, include_deleted = false, force = false, due = false, no_rotate = false;
  int recovery_days = 30, every_days = -1;
  ValueSource value;
};

}  // namespace

void RegisterSecretsCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out) {
  CLI::App* top = app.add_subcommand(
      "secrets", "secrets on the KMS (Secrets Manager: versions, staging labels, rotation)");
  top->require_subcommand(1);
  AddArnScopeOptions(*top, *globals);
  auto add = [&](const char* name, const char* help, bool takes_id = true) {
    auto o = std::make_shared<Options>();
    CLI::App* c = top->add_subcommand(name, help);
    if (takes_id) c->add_option("secret", o->id, "the secret's name or ARN")->required();
    return std::pair{c, o};
  };

  auto create = add("create", "make a secret with its first version (AWSCURRENT)");
  create.first->add_option("--key", create.second->key,
                           "KMS key (default: the managed key alias/envelope/secrets)");
  create.first->add_option("--description", create.second->description, "free text");
  create.first->add_flag("--binary", create.second->binary, "a binary value (SecretBinary)");
  AddValueOptions(*create.first, create.second->value);
  out.push_back(
      {create.first, WithSecrets(globals, [o = create.second](SecretStore& s) -> Result<void> {
         auto value = ReadValue(o->value, "secret value", secrets::kMaxSecretValueSize);
         ENVELOPE_RETURN_IF_ERROR(value);
         auto made = s.Create(o->id, {std::move(*value), o->binary, {}}, o->key, o->description);
         ENVELOPE_RETURN_IF_ERROR(made);
         PrintJson(
             {{"ARN", made->arn}, {"Name", made->name}, {"VersionId", made->version.version_id}});
         return {};
       })});

  auto get = add("get-value", "print a version's value (JSON; default AWSCURRENT)");
  get.first->add_option("--version-id", get.second->version_id, "a version id");
  get.first->add_option("--version-stage", get.second->stage, "a staging label (AWSPENDING, ...)");
  out.push_back({get.first, WithSecrets(globals, [o = get.second](SecretStore& s) -> Result<void> {
                   auto v = s.GetValue(o->id, o->version_id, o->stage);
                   ENVELOPE_RETURN_IF_ERROR(v);
                   nlohmann::json j = {{"ARN", v->arn},
                                       {"Name", v->name},
                                       {"VersionId", v->version.version_id},
                                       {"VersionStages", v->version.stages},
                                       {"CreatedDate", FormatTime(v->version.created)}};
                   const std::string text(reinterpret_cast<const char*>(v->value.data()),
                                          v->value.size());
                   if (v->binary) {
                     j["SecretBinary"] = Base64(v->value.span());
                   } else {
                     j["SecretString"] = text;
                   }
                   PrintJson(j);
                   return {};
                 })});

  auto put = add("put-value", "add a version (AWSCURRENT unless --version-stage)");
  put.first->add_option("--version-id", put.second->version_id,
                        "client request token: the new version's id (32-64 characters)");
  put.first->add_option("--version-stage", put.second->stages, "staging labels; repeatable");
  put.first->add_flag("--binary", put.second->binary, "a binary value (SecretBinary)");
  AddValueOptions(*put.first, put.second->value);
  out.push_back(
      {put.first, WithSecrets(globals, [o = put.second](SecretStore& s) -> Result<void> {
         auto value = ReadValue(o->value, "secret value", secrets::kMaxSecretValueSize);
         ENVELOPE_RETURN_IF_ERROR(value);
         auto v = s.PutValue(o->id, {std::move(*value), o->binary, o->version_id}, o->stages);
         ENVELOPE_RETURN_IF_ERROR(v);
         PrintJson({{"ARN", v->arn},
                    {"Name", v->name},
                    {"VersionId", v->version.version_id},
                    {"VersionStages", v->version.stages}});
         return {};
       })});

  auto describe = add("describe", "print a secret's metadata and versions (JSON)");
  out.push_back(
      {describe.first, WithSecrets(globals, [o = describe.second](SecretStore& s) -> Result<void> {
         auto info = s.Describe(o->id);
         ENVELOPE_RETURN_IF_ERROR(info);
         PrintJson(InfoJson(*info));
         return {};
       })});

  auto list = add("list", "list secrets (JSON)", false);
  list.first->add_flag("--include-deleted", list.second->include_deleted,
                       "also secrets scheduled for deletion");
  out.push_back(
      {list.first, WithSecrets(globals, [o = list.second](SecretStore& s) -> Result<void> {
         auto all = s.List(o->include_deleted);
         ENVELOPE_RETURN_IF_ERROR(all);
         nlohmann::json items = nlohmann::json::array();
         for (const SecretInfo& info : *all) items.push_back(InfoJson(info));
         PrintJson({{"SecretList", std::move(items)}});
         return {};
       })});

  auto rotate = add("rotate", "configure rotation and rotate now, or run the due rotations", false);
  rotate.first->add_option("secret", rotate.second->id, "the secret (not with --due)");
  rotate.first
      ->add_option("--command", rotate.second->command,
                   "rotation command: an absolute path, run once per step with "
                   "SECRET_ID, CLIENT_REQUEST_TOKEN and STEP in its environment")
      ->type_name("PATH");
  rotate.first
      ->add_option("--every", rotate.second->every_days,
                   "rotate automatically every N days (1-1000; 0: off)")
      ->type_name("DAYS");
  rotate.first->add_flag("--no-rotate-now", rotate.second->no_rotate,
                         "only configure; the first rotation comes when due");
  rotate.first->add_flag("--due", rotate.second->due, "rotate every secret whose rotation is due");
  rotate.first->footer(Examples(
      "  envelope secrets rotate app/db --command /usr/local/bin/rotate-db --every 30\n"
      "  envelope secrets rotate --due        # from cron; `envelope kms serve` does it too"));
  out.push_back(
      {rotate.first, WithSecrets(globals, [o = rotate.second](SecretStore& s) -> Result<void> {
         if (o->due == !o->id.empty()) {
           return MakeError(ErrorCode::invalid_argument, "give a secret or --due");
         }
         if (o->due) {
           std::vector<Error> failures;
           auto rotated = s.RotateDue(&failures);
           ENVELOPE_RETURN_IF_ERROR(rotated);
           PrintJson({{"Rotated", *rotated}});
           if (!failures.empty()) return tl::unexpected(failures.front());
           return {};
         }
         if (!o->command.empty() || o->every_days >= 0) {
           auto set = s.SetRotation(o->id, o->command, std::max(o->every_days, 0));
           ENVELOPE_RETURN_IF_ERROR(set);
         }
         if (o->no_rotate) {
           auto info = s.Describe(o->id);
           ENVELOPE_RETURN_IF_ERROR(info);
           PrintJson(InfoJson(*info));
           return {};
         }
         auto v = s.Rotate(o->id);
         ENVELOPE_RETURN_IF_ERROR(v);
         PrintJson({{"ARN", v->arn}, {"Name", v->name}, {"VersionId", v->version.version_id}});
         return {};
       })});

  auto del = add("delete", "schedule deletion after a recovery window (restore undoes it)");
  del.first->add_option("--recovery-window", del.second->recovery_days, "7 to 30 days")
      ->capture_default_str();
  del.first->add_flag("--force-delete-without-recovery", del.second->force, "delete now, for good");
  out.push_back(
      {del.first, WithSecrets(globals, [o = del.second](SecretStore& s) -> Result<void> {
         auto info = s.Delete(o->id, o->recovery_days, o->force);
         ENVELOPE_RETURN_IF_ERROR(info);
         PrintJson({{"ARN", info->arn},
                    {"Name", info->name},
                    {"DeletionDate", FormatTime(info->deletion_date.value_or(kms::TimePoint{}))}});
         return {};
       })});

  auto restore = add("restore", "cancel a scheduled deletion");
  out.push_back(
      {restore.first, WithSecrets(globals, [o = restore.second](SecretStore& s) -> Result<void> {
         auto info = s.Restore(o->id);
         ENVELOPE_RETURN_IF_ERROR(info);
         PrintJson({{"ARN", info->arn}, {"Name", info->name}});
         return {};
       })});
}

}  // namespace envelope::cli
