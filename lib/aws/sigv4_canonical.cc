// lib/aws: the canonical request, string to sign, signing key and signature
// of SigV4 (sigv4.h).
#include <algorithm>
#include <cstring>
#include <utility>

#include "aws/sigv4.h"
#include "aws/uri.h"
#include "crypto/digest.h"
#include "crypto/hex.h"

namespace envelope::aws {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr std::string_view kUnsignedByDefault[] = {
    "authorization", "connection", "expect",          "transfer-encoding",
    "upgrade",       "user-agent", "x-amzn-trace-id",
};

}  // namespace

std::string CredentialScope::ToString() const {
  return date + "/" + region + "/" + service + "/" + std::string(kScopeTerminator);
}

bool IsAccessKeyId(std::string_view id) noexcept {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsScopeName(std::string_view name) noexcept {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string CanonicalUri(std::string_view path, const CanonicalOptions& options) {
  std::string p = options.normalize_path ? NormalizePath(path) : std::string(path);
  if (p.empty()) p = "/";
  return options.encode_path ? UriEncode(p, /*keep_slash=*/true) : p;
}

std::string CanonicalQueryString(const std::vector<QueryParam>& query,
                                 std::initializer_list<std::string_view> exclude) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(query.size());
  for (const QueryParam& p : query) {
    const std::string name = UriDecode(p.name);
    if (std::find(exclude.begin(), exclude.end(), name) != exclude.end()) continue;
    pairs.emplace_back(UriEncode(name, false), UriEncode(UriDecode(p.value), false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string CanonicalHeaderValue(const std::vector<std::string_view>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    bool pending_space = false;
    bool any = false;
    for (char c : values[i]) {
      if (IsSpace(c)) {
        pending_space = any;  // leading whitespace is dropped
        continue;
      }
      if (pending_space) out += ' ';
      pending_space = false;
      any = true;
      out += c;
    }
  }
  return out;
}

std::vector<std::string> DefaultSignedHeaders(const HttpRequest& request) {
  std::vector<std::string> names;
  for (const Header& h : request.headers) {
    std::string name = ToLowerAscii(h.name);
    if (std::find(std::begin(kUnsignedByDefault), std::end(kUnsignedByDefault), name) !=
        std::end(kUnsignedByDefault)) {
      continue;
    }
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string JoinSignedHeaders(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ';';
    out += names[i];
  }
  return out;
}

Result<std::string> CanonicalRequest(const HttpRequest& request,
                                     const std::vector<std::string>& signed_headers,
                                     std::string_view payload_hash, const CanonicalOptions& options,
                                     std::initializer_list<std::string_view> exclude_query) {
  std::string out = request.method + "\n" + CanonicalUri(request.path, options) + "\n" +
                    CanonicalQueryString(request.query, exclude_query) + "\n";
  for (const std::string& name : signed_headers) {
    const std::vector<std::string_view> values = request.HeaderValues(name);
    if (values.empty()) {
      return MakeError(ErrorCode::invalid_argument,
                       "sigv4: signed header '" + name + "' is not in the request");
    }
    out += name + ":" + CanonicalHeaderValue(values) + "\n";
  }
  out += "\n" + JoinSignedHeaders(signed_headers) + "\n";
  out += payload_hash;
  return out;
}

Result<std::string> Sha256Hex(std::string_view data) {
  auto digest = crypto::Hash(crypto::HashAlg::sha256, Bytes(data));
  ENVELOPE_RETURN_IF_ERROR(digest);
  return crypto::ToHex(*digest);
}

Result<std::string> StringToSign(std::string_view amz_date, const CredentialScope& scope,
                                 std::string_view canonical_request) {
  auto hash = Sha256Hex(canonical_request);
  ENVELOPE_RETURN_IF_ERROR(hash);
  return std::string(kSigV4Algorithm) + "\n" + std::string(amz_date) + "\n" + scope.ToString() +
         "\n" + *hash;
}

Result<SecretBytes> DeriveSigningKey(const SecretBytes& secret_access_key,
                                     const CredentialScope& scope) {
  auto k_secret = SecretBytes::Allocate(4 + secret_access_key.size());
  ENVELOPE_RETURN_IF_ERROR(k_secret);
  std::memcpy(k_secret->data(), "AWS4", 4);
  if (!secret_access_key.empty()) {
    std::memcpy(k_secret->data() + 4, secret_access_key.data(), secret_access_key.size());
  }
  SecretBytes key = std::move(*k_secret);
  for (std::string_view part : {std::string_view(scope.date), std::string_view(scope.region),
                                std::string_view(scope.service), kScopeTerminator}) {
    auto next = crypto::HmacKey(crypto::HashAlg::sha256, key.span(), Bytes(part));
    ENVELOPE_RETURN_IF_ERROR(next);
    key = std::move(*next);
  }
  return key;
}

Result<std::string> ComputeSignature(const SecretBytes& signing_key,
                                     std::string_view string_to_sign) {
  uint8_t mac[32];
  auto r = crypto::Hmac(crypto::HashAlg::sha256, signing_key.span(), Bytes(string_to_sign), mac);
  ENVELOPE_RETURN_IF_ERROR(r);
  return crypto::ToHex(mac);
}

}  // namespace envelope::aws
