// Argon2id: a known answer from libsodium's own test suite (tv vector 6 of
// test/default/pwhash_argon2id.c, whose output is in pwhash_argon2id.exp), and
// the behaviour of our wrapper around it. Costs stay tiny so the suite is fast.
#include "crypto/password_hash.h"

#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "crypto/hex.h"

namespace envelope::crypto {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

const std::vector<uint8_t> kSalt = FromHex("44071f6d181561670bda728d43fb79b4");
constexpr Argon2idParams kSmall{.ops = 1, .mem_kib = 64};

TEST_CASE("Argon2idDeriveKey: libsodium known answer (t=1, m=1593 KiB, 231 bytes)") {
  const auto password =
      FromHex("b540beb016a5366524d4605156493f9874514a5aa58818cd0c6dfffaa9e90205f17b");
  // libsodium takes memlimit in bytes (1631659) and uses it / 1024 KiB.
  auto out = Argon2idDeriveKey(password, kSalt, {.ops = 1, .mem_kib = 1631659 / 1024}, 231);
  REQUIRE(out);
  CHECK(ToHex(out->span()) ==
        "7fb72409b0987f8190c3729710e98c3f80c5a8727d425fdcde7f3644d467fe973f5b5fee683bd3fc"
        "e812cb9ae5e9921a2d06c2f1905e4e839692f2b934b682f11a2fe2b90482ea5dd234863516dba6f5"
        "2dc0702d324ec77d860c2e181f84472bd7104fedce071ffa93c5309494ad51623d214447a7b2b146"
        "2dc7d5d55a1f6fd5b54ce024118d86f0c6489d16545aaa87b6689dad9f2fb47fda9894f8e12b87d9"
        "78b483ccd4cc5fd9595cdc7a818452f915ce2f7df95ec12b1c72e3788d473441d884f9748eb14703"
        "c21b45d82fd667b85f5b2d98c13303b3fe76285531a826b6fc0fe8e3dddecf");
}

TEST_CASE("Argon2idDeriveKey: deterministic, and every input changes the key") {
  auto a = Argon2idDeriveKey(Bytes("correct horse"), kSalt, kSmall, 32);
  auto b = Argon2idDeriveKey(Bytes("correct horse"), kSalt, kSmall, 32);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->Equals(*b));
  auto other_pw = Argon2idDeriveKey(Bytes("correct horsf"), kSalt, kSmall, 32);
  auto salt2 = kSalt;
  salt2[15] ^= 1;
  auto other_salt = Argon2idDeriveKey(Bytes("correct horse"), salt2, kSmall, 32);
  auto other_ops = Argon2idDeriveKey(Bytes("correct horse"), kSalt, {.ops = 2, .mem_kib = 64}, 32);
  auto other_mem = Argon2idDeriveKey(Bytes("correct horse"), kSalt, {.ops = 1, .mem_kib = 128}, 32);
  for (auto* r : {&other_pw, &other_salt, &other_ops, &other_mem}) {
    REQUIRE(*r);
    CHECK_FALSE(a->Equals(**r));
  }
}

TEST_CASE("Argon2idDeriveKey: an empty password is allowed by the primitive") {
  auto out = Argon2idDeriveKey({}, kSalt, kSmall, 32);
  REQUIRE(out);
  CHECK(out->size() == 32);
}

TEST_CASE("Argon2idDeriveKey: rejects bad salt, output size and parameters") {
  std::vector<uint8_t> short_salt(15), long_salt(17);
  CHECK(Argon2idDeriveKey(Bytes("pw"), short_salt, kSmall, 32).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(Argon2idDeriveKey(Bytes("pw"), long_salt, kSmall, 32).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(Argon2idDeriveKey(Bytes("pw"), kSalt, kSmall, 15).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(Argon2idDeriveKey(Bytes("pw"), kSalt, kSmall, 1025).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(Argon2idDeriveKey(Bytes("pw"), kSalt, {.ops = 0, .mem_kib = 64}, 32).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(Argon2idDeriveKey(Bytes("pw"), kSalt, {.ops = 65, .mem_kib = 64}, 32).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(Argon2idDeriveKey(Bytes("pw"), kSalt, {.ops = 1, .mem_kib = 7}, 32).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(ValidateArgon2idParams({.ops = 1, .mem_kib = kArgon2idMaxMemKiB + 1}).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(ValidateArgon2idParams(Argon2idParams{}));
}

}  // namespace
}  // namespace envelope::crypto
