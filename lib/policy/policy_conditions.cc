// lib/policy: one condition against a request, as AWS evaluates it.
//
// For one request value r, a positive operator holds when r compares true
// with any policy value; a negated one (StringNotEquals, NotIpAddress, ...)
// when it compares true with none of them. Then:
//   no prefix       key absent: true for a negated operator or ...IfExists,
//                   false otherwise; present: a positive operator holds for
//                   some value, a negated one for every value
//   ForAnyValue:    some request value satisfies it (absent: false)
//   ForAllValues:   every request value satisfies it (absent: true)
//   ...IfExists     an absent key makes the condition true
//   Null            "true": the key is absent; "false": it is present
#include <algorithm>
#include <optional>

#include "policy/policy_match.h"
#include "policy/policy_values.h"

namespace envelope::policy::internal {
namespace {

bool Negated(ConditionOp op) {
  switch (op) {
    case ConditionOp::string_not_equals:
    case ConditionOp::string_not_equals_ignore_case:
    case ConditionOp::string_not_like:
    case ConditionOp::numeric_not_equals:
    case ConditionOp::date_not_equals:
    case ConditionOp::not_ip_address:
    case ConditionOp::arn_not_equals:
    case ConditionOp::arn_not_like:
      return true;
    default:
      return false;
  }
}

// Components splits an ARN (or ARN pattern) at its first five colons.
template <typename Seq>
std::optional<std::vector<Seq>> Components(const Seq& arn, auto is_colon) {
  std::vector<Seq> parts(1);
  for (const auto& c : arn) {
    if (parts.size() < 6 && is_colon(c)) {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  if (parts.size() != 6) return std::nullopt;
  return parts;
}

bool ArnMatch(const Pattern& pattern, const std::string& arn) {
  auto p = Components(pattern, [](const PatternChar& c) { return c.c == ':'; });
  auto t = Components(arn, [](char c) { return c == ':'; });
  if (!p || !t) return false;
  for (size_t i = 0; i < 6; ++i) {
    if (!MatchPattern((*p)[i], (*t)[i], false, true)) return false;
  }
  return true;
}

bool Compare(double a, double b, ConditionOp op) {
  switch (op) {
    case ConditionOp::numeric_equals:
    case ConditionOp::numeric_not_equals:
    case ConditionOp::date_equals:
    case ConditionOp::date_not_equals:
      return a == b;
    case ConditionOp::numeric_less_than:
    case ConditionOp::date_less_than:
      return a < b;
    case ConditionOp::numeric_less_than_equals:
    case ConditionOp::date_less_than_equals:
      return a <= b;
    case ConditionOp::numeric_greater_than:
    case ConditionOp::date_greater_than:
      return a > b;
    default:
      return a >= b;
  }
}

bool IsDate(ConditionOp op) {
  return op >= ConditionOp::date_equals && op <= ConditionOp::date_greater_than_equals;
}
bool IsNumeric(ConditionOp op) {
  return op >= ConditionOp::numeric_equals && op <= ConditionOp::numeric_greater_than_equals;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// PositiveMatch compares request value `r` with policy value `p` under the
// positive form of `op`.
bool PositiveMatch(const Condition& c, const std::string& p, const std::string& r,
                   const RequestContext& request) {
  const ConditionOp op = c.op;
  if (IsNumeric(op) || IsDate(op)) {
    const auto a = IsDate(op) ? ParseDate(r) : ParseNumber(r);
    const auto b = IsDate(op) ? ParseDate(p) : ParseNumber(p);
    return a && b && Compare(*a, *b, op);
  }
  switch (op) {
    case ConditionOp::boolean:
      return Lower(p) == Lower(r);
    case ConditionOp::ip_address:
    case ConditionOp::not_ip_address: {
      const auto block = ParseIpBlock(p);
      const auto ip = r.find('/') == std::string::npos ? ParseIpBlock(r) : std::nullopt;
      return block && ip && IpInBlock(*ip, *block);
    }
    case ConditionOp::arn_equals:
    case ConditionOp::arn_not_equals:
    case ConditionOp::arn_like:
    case ConditionOp::arn_not_like: {
      const auto pattern = Substitute(p, request);
      return pattern && ArnMatch(*pattern, r);
    }
    default: {
      const auto pattern = Substitute(p, request);
      if (!pattern) return false;
      const bool fold = op == ConditionOp::string_equals_ignore_case ||
                        op == ConditionOp::string_not_equals_ignore_case;
      const bool like = op == ConditionOp::string_like || op == ConditionOp::string_not_like;
      return MatchPattern(*pattern, r, fold, like);
    }
  }
}

// Satisfies says whether one request value satisfies the operator.
bool Satisfies(const Condition& c, const std::string& r, const RequestContext& request) {
  const bool any = std::any_of(c.values.begin(), c.values.end(), [&](const std::string& p) {
    return PositiveMatch(c, p, r, request);
  });
  return Negated(c.op) ? !any : any;
}

}  // namespace

bool ConditionHolds(const Condition& c, const RequestContext& request) {
  const std::vector<std::string>* values = request.Find(c.key);
  const bool absent = values == nullptr || values->empty();
  if (c.op == ConditionOp::null) {
    return std::any_of(c.values.begin(), c.values.end(),
                       [&](const std::string& v) { return (Lower(v) == "true") == absent; });
  }
  if (absent) {
    if (c.if_exists) return true;
    if (c.set == SetQualifier::for_any_value) return false;
    if (c.set == SetQualifier::for_all_values) return true;
    return Negated(c.op);
  }
  auto satisfies = [&](const std::string& r) { return Satisfies(c, r, request); };
  switch (c.set) {
    case SetQualifier::for_any_value:
      return std::any_of(values->begin(), values->end(), satisfies);
    case SetQualifier::for_all_values:
      return std::all_of(values->begin(), values->end(), satisfies);
    case SetQualifier::none:
      break;
  }
  return Negated(c.op) ? std::all_of(values->begin(), values->end(), satisfies)
                       : std::any_of(values->begin(), values->end(), satisfies);
}

}  // namespace envelope::policy::internal
