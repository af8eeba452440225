// Kms cryptographic operations: Encrypt/Decrypt, data keys and ReEncrypt,
// with encryption contexts and the AWS error names of their failures.
#include <doctest/doctest.h>

#include <string>

#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::Bytes;
using testing::FakeClock;
using testing::Options;
using testing::TempDir;

std::string Text(const SecretBytes& s) { return std::string(s.span().begin(), s.span().end()); }

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

struct Fixture {
  TempDir tmp;
  FakeClock clock;
  Kms kms = *Kms::Open(Options(tmp.keystore(), clock));
};

TEST_CASE("Kms: Encrypt and Decrypt with a context") {
  Fixture f;
  auto key = f.kms.CreateKey();
  const EncryptionContext ctx = {{"purpose", "test"}};
  auto ct = f.kms.Encrypt(key->key_id, Bytes("attack at dawn"), ctx);
  REQUIRE(ct);
  CHECK(ct->key_id == key->key_id);
  CHECK(ct->key_version == 1);
  auto pt = f.kms.Decrypt(ct->blob, ctx);
  REQUIRE(pt);
  CHECK(Text(pt->plaintext) == "attack at dawn");
  CHECK(pt->key_id == key->key_id);

  auto no_ctx = f.kms.Decrypt(ct->blob);
  REQUIRE_FALSE(no_ctx);
  CHECK(no_ctx.error().code() == ErrorCode::auth_failed);
  CHECK(Contains(no_ctx.error().message(), "InvalidCiphertextException"));
  CHECK(f.kms.Decrypt(ct->blob, {{"purpose", "Test"}}).error().code() == ErrorCode::auth_failed);
}

TEST_CASE("Kms: Encrypt plaintext limits and unknown keys") {
  Fixture f;
  auto key = f.kms.CreateKey();
  std::vector<uint8_t> max(4096, 7), over(4097, 7);
  CHECK(f.kms.Encrypt(key->key_id, max));
  CHECK(f.kms.Encrypt(key->key_id, over).error().code() == ErrorCode::invalid_argument);
  CHECK(f.kms.Encrypt(key->key_id, {}).error().code() == ErrorCode::invalid_argument);
  CHECK(f.kms.Encrypt("alias/none", Bytes("x")).error().code() == ErrorCode::not_found);
}

TEST_CASE("Kms: Decrypt rejects damaged blobs and blobs from another keystore") {
  Fixture f;
  auto key = f.kms.CreateKey();
  auto ct = f.kms.Encrypt(key->key_id, Bytes("x"));
  auto flipped = ct->blob;
  flipped.back() ^= 1;
  CHECK(f.kms.Decrypt(flipped).error().code() == ErrorCode::auth_failed);
  CHECK(f.kms.Decrypt(std::span(ct->blob).first(10)).error().code() == ErrorCode::truncated);
  CHECK(f.kms.Decrypt(Bytes("not a blob at all, but long enough to parse..............."))
            .error()
            .code() == ErrorCode::malformed);
  // A version the key does not have.
  auto future = ct->blob;
  future[22] = 9;
  auto r = f.kms.Decrypt(future);
  CHECK(r.error().code() == ErrorCode::auth_failed);
  CHECK(Contains(r.error().message(), "no version 9"));

  Fixture other;
  auto foreign = other.kms.Decrypt(ct->blob);
  CHECK(foreign.error().code() == ErrorCode::not_found);
  CHECK(Contains(foreign.error().message(), "NotFoundException"));
}

TEST_CASE("Kms: Decrypt with an expected key") {
  Fixture f;
  auto a = f.kms.CreateKey();
  auto b = f.kms.CreateKey();
  REQUIRE(f.kms.CreateAlias("alias/a", a->key_id));
  auto ct = f.kms.Encrypt(a->key_id, Bytes("x"));
  CHECK(f.kms.Decrypt(ct->blob, {}, "alias/a"));
  CHECK(f.kms.Decrypt(ct->blob, {}, a->key_id));
  auto wrong = f.kms.Decrypt(ct->blob, {}, b->key_id);
  CHECK(wrong.error().code() == ErrorCode::invalid_argument);
  CHECK(Contains(wrong.error().message(), "IncorrectKeyException"));
}

