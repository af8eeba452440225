#include "kms/iam_state.h"

#include <stdexcept>

namespace envelope::kms::internal {
namespace {

using nlohmann::json;

void Require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

const json& Object(const json& j, const char* name) {
  static const json kEmpty = json::object();
  if (!j.contains(name)) return kEmpty;
  Require(j.at(name).is_object(), "iam members must be objects");
  return j.at(name);
}

std::string Text(const json& j, const char* name, bool required = true) {
  if (!j.contains(name)) {
    Require(!required, "iam record without a required member");
    return {};
  }
  Require(j.at(name).is_string(), "iam text member is not a string");
  return j.at(name).get<std::string>();
}

int64_t Ms(const json& j) {
  Require(j.contains("created") && j.at("created").is_number_integer(),
          "iam record without a time");
  return j.at("created").get<int64_t>();
}

EncryptionContext Context(const json& j, const char* name) {
  EncryptionContext c;
  for (const auto& [k, v] : Object(j, name).items()) {
    Require(v.is_string(), "grant constraint values must be strings");
    c.emplace(k, v.get<std::string>());
  }
  return c;
}

}  // namespace

void EncodeIam(const IamState& iam, const std::function<bool(const std::string&)>& key_exists,
               json& doc) {
  json out = json::object();
  if (!iam.users.empty()) {
    json users = json::object();
    for (const auto& [name, u] : iam.users) {
      users[name] = {{"account", u.account}, {"created", u.created_ms}};
      if (!u.policy.empty()) users[name]["policy"] = u.policy;
    }
    out["users"] = std::move(users);
  }
  if (!iam.access_key_users.empty()) out["access_key_users"] = iam.access_key_users;
  json policies = json::object();
  for (const auto& [id, text] : iam.key_policies) {
    if (key_exists(id)) policies[id] = text;
  }
  if (!policies.empty()) out["key_policies"] = std::move(policies);
  json grants = json::object();
  for (const auto& [id, g] : iam.grants) {
    if (!key_exists(g.key_id)) continue;
    grants[id] = {{"key", g.key_id},    {"grantee", g.grantee}, {"retiring", g.retiring},
                  {"issuer", g.issuer}, {"name", g.name},       {"operations", g.operations},
                  {"equals", g.equals}, {"subset", g.subset},   {"created", g.created_ms}};
  }
  if (!grants.empty()) out["grants"] = std::move(grants);
  if (!out.empty()) doc["iam"] = std::move(out);
}

IamState DecodeIam(const json& doc) {
  IamState iam;
  if (!doc.contains("iam")) return iam;
  const json& j = doc.at("iam");
  Require(j.is_object(), "iam must be an object");
  for (const auto& [name, ju] : Object(j, "users").items()) {
    Require(ju.is_object(), "a user must be an object");
    iam.users[name] = UserRecord{Text(ju, "account"), Ms(ju), Text(ju, "policy", false)};
  }
  for (const auto& [id, user] : Object(j, "access_key_users").items()) {
    Require(user.is_string() && iam.users.count(user.get<std::string>()) == 1,
            "an access key of an unknown user");
    iam.access_key_users[id] = user.get<std::string>();
  }
  for (const auto& [id, text] : Object(j, "key_policies").items()) {
    Require(text.is_string(), "a key policy must be a string");
    iam.key_policies[id] = text.get<std::string>();
  }
  for (const auto& [id, jg] : Object(j, "grants").items()) {
    Require(jg.is_object() && jg.contains("operations") && jg.at("operations").is_array(),
            "a grant must be an object with operations");
    GrantRecord g;
    g.key_id = Text(jg, "key");
    g.grantee = Text(jg, "grantee");
    g.retiring = Text(jg, "retiring", false);
    g.issuer = Text(jg, "issuer", false);
    g.name = Text(jg, "name", false);
    for (const json& op : jg.at("operations")) {
      Require(op.is_string(), "grant operations must be strings");
      g.operations.push_back(op.get<std::string>());
    }
    g.equals = Context(jg, "equals");
    g.subset = Context(jg, "subset");
    g.created_ms = Ms(jg);
    iam.grants.emplace(id, std::move(g));
  }
  return iam;
}

}  // namespace envelope::kms::internal
