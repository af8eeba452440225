// lib/policy: patterns with '*' and '?' wildcards, and policy variables.
//
// A pattern is a list of characters each marked literal or not: text that a
// policy variable put there ("${aws:username}" of a user named "a*b") and
// the escapes "${*}", "${?}", "${$}" are literal, so a caller's name can
// never widen the pattern it is substituted into.
#ifndef ENVELOPE_LIB_POLICY_POLICY_MATCH_H_
#define ENVELOPE_LIB_POLICY_POLICY_MATCH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace envelope::policy::internal {

// PatternChar is one character of a pattern.
struct PatternChar {
  char c;
  bool literal;
};
using Pattern = std::vector<PatternChar>;

// PlainPattern is `text` with '*' and '?' as wildcards and no variables.
Pattern PlainPattern(std::string_view text);

// Substitute replaces the policy variables in `text` with their values from
// `request` (a single-valued key). nullopt when a variable has no value and
// no default, or is malformed: the value then matches nothing.
std::optional<Pattern> Substitute(std::string_view text, const RequestContext& request);

// MatchPattern reports whether `text` matches `pattern`; `wildcards` false
// treats every character as literal (StringEquals after substitution).
bool MatchPattern(const Pattern& pattern, std::string_view text, bool fold_case, bool wildcards);

// ConditionHolds evaluates one condition against `request`
// (policy_conditions.cc).
bool ConditionHolds(const Condition& condition, const RequestContext& request);

}  // namespace envelope::policy::internal

#endif  // ENVELOPE_LIB_POLICY_POLICY_MATCH_H_
