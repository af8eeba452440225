// lib/aws: checking the SigV4 signature of a received request (the server
// side of sigv4_sign.h).
#ifndef ENVELOPE_LIB_AWS_SIGV4_VERIFY_H_
#define ENVELOPE_LIB_AWS_SIGV4_VERIFY_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::aws {

// VerifyConfig is what the server expects of every request.
struct VerifyConfig {
  std::string region;   // the server's region: the scope must name it
  std::string service;  // "kms": the scope must name it
  CanonicalOptions canonical;
  // max_skew bounds |X-Amz-Date - now| in the header form (AWS: 5 minutes),
  // and how far in the future a presigned URL may be dated.
  std::chrono::seconds max_skew{300};
  // allow_presigned accepts the query (presigned URL) form too.
  bool allow_presigned = true;
  // allow_unsigned_payload accepts "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD"
  // (S3 does; KMS does not).
  bool allow_unsigned_payload = false;
  // allow_unsigned_session_token accepts a session token the signature does
  // not cover (a header not among SignedHeaders, or an X-Amz-Security-Token
  // parameter added after a presigned URL was signed). Off, such a request is
  // rejected with IncompleteSignatureException.
  bool allow_unsigned_session_token = false;
};

// SecretLookup returns the secret access key of an access key id, or an
// error: `not_found` when there is no such key (the request fails with
// UnrecognizedClientException), anything else when the lookup itself failed
// (InternalFailure).
using SecretLookup = std::function<Result<SecretBytes>(std::string_view access_key_id)>;

// Principal is who signed a request that verified.
struct Principal {
  std::string access_key_id;
  CredentialScope scope;
  AmzTime request_time;                      // X-Amz-Date
  std::optional<std::string> session_token;  // X-Amz-Security-Token, if sent
  bool session_token_signed = false;         // covered by the signature
  bool presigned = false;                    // the query form
};

// VerifyRequest checks the SigV4 signature of `request` at time `now`:
//  - exactly one of an Authorization header or the X-Amz-* query
//    parameters; none: MissingAuthenticationTokenException;
//  - the header (sigv4_auth.h) or parameters parse, X-Amz-Date is one valid
//    timestamp, `host` (and in the header form `x-amz-date`) is signed, at
//    most one X-Amz-Security-Token (not empty, and signed unless
//    allow_unsigned_session_token) and X-Amz-Content-Sha256, presigned
//    X-Amz-Expires 1 to 604800: otherwise IncompleteSignatureException;
//  - the scope's date is X-Amz-Date's day, its region and service the
//    configured ones, the time within max_skew of `now` (presigned: not
//    past X-Amz-Date + X-Amz-Expires), X-Amz-Content-Sha256 (if sent) the
//    SHA-256 of the body this function computes, and the signature, compared
//    in constant time, the one computed with the key from `lookup`:
//    otherwise InvalidSignatureException;
//  - `lookup` knows the access key id: otherwise UnrecognizedClientException.
// Errors are built with MakeAwsError (error_shapes.h): the message starts
// with the exception name; codes invalid_argument (incomplete, missing),
// auth_failed (invalid, unrecognized) or internal (lookup failure).
[[nodiscard]] Result<Principal> VerifyRequest(const HttpRequest& request,
                                              const VerifyConfig& config,
                                              const SecretLookup& lookup, AmzTime now);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_SIGV4_VERIFY_H_
