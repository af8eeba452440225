// lib/aws: AWS Signature Version 4, the parts signer and verifier share.
//
// A signature is HMAC-SHA256 under a key derived from the secret access key
// and the credential scope, over a string to sign that hashes a canonical
// form of the request:
//
//   canonical request                  string to sign
//   +-------------------------+        +------------------------------------+
//   | METHOD                  |        | AWS4-HMAC-SHA256                   |
//   | canonical URI           |        | 20150830T123600Z      (X-Amz-Date) |
//   | canonical query string  |  --->  | 20150830/us-east-1/kms/aws4_request|
//   | name:value  (per header)|  hex   | hex(SHA-256(canonical request))    |
//   | ...                     | SHA-256+------------------------------------+
//   | (empty line)            |
//   | signed;header;names     |        kSecret  = "AWS4" + secret access key
//   | payload hash            |        kDate    = HMAC(kSecret, "20150830")
//   +-------------------------+        kRegion  = HMAC(kDate, region)
//                                      kService = HMAC(kRegion, service)
//   signature = hex(HMAC(kSigning,     kSigning = HMAC(kService, "aws4_request")
//                        string to sign))
//
// Lines are joined with "\n" (no final newline). The secret and every derived
// key live in SecretBytes. sigv4_sign.h adds a signature to a request,
// sigv4_verify.h checks one.
#ifndef ENVELOPE_LIB_AWS_SIGV4_H_
#define ENVELOPE_LIB_AWS_SIGV4_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "aws/amz_date.h"
#include "aws/http_request.h"
#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::aws {

// kSigV4Algorithm names the algorithm in headers and strings to sign.
inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
// kUnsignedPayload stands for the payload hash when the body is not signed.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// kScopeTerminator ends every credential scope.
inline constexpr std::string_view kScopeTerminator = "aws4_request";

// CredentialScope is DATE/REGION/SERVICE of a signature.
struct CredentialScope {
  std::string date;     // "20150830"
  std::string region;   // "us-east-1"
  std::string service;  // "kms"

  // ToString returns "DATE/REGION/SERVICE/aws4_request".
  std::string ToString() const;
  friend bool operator==(const CredentialScope&, const CredentialScope&) = default;
};

// Credentials is an access key: its id, its secret (in secret memory) and
// an optional session token (empty: none).
struct Credentials {
  std::string access_key_id;
  SecretBytes secret_access_key;
  std::string session_token;
};

// IsAccessKeyId reports whether `id` can be an access key id: 1 to 128
// letters, digits or '_' (AWS's pattern is \w+).
bool IsAccessKeyId(std::string_view id) noexcept;

// IsScopeName reports whether `name` can be a scope's region or service: 1 to
// 64 lower-case letters, digits or '-'.
bool IsScopeName(std::string_view name) noexcept;

// CanonicalOptions says how the path enters the canonical request. Every
// service but S3 uses the defaults: the path is normalized (dot segments and
// empty segments removed) and then URI-encoded, which encodes an already
// encoded wire path a second time ("%20" -> "%2520"), as AWS specifies. S3
// uses neither: the wire path as it is.
struct CanonicalOptions {
  bool normalize_path = true;
  bool encode_path = true;
};

// CanonicalUri returns the canonical URI line for a wire `path`.
std::string CanonicalUri(std::string_view path, const CanonicalOptions& options);

// CanonicalQueryString decodes each pair's name and value, encodes them
// again with UriEncode, and sorts by name, then value; "name=value" joined by
// '&'. Pairs whose decoded name is in `exclude` are left out (the verifier
// leaves out X-Amz-Signature).
std::string CanonicalQueryString(const std::vector<QueryParam>& query,
                                 std::initializer_list<std::string_view> exclude = {});

// CanonicalHeaderValue trims whitespace (space, tab, CR, LF) from each value,
// folds each inner run of it to one space, and joins the values with ','.
std::string CanonicalHeaderValue(const std::vector<std::string_view>& values);

// DefaultSignedHeaders returns the sorted, distinct lower-case names of the
// request's headers, without those a signer leaves unsigned because proxies
// and HTTP libraries add or rewrite them (authorization, connection, expect,
// transfer-encoding, upgrade, user-agent, x-amzn-trace-id).
std::vector<std::string> DefaultSignedHeaders(const HttpRequest& request);

// JoinSignedHeaders returns the names joined by ';'.
std::string JoinSignedHeaders(const std::vector<std::string>& names);

// CanonicalRequest builds the canonical request from the request, the signed
// header names (lower case, sorted, distinct) and the payload hash line.
// `exclude_query` as in CanonicalQueryString. Fails with `invalid_argument`
// when a signed header is not in the request.
[[nodiscard]] Result<std::string> CanonicalRequest(
    const HttpRequest& request, const std::vector<std::string>& signed_headers,
    std::string_view payload_hash, const CanonicalOptions& options,
    std::initializer_list<std::string_view> exclude_query = {});

// Sha256Hex returns the lowercase hex SHA-256 of `data` (payload hashes).
[[nodiscard]] Result<std::string> Sha256Hex(std::string_view data);

// StringToSign returns the string to sign for a canonical request signed at
// `amz_date` ("YYYYMMDDTHHMMSSZ") in `scope`.
[[nodiscard]] Result<std::string> StringToSign(std::string_view amz_date,
                                               const CredentialScope& scope,
                                               std::string_view canonical_request);

// DeriveSigningKey returns kSigning for `secret_access_key` and `scope`.
[[nodiscard]] Result<SecretBytes> DeriveSigningKey(const SecretBytes& secret_access_key,
                                                   const CredentialScope& scope);

// ComputeSignature returns hex(HMAC-SHA256(signing_key, string_to_sign)).
[[nodiscard]] Result<std::string> ComputeSignature(const SecretBytes& signing_key,
                                                   std::string_view string_to_sign);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_SIGV4_H_
