#include "secrets/parameter_names.h"

#include <algorithm>

namespace envelope::secrets::internal {
namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool ReservedPrefix(std::string_view text) {
  if (text.size() < 3) return false;
  std::string head(text.substr(0, 3));
  std::transform(head.begin(), head.end(), head.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return head == "aws" || head == "ssm";
}

tl::unexpected<Error> BadName() {
  return MakeError(ErrorCode::invalid_argument,
                   "ValidationException: Parameter name: can't be prefixed with \"aws\" or "
                   "\"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths "
                   "divided by slash symbol; each sub-path can be formed as a mix of letters, "
                   "numbers and the following 3 symbols .-_");
}

}  // namespace

Result<void> CheckParameterName(std::string_view name) {
  if (name.empty() || name.size() > kMaxParameterNameSize) return BadName();
  const bool path = name.find('/') != std::string_view::npos;
  if (path && name.front() != '/') return BadName();
  int levels = 0;
  size_t start = path ? 1 : 0;
  while (start <= name.size()) {
    const size_t end = std::min(name.find('/', start), name.size());
    const std::string_view level = name.substr(start, end - start);
    if (level.empty() || !std::all_of(level.begin(), level.end(), NameChar)) return BadName();
    if (levels == 0 && ReservedPrefix(level)) return BadName();
    ++levels;
    start = end + 1;
  }
  if (levels > 15) {
    return MakeError(ErrorCode::invalid_argument,
                     "HierarchyLevelLimitExceededException: A hierarchy can have a maximum of "
                     "15 levels.");
  }
  return {};
}

Result<std::string> CheckParameterPath(std::string_view path) {
  if (path == "/") return std::string(path);
  std::string_view trimmed = path;
  if (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  if (trimmed.empty() || trimmed.front() != '/') {
    return MakeError(ErrorCode::invalid_argument,
                     "ValidationException: The parameter path doesn't meet the requirements: it "
                     "must start with \"/\"");
  }
  ENVELOPE_RETURN_IF_ERROR(CheckParameterName(trimmed));
  return std::string(trimmed);
}

Result<NameAndSelector> SplitSelector(std::string_view text) {
  NameAndSelector out;
  const size_t colon = text.find(':');
  out.name = std::string(text.substr(0, colon));
  if (colon == std::string_view::npos) return out;
  const std::string_view selector = text.substr(colon + 1);
  out.selector = ":" + std::string(selector);
  const bool digits =
      !selector.empty() && selector.size() <= 18 &&
      std::all_of(selector.begin(), selector.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    for (char c : selector) out.version = out.version * 10 + (c - '0');
    if (out.version > 0) return out;
  } else if (ValidLabel(selector)) {
    out.label = std::string(selector);
    return out;
  }
  return MakeError(ErrorCode::invalid_argument,
                   "ValidationException: the selector after ':' must be a version number or a "
                   "label");
}

tl::unexpected<Error> ParameterNotFound(std::string_view name) {
  return MakeError(ErrorCode::not_found,
                   "ParameterNotFound: Parameter " + std::string(name) + " not found.");
}

bool ValidLabel(std::string_view label) noexcept {
  if (label.empty() || label.size() > 100) return false;
  if (label.front() >= '0' && label.front() <= '9') return false;
  if (ReservedPrefix(label)) return false;
  return std::all_of(label.begin(), label.end(), NameChar);
}

}  // namespace envelope::secrets::internal
