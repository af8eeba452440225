// Kms: grant tokens (grant_token.h) and ScopedGrantTokens.
#include "kms/grant_token.h"

#include <algorithm>
#include <vector>

#include "crypto/digest.h"
#include "crypto/hex.h"
#include "crypto/hkdf.h"
#include "envelope/kms.hpp"
#include "message/base64.h"

namespace envelope::kms {
namespace {

constexpr uint8_t kTokenVersion = 1;
constexpr size_t kKeyIdSize = std::tuple_size_v<internal::KeyIdBytes>;
constexpr size_t kSignedSize = 1 + kKeyIdSize + internal::kGrantIdSize;  // 49
constexpr size_t kTagSize = 32;
constexpr size_t kTokenSize = kSignedSize + kTagSize;  // 81
constexpr std::string_view kTokenInfo = "envelope grant token v1";

thread_local const std::vector<std::string>* current_tokens = nullptr;

tl::unexpected<Error> InvalidToken(const std::string& why) {
  return MakeError(ErrorCode::invalid_argument, "InvalidGrantTokenException: " + why);
}

// Tag computes the tag of the first kSignedSize bytes of a token under the
// token key of `key`.
Result<void> Tag(const internal::KeyRecord& key, std::span<const uint8_t> signed_part,
                 std::span<uint8_t> tag) {
  if (key.versions.empty()) return MakeError(ErrorCode::internal, "kms: a key has no versions");
  auto mac_key = SecretBytes::Allocate(32);
  ENVELOPE_RETURN_IF_ERROR(mac_key);
  const auto info =
      std::span(reinterpret_cast<const uint8_t*>(kTokenInfo.data()), kTokenInfo.size());
  ENVELOPE_RETURN_IF_ERROR(
      crypto::HkdfSha512({}, key.versions.front().material(), info, mac_key->span()));
  return crypto::Hmac(crypto::HashAlg::sha256, mac_key->span(), signed_part, tag);
}

}  // namespace

namespace internal {

Result<std::string> MakeGrantToken(const KeyRecord& key, const GrantIdBytes& grant_id) {
  std::array<uint8_t, kTokenSize> token{};
  token[0] = kTokenVersion;
  std::copy(key.id.begin(), key.id.end(), token.begin() + 1);
  std::copy(grant_id.begin(), grant_id.end(), token.begin() + 1 + kKeyIdSize);
  ENVELOPE_RETURN_IF_ERROR(
      Tag(key, std::span(token).first(kSignedSize), std::span(token).subspan(kSignedSize)));
  return message::Base64Encode(token);
}

Result<GrantTokenRef> ParseGrantToken(const KeystoreState& state, std::string_view token) {
  const auto bytes = message::Base64Decode(token);
  if (!bytes || bytes->size() != kTokenSize || (*bytes)[0] != kTokenVersion) {
    return InvalidToken("the grant token is not one this keystore issued (malformed)");
  }
  KeyIdBytes key_id{};
  std::copy_n(bytes->begin() + 1, kKeyIdSize, key_id.begin());
  const std::span<const uint8_t> raw(*bytes);
  GrantTokenRef ref{FormatKeyId(key_id),
                    crypto::ToHex(raw.subspan(1 + kKeyIdSize, internal::kGrantIdSize))};
  const auto key = state.keys.find(ref.key_id);
  if (key == state.keys.end()) {
    return InvalidToken(state.deleted.count(ref.key_id) == 1
                            ? "the grant token's key " + ref.key_id + " was deleted"
                            : "the grant token names no key of this keystore");
  }
  std::array<uint8_t, kTagSize> expected{};
  ENVELOPE_RETURN_IF_ERROR(Tag(key->second, raw.first(kSignedSize), expected));
  if (!ConstantTimeEqual(expected, raw.subspan(kSignedSize))) {
    return InvalidToken("the grant token is not one this keystore issued");
  }
  return ref;
}

Result<void> CheckGrantTokens(const KeystoreState& state) {
  if (current_tokens == nullptr) return {};
  if (current_tokens->size() > kMaxGrantTokens) {
    return MakeError(ErrorCode::invalid_argument,
                     "ValidationException: at most 10 grant tokens, got " +
                         std::to_string(current_tokens->size()));
  }
  for (const std::string& token : *current_tokens) {
    if (token.empty() || token.size() > kMaxGrantTokenSize) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: a grant token must have 1 to 8192 characters");
    }
    ENVELOPE_RETURN_IF_ERROR(ParseGrantToken(state, token));
  }
  return {};
}

}  // namespace internal

ScopedGrantTokens::ScopedGrantTokens(std::vector<std::string> tokens)
    : tokens_(std::move(tokens)), outer_(current_tokens) {
  current_tokens = &tokens_;
}

ScopedGrantTokens::~ScopedGrantTokens() { current_tokens = outer_; }

}  // namespace envelope::kms
