// lib/kms: grant tokens, what CreateGrant returns besides the grant id and
// what the GrantTokens member of Encrypt, Decrypt, GenerateDataKey, ...
// carries (in AWS KMS's shape: a non-secret base64 string). A token can be
// checked without a lookup, so one this keystore never issued (malformed,
// forged, of another keystore) is told apart from one whose grant has since
// been retired or revoked:
//
//   +---------+---------------------+-------------------------+------------------+
//   | 0x01    | key id (16 bytes)   | grant id (32 bytes)     | tag (32 bytes)   |
//   +---------+---------------------+-------------------------+------------------+
//   token = base64 of those 81 bytes (108 characters)
//   tag   = HMAC-SHA-256(HKDF-SHA-512(ikm = the key's version 1 material,
//                                     info = "envelope grant token v1"),
//                        the first 49 bytes)
//
// The tag key comes from the grant's KMS key, so a token stays valid across
// rotations and in a replica (a copy of the keystore serving another region),
// and cannot be checked once the key is deleted.
//
// What a token does (AWS KMS's rules, with grants that take effect at once):
// a token that does not verify is refused with InvalidGrantTokenException
// and the request changes nothing; a valid token of a live grant adds no
// permission (the grant already applies); a valid token of a retired or
// revoked grant adds none either: those operations end the grant's
// permissions, and a token only ever stood in for a grant not yet known
// everywhere. The request is then decided by the policies and live grants.
#ifndef ENVELOPE_LIB_KMS_GRANT_TOKEN_H_
#define ENVELOPE_LIB_KMS_GRANT_TOKEN_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "envelope/error.hpp"
#include "kms/keystore_state.h"

namespace envelope::kms::internal {

inline constexpr size_t kGrantIdSize = 32;
inline constexpr size_t kMaxGrantTokens = 10;       // GrantTokenList
inline constexpr size_t kMaxGrantTokenSize = 8192;  // GrantTokenType

using GrantIdBytes = std::array<uint8_t, kGrantIdSize>;

// MakeGrantToken returns the token of grant `grant_id` on `key`. Fails only
// when the derivation fails (`internal`).
[[nodiscard]] Result<std::string> MakeGrantToken(const KeyRecord& key,
                                                 const GrantIdBytes& grant_id);

// GrantTokenRef is what a valid token names.
struct GrantTokenRef {
  std::string key_id;    // text form
  std::string grant_id;  // lowercase hex, as CreateGrant returned it
};

// ParseGrantToken checks `token` against the keys of `state`. Fails with
// "InvalidGrantTokenException: ..." (invalid_argument) when it is not one
// this keystore issued: not base64 of 81 bytes, another version, a key this
// keystore does not hold (never had, or deleted: the tag cannot be checked),
// or a tag that does not verify. The grant it names may be gone.
[[nodiscard]] Result<GrantTokenRef> ParseGrantToken(const KeystoreState& state,
                                                    std::string_view token);

// CheckGrantTokens checks the tokens of the current ScopedGrantTokens on this
// thread, if any: at most 10, each 1 to 8192 characters (ValidationException)
// and each valid (ParseGrantToken). Every key operation's authorization runs
// it first, so a refused token refuses the request before anything changes.
[[nodiscard]] Result<void> CheckGrantTokens(const KeystoreState& state);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_GRANT_TOKEN_H_
