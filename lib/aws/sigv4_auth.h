// lib/aws: the fields a SigV4 signature travels in: the Authorization
// header and the X-Amz-* query parameters of a presigned URL.
//
//   AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws4_request,
//   SignedHeaders=host;x-amz-date, Signature=<64 lowercase hex digits>
//
// The grammar the verifier accepts (strict; what every AWS SDK sends):
//
//   auth  = "AWS4-HMAC-SHA256" 1*SP param *( "," *SP param )
//   param = ( "Credential" / "SignedHeaders" / "Signature" ) "=" 1*vchar
//           ; vchar: a visible character other than ','; no space or tab
//           ; each of the three exactly once, in any order
#ifndef ENVELOPE_LIB_AWS_SIGV4_AUTH_H_
#define ENVELOPE_LIB_AWS_SIGV4_AUTH_H_

#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4.h"
#include "envelope/error.hpp"

namespace envelope::aws {

// The query parameters of the presigned form.
inline constexpr std::string_view kQueryAlgorithm = "X-Amz-Algorithm";
inline constexpr std::string_view kQueryCredential = "X-Amz-Credential";
inline constexpr std::string_view kQueryDate = "X-Amz-Date";
inline constexpr std::string_view kQuerySignedHeaders = "X-Amz-SignedHeaders";
inline constexpr std::string_view kQueryExpires = "X-Amz-Expires";
inline constexpr std::string_view kQuerySecurityToken = "X-Amz-Security-Token";
inline constexpr std::string_view kQuerySignature = "X-Amz-Signature";

// IsSigningQueryParam reports whether a decoded query name is one of the
// seven above (names are case-sensitive).
bool IsSigningQueryParam(std::string_view name) noexcept;

// IsSignedHeaderList reports whether `names` is non-empty, sorted, distinct,
// and every name a lower-case HTTP token.
bool IsSignedHeaderList(const std::vector<std::string>& names) noexcept;

// IsSha256Hex reports whether `s` is 64 lowercase hex digits.
bool IsSha256Hex(std::string_view s) noexcept;

// Authorization is the content of a SigV4 Authorization header (or of the
// presigned query parameters).
struct Authorization {
  std::string access_key_id;
  CredentialScope scope;
  std::vector<std::string> signed_headers;  // lower case, sorted, distinct
  std::string signature;                    // 64 lowercase hex digits

  friend bool operator==(const Authorization&, const Authorization&) = default;
};

// ParseAuthorization parses a header value by the grammar above. Every
// failure is `invalid_argument` with a message that starts with
// "IncompleteSignatureException: " and says what is missing or malformed.
[[nodiscard]] Result<Authorization> ParseAuthorization(std::string_view value);

// ParseCredential parses "AKID/YYYYMMDD/REGION/SERVICE/aws4_request" (the
// Credential parameter); failures as in ParseAuthorization.
[[nodiscard]] Result<void> ParseCredential(std::string_view value, Authorization& out);

// ParseSignedHeaders parses "a;b;c" into `out.signed_headers`; failures as in
// ParseAuthorization.
[[nodiscard]] Result<void> ParseSignedHeaders(std::string_view value, Authorization& out);

// FormatAuthorization writes the header value every AWS SDK writes:
// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
std::string FormatAuthorization(const Authorization& auth);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_SIGV4_AUTH_H_
