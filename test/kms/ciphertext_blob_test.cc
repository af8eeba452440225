// The KMS ciphertext blob: round trip, the exact layout, and every kind of
// damage the parser and the tag must catch.
#include "kms/ciphertext_blob.h"

#include <doctest/doctest.h>

#include <vector>

#include "kms_test_util.h"

namespace envelope::kms::internal {
namespace {

using testing::Bytes;

const KeyIdBytes kId = {1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16};
const std::vector<uint8_t> kMaterial(32, 0x42);
const EncryptionContext kContext = {{"bucket", "photos"}, {"tenant", "a"}};

std::vector<uint8_t> Seal(std::string_view text = "hello") {
  auto blob = SealBlob(kId, 7, kMaterial, Bytes(text), kContext);
  REQUIRE(blob);
  return *blob;
}

Result<SecretBytes> Open(std::span<const uint8_t> blob, const EncryptionContext& ctx = kContext,
                         std::span<const uint8_t> material = kMaterial) {
  auto view = ParseBlob(blob);
  ENVELOPE_RETURN_IF_ERROR(view);
  return OpenBlob(*view, material, ctx);
}

TEST_CASE("Blob: round trip and layout") {
  const auto blob = Seal("hello");
  REQUIRE(blob.size() == kBlobHeaderSize + 5 + kBlobTagSize);
  CHECK(blob[0] == 'E');
  CHECK(blob[1] == 'K');
  CHECK(blob[2] == 1);
  CHECK(std::equal(kId.begin(), kId.end(), blob.begin() + 3));
  CHECK(blob[22] == 7);
  auto view = ParseBlob(blob);
  REQUIRE(view);
  CHECK(view->key_id == kId);
  CHECK(view->key_version == 7);
  CHECK(view->ciphertext.size() == 5);
  auto pt = Open(blob);
  REQUIRE(pt);
  CHECK(std::string(pt->span().begin(), pt->span().end()) == "hello");
  CHECK(Seal("hello") != blob);  // fresh IV each time
}

TEST_CASE("Blob: the encryption context must match exactly") {
  const auto blob = Seal();
  for (const EncryptionContext& other :
       {EncryptionContext{}, EncryptionContext{{"bucket", "photos"}},
        EncryptionContext{{"bucket", "photos"}, {"tenant", "b"}},
        EncryptionContext{{"bucket", "photos"}, {"tenant", "a"}, {"x", ""}}}) {
    auto r = Open(blob, other);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
    CHECK(r.error().message().starts_with("InvalidCiphertextException"));
  }
  CHECK(SerializeContext({{"", "v"}}).error().code() == ErrorCode::invalid_argument);
  CHECK(SerializeContext({{"k", std::string(9000, 'v')}}).error().code() ==
        ErrorCode::invalid_argument);
  // Canonical: "ab"+"c" and "a"+"bc" serialise differently.
  CHECK(*SerializeContext({{"ab", "c"}}) != *SerializeContext({{"a", "bc"}}));
}

TEST_CASE("Blob: every flipped bit is rejected") {
  const auto blob = Seal();
  for (size_t i = 0; i < blob.size(); ++i) {
    for (int bit = 0; bit < 8; bit += 3) {
      CAPTURE(i);
      auto bad = blob;
      bad[i] ^= static_cast<uint8_t>(1 << bit);
      CHECK_FALSE(Open(bad));
    }
  }
}

TEST_CASE("Blob: wrong key material is rejected") {
  std::vector<uint8_t> other(32, 0x43);
  CHECK(Open(Seal(), kContext, other).error().code() == ErrorCode::auth_failed);
}

TEST_CASE("Blob: truncated, empty, trailing data, foreign and future blobs") {
  const auto blob = Seal();
  for (size_t n = 0; n < blob.size(); ++n) {
    CAPTURE(n);
    auto r = ParseBlob(std::span(blob).first(n));
    if (n < kBlobMinSize) {
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::truncated);
    } else {
      CHECK_FALSE(Open(std::span(blob).first(n)));  // shorter ciphertext: tag fails
    }
  }
  auto trailing = blob;
  trailing.push_back(0);
  CHECK_FALSE(Open(trailing));
  auto foreign = blob;
  foreign[0] = 'X';
  CHECK(ParseBlob(foreign).error().code() == ErrorCode::malformed);
  auto future = blob;
  future[2] = 2;
  CHECK(ParseBlob(future).error().code() == ErrorCode::malformed);
  auto zero_version = blob;
  zero_version[19] = zero_version[20] = zero_version[21] = zero_version[22] = 0;
  CHECK(ParseBlob(zero_version).error().code() == ErrorCode::malformed);
  std::vector<uint8_t> huge(kBlobMaxSize + 1, 0);
  huge[0] = 'E';
  huge[1] = 'K';
  huge[2] = 1;
  CHECK(ParseBlob(huge).error().code() == ErrorCode::malformed);
}

TEST_CASE("Blob: plaintext size limits") {
  std::vector<uint8_t> max(kMaxPlaintextSize, 1), over(kMaxPlaintextSize + 1, 1);
  auto ok = SealBlob(kId, 1, kMaterial, max, {});
  REQUIRE(ok);
  CHECK(Open(*ok, {}));
  CHECK(SealBlob(kId, 1, kMaterial, over, {}).error().code() == ErrorCode::invalid_argument);
  CHECK(SealBlob(kId, 1, kMaterial, {}, {}).error().code() == ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace envelope::kms::internal
