// lib/policy: ParsePolicy, the strict reader of policy documents.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "policy/policy.h"
#include "policy/policy_values.h"

namespace envelope::policy {
namespace {

using nlohmann::json;

constexpr size_t kMaxStatements = 100;
constexpr size_t kMaxListItems = 200;

tl::unexpected<Error> Malformed(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "MalformedPolicyDocumentException: " + what);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// Depth returns the deepest nesting of arrays and objects in `text`, looking
// past strings, or stops counting at `limit` + 1. It runs before the JSON
// parser so a deep document costs one linear scan.
int Depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

struct OperatorName {
  std::string_view name;
  ConditionOp op;
};

constexpr OperatorName kOperators[] = {
    {"StringEquals", ConditionOp::string_equals},
    {"StringNotEquals", ConditionOp::string_not_equals},
    {"StringEqualsIgnoreCase", ConditionOp::string_equals_ignore_case},
    {"StringNotEqualsIgnoreCase", ConditionOp::string_not_equals_ignore_case},
    {"StringLike", ConditionOp::string_like},
    {"StringNotLike", ConditionOp::string_not_like},
    {"NumericEquals", ConditionOp::numeric_equals},
    {"NumericNotEquals", ConditionOp::numeric_not_equals},
    {"NumericLessThan", ConditionOp::numeric_less_than},
    {"NumericLessThanEquals", ConditionOp::numeric_less_than_equals},
    {"NumericGreaterThan", ConditionOp::numeric_greater_than},
    {"NumericGreaterThanEquals", ConditionOp::numeric_greater_than_equals},
    {"DateEquals", ConditionOp::date_equals},
    {"DateNotEquals", ConditionOp::date_not_equals},
    {"DateLessThan", ConditionOp::date_less_than},
    {"DateLessThanEquals", ConditionOp::date_less_than_equals},
    {"DateGreaterThan", ConditionOp::date_greater_than},
    {"DateGreaterThanEquals", ConditionOp::date_greater_than_equals},
    {"Bool", ConditionOp::boolean},
    {"IpAddress", ConditionOp::ip_address},
    {"NotIpAddress", ConditionOp::not_ip_address},
    {"ArnEquals", ConditionOp::arn_equals},
    {"ArnNotEquals", ConditionOp::arn_not_equals},
    {"ArnLike", ConditionOp::arn_like},
    {"ArnNotLike", ConditionOp::arn_not_like},
    {"Null", ConditionOp::null},
};

Result<void> ParseOperator(std::string_view name, Condition& c) {
  c.op_name = std::string(name);
  std::string_view base = name;
  if (base.starts_with("ForAnyValue:")) {
    c.set = SetQualifier::for_any_value;
    base.remove_prefix(12);
  } else if (base.starts_with("ForAllValues:")) {
    c.set = SetQualifier::for_all_values;
    base.remove_prefix(13);
  }
  if (base.ends_with("IfExists") && base != "IfExists") {
    c.if_exists = true;
    base.remove_suffix(8);
  }
  const auto* op = std::find_if(std::begin(kOperators), std::end(kOperators),
                                [&](const OperatorName& o) { return o.name == base; });
  if (op == std::end(kOperators)) return Malformed("unknown condition operator " + c.op_name);
  c.op = op->op;
  if (c.op == ConditionOp::null && (c.if_exists || c.set != SetQualifier::none)) {
    return Malformed("condition operator " + c.op_name + " is not allowed");
  }
  return {};
}

// ValidValue checks a condition value the operator must be able to read.
bool ValidValue(ConditionOp op, const std::string& v) {
  switch (op) {
    case ConditionOp::numeric_equals:
    case ConditionOp::numeric_not_equals:
    case ConditionOp::numeric_less_than:
    case ConditionOp::numeric_less_than_equals:
    case ConditionOp::numeric_greater_than:
    case ConditionOp::numeric_greater_than_equals:
      return internal::ParseNumber(v).has_value();
    case ConditionOp::date_equals:
    case ConditionOp::date_not_equals:
    case ConditionOp::date_less_than:
    case ConditionOp::date_less_than_equals:
    case ConditionOp::date_greater_than:
    case ConditionOp::date_greater_than_equals:
      return internal::ParseDate(v).has_value();
    case ConditionOp::ip_address:
    case ConditionOp::not_ip_address:
      return internal::ParseIpBlock(v).has_value();
    case ConditionOp::boolean:
    case ConditionOp::null:
      return Lower(v) == "true" || Lower(v) == "false";
    default:
      return true;
  }
}

// Scalar turns a JSON string, boolean or number into the text AWS compares.
std::optional<std::string> Scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer()) return v.dump();
  return std::nullopt;
}