TEST_CASE("Kms: GenerateDataKey and GenerateDataKeyWithoutPlaintext") {
  Fixture f;
  auto key = f.kms.CreateKey();
  const EncryptionContext ctx = {{"object", "a/b.txt"}};
  auto dk = f.kms.GenerateDataKey(key->key_id, ctx);
  REQUIRE(dk);
  CHECK(dk->plaintext.size() == 32);
  auto opened = f.kms.Decrypt(dk->ciphertext.blob, ctx);
  REQUIRE(opened);
  CHECK(opened->plaintext.Equals(dk->plaintext));
  auto dk2 = f.kms.GenerateDataKey(key->key_id, ctx);
  CHECK_FALSE(dk2->plaintext.Equals(dk->plaintext));

  auto blind = f.kms.GenerateDataKeyWithoutPlaintext(key->key_id, ctx);
  REQUIRE(blind);
  auto blind_key = f.kms.Decrypt(blind->blob, ctx);
  REQUIRE(blind_key);
  CHECK(blind_key->plaintext.size() == 32);
}

TEST_CASE("Kms: ReEncrypt to another key and to the newest version") {
  Fixture f;
  auto a = f.kms.CreateKey();
  auto b = f.kms.CreateKey();
  REQUIRE(f.kms.CreateAlias("alias/b", b->key_id));
  const EncryptionContext src = {{"k", "1"}}, dst = {{"k", "2"}};
  auto ct = f.kms.Encrypt(a->key_id, Bytes("moving"), src);

  auto moved = f.kms.ReEncrypt(ct->blob, src, "alias/b", dst);
  REQUIRE(moved);
  CHECK(moved->source_key_id == a->key_id);
  CHECK(moved->source_key_version == 1);
  CHECK(moved->ciphertext.key_id == b->key_id);
  CHECK(Text(f.kms.Decrypt(moved->ciphertext.blob, dst)->plaintext) == "moving");
  CHECK_FALSE(f.kms.Decrypt(moved->ciphertext.blob, src));

  // Same key after rotation: the blob moves to the newest version.
  REQUIRE(f.kms.RotateKeyOnDemand(a->key_id));
  auto fresh = f.kms.ReEncrypt(ct->blob, src, a->key_id, src);
  REQUIRE(fresh);
  CHECK(fresh->ciphertext.key_version == 2);
  CHECK(Text(f.kms.Decrypt(fresh->ciphertext.blob, src)->plaintext) == "moving");

  // Failures: wrong source context, disabled destination, unknown destination.
  CHECK(f.kms.ReEncrypt(ct->blob, dst, b->key_id, dst).error().code() == ErrorCode::auth_failed);
  REQUIRE(f.kms.DisableKey(b->key_id));
  auto disabled = f.kms.ReEncrypt(ct->blob, src, b->key_id, dst);
  CHECK(disabled.error().code() == ErrorCode::key_state);
  CHECK(Contains(disabled.error().message(), "DisabledException"));
  CHECK(f.kms.ReEncrypt(ct->blob, src, "alias/nope", dst).error().code() == ErrorCode::not_found);
  // A disabled source key refuses too.
  REQUIRE(f.kms.EnableKey(b->key_id));
  REQUIRE(f.kms.DisableKey(a->key_id));
  CHECK(f.kms.ReEncrypt(ct->blob, src, b->key_id, dst).error().code() == ErrorCode::key_state);
}

TEST_CASE("Kms: a key id given in upper case resolves") {
  Fixture f;
  auto key = f.kms.CreateKey();
  std::string upper = key->key_id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(f.kms.DescribeKey(upper)->key_id == key->key_id);
}

}  // namespace
}  // namespace envelope::kms
