// envelope keys policy get|put and envelope kms users ...: who may use which
// key. Key policies and users live in the keystore (lib/kms iam_*.cc); the
// CLI acts as the keystore owner's root.
//
//   envelope keys policy put alias/app --policy-file policy.json
//   envelope kms users create alice
//   envelope kms users create carol --account 444455556666
//   envelope kms users put-policy carol --policy-file identity.json
#include <fstream>
#include <iterator>

#include "commands/admin.h"

namespace envelope::cli {
namespace {

// kMaxPolicyFile bounds what is read; the KMS itself refuses documents over
// 32 KiB with MalformedPolicyDocumentException.
constexpr size_t kMaxPolicyFile = 65536;

// ReadPolicyFile reads a policy document of at most kMaxPolicyFile bytes.
Result<std::string> ReadPolicyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::io, "cannot read policy file " + path);
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxPolicyFile) {
      return MakeError(ErrorCode::invalid_argument, "policy file " + path + " is longer than " +
                                                        std::to_string(kMaxPolicyFile) + " bytes");
    }
  }
  if (in.bad()) return MakeError(ErrorCode::io, "cannot read policy file " + path);
  return text;
}

CLI::App* Find(CLI::App& app, const std::string& name) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

struct IamArgs {
  std::string key;
  std::string user;
  std::string account;
  std::string policy_file;
  bool bypass = false;
  bool json = false;
};

void RegisterKeyPolicyCommands(CLI::App& keys, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<IamArgs>();
  CLI::App* policy = keys.add_subcommand("policy", "the key policy: who may use a key, and how");
  policy->require_subcommand(1);
  CLI::App* get = policy->add_subcommand("get", "print the key policy of KEY");
  get->add_option("KEY", a->key, "key id or alias")->required();
  get->footer(Examples("envelope keys policy get alias/app"));
  out.push_back({get, WithKms(g, [a](kms::Kms& k) -> Result<void> {
                   auto text = k.GetKeyPolicy(a->key);
                   ENVELOPE_RETURN_IF_ERROR(text);
                   std::printf("%s\n", text->c_str());
                   return {};
                 })});
  CLI::App* put = policy->add_subcommand("put", "replace the key policy of KEY");
  put->add_option("KEY", a->key, "key id or alias")->required();
  put->add_option("--policy-file", a->policy_file, "IAM policy JSON")
      ->required()
      ->type_name("FILE");
  put->add_flag("--bypass-policy-lockout-safety-check", a->bypass,
                "accept a policy that would lock the account out of the key");
  put->footer(Examples("envelope keys policy put alias/app --policy-file policy.json"));
  out.push_back({put, WithKms(g, [a](kms::Kms& k) -> Result<void> {
                   auto text = ReadPolicyFile(a->policy_file);
                   ENVELOPE_RETURN_IF_ERROR(text);
                   return k.PutKeyPolicy(a->key, *text, a->bypass);
                 })});
}

void RegisterUserCommands(CLI::App& kms, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<IamArgs>();
  CLI::App* users = kms.add_subcommand("users", "users: the principals that own access keys");
  users->require_subcommand(1);
  CLI::App* create = users->add_subcommand("create", "add user NAME (prints its ARN)");
  create->add_option("NAME", a->user, "user name")->required();
  create->add_option("--account", a->account, "12-digit account (default: the keystore's)");
  create->footer(
      Examples("envelope kms users create alice\n"
               "  envelope kms access-keys create --user alice --secret-file alice.secret"));
  out.push_back({create, WithKms(g, [a](kms::Kms& k) -> Result<void> {
                   auto user = k.CreateUser(a->user, a->account);
                   ENVELOPE_RETURN_IF_ERROR(user);
                   std::printf("%s\n", user->arn.c_str());
                   return {};
                 })});
  CLI::App* list = users->add_subcommand("list", "list users");
  list->add_flag("--json", a->json, "JSON output");
  out.push_back({list, WithKms(g, [a](kms::Kms& k) -> Result<void> {
                   auto listed = k.ListUsers();
                   ENVELOPE_RETURN_IF_ERROR(listed);
                   nlohmann::json rows = nlohmann::json::array();
                   for (const auto& u : *listed) {
                     if (a->json) {
                       rows.push_back({{"UserName", u.user_name},
                                       {"Arn", u.arn},
                                       {"CreateDate", FormatTime(u.creation_date)},
                                       {"HasPolicy", u.has_policy}});
                     } else {
                       std::printf("%s  %s%s\n", u.user_name.c_str(), u.arn.c_str(),
                                   u.has_policy ? "  (policy)" : "");
                     }
                   }
                   if (a->json) PrintJson({{"Users", rows}});
                   return {};
                 })});
  CLI::App* remove =
      users->add_subcommand("delete", "remove user NAME (delete its access keys first)");
  remove->add_option("NAME", a->user, "user name")->required();
  out.push_back({remove, WithKms(g, [a](kms::Kms& k) { return k.DeleteUser(a->user); })});
  CLI::App* put = users->add_subcommand("put-policy", "attach an identity policy to NAME");
  put->add_option("NAME", a->user, "user name")->required();
  put->add_option("--policy-file", a->policy_file, "IAM policy JSON (no Principal)")
      ->required()
      ->type_name("FILE");
  out.push_back({put, WithKms(g, [a](kms::Kms& k) -> Result<void> {
                   auto text = ReadPolicyFile(a->policy_file);
                   ENVELOPE_RETURN_IF_ERROR(text);
                   return k.PutUserPolicy(a->user, *text);
                 })});
  CLI::App* get = users->add_subcommand("get-policy", "print the identity policy of NAME");
  get->add_option("NAME", a->user, "user name")->required();
  out.push_back({get, WithKms(g, [a](kms::Kms& k) -> Result<void> {
                   auto text = k.GetUserPolicy(a->user);
                   ENVELOPE_RETURN_IF_ERROR(text);
                   std::printf("%s\n", text->c_str());
                   return {};
                 })});
}

}  // namespace

void RegisterIamCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out) {
  if (CLI::App* keys = Find(app, "keys")) RegisterKeyPolicyCommands(*keys, globals, out);
  if (CLI::App* kms = Find(app, "kms")) RegisterUserCommands(*kms, globals, out);
}

}  // namespace envelope::cli
