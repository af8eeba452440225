#include "aws/sigv4_sign.h"

#include <algorithm>
#include <utility>

#include "aws/sigv4_auth.h"
#include "aws/uri.h"

namespace envelope::aws {
namespace {

Error Invalid(std::string message) {
  return Error(ErrorCode::invalid_argument, "sigv4 sign: " + std::move(message));
}

bool IsHeaderValueSafe(std::string_view v) {
  return std::none_of(v.begin(), v.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Checks what both forms need, before anything is changed.
Result<void> CheckInputs(const HttpRequest& request, const Credentials& credentials,
                         const SigningParams& params) {
  if (!IsAccessKeyId(credentials.access_key_id)) {
    return tl::unexpected(Invalid("the access key id must be 1 to 128 letters, digits or '_'"));
  }
  if (!IsScopeName(params.region) || !IsScopeName(params.service)) {
    return tl::unexpected(
        Invalid("region and service must be 1 to 64 lower-case letters, digits or '-'"));
  }
  if (!IsHeaderValueSafe(credentials.session_token)) {
    return tl::unexpected(Invalid("the session token has a control character"));
  }
  if (!IsHeaderName(request.method)) return tl::unexpected(Invalid("the method is not a token"));
  for (const Header& h : request.headers) {
    if (!IsHeaderName(h.name)) {
      return tl::unexpected(Invalid("header name '" + h.name + "' is not an HTTP token"));
    }
  }
  if (!request.HasHeader("host")) return tl::unexpected(Invalid("the request has no Host header"));
  return {};
}

// Strip removes what an earlier signature left behind: the signing query
// parameters, and the headers the form about to be signed writes.
void Strip(HttpRequest& request, bool header_form) {
  request.RemoveHeaders("authorization");
  if (header_form) {
    for (std::string_view name : {"x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}) {
      request.RemoveHeaders(name);
    }
  }
  std::erase_if(request.query,
                [](const QueryParam& p) { return IsSigningQueryParam(UriDecode(p.name)); });
}

Result<std::vector<std::string>> ChooseSignedHeaders(const HttpRequest& request,
                                                     const SigningParams& params, bool header_form,
                                                     bool token_unsigned) {
  std::vector<std::string> names;
  if (params.signed_headers) {
    names = *params.signed_headers;
    if (!IsSignedHeaderList(names)) {
      return tl::unexpected(Invalid("signed_headers must be sorted, distinct, lower-case names"));
    }
    if (token_unsigned && std::binary_search(names.begin(), names.end(), "x-amz-security-token")) {
      return tl::unexpected(Invalid("an omitted session token cannot be a signed header"));
    }
  } else {
    names = DefaultSignedHeaders(request);
    if (token_unsigned) std::erase(names, "x-amz-security-token");
  }
  if (!std::binary_search(names.begin(), names.end(), "host") ||
      (header_form && !std::binary_search(names.begin(), names.end(), "x-amz-date"))) {
    return tl::unexpected(Invalid("the signed headers must include host and x-amz-date"));
  }
  return names;
}

Result<std::string> PayloadHash(const HttpRequest& request, const SigningParams& params) {
  if (params.payload_hash) {
    if (*params.payload_hash != kUnsignedPayload && !IsSha256Hex(*params.payload_hash)) {
      return tl::unexpected(Invalid("payload_hash must be 64 lowercase hex digits"));
    }
    return *params.payload_hash;
  }
  return Sha256Hex(request.body);
}

// Finish computes the string to sign and the signature of `canonical`.
Result<SigningResult> Finish(std::string canonical, const Credentials& credentials,
                             const CredentialScope& scope, const std::string& amz_date) {
  SigningResult out;
  out.canonical_request = std::move(canonical);
  auto sts = StringToSign(amz_date, scope, out.canonical_request);
  ENVELOPE_RETURN_IF_ERROR(sts);
  out.string_to_sign = std::move(*sts);
  auto key = DeriveSigningKey(credentials.secret_access_key, scope);
  ENVELOPE_RETURN_IF_ERROR(key);
  auto signature = ComputeSignature(*key, out.string_to_sign);
  ENVELOPE_RETURN_IF_ERROR(signature);
  out.signature = std::move(*signature);
  return out;
}

CredentialScope ScopeOf(const SigningParams& params) {
  return {FormatAmzDay(params.time), params.region, params.service};
}

}  // namespace

Result<SigningResult> SignRequest(HttpRequest& request, const Credentials& credentials,
                                  const SigningParams& params) {
  ENVELOPE_RETURN_IF_ERROR(CheckInputs(request, credentials, params));
  HttpRequest signed_request = request;
  Strip(signed_request, /*header_form=*/true);
  const std::string amz_date = FormatAmzDate(params.time);
  const bool has_token = !credentials.session_token.empty();
  if (has_token)
    signed_request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  signed_request.headers.push_back({"X-Amz-Date", amz_date});
  auto payload = PayloadHash(signed_request, params);
  ENVELOPE_RETURN_IF_ERROR(payload);
  if (params.sign_body) signed_request.headers.push_back({"x-amz-content-sha256", *payload});

  auto names = ChooseSignedHeaders(signed_request, params, /*header_form=*/true,
                                   has_token && params.omit_session_token);
  ENVELOPE_RETURN_IF_ERROR(names);
  auto canonical = CanonicalRequest(signed_request, *names, *payload, params.canonical);
  if (!canonical) return tl::unexpected(canonical.error().WithContext("sigv4 sign"));
  const CredentialScope scope = ScopeOf(params);
  auto result = Finish(std::move(*canonical), credentials, scope, amz_date);
  ENVELOPE_RETURN_IF_ERROR(result);

  signed_request.headers.push_back(
      {"Authorization",
       FormatAuthorization({credentials.access_key_id, scope, *names, result->signature})});
  request = std::move(signed_request);
  return result;
}

Result<SigningResult> PresignRequest(HttpRequest& request, const Credentials& credentials,
                                     const SigningParams& params, std::chrono::seconds expires) {
  ENVELOPE_RETURN_IF_ERROR(CheckInputs(request, credentials, params));
  if (expires.count() < 1 || expires > kMaxPresignExpiry) {
    return tl::unexpected(Invalid("expires must be 1 to 604800 seconds"));
  }
  HttpRequest signed_request = request;
  Strip(signed_request, /*header_form=*/false);
  auto names = ChooseSignedHeaders(signed_request, params, /*header_form=*/false, false);
  ENVELOPE_RETURN_IF_ERROR(names);
  auto payload = PayloadHash(signed_request, params);
  ENVELOPE_RETURN_IF_ERROR(payload);

  const std::string amz_date = FormatAmzDate(params.time);
  const CredentialScope scope = ScopeOf(params);
  auto add = [&](std::string_view name, std::string_view value) {
    signed_request.query.push_back({std::string(name), UriEncode(value, false)});
  };
  add(kQueryAlgorithm, kSigV4Algorithm);
  add(kQueryCredential, credentials.access_key_id + "/" + scope.ToString());
  add(kQueryDate, amz_date);
  add(kQuerySignedHeaders, JoinSignedHeaders(*names));
  add(kQueryExpires, std::to_string(expires.count()));
  const bool has_token = !credentials.session_token.empty();
  if (has_token && !params.omit_session_token) add(kQuerySecurityToken, credentials.session_token);
  auto canonical = CanonicalRequest(signed_request, *names, *payload, params.canonical);
  if (!canonical) return tl::unexpected(canonical.error().WithContext("sigv4 presign"));
  auto result = Finish(std::move(*canonical), credentials, scope, amz_date);
  ENVELOPE_RETURN_IF_ERROR(result);
  if (has_token && params.omit_session_token) add(kQuerySecurityToken, credentials.session_token);
  add(kQuerySignature, result->signature);
  request = std::move(signed_request);
  return result;
}

}  // namespace envelope::aws
