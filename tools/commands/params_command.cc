// envelope params: parameters on the KMS, as SSM Parameter Store keeps them
// (lib/secrets). A value is read from a file, a descriptor, an environment
// variable or the terminal, never from the command line (value_source.h).

#include "commands/admin.h"
#include "commands/value_source.h"
#include "envelope/secrets.hpp"

namespace envelope::cli {
namespace {

using secrets::Parameter;
using secrets::ParameterStore;

nlohmann::json ParameterJson(const Parameter& p, bool history) {
  nlohmann::json j = {
      {"Name", p.name},
      {"Type", std::string(secrets::ParameterTypeName(p.type))},
      {"Value", std::string(reinterpret_cast<const char*>(p.value.data()), p.value.size())},
      {"Version", p.version},
      {"LastModifiedDate", FormatTime(p.last_modified)},
      {"ARN", p.arn},
      {"DataType", "text"}};
  if (!p.selector.empty()) j["Selector"] = p.selector;
  if (history) {
    j.erase("ARN");
    j["Labels"] = p.labels;
    j["LastModifiedUser"] = p.modified_by;
    if (!p.description.empty()) j["Description"] = p.description;
    if (!p.key_id.empty()) j["KeyId"] = p.key_id;
    j["Tier"] = "Standard";
  }
  return j;
}

nlohmann::json ParameterList(const std::vector<Parameter>& ps, bool history) {
  nlohmann::json list = nlohmann::json::array();
  for (const Parameter& p : ps) list.push_back(ParameterJson(p, history));
  return list;
}

// WithStore opens the keystore and its parameters for `body`.
template <typename Body>
std::function<int()> WithStore(std::shared_ptr<Globals> g, Body body) {
  return WithKms(g, [g, body](kms::Kms& k) -> Result<void> {
    auto store = ParameterStore::Open(k, {"aws", g->region, g->account});
    ENVELOPE_RETURN_IF_ERROR(store);
    return body(*store);
  });
}

}  // namespace

void RegisterParamsCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out) {
  CLI::App* params = app.add_subcommand(
      "params", "parameters on the KMS (SSM Parameter Store: String, StringList, SecureString)");
  params->require_subcommand(1);
  AddArnScopeOptions(*params, *globals);

  struct PutOptions {
    std::string name, type = "SecureString", key, description;
    bool overwrite = false;
    ValueSource value;
  };
  auto put_o = std::make_shared<PutOptions>();
  CLI::App* put = params->add_subcommand("put", "store a parameter or a new version of one");
  put->add_option("name", put_o->name, "hierarchical name such as /app/prod/db-password")
      ->required();
  put->add_option("--type", put_o->type, "String, StringList or SecureString")
      ->capture_default_str();
  put->add_option("--key", put_o->key,
                  "KMS key of a SecureString (default: the managed key alias/envelope/params)")
      ->type_name("KEY");
  put->add_flag("--overwrite", put_o->overwrite, "add a version to an existing parameter");
  put->add_option("--description", put_o->description, "free text, at most 1024 characters");
  AddValueOptions(*put, put_o->value);
  put->footer(
      Examples("  envelope params put /app/prod/db-password --value-file pw.txt\n"
               "  printf %s \"$TOKEN\" | envelope params put /app/token --value-fd 0 --overwrite"));
  out.push_back({put, WithStore(globals, [put_o](ParameterStore& s) -> Result<void> {
                   auto type = secrets::ParseParameterType(put_o->type);
                   ENVELOPE_RETURN_IF_ERROR(type);
                   auto value =
                       ReadValue(put_o->value, "parameter value", secrets::kMaxParameterValueSize);
                   ENVELOPE_RETURN_IF_ERROR(value);
                   secrets::PutParameterRequest r{
                       put_o->name,        *type,  std::move(*value), put_o->key, put_o->overwrite,
                       put_o->description, "local"};
                   auto version = s.Put(r);
                   ENVELOPE_RETURN_IF_ERROR(version);
                   PrintJson({{"Version", *version}, {"Tier", "Standard"}});
                   return {};
                 })});

  struct ReadOptions {
    std::string name;
    bool decrypt = false, recursive = false;
    int64_t version = 0;
    std::vector<std::string> labels;
  };
  auto add_read = [&](const char* verb, const char* help, bool path) {
    auto o = std::make_shared<ReadOptions>();
    CLI::App* c = params->add_subcommand(verb, help);
    c->add_option(path ? "path" : "name", o->name,
                  path ? "a path such as /app/prod" : "NAME, NAME:VERSION or NAME:LABEL")
        ->required();
    c->add_flag("--with-decryption", o->decrypt,
                "decrypt SecureString values (a KMS Decrypt, audited); else their ciphertext");
    if (path)
      c->add_flag("--recursive", o->recursive, "every level below the path, not only the next");
    return std::pair{c, o};
  };
  auto get_pair = add_read("get", "print a parameter (JSON)", false);
  out.push_back(
      {get_pair.first, WithStore(globals, [o = get_pair.second](ParameterStore& s) -> Result<void> {
         auto p = s.Get(o->name, o->decrypt);
         ENVELOPE_RETURN_IF_ERROR(p);
         PrintJson({{"Parameter", ParameterJson(*p, false)}});
         return {};
       })});
  auto by_path_pair = add_read("get-by-path", "print the parameters under a path (JSON)", true);
  out.push_back({by_path_pair.first,
                 WithStore(globals, [o = by_path_pair.second](ParameterStore& s) -> Result<void> {
                   auto ps = s.GetByPath(o->name, o->recursive, o->decrypt);
                   ENVELOPE_RETURN_IF_ERROR(ps);
                   PrintJson({{"Parameters", ParameterList(*ps, false)}});
                   return {};
                 })});
  auto history_pair = add_read("history", "print every kept version (JSON)", false);
  out.push_back({history_pair.first,
                 WithStore(globals, [o = history_pair.second](ParameterStore& s) -> Result<void> {
                   auto ps = s.History(o->name, o->decrypt);
                   ENVELOPE_RETURN_IF_ERROR(ps);
                   PrintJson({{"Parameters", ParameterList(*ps, true)}});
                   return {};
                 })});

  auto label_o = std::make_shared<ReadOptions>();
  CLI::App* label = params->add_subcommand("label", "attach labels to a version (moving them)");
  label->add_option("name", label_o->name, "the parameter")->required();
  label->add_option("labels", label_o->labels, "1 to 10 labels")->required();
  label->add_option("--version", label_o->version, "the version (default: the latest)");
  out.push_back(
      {label, WithStore(globals, [o = label_o](ParameterStore& s) -> Result<void> {
         auto r = s.Label(o->name, o->version, o->labels);
         ENVELOPE_RETURN_IF_ERROR(r);
         PrintJson({{"InvalidLabels", r->invalid_labels}, {"ParameterVersion", r->version}});
         return {};
       })});

  auto delete_o = std::make_shared<ReadOptions>();
  CLI::App* del = params->add_subcommand("delete", "delete a parameter and all its versions");
  del->add_option("name", delete_o->name, "the parameter")->required();
  out.push_back({del, WithStore(globals, [o = delete_o](ParameterStore& s) -> Result<void> {
                   return s.Delete(o->name);
                 })});
}

}  // namespace envelope::cli
