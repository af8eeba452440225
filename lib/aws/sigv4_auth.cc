#include "aws/sigv4_auth.h"

#include <algorithm>

#include "aws/error_shapes.h"

namespace envelope::aws {
namespace {

tl::unexpected<Error> Incomplete(std::string message) {
  return MakeAwsError(kIncompleteSignature, ErrorCode::invalid_argument, std::move(message));
}

bool IsValueChar(char c) { return c > 0x20 && c < 0x7f && c != ','; }

}  // namespace

bool IsSigningQueryParam(std::string_view name) noexcept {
  for (std::string_view p : {kQueryAlgorithm, kQueryCredential, kQueryDate, kQuerySignedHeaders,
                             kQueryExpires, kQuerySecurityToken, kQuerySignature}) {
    if (name == p) return true;
  }
  return false;
}

bool IsSignedHeaderList(const std::vector<std::string>& names) noexcept {
  if (names.empty()) return false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!IsHeaderName(names[i]) || ToLowerAscii(names[i]) != names[i]) return false;
    if (i > 0 && !(names[i - 1] < names[i])) return false;
  }
  return true;
}

bool IsSha256Hex(std::string_view s) noexcept {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<void> ParseCredential(std::string_view value, Authorization& out) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t slash = value.find('/');
    parts.push_back(value.substr(0, slash));
    if (slash == std::string_view::npos) break;
    value.remove_prefix(slash + 1);
  }
  if (parts.size() != 5) {
    return Incomplete(
        "Credential must have the form <access key id>/<YYYYMMDD>/<region>/<service>/"
        "aws4_request");
  }
  if (!IsAccessKeyId(parts[0])) {
    return Incomplete("the access key id in Credential must be 1 to 128 letters, digits or '_'");
  }
  if (parts[1].size() != 8 || !ParseAmzDate(std::string(parts[1]) + "T000000Z")) {
    return Incomplete("the date in Credential must be a date in the form YYYYMMDD");
  }
  if (!IsScopeName(parts[2]) || !IsScopeName(parts[3])) {
    return Incomplete("the region and service in Credential must be lower-case names");
  }
  if (parts[4] != kScopeTerminator) {
    return Incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                      std::string(parts[4].substr(0, 64)) + "'");
  }
  out.access_key_id = std::string(parts[0]);
  out.scope = {std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
  return {};
}

Result<void> ParseSignedHeaders(std::string_view value, Authorization& out) {
  std::vector<std::string> names;
  while (true) {
    const size_t semi = value.find(';');
    names.emplace_back(value.substr(0, semi));
    if (semi == std::string_view::npos) break;
    value.remove_prefix(semi + 1);
  }
  if (!IsSignedHeaderList(names)) {
    return Incomplete(
        "SignedHeaders must be distinct lower-case header names, sorted, "
        "separated by ';'");
  }
  out.signed_headers = std::move(names);
  return {};
}

Result<Authorization> ParseAuthorization(std::string_view value) {
  const size_t space = value.find(' ');
  const std::string_view algorithm = value.substr(0, space);
  if (algorithm != kSigV4Algorithm) {
    if (algorithm.find('=') != std::string_view::npos || algorithm.empty()) {
      return Incomplete("Authorization header must start with the algorithm AWS4-HMAC-SHA256");
    }
    return Incomplete("Unsupported AWS 'algorithm': '" + std::string(algorithm.substr(0, 64)) +
                      "'");
  }
  std::string_view rest =
      space == std::string_view::npos ? std::string_view() : value.substr(space);
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));

  Authorization auth;
  bool seen[3] = {false, false, false};
  static constexpr std::string_view kNames[3] = {"Credential", "SignedHeaders", "Signature"};
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view param = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (comma != std::string_view::npos) {
      rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
      if (rest.empty()) return Incomplete("Authorization header ends with ','");
    }
    const size_t eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    const std::string_view val =
        eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    if (eq == std::string_view::npos || val.empty() ||
        !std::all_of(val.begin(), val.end(), IsValueChar)) {
      return Incomplete("Authorization header parameters must be name=value with no whitespace");
    }
    const auto* which = std::find(std::begin(kNames), std::end(kNames), name);
    if (which == std::end(kNames)) {
      return Incomplete("Authorization header has an unknown parameter '" +
                        std::string(name.substr(0, 64)) + "'");
    }
    const size_t index = static_cast<size_t>(which - std::begin(kNames));
    if (seen[index]) {
      return Incomplete("Authorization header repeats '" + std::string(name) + "'");
    }
    seen[index] = true;
    Result<void> parsed;
    if (index == 0) parsed = ParseCredential(val, auth);
    if (index == 1) parsed = ParseSignedHeaders(val, auth);
    if (index == 2) {
      if (!IsSha256Hex(val)) return Incomplete("Signature must be 64 lowercase hex digits");
      auth.signature = std::string(val);
    }
    ENVELOPE_RETURN_IF_ERROR(parsed);
  }
  for (size_t i = 0; i < 3; ++i) {
    if (!seen[i]) {
      return Incomplete("Authorization header requires '" + std::string(kNames[i]) + "' parameter");
    }
  }
  return auth;
}

std::string FormatAuthorization(const Authorization& auth) {
  return std::string(kSigV4Algorithm) + " Credential=" + auth.access_key_id + "/" +
         auth.scope.ToString() + ", SignedHeaders=" + JoinSignedHeaders(auth.signed_headers) +
         ", Signature=" + auth.signature;
}

}  // namespace envelope::aws
