// envelope audit lookup: find audit records as `aws cloudtrail lookup-events`
// does: by event name, user, key, time range, or refusals only; newest
// first; --json answers in lookup-events' shape
//   {"Events": [{"EventId", "EventName", "ReadOnly", "AccessKeyId",
//                "EventTime", "EventSource", "Username",
//                "Resources": [{"ResourceType", "ResourceName"}],
//                "CloudTrailEvent": "<the record as a JSON string>"}]}
#include <cstdio>
#include <vector>

#include "cli/exit_codes.h"
#include "commands/admin.h"

namespace envelope::cli {
namespace {

struct LookupArgs {
  std::string event_name;
  std::string user;
  std::string key;
  std::string start_time;
  std::string end_time;
  bool errors_only = false;
  bool json = false;
  size_t max_results = 50;
};

std::string Str(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Matches applies the filters to one record.
bool Matches(const nlohmann::json& r, const LookupArgs& a, const std::string& key_id) {
  if (!a.event_name.empty() && Str(r, "eventName") != a.event_name) return false;
  if (a.errors_only && !r.contains("errorCode")) return false;
  const nlohmann::json identity = r.value("userIdentity", nlohmann::json::object());
  if (!a.user.empty() && Str(identity, "userName") != a.user && Str(identity, "arn") != a.user) {
    return false;
  }
  if (!key_id.empty()) {
    const nlohmann::json params = r.value("requestParameters", nlohmann::json::object());
    if (Str(params, "keyId") != key_id) return false;
  }
  // RFC 3339 UTC times of one format compare as text.
  const std::string time = Str(r, "eventTime");
  if (!a.start_time.empty() && time < a.start_time) return false;
  if (!a.end_time.empty() && time > a.end_time) return false;
  return true;
}

nlohmann::json LookupEvent(const nlohmann::json& r) {
  const nlohmann::json identity = r.value("userIdentity", nlohmann::json::object());
  nlohmann::json resources = nlohmann::json::array();
  for (const auto& res : r.value("resources", nlohmann::json::array())) {
    resources.push_back({{"ResourceType", Str(res, "type")}, {"ResourceName", Str(res, "ARN")}});
  }
  const std::string user = Str(identity, "userName");
  return {{"EventId", Str(r, "eventID")},
          {"EventName", Str(r, "eventName")},
          {"ReadOnly", r.value("readOnly", false) ? "true" : "false"},
          {"AccessKeyId", Str(identity, "accessKeyId")},
          {"EventTime", Str(r, "eventTime")},
          {"EventSource", Str(r, "eventSource")},
          {"Username", user.empty() ? Str(identity, "type") == "Root" ? "root" : "" : user},
          {"Resources", std::move(resources)},
          {"CloudTrailEvent", r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}};
}

int Lookup(const Globals& g, const LookupArgs& a) {
  Keystore keystore(g.keystore);
  auto kms = keystore.Get();
  if (!kms) return Fail(kTool, kms.error());
  // An alias names its key through ListAliases, which needs no permission
  // on the key itself (a key whose policy shuts the root out still has
  // records to find); a key id is taken as it is.
  std::string key_id = a.key;
  if (a.key.starts_with("alias/")) {
    auto aliases = (*kms)->ListAliases();
    if (!aliases) return Fail(kTool, aliases.error());
    for (const auto& alias : *aliases) {
      if (alias.alias_name == a.key) key_id = alias.target_key_id;
    }
  }
  std::vector<nlohmann::json> found;
  const int walked = ForEachAuditLine(**kms, [&](nlohmann::json&& record) {
    if (Matches(record, a, key_id)) found.push_back(std::move(record));
  });
  if (walked != kExitOk) return walked;
  nlohmann::json events = nlohmann::json::array();
  size_t shown = 0;
  for (auto it = found.rbegin(); it != found.rend() && shown < a.max_results; ++it, ++shown) {
    if (a.json) {
      events.push_back(LookupEvent(*it));
      continue;
    }
    const nlohmann::json identity = it->value("userIdentity", nlohmann::json::object());
    std::string who = Str(identity, "arn");
    std::printf("%s  %-24s  %-48s  %s%s\n", Str(*it, "eventTime").c_str(),
                Str(*it, "eventName").c_str(), who.empty() ? "-" : who.c_str(),
                it->contains("errorCode") ? Str(*it, "errorCode").c_str() : "ok",
                it->contains("errorCode") ? (": " + Str(*it, "errorMessage")).c_str() : "");
  }
  if (a.json) PrintJson({{"Events", std::move(events)}});
  return kExitOk;
}

}  // namespace

void RegisterAuditLookup(CLI::App& audit, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<LookupArgs>();
  CLI::App* lookup = audit.add_subcommand(
      "lookup", "find audit records (as aws cloudtrail lookup-events), newest first");
  lookup->add_option("--event-name", a->event_name,
                     "only this API operation (Encrypt, PutKeyPolicy, ...)");
  lookup->add_option("--user", a->user, "only this user (name or ARN)");
  lookup->add_option("--key", a->key, "only this key (id or alias)");
  lookup->add_option("--start-time", a->start_time, "only from this RFC 3339 UTC time on");
  lookup->add_option("--end-time", a->end_time, "only up to this RFC 3339 UTC time");
  lookup->add_flag("--errors-only", a->errors_only, "only refused or failed calls");
  lookup->add_option("--max-results", a->max_results, "at most N records (default 50)");
  lookup->add_flag("--json", a->json, "lookup-events' JSON shape");
  lookup->footer(
      Examples("envelope audit lookup --errors-only --user bob\n"
               "  envelope audit lookup --event-name PutKeyPolicy --key alias/app --json"));
  out.push_back({lookup, [g, a] { return Lookup(*g, *a); }});
}

}  // namespace envelope::cli
