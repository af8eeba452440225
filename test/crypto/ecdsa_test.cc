// ECDSA P-384: Wycheproof ecdsa_secp384r1_sha384_test.json (every group,
// every vector) plus the properties the ESDK footer relies on.
#include "crypto/ecdsa.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto/digest.h"
#include "support/vectors.h"

namespace envelope::crypto {
namespace {

using testing::Hex;

std::vector<uint8_t> Sha384(const std::vector<uint8_t>& msg) {
  auto digest = Hash(HashAlg::sha384, msg);
  REQUIRE(digest);
  return *digest;
}

TEST_CASE("EcdsaP384: every Wycheproof ecdsa_secp384r1_sha384 vector is accounted for") {
  const auto doc =
      testing::LoadJson(testing::VectorPath("wycheproof/ecdsa_secp384r1_sha384_test.json"));
  testing::Tally tally;
  for (const auto& group : doc["testGroups"]) {
    REQUIRE(group["sha"] == "SHA-384");
    REQUIRE(group["publicKey"]["curve"] == "secp384r1");
    // The same key two ways: SubjectPublicKeyInfo and the uncompressed point.
    auto from_der = EcdsaP384PublicKey::FromDer(Hex(group["publicKeyDer"].get<std::string>()));
    auto from_point = EcdsaP384PublicKey::FromEncodedPoint(
        Hex(group["publicKey"]["uncompressed"].get<std::string>()));
    const bool keys_ok = from_der && from_point && from_der->Compressed() &&
                         *from_der->Compressed() == *from_point->Compressed();
    CHECK(keys_ok);
    for (const auto& t : group["tests"]) {
      CAPTURE(t["tcId"].get<int>());
      if (!keys_ok) {
        ++tally.failed;
        continue;
      }
      const auto msg = Hex(t["msg"].get<std::string>());
      const auto sig = Hex(t["sig"].get<std::string>());
      const std::string result = t["result"];
      const auto digest = Sha384(msg);
      auto by_der = from_der->VerifyDigest(digest, sig);
      auto by_point = from_point->Verify(msg, sig);
      if (result == "valid") {
        const bool ok = by_der && by_point;
        CHECK(ok);
        ok ? ++tally.valid_passed : ++tally.failed;
      } else if (result == "invalid") {
        const bool rejected = !by_der && !by_point &&
                              by_der.error().code() == ErrorCode::auth_failed &&
                              by_point.error().code() == ErrorCode::auth_failed &&
                              by_der.error().message() == "ecdsa: signature did not verify";
        CHECK(rejected);
        rejected ? ++tally.invalid_rejected : ++tally.failed;
      } else {
        ++tally.acceptable;
      }
    }
  }
  tally.Print("ecdsa_secp384r1_sha384_test.json");
  CHECK(tally.failed == 0);
  CHECK(tally.total() == doc["numberOfTests"].get<int>());
}

struct Signed {
  EcdsaP384PrivateKey key = std::move(*EcdsaP384PrivateKey::Generate());
  EcdsaP384PublicKey pub = std::move(*key.PublicKey());
  std::vector<uint8_t> msg = {'e', 'n', 'v', 'e', 'l', 'o', 'p', 'e'};
  std::vector<uint8_t> digest = Sha384(msg);
  std::vector<uint8_t> sig = std::move(*key.SignDigest(digest));
};

TEST_CASE("EcdsaP384: sign then verify, by digest and by message") {
  Signed s;
  CHECK(s.pub.VerifyDigest(s.digest, s.sig));
  CHECK(s.pub.Verify(s.msg, s.sig));
  auto by_message = s.key.Sign(s.msg);
  REQUIRE(by_message);
  CHECK(s.pub.VerifyDigest(s.digest, *by_message));
}

TEST_CASE("EcdsaP384: verifies a digest computed incrementally") {
  Signed s;
  auto hasher = Hasher::New(HashAlg::sha384);
  REQUIRE(hasher);
  REQUIRE(hasher->Update(std::span(s.msg).first(3)));
  REQUIRE(hasher->Update(std::span(s.msg).subspan(3)));
  std::vector<uint8_t> digest(48);
  REQUIRE(hasher->Final(digest));
  CHECK(s.pub.VerifyDigest(digest, s.sig));
}

TEST_CASE("EcdsaP384: signatures are canonical DER of at most 104 bytes") {
  auto key = EcdsaP384PrivateKey::Generate();
  REQUIRE(key);
  auto pub = key->PublicKey();
  REQUIRE(pub);
  std::vector<uint8_t> digest(48);
  for (int i = 0; i < 64; ++i) {
    digest[0] = static_cast<uint8_t>(i);
    auto sig = key->SignDigest(digest);
    REQUIRE(sig);
    CAPTURE(sig->size());
    CHECK(sig->size() <= kP384MaxSignatureSize);
    CHECK((*sig)[0] == 0x30);
    CHECK(pub->VerifyDigest(digest, *sig));
  }
}

TEST_CASE("EcdsaP384: rejects a flipped digest bit") {
  Signed s;
  for (size_t bit = 0; bit < 48 * 8; bit += 5) {
    auto digest = s.digest;
    digest[bit / 8] ^= uint8_t(1u << (bit % 8));
    auto r = s.pub.VerifyDigest(digest, s.sig);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
  }
}

TEST_CASE("EcdsaP384: rejects every flipped signature bit") {
  Signed s;
  for (size_t bit = 0; bit < s.sig.size() * 8; ++bit) {
    CAPTURE(bit);
    auto sig = s.sig;
    sig[bit / 8] ^= uint8_t(1u << (bit % 8));
    auto r = s.pub.VerifyDigest(s.digest, sig);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
  }
}

TEST_CASE("EcdsaP384: rejects BER re-encodings, truncation and trailing bytes") {
  Signed s;
  REQUIRE(s.sig.size() < 128);
  // Long-form sequence length: the same r and s, valid BER, not DER.
  std::vector<uint8_t> long_form = {0x30, 0x81, s.sig[1]};
  long_form.insert(long_form.end(), s.sig.begin() + 2, s.sig.end());
  // An extra leading zero on r (02 len 00 ...): BER-tolerant parsers accept it.
  std::vector<uint8_t> padded_r = {0x30, static_cast<uint8_t>(s.sig[1] + 1), 0x02,
                                   static_cast<uint8_t>(s.sig[3] + 1), 0x00};
  padded_r.insert(padded_r.end(), s.sig.begin() + 4, s.sig.end());
  auto trailing = s.sig;
  trailing.push_back(0);
  std::vector<uint8_t> truncated(s.sig.begin(), s.sig.end() - 1);
  std::vector<uint8_t> empty;
  for (const auto* sig : {&long_form, &padded_r, &trailing, &truncated, &empty}) {
    auto r = s.pub.VerifyDigest(s.digest, *sig);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
  }
}

TEST_CASE("EcdsaP384: rejects another key's signature and a wrong digest size") {
  Signed s;
  auto other = EcdsaP384PrivateKey::Generate();
  REQUIRE(other);
  auto other_pub = other->PublicKey();
  REQUIRE(other_pub);
  CHECK(other_pub->VerifyDigest(s.digest, s.sig).error().code() == ErrorCode::auth_failed);
  std::vector<uint8_t> short_digest(32), long_digest(64);
  CHECK(s.pub.VerifyDigest(short_digest, s.sig).error().code() == ErrorCode::invalid_argument);
  CHECK(s.key.SignDigest(long_digest).error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("EcdsaP384: compressed point round trip") {
  for (int i = 0; i < 16; ++i) {
    auto key = EcdsaP384PrivateKey::Generate();
    REQUIRE(key);
    auto compressed = key->PublicKeyCompressed();
    REQUIRE(compressed);
    REQUIRE(compressed->size() == 49);
    CHECK(((*compressed)[0] == 0x02 || (*compressed)[0] == 0x03));
    auto pub = EcdsaP384PublicKey::FromCompressed(*compressed);
    REQUIRE(pub);
    CHECK(*pub->Compressed() == *compressed);
    // Not the zero digest: with e = 0 a signature also verifies under -Q.
    std::vector<uint8_t> digest(48, static_cast<uint8_t>(i + 1));
    CHECK(pub->VerifyDigest(digest, *key->SignDigest(digest)));
    // The other parity is the negated point: a valid key, but not this one.
    auto flipped = *compressed;
    flipped[0] ^= 0x01;
    auto other = EcdsaP384PublicKey::FromCompressed(flipped);
    REQUIRE(other);
    CHECK(*other->Compressed() == flipped);
    CHECK(other->VerifyDigest(digest, *key->SignDigest(digest)).error().code() ==
          ErrorCode::auth_failed);
  }
}

TEST_CASE("EcdsaP384: compressed and uncompressed Wycheproof keys agree") {
  // tcId group 1's key: uncompressed point and its compressed form.
  const auto uncompressed =
      Hex("0429bdb76d5fa741bfd70233cb3a66cc7d44beb3b0663d92a8136650478bcefb61ef182e155a54345a5e8e5e"
          "88f064e5bc9a525ab7f764dad3dae1468c2b419f3b62b9ba917d5e8c4fb1ec47404a3fc76474b2713081be9d"
          "b4c00e043ada9fc4a3");
  auto pub = EcdsaP384PublicKey::FromEncodedPoint(uncompressed);
  REQUIRE(pub);
  auto compressed = pub->Compressed();
  REQUIRE(compressed);
  std::vector<uint8_t> expected(uncompressed.begin(), uncompressed.begin() + 49);
  expected[0] = 0x03;  // y ends in 0xa3: odd
  CHECK(*compressed == expected);
  CHECK(EcdsaP384PublicKey::FromCompressed(*compressed));
  // FromCompressed takes only the compressed form.
  CHECK(EcdsaP384PublicKey::FromCompressed(uncompressed).error().code() ==
        ErrorCode::invalid_argument);
}

TEST_CASE("EcdsaP384: rejects points of the wrong length, prefix or curve") {
  auto key = EcdsaP384PrivateKey::Generate();
  REQUIRE(key);
  const auto good = *key->PublicKeyCompressed();
  auto expect_invalid = [](const std::vector<uint8_t>& point) {
    CAPTURE(point.size());
    auto r = EcdsaP384PublicKey::FromEncodedPoint(point);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
  };
  expect_invalid({});
  expect_invalid({0x00});  // the point at infinity
  expect_invalid(std::vector<uint8_t>(good.begin(), good.end() - 1));
  auto longer = good;
  longer.push_back(0);
  expect_invalid(longer);
  for (uint8_t prefix : {0x00, 0x01, 0x04, 0x05, 0x06, 0x07}) {
    auto p = good;
    p[0] = prefix;
    expect_invalid(p);
  }
  std::vector<uint8_t> p256_sized(33, 0x11);
  p256_sized[0] = 0x02;
  expect_invalid(p256_sized);
  // An uncompressed point with a changed y is off the curve.
  auto pub = EcdsaP384PublicKey::FromCompressed(good);
  REQUIRE(pub);
  std::vector<uint8_t> x_only(good.begin() + 1, good.end());
  std::vector<uint8_t> off_curve = {0x04};
  off_curve.insert(off_curve.end(), x_only.begin(), x_only.end());
  off_curve.insert(off_curve.end(), x_only.begin(), x_only.end());  // y := x
  expect_invalid(off_curve);
  std::vector<uint8_t> zeros(97, 0);
  zeros[0] = 0x04;
  expect_invalid(zeros);
}

TEST_CASE("EcdsaP384: FromDer rejects other curves, trailing bytes and garbage") {
  const auto p256 =
      Hex("3059301306072a8648ce3d020106082a8648ce3d03010703420004826b07c596b4848466174482f9ee927439"
          "e2814881a82455949ec37e1510779d3b540a9b5134aad197cc9c69d235c11595e3e74487d7545c5fe795f425"
          "17a4f1");
  CHECK(EcdsaP384PublicKey::FromDer(p256).error().code() == ErrorCode::invalid_argument);
  const auto doc =
      testing::LoadJson(testing::VectorPath("wycheproof/ecdsa_secp384r1_sha384_test.json"));
  auto der = Hex(doc["testGroups"][0]["publicKeyDer"].get<std::string>());
  REQUIRE(EcdsaP384PublicKey::FromDer(der));
  der.push_back(0);
  CHECK(EcdsaP384PublicKey::FromDer(der).error().code() == ErrorCode::invalid_argument);
  std::vector<uint8_t> garbage = {0x30, 0x03, 0x02, 0x01, 0x01};
  CHECK(EcdsaP384PublicKey::FromDer(garbage).error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("EcdsaP384: moved-from keys fail instead of crashing") {
  Signed s;
  EcdsaP384PublicKey moved = std::move(s.pub);
  CHECK(moved.VerifyDigest(s.digest, s.sig));
  CHECK(s.pub.VerifyDigest(s.digest, s.sig).error().code() == ErrorCode::invalid_argument);
  EcdsaP384PrivateKey moved_key = std::move(s.key);
  CHECK(s.key.SignDigest(s.digest).error().code() == ErrorCode::invalid_argument);
  CHECK(moved_key.SignDigest(s.digest));
}

namespace p256 {
// EcdsaP256PublicKey: a known answer made with the openssl command line, and
// every way a signature or key can be wrong.

using testing::Hex;

// openssl ecparam -name prime256v1 -genkey; public key compressed; message
// "envelope p-256 known answer"; openssl dgst -sha256 -sign.
const auto kPublic = Hex("03d285034bcb2fa26da8e5791dbd3a5cfadee04390749018bed77f27eae7f379d4");
const auto kDigest = Hex("bb51859924480e8fa6200007c24518cc11e0338ef308c0010a16282189141cb4");
const auto kSignature =
    Hex("3045022048a943193cb5350f7f7f4949fe9fe71ffcced757c9df59373fdea63c59789be3022100a4eca842a6"
        "91005e166d6decf5699bbe6af1ebdb0fb1543e5d915284b779e067");

TEST_CASE("EcdsaP256PublicKey: verifies the openssl known answer") {
  auto key = EcdsaP256PublicKey::FromCompressed(kPublic);
  REQUIRE(key);
  CHECK(key->VerifyDigest(kDigest, kSignature));
}

TEST_CASE("EcdsaP256PublicKey: rejects every flipped bit of signature and digest") {
  auto key = EcdsaP256PublicKey::FromCompressed(kPublic);
  REQUIRE(key);
  for (size_t bit = 0; bit < kSignature.size() * 8; ++bit) {
    auto sig = kSignature;
    sig[bit / 8] ^= uint8_t(1u << (bit % 8));
    CAPTURE(bit);
    auto r = key->VerifyDigest(kDigest, sig);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
  }
  for (size_t bit = 0; bit < kDigest.size() * 8; ++bit) {
    auto digest = kDigest;
    digest[bit / 8] ^= uint8_t(1u << (bit % 8));
    CHECK_FALSE(key->VerifyDigest(digest, kSignature));
  }
  CHECK(key->VerifyDigest(kDigest, {}).error().code() == ErrorCode::auth_failed);
  CHECK(key->VerifyDigest(std::vector<uint8_t>(31), kSignature).error().code() ==
        ErrorCode::invalid_argument);
}

TEST_CASE("EcdsaP256PublicKey: rejects malformed public keys") {
  CHECK_FALSE(EcdsaP256PublicKey::FromCompressed({}));
  CHECK_FALSE(EcdsaP256PublicKey::FromCompressed(std::span(kPublic).first(32)));
  auto wrong_prefix = kPublic;
  wrong_prefix[0] = 0x04;
  CHECK(EcdsaP256PublicKey::FromCompressed(wrong_prefix).error().code() ==
        ErrorCode::invalid_argument);
  // x = 2^256 - 1 is not a field element (it is above p).
  std::vector<uint8_t> off_curve(33, 0xff);
  off_curve[0] = 0x02;
  CHECK_FALSE(EcdsaP256PublicKey::FromCompressed(off_curve));
  // The other parity is a different key: the signature must not verify.
  auto other = kPublic;
  other[0] = 0x02;
  auto key = EcdsaP256PublicKey::FromCompressed(other);
  REQUIRE(key);
  CHECK_FALSE(key->VerifyDigest(kDigest, kSignature));
}

}  // namespace p256

}  // namespace
}  // namespace envelope::crypto
