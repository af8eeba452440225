// lib/secrets: the shape of parameter names, selectors and labels, as SSM
// checks them.
#ifndef ENVELOPE_LIB_SECRETS_PARAMETER_NAMES_H_
#define ENVELOPE_LIB_SECRETS_PARAMETER_NAMES_H_

#include <string>
#include <string_view>

#include "envelope/error.hpp"
#include "envelope/secrets.hpp"

namespace envelope::secrets::internal {

// CheckParameterName accepts letters, digits and ".-_/" up to 1011
// characters; a name with "/" must start with one and have no empty level;
// at most 15 levels; no "aws" or "ssm" prefix (any case). ValidationException
// or HierarchyLevelLimitExceededException otherwise.
[[nodiscard]] Result<void> CheckParameterName(std::string_view name);

// CheckParameterPath accepts "/" or a hierarchical name (GetByPath) and
// returns it without a trailing "/".
[[nodiscard]] Result<std::string> CheckParameterPath(std::string_view path);

// NameAndSelector is "name:3" or "name:label" split at the colon.
struct NameAndSelector {
  std::string name;
  int64_t version = 0;   // when the selector is a number
  std::string label;     // when it is a label
  std::string selector;  // ":3", ":label" or empty
};

// SplitSelector splits a Get argument; ValidationException for an empty or
// malformed selector.
[[nodiscard]] Result<NameAndSelector> SplitSelector(std::string_view text);

// ParameterNotFound is SSM's ParameterNotFound error for `name`.
tl::unexpected<Error> ParameterNotFound(std::string_view name);

// ValidLabel reports whether `label` may name a version: 1 to 100 letters,
// digits and ".-_", not starting with a digit, "aws" or "ssm" (any case).
bool ValidLabel(std::string_view label) noexcept;

}  // namespace envelope::secrets::internal

#endif  // ENVELOPE_LIB_SECRETS_PARAMETER_NAMES_H_
