#include "policy/policy_match.h"

#include <algorithm>

namespace envelope::policy::internal {
namespace {

char Fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

void Append(Pattern& p, std::string_view text, bool literal) {
  for (char c : text) p.push_back({c, literal});
}

}  // namespace

Pattern PlainPattern(std::string_view text) {
  Pattern p;
  Append(p, text, false);
  return p;
}

std::optional<Pattern> Substitute(std::string_view text, const RequestContext& request) {
  Pattern out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("${", pos);
    if (open == std::string_view::npos) {
      Append(out, text.substr(pos), false);
      break;
    }
    Append(out, text.substr(pos, open - pos), false);
    const size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view body = text.substr(open + 2, close - open - 2);
    pos = close + 1;
    if (body == "*" || body == "?" || body == "$") {
      Append(out, body, true);
      continue;
    }
    // "${key, 'default'}" gives a default for a key with no value.
    std::optional<std::string_view> fallback;
    if (const size_t comma = body.find(','); comma != std::string_view::npos) {
      const std::string_view d = Trim(body.substr(comma + 1));
      if (d.size() < 2 || d.front() != '\'' || d.back() != '\'') return std::nullopt;
      fallback = d.substr(1, d.size() - 2);
      body = Trim(body.substr(0, comma));
    }
    std::string key(body);
    std::transform(key.begin(), key.end(), key.begin(), Fold);
    const std::vector<std::string>* values = request.Find(key);
    if (values != nullptr && values->size() == 1) {
      Append(out, values->front(), true);
    } else if (fallback) {
      Append(out, *fallback, true);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

bool MatchPattern(const Pattern& pattern, std::string_view text, bool fold_case, bool wildcards) {
  auto same = [&](char a, char b) { return fold_case ? Fold(a) == Fold(b) : a == b; };
  if (!wildcards) {
    if (pattern.size() != text.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (!same(pattern[i].c, text[i])) return false;
    }
    return true;
  }
  // Greedy match with one backtrack point (the last '*'): O(|p| * |t|) at
  // worst, no recursion, no allocation.
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && !pattern[p].literal && pattern[p].c == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() &&
               ((!pattern[p].literal && pattern[p].c == '?') || same(pattern[p].c, text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && !pattern[p].literal && pattern[p].c == '*') ++p;
  return p == pattern.size();
}

}  // namespace envelope::policy::internal

namespace envelope::policy {

bool WildcardMatch(std::string_view pattern, std::string_view text, bool fold_case) {
  return internal::MatchPattern(internal::PlainPattern(pattern), text, fold_case, true);
}

}  // namespace envelope::policy