// StringList reads a string or a non-empty list of strings.
Result<std::vector<std::string>> StringList(const json& v, const std::string& what) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array() || v.empty() || v.size() > kMaxListItems) {
    return Malformed(what + " must be a string or a list of 1 to 200 strings");
  }
  for (const json& item : v) {
    if (!item.is_string()) return Malformed(what + " must hold only strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<void> ParseConditions(const json& block, Statement& s) {
  if (!block.is_object() || block.empty()) return Malformed("Condition must be a non-empty object");
  for (const auto& [name, keys] : block.items()) {
    if (!keys.is_object() || keys.empty()) {
      return Malformed("condition " + name + " must be a non-empty object of keys");
    }
    for (const auto& [key, values] : keys.items()) {
      Condition c;
      if (auto ok = ParseOperator(name, c); !ok) return ok;
      if (key.empty() || key.size() > 256) return Malformed("a condition key is empty or too long");
      c.key = Lower(key);
      std::vector<json> items =
          values.is_array() ? values.get<std::vector<json>>() : std::vector<json>{values};
      if (items.empty() || items.size() > kMaxListItems) {
        return Malformed("condition " + name + " on " + key + " needs 1 to 200 values");
      }
      for (const json& item : items) {
        auto text = Scalar(item);
        if (!text) return Malformed("condition values must be strings, booleans or integers");
        if (!ValidValue(c.op, *text)) {
          return Malformed("value '" + text->substr(0, 64) + "' of " + name + " on " + key +
                           " does not parse");
        }
        c.values.push_back(std::move(*text));
      }
      s.conditions.push_back(std::move(c));
    }
  }
  return {};
}

// NormalisePrincipal turns an account id into its root ARN.
Result<std::string> NormalisePrincipal(const std::string& p) {
  if (p == "*") return p;
  if (p.size() == 12 &&
      std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return RootArn(p);
  }
  if (p.starts_with("arn:") && p.find(":iam::") != std::string::npos &&
      p.find('*') == std::string::npos) {
    return p;
  }
  return Malformed("invalid principal '" + p.substr(0, 128) +
                   "': expected \"*\", an account id or an IAM ARN");
}

Result<void> ParsePrincipal(const json& v, Statement& s) {
  std::vector<std::string> values;
  if (v.is_string()) {
    if (v.get<std::string>() != "*") return Malformed("Principal must be \"*\" or {\"AWS\": ...}");
    values.push_back("*");
  } else if (v.is_object() && v.size() == 1 && v.contains("AWS")) {
    auto list = StringList(v["AWS"], "Principal.AWS");
    ENVELOPE_RETURN_IF_ERROR(list);
    values = std::move(*list);
  } else {
    return Malformed(
        "Principal must be \"*\" or {\"AWS\": ...} (other principal types are not supported)");
  }
  for (const std::string& p : values) {
    auto n = NormalisePrincipal(p);
    ENVELOPE_RETURN_IF_ERROR(n);
    s.principals.push_back(std::move(*n));
  }
  return {};
}

Result<void> ValidateActions(const std::vector<std::string>& actions) {
  for (const std::string& a : actions) {
    const size_t colon = a.find(':');
    const bool ok = a == "*" || (colon != std::string::npos && colon > 0 && colon + 1 < a.size() &&
                                 a.find(':', colon + 1) == std::string::npos);
    if (!ok) return Malformed("invalid action '" + a.substr(0, 128) + "': expected service:Action");
  }
  return {};
}

Result<Statement> ParseStatement(const json& j, PolicyKind kind) {
  if (!j.is_object()) return Malformed("each statement must be an object");
  Statement s;
  for (const auto& [name, value] : j.items()) {
    if (name != "Sid" && name != "Effect" && name != "Principal" && name != "NotPrincipal" &&
        name != "Action" && name != "NotAction" && name != "Resource" && name != "NotResource" &&
        name != "Condition") {
      return Malformed("unknown statement member " + name.substr(0, 64));
    }
  }
  if (j.contains("Sid")) {
    if (!j["Sid"].is_string()) return Malformed("Sid must be a string");
    s.sid = j["Sid"].get<std::string>();
  }
  if (!j.contains("Effect") || !j["Effect"].is_string() ||
      (j["Effect"] != "Allow" && j["Effect"] != "Deny")) {
    return Malformed("Effect must be \"Allow\" or \"Deny\"");
  }
  s.allow = j["Effect"] == "Allow";
  const bool p = j.contains("Principal"), np = j.contains("NotPrincipal");
  if (kind == PolicyKind::resource && p == np) {
    return Malformed("a key policy statement needs exactly one of Principal and NotPrincipal");
  }
  if (kind == PolicyKind::identity && (p || np)) {
    return Malformed("an identity policy statement cannot name a Principal");
  }
  if (p || np) {
    s.has_principal = true;
    s.not_principal = np;
    ENVELOPE_RETURN_IF_ERROR(ParsePrincipal(j[np ? "NotPrincipal" : "Principal"], s));
  }
  const bool a = j.contains("Action"), na = j.contains("NotAction");
  if (a == na) return Malformed("a statement needs exactly one of Action and NotAction");
  s.not_action = na;
  auto actions = StringList(j[na ? "NotAction" : "Action"], na ? "NotAction" : "Action");
  ENVELOPE_RETURN_IF_ERROR(actions);
  ENVELOPE_RETURN_IF_ERROR(ValidateActions(*actions));
  s.actions = std::move(*actions);
  const bool r = j.contains("Resource"), nr = j.contains("NotResource");
  if (r == nr) return Malformed("a statement needs exactly one of Resource and NotResource");
  s.not_resource = nr;
  auto resources = StringList(j[nr ? "NotResource" : "Resource"], nr ? "NotResource" : "Resource");
  ENVELOPE_RETURN_IF_ERROR(resources);
  s.resources = std::move(*resources);
  if (j.contains("Condition")) {
    ENVELOPE_RETURN_IF_ERROR(ParseConditions(j["Condition"], s));
  }
  return s;
}

}  // namespace

