// Digests and HMAC: FIPS 180-4 "abc" answers, RFC 4231 test case 2, and the
// RFC 1321 MD5 answers (MD5 serves only the SSE-C key transport check).
#include "crypto/digest.h"

#include <doctest/doctest.h>

#include <string_view>

#include "crypto/hex.h"

namespace envelope::crypto {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST_CASE("Hash: FIPS 180-4 answers for \"abc\"") {
  CHECK(ToHex(*Hash(HashAlg::sha256, Bytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ToHex(*Hash(HashAlg::sha384, Bytes("abc"))) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
        "8086072ba1e7cc2358baeca134c825a7");
  CHECK(ToHex(*Hash(HashAlg::sha512, Bytes("abc"))) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST_CASE("Md5ForTransportCheck: RFC 1321 answers") {
  uint8_t out[kMd5Size];
  REQUIRE(Md5ForTransportCheck(Bytes(""), out));
  CHECK(ToHex(out) == "d41d8cd98f00b204e9800998ecf8427e");
  REQUIRE(Md5ForTransportCheck(Bytes("abc"), out));
  CHECK(ToHex(out) == "900150983cd24fb0d6963f7d28e17f72");
  REQUIRE(Md5ForTransportCheck(Bytes("message digest"), out));
  CHECK(ToHex(out) == "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST_CASE("Hasher: incremental equals one-shot") {
  auto h = Hasher::New(HashAlg::sha384);
  REQUIRE(h);
  REQUIRE(h->Update(Bytes("a")));
  REQUIRE(h->Update(Bytes("")));
  REQUIRE(h->Update(Bytes("bc")));
  std::vector<uint8_t> out(48);
  REQUIRE(h->Final(out));
  CHECK(out == *Hash(HashAlg::sha384, Bytes("abc")));
  std::vector<uint8_t> wrong(47);
  auto h2 = Hasher::New(HashAlg::sha384);
  CHECK(h2->Final(wrong).error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("Hmac: RFC 4231 test case 2") {
  std::vector<uint8_t> out256(32), out512(64);
  REQUIRE(Hmac(HashAlg::sha256, Bytes("Jefe"), Bytes("what do ya want for nothing?"), out256));
  CHECK(ToHex(out256) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  REQUIRE(Hmac(HashAlg::sha512, Bytes("Jefe"), Bytes("what do ya want for nothing?"), out512));
  CHECK(ToHex(out512) ==
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST_CASE("HmacKey: RFC 4231 test case 2, in secret memory") {
  auto key = HmacKey(HashAlg::sha256, Bytes("Jefe"), Bytes("what do ya want for nothing?"));
  REQUIRE(key);
  CHECK(key->size() == 32);
  CHECK(ToHex(key->span()) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // The output can key the next link of a chain.
  auto next = HmacKey(HashAlg::sha256, key->span(), Bytes("abc"));
  REQUIRE(next);
  std::vector<uint8_t> expect(32);
  REQUIRE(Hmac(HashAlg::sha256, key->span(), Bytes("abc"), expect));
  CHECK(ToHex(next->span()) == ToHex(expect));
}

}  // namespace
}  // namespace envelope::crypto
