#include "aws/sigv4_verify.h"

#include <algorithm>
#include <utility>

#include "aws/error_shapes.h"
#include "aws/sigv4_auth.h"
#include "aws/uri.h"

namespace envelope::aws {
namespace {

constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

tl::unexpected<Error> Incomplete(std::string message) {
  return MakeAwsError(kIncompleteSignature, ErrorCode::invalid_argument, std::move(message));
}

tl::unexpected<Error> Invalid(std::string message) {
  return MakeAwsError(kInvalidSignature, ErrorCode::auth_failed, std::move(message));
}

tl::unexpected<Error> Internal(const Error& cause) {
  return MakeAwsError(kInternalFailure, ErrorCode::internal, cause.message());
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool Signed(const Authorization& auth, std::string_view name) {
  return std::binary_search(auth.signed_headers.begin(), auth.signed_headers.end(), name);
}

// Claim is what a request says about its own signature.
struct Claim {
  Authorization auth;
  std::string amz_date;
  AmzTime time;
  bool presigned = false;
  std::chrono::seconds expires{0};
  std::optional<std::string> token;
};

Result<Claim> ClaimFromHeader(const HttpRequest& request, std::string_view authorization) {
  Claim claim;
  auto auth = ParseAuthorization(authorization);
  ENVELOPE_RETURN_IF_ERROR(auth);
  claim.auth = std::move(*auth);
  const auto dates = request.HeaderValues("x-amz-date");
  if (dates.empty()) {
    return Incomplete("Authorization header requires existence of a 'X-Amz-Date' header");
  }
  if (dates.size() > 1) return Incomplete("X-Amz-Date must be sent once");
  const auto time = ParseAmzDate(dates[0]);
  if (!time) return Incomplete("X-Amz-Date must be in ISO 8601 basic format YYYYMMDDTHHMMSSZ");
  claim.amz_date = std::string(dates[0]);
  claim.time = *time;
  if (!Signed(claim.auth, "host") || !Signed(claim.auth, "x-amz-date")) {
    return Incomplete("'Host' and 'X-Amz-Date' must be signed headers in the AWS Authorization");
  }
  const auto tokens = request.HeaderValues("x-amz-security-token");
  if (tokens.size() > 1) return Incomplete("X-Amz-Security-Token must be sent once");
  if (tokens.size() == 1) claim.token = std::string(tokens[0]);
  return claim;
}

Result<Claim> ClaimFromQuery(const HttpRequest& request) {
  constexpr std::string_view kNames[] = {kQueryAlgorithm,     kQueryCredential, kQueryDate,
                                         kQuerySignedHeaders, kQueryExpires,    kQuerySignature,
                                         kQuerySecurityToken};
  std::optional<std::string> values[std::size(kNames)];
  for (const QueryParam& p : request.query) {
    const std::string name = UriDecode(p.name);
    const auto* it = std::find(std::begin(kNames), std::end(kNames), name);
    if (it == std::end(kNames)) continue;
    auto& slot = values[it - std::begin(kNames)];
    if (slot) return Incomplete(name + " must be sent once");
    slot = UriDecode(p.value);
  }
  for (size_t i = 0; i + 1 < std::size(kNames); ++i) {  // all but the token are required
    if (!values[i]) {
      return Incomplete("a presigned request requires the '" + std::string(kNames[i]) +
                        "' query parameter");
    }
  }
  if (*values[0] != kSigV4Algorithm) {
    return Incomplete("X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  }
  Claim claim;
  claim.presigned = true;
  ENVELOPE_RETURN_IF_ERROR(ParseCredential(*values[1], claim.auth));
  const auto time = ParseAmzDate(*values[2]);
  if (!time) return Incomplete("X-Amz-Date must be in ISO 8601 basic format YYYYMMDDTHHMMSSZ");
  claim.amz_date = *values[2];
  claim.time = *time;
  ENVELOPE_RETURN_IF_ERROR(ParseSignedHeaders(*values[3], claim.auth));
  const std::string& expires = *values[4];
  long seconds = 0;
  for (char c : expires) {
    if (c < '0' || c > '9' || seconds > 604800) break;
    seconds = seconds * 10 + (c - '0');
  }
  if (expires.empty() || expires.size() > 6 || expires.front() == '0' ||
      !std::all_of(expires.begin(), expires.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      seconds < 1 || seconds > 604800) {
    return Incomplete("X-Amz-Expires must be a number of seconds from 1 to 604800");
  }
  claim.expires = std::chrono::seconds(seconds);
  if (!IsSha256Hex(*values[5]))
    return Incomplete("X-Amz-Signature must be 64 lowercase hex digits");
  claim.auth.signature = *values[5];
  if (!Signed(claim.auth, "host")) {
    return Incomplete("'Host' must be a signed header of a presigned request");
  }
  claim.token = values[6];
  return claim;
}

// Span writes a skew as AWS does: "5 min." or "90 sec.".
std::string Span(std::chrono::seconds s) {
  if (s.count() % 60 == 0) return std::to_string(s.count() / 60) + " min.";
  return std::to_string(s.count()) + " sec.";
}

Result<void> CheckTime(const Claim& claim, const VerifyConfig& config, AmzTime now) {
  const std::string t = claim.amz_date;
  if (claim.time > now + config.max_skew) {
    return Invalid("Signature not yet current: " + t + " is still later than " +
                   FormatAmzDate(now + config.max_skew) + " (" + FormatAmzDate(now) + " + " +
                   Span(config.max_skew) + ")");
  }
  const std::chrono::seconds window = claim.presigned ? claim.expires : config.max_skew;
  if (claim.time < now - window) {
    return Invalid("Signature expired: " + t + " is now earlier than " +
                   FormatAmzDate(now - window) + " (" + FormatAmzDate(now) + " - " + Span(window) +
                   ")");
  }
  return {};
}

Result<std::string> CheckPayload(const HttpRequest& request, const VerifyConfig& config) {
  auto computed = Sha256Hex(request.body);
  if (!computed) return Internal(computed.error());
  const auto sent = request.HeaderValues("x-amz-content-sha256");
  if (sent.size() > 1) return Incomplete("X-Amz-Content-Sha256 must be sent once");
  if (sent.empty()) return computed;
  if (sent[0] == kUnsignedPayload) {
    if (config.allow_unsigned_payload) return std::string(kUnsignedPayload);
    return Invalid("this service does not accept UNSIGNED-PAYLOAD; sign the body");
  }
  if (sent[0] != *computed) {
    return Invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return computed;
}

// Matches reports whether the signature over `request` (leaving out the
// `exclude` query parameters) is the claimed one.
Result<bool> Matches(const HttpRequest& request, const Claim& claim, const SecretBytes& secret,
                     const std::string& payload, const VerifyConfig& config,
                     std::initializer_list<std::string_view> exclude) {
  auto canonical =
      CanonicalRequest(request, claim.auth.signed_headers, payload, config.canonical, exclude);
  if (!canonical) return Internal(canonical.error());
  auto sts = StringToSign(claim.amz_date, claim.auth.scope, *canonical);
  if (!sts) return Internal(sts.error());
  auto key = DeriveSigningKey(secret, claim.auth.scope);
  if (!key) return Internal(key.error());
  auto signature = ComputeSignature(*key, *sts);
  if (!signature) return Internal(signature.error());
  return ConstantTimeEqual(Bytes(*signature), Bytes(claim.auth.signature));
}

}  // namespace

Result<Principal> VerifyRequest(const HttpRequest& request, const VerifyConfig& config,
                                const SecretLookup& lookup, AmzTime now) {
  const auto authorizations = request.HeaderValues("authorization");
  const bool query_form =
      std::any_of(request.query.begin(), request.query.end(),
                  [](const QueryParam& p) { return IsSigningQueryParam(UriDecode(p.name)); });
  if (authorizations.size() > 1) return Incomplete("Authorization must be sent once");
  if (!authorizations.empty() && query_form) {
    return Incomplete(
        "Only one auth mechanism allowed: the Authorization header or the "
        "X-Amz-* query parameters");
  }
  if (authorizations.empty() && !query_form) {
    return MakeAwsError(kMissingAuthenticationToken, ErrorCode::invalid_argument,
                        "Missing Authentication Token");
  }
  if (query_form && !config.allow_presigned) {
    return Incomplete("this service does not accept presigned requests");
  }
  auto claim = query_form ? ClaimFromQuery(request) : ClaimFromHeader(request, authorizations[0]);
  ENVELOPE_RETURN_IF_ERROR(claim);
  const CredentialScope& scope = claim->auth.scope;

  if (scope.date != claim->amz_date.substr(0, 8)) {
    return Invalid(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
        "date from HTTP: '" +
        scope.date + "' != '" + claim->amz_date.substr(0, 8) + "', from 'X-Amz-Date'.");
  }
  if (scope.region != config.region) {
    return Invalid("Credential should be scoped to a valid region, not '" + scope.region + "'.");
  }
  if (scope.service != config.service) {
    return Invalid("Credential should be scoped to correct service: '" + config.service + "'.");
  }
  if (claim->token && claim->token->empty()) {
    return Incomplete("X-Amz-Security-Token must not be empty");
  }
  const bool token_in_signed_headers =
      claim->presigned || Signed(claim->auth, "x-amz-security-token");
  if (claim->token && !token_in_signed_headers && !config.allow_unsigned_session_token) {
    return Incomplete("X-Amz-Security-Token must be a signed header");
  }
  for (const std::string& name : claim->auth.signed_headers) {
    if (!request.HasHeader(name)) {
      return Invalid(std::string(kMismatch) + " The signed header '" + name +
                     "' is not in the request.");
    }
  }

  auto secret = lookup(claim->auth.access_key_id);
  if (!secret) {
    if (secret.error().code() == ErrorCode::not_found) {
      return MakeAwsError(kUnrecognizedClient, ErrorCode::auth_failed,
                          "The security token included in the request is invalid.");
    }
    return MakeAwsError(kInternalFailure, ErrorCode::internal,
                        "access key lookup failed: " + secret.error().message());
  }
  ENVELOPE_RETURN_IF_ERROR(CheckTime(*claim, config, now));
  auto payload = CheckPayload(request, config);
  ENVELOPE_RETURN_IF_ERROR(payload);

  Principal principal{claim->auth.access_key_id,
                      scope,
                      claim->time,
                      claim->token,
                      claim->token.has_value() && token_in_signed_headers,
                      claim->presigned};
  const std::initializer_list<std::string_view> exclude_signature = {kQuerySignature};
  const std::initializer_list<std::string_view> none = {};
  auto match = Matches(request, *claim, *secret, *payload, config,
                       claim->presigned ? exclude_signature : none);
  ENVELOPE_RETURN_IF_ERROR(match);
  if (*match) return principal;
  if (claim->presigned && claim->token && config.allow_unsigned_session_token) {
    // The token may have been appended after signing (sigv4_sign.h,
    // omit_session_token).
    match =
        Matches(request, *claim, *secret, *payload, config, {kQuerySignature, kQuerySecurityToken});
    ENVELOPE_RETURN_IF_ERROR(match);
    if (*match) {
      principal.session_token_signed = false;
      return principal;
    }
  }
  return Invalid(std::string(kMismatch));
}

}  // namespace envelope::aws
