// Raw keyring names and encryption contexts outside ASCII: names compare as
// bytes (a signed char never equals a uint8_t >= 0x80), text that is not
// UTF-8 is refused with an error naming the field, and a message whose
// header context is not UTF-8 is rejected, never crashes.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "support/vectors.h"

namespace envelope {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string Pem(const char* name) {
  const auto b = testing::ReadFile(std::filesystem::path(ENVELOPE_TEST_DATA_DIR) / name);
  return {b.begin(), b.end()};
}

std::shared_ptr<const Keyring> Aes(std::string_view ns, std::string_view name) {
  auto k = NewRawAesKeyring(ns, name, KeyView(std::vector<uint8_t>(32, 7)));
  REQUIRE(k);
  return *k;
}

std::shared_ptr<const Keyring> Rsa(std::string_view ns, std::string_view name) {
  auto k = NewRawRsaKeyring(ns, name, RsaPadding::oaep_sha256, "", Pem("rsa4096_a.pem"));
  REQUIRE(k);
  return *k;
}

const std::vector<uint8_t> kPlain = Bytes("non-ascii names");
const char kCle[] = "cl\xc3\xa9";                           // clé
const char kCle2[] = "cl\xc3\xa8";                          // clè: differs in the last byte
const char kKlyuch[] = "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87";  // ключ

TEST_CASE("Raw keyrings: non-ASCII namespaces and names round trip and compare as bytes") {
  using Make = std::shared_ptr<const Keyring> (*)(std::string_view, std::string_view);
  for (Make make : {Make{&Aes}, Make{&Rsa}}) {
    for (const char* name : {kCle, kKlyuch}) {
      CAPTURE(name);
      EncryptOptions options;
      options.context = {{kKlyuch, kCle}};
      auto message = Encrypt(kPlain, *make(kKlyuch, name), options);
      REQUIRE(message);
      auto result = Decrypt(*message, *make(kKlyuch, name));
      REQUIRE(result);
      CHECK(result->plaintext == kPlain);
      CHECK(result->header.context == options.context);
      // Another name that differs only in a byte >= 0x80 is not addressed.
      auto other = Decrypt(*message, *make(kKlyuch, kCle2));
      REQUIRE_FALSE(other);
      CHECK(other.error().code() == ErrorCode::not_found);
    }
  }
}

TEST_CASE("Raw keyrings: a namespace or name that is not UTF-8 is refused, not echoed") {
  const std::vector<uint8_t> key(32, 7);
  auto bad_name = NewRawAesKeyring("ns", "k\xff", KeyView(key));
  REQUIRE_FALSE(bad_name);
  CHECK(bad_name.error().code() == ErrorCode::invalid_argument);
  CHECK(bad_name.error().message() == "raw aes keyring: key name is not valid UTF-8");
  auto bad_ns = NewRawAesKeyring("\xc0\xaf", "k", KeyView(key));  // overlong '/'
  REQUIRE_FALSE(bad_ns);
  CHECK(bad_ns.error().message() == "raw aes keyring: key namespace is not valid UTF-8");
  auto rsa = NewRawRsaKeyring("ns", "\xed\xa0\x80", RsaPadding::oaep_sha256, "",
                              Pem("rsa4096_a.pem"));  // a surrogate
  REQUIRE_FALSE(rsa);
  CHECK(rsa.error().message() == "raw rsa keyring: key name is not valid UTF-8");
}

TEST_CASE("Encrypt: a context key or value that is not UTF-8 is refused by name") {
  EncryptOptions options;
  options.context = {{"k", "\xff"}};
  auto value = Encrypt(kPlain, *Aes("ns", "key"), options);
  REQUIRE_FALSE(value);
  CHECK(value.error().code() == ErrorCode::invalid_argument);
  CHECK(value.error().message().find("encryption context value for key \"k\" is not valid UTF-8") !=
        std::string::npos);
  CHECK(value.error().message().find('\xff') == std::string::npos);
  options.context = {{"\xf4\x90\x80\x80", "v"}};  // above U+10FFFF
  auto key = Encrypt(kPlain, *Aes("ns", "key"), options);
  REQUIRE_FALSE(key);
  CHECK(key.error().message().find("encryption context key is not valid UTF-8") !=
        std::string::npos);
}

TEST_CASE("Decrypt: a header context that is not UTF-8 is a malformed message") {
  // Encrypt with a two-byte value, then make those bytes invalid UTF-8 in
  // place (the lengths still add up, so only the UTF-8 check can object).
  EncryptOptions options;
  options.context = {{"k", kCle}};
  auto message = Encrypt(kPlain, *Aes("ns", "key"), options);
  REQUIRE(message);
  const auto value = Bytes(kCle);
  auto pos = std::search(message->begin(), message->end(), value.begin(), value.end());
  REQUIRE(pos != message->end());
  pos[2] = 0xff;  // c3 ff: a lead byte without its continuation
  auto r = Decrypt(*message, *Aes("ns", "key"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("not UTF-8") != std::string::npos);
  CHECK(r.error().code() != ErrorCode::auth_failed);
}

}  // namespace
}  // namespace envelope
