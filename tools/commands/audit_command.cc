// envelope audit: the keystore's audit log (our CloudTrail), readable or
// JSON, and `envelope audit verify` to check its hash chain.
#include <cstdio>

#include "cli/exit_codes.h"
#include "commands/admin.h"

namespace envelope::cli {
namespace {

struct AuditArgs {
  bool json = false;
  std::string key;
};

// Field returns member `name` of the record (or of its member `outer`).
std::string Field(const nlohmann::json& line, const char* name, const char* outer = nullptr) {
  const nlohmann::json* object = &line;
  if (outer != nullptr) {
    auto o = line.find(outer);
    if (o == line.end() || !o->is_object()) return "-";
    object = &*o;
  }
  auto it = object->find(name);
  if (it == object->end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

int Show(const Globals& g, const AuditArgs& a) {
  Keystore keystore(g.keystore);
  auto kms = keystore.Get();
  if (!kms) return Fail(kTool, kms.error());
  // Resolve an alias to its key id so --key alias/app finds the key's lines.
  std::string key_id;
  if (!a.key.empty()) {
    auto key = (*kms)->DescribeKey(a.key);
    // A key that no longer exists still has lines; a reference that cannot
    // name any key (not UTF-8) is a usage error.
    if (!key && key.error().code() == ErrorCode::invalid_argument) return Fail(kTool, key.error());
    key_id = key ? key->key_id : a.key;
  }
  nlohmann::json all = nlohmann::json::array();
  const int walked = ForEachAuditLine(**kms, [&](nlohmann::json&& line) {
    if (!key_id.empty() && Field(line, "keyId", "requestParameters") != key_id) return;
    if (a.json) {
      all.push_back(std::move(line));
      return;
    }
    std::string outcome = "success";
    if (line.contains("errorCode")) {
      outcome = "failure (" + Field(line, "errorCode") + ": " + Field(line, "errorMessage") + ")";
    }
    std::printf("%s  %-28s  %-36s  v%-3s  %s\n", Field(line, "eventTime").c_str(),
                Field(line, "eventName").c_str(), Field(line, "keyId", "requestParameters").c_str(),
                Field(line, "keyVersion", "additionalEventData").c_str(), outcome.c_str());
  });
  if (walked != kExitOk) return walked;
  if (a.json) PrintJson(all);
  return kExitOk;
}

int Verify(const Globals& g) {
  Keystore keystore(g.keystore);
  auto kms = keystore.Get();
  if (!kms) return Fail(kTool, kms.error());
  auto report = (*kms)->VerifyAuditLog();
  if (!report) return Fail(kTool, report.error());
  if (!report->intact) {
    PrintError(kTool,
               "audit log broken at line " + std::to_string(report->first_bad_line) + ": " +
                   report->problem,
               {"lines were changed, removed or reordered after they were written; keep a copy "
                "of the log and investigate"});
    return kExitAuth;
  }
  std::printf("audit log intact: %llu lines\n", static_cast<unsigned long long>(report->lines));
  return kExitOk;
}

}  // namespace

void RegisterAuditCommands(CLI::App& app, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<AuditArgs>();
  CLI::App* audit = app.add_subcommand("audit", "show the audit log of every key operation");
  audit->add_flag("--json", a->json, "JSON array of the log lines");
  audit->add_option("--key", a->key, "only the lines of this key (id or alias)");
  audit->footer(Examples("envelope audit --key alias/web\n  envelope audit verify"));
  out.push_back({audit, [g, a] { return Show(*g, *a); }});

  CLI::App* verify = audit->add_subcommand(
      "verify", "check the log's hash chain (exit 3 if a line was changed, removed or reordered)");
  verify->footer(Examples("envelope audit verify"));
  out.push_back({verify, [g] { return Verify(*g); }});
  RegisterAuditLookup(*audit, g, out);
}

}  // namespace envelope::cli