Result<Document> ParsePolicy(std::string_view text, PolicyKind kind) {
  if (text.size() > kMaxPolicySize) {
    return Malformed("the policy is longer than " + std::to_string(kMaxPolicySize) + " bytes");
  }
  if (Depth(text, kMaxPolicyDepth) > kMaxPolicyDepth) {
    return Malformed("the policy nests deeper than " + std::to_string(kMaxPolicyDepth) + " levels");
  }
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Malformed("the policy is not a JSON object");
  for (const auto& [name, value] : j.items()) {
    if (name != "Version" && name != "Id" && name != "Statement") {
      return Malformed("unknown policy member " + name.substr(0, 64));
    }
  }
  if (!j.contains("Version") || j["Version"] != "2012-10-17") {
    return Malformed("Version must be \"2012-10-17\"");
  }
  Document doc;
  if (j.contains("Id")) {
    if (!j["Id"].is_string()) return Malformed("Id must be a string");
    doc.id = j["Id"].get<std::string>();
  }
  if (!j.contains("Statement")) return Malformed("the policy has no Statement");
  const json& st = j["Statement"];
  std::vector<json> statements =
      st.is_array() ? st.get<std::vector<json>>() : std::vector<json>{st};
  if (statements.empty() || statements.size() > kMaxStatements) {
    return Malformed("Statement must hold 1 to " + std::to_string(kMaxStatements) + " statements");
  }
  for (const json& s : statements) {
    auto parsed = ParseStatement(s, kind);
    ENVELOPE_RETURN_IF_ERROR(parsed);
    doc.statements.push_back(std::move(*parsed));
  }
  return doc;
}

}  // namespace envelope::policy
