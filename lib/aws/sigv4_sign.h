// lib/aws: signing a request with SigV4, in the Authorization header or in
// the query string (a presigned URL).
#ifndef ENVELOPE_LIB_AWS_SIGV4_SIGN_H_
#define ENVELOPE_LIB_AWS_SIGV4_SIGN_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "aws/sigv4.h"

namespace envelope::aws {

// kMaxPresignExpiry is the longest X-Amz-Expires AWS accepts (7 days).
inline constexpr std::chrono::seconds kMaxPresignExpiry{604800};

// SigningParams says where and when a request is signed.
struct SigningParams {
  std::string region;   // "us-east-1"
  std::string service;  // "kms"
  AmzTime time;         // the signing time, normally now
  CanonicalOptions canonical;
  // sign_body adds X-Amz-Content-Sha256 (the payload hash) as a signed
  // header; header form only (S3 wants it, KMS does not).
  bool sign_body = false;
  // omit_session_token adds the session token after signing, unsigned (the
  // form some services such as AWS IoT expect). Default: signed.
  bool omit_session_token = false;
  // payload_hash is the hex SHA-256 of a body the caller hashed itself
  // (streamed), or kUnsignedPayload; by default the SHA-256 of request.body.
  std::optional<std::string> payload_hash;
  // signed_headers lists the lower-case names to sign; by default
  // DefaultSignedHeaders. It must name "host" (and, in the header form,
  // "x-amz-date", which the signer adds).
  std::optional<std::vector<std::string>> signed_headers;
};

// SigningResult holds the intermediates of one signature, for tests and
// for debugging a rejected request (none of them is secret).
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // 64 lowercase hex digits
};

// SignRequest signs `request` in the header form: it first removes any
// Authorization, X-Amz-Date, X-Amz-Security-Token and X-Amz-Content-Sha256
// headers and X-Amz-* signing parameters of the query, then appends
// X-Amz-Security-Token (when the credentials have a token), X-Amz-Date,
// X-Amz-Content-Sha256 (when `sign_body`) and Authorization:
//
//   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws4_request,
//                  SignedHeaders=host;x-amz-date, Signature=<64 hex digits>
//
// Fails with `invalid_argument` (and leaves `request` unchanged) when the
// request has no Host header, a header name is not an HTTP token, the
// region, service or access key id is empty or has a character that cannot
// appear in a credential, or `signed_headers` is not sorted, distinct, lower
// case and covering host and x-amz-date or names a header that is missing.
[[nodiscard]] Result<SigningResult> SignRequest(HttpRequest& request,
                                                const Credentials& credentials,
                                                const SigningParams& params);

// PresignRequest signs `request` in the query form: it removes any
// Authorization header and X-Amz-* signing parameters, then appends to the query X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Expires, X-Amz-Security-Token (when
// there is a token) and X-Amz-Signature, URI-encoded. `sign_body` is ignored; the payload hash is
// as in SignRequest. `expires` must be 1 s to 7 days. Fails like SignRequest.
[[nodiscard]] Result<SigningResult> PresignRequest(HttpRequest& request,
                                                   const Credentials& credentials,
                                                   const SigningParams& params,
                                                   std::chrono::seconds expires);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_SIGV4_SIGN_H_
