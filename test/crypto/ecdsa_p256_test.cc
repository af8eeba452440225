// EcdsaP256PublicKey: a known answer made with the openssl command line, and
// every way a signature or key can be wrong.
#include "crypto/ecdsa_p256.h"

#include <doctest/doctest.h>

#include <vector>

#include "support/vectors.h"

namespace envelope::crypto {
namespace {

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

}  // namespace
}  // namespace envelope::crypto
