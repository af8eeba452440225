// RFC 7512 URIs, PIN files, and the token and key listings.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "envelope/pkcs11.hpp"
#include "pkcs11/softhsm.h"

namespace envelope {
namespace {

TEST_CASE("ParsePkcs11Uri: path and query attributes, percent-decoded") {
  auto uri = ParsePkcs11Uri(
      "pkcs11:token=My%20Token;object=wrap%2Dkey;id=%01%02%fF;type=secret-key;"
      "manufacturer=SoftHSM%20project?module-path=/usr/lib/softhsm/libsofthsm2.so"
      "&pin-source=file:/run/secrets/pin");
  REQUIRE(uri);
  CHECK(uri->token == "My Token");
  CHECK(uri->object == "wrap-key");
  CHECK(uri->id == std::vector<uint8_t>{0x01, 0x02, 0xff});
  CHECK(uri->type == "secret-key");
  CHECK(uri->module_path == "/usr/lib/softhsm/libsofthsm2.so");
  CHECK(uri->pin_source == "file:/run/secrets/pin");
  CHECK(FormatPkcs11Uri(*uri) ==
        "pkcs11:token=My%20Token;object=wrap-key;id=%01%02%FF;type=secret-key"
        "?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin");
  auto again = ParsePkcs11Uri(FormatPkcs11Uri(*uri));
  REQUIRE(again);
  CHECK(FormatPkcs11Uri(*again) == FormatPkcs11Uri(*uri));
  CHECK(ParsePkcs11Uri("PKCS11:object=a"));
  auto empty = ParsePkcs11Uri("pkcs11:");
  REQUIRE(empty);
  CHECK(empty->token.empty());
}

TEST_CASE("ParsePkcs11Uri: pin-value is refused with a hint, and so is malformed input") {
  auto pin_value = ParsePkcs11Uri("pkcs11:token=t;object=k?pin-value=1234");
  REQUIRE_FALSE(pin_value);
  CHECK(pin_value.error().code() == ErrorCode::invalid_argument);
  CHECK(pin_value.error().message().find("pin-value is refused") != std::string::npos);
  CHECK(pin_value.error().message().find("pin-source") != std::string::npos);
  CHECK(pin_value.error().message().find("1234") == std::string::npos);
  for (const char* bad : {"pkcs12:token=t", "token=t", "pkcs11:object=%4", "pkcs11:object=%G1",
                          "pkcs11:object=a;object=b", "pkcs11:type=private", "pkcs11:=x",
                          "pkcs11:object", "pkcs11:token=t?pin-source=%7C/bin/pinentry"}) {
    CAPTURE(bad);
    auto r = ParsePkcs11Uri(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
  }
}

TEST_CASE("ReadPkcs11Pin: reads a file (path or file: URI), drops one newline") {
  char dir_template[] = "/tmp/envelope-pin-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::filesystem::path dir = dir_template;
  auto write = [&](const char* name, std::string_view content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  auto pin = ReadPkcs11Pin(write("pin", "4711-user\n"));
  REQUIRE(pin);
  CHECK(std::string(pin->span().begin(), pin->span().end()) == "4711-user");
  auto uri = ReadPkcs11Pin("file:" + write("pin2", "a b\r\n"));
  REQUIRE(uri);
  CHECK(std::string(uri->span().begin(), uri->span().end()) == "a b");
  auto empty = ReadPkcs11Pin(write("empty", "\n"));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code() == ErrorCode::invalid_argument);
  CHECK_FALSE(ReadPkcs11Pin(write("long", std::string(300, 'x'))));
  auto missing = ReadPkcs11Pin((dir / "missing").string());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::io);
  CHECK_FALSE(ReadPkcs11Pin("|/bin/echo 1234"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("ListPkcs11Tokens and ListPkcs11Keys: the test token and its keys") {
  auto& hsm = testing::SoftHsm::Get();
  auto tokens = ListPkcs11Tokens(testing::kSoftHsmModule);
  REQUIRE(tokens);
  const Pkcs11TokenInfo* token = nullptr;
  for (const auto& t : *tokens) {
    if (t.label == testing::kTokenLabel) token = &t;
  }
  REQUIRE(token != nullptr);
  CHECK(token->initialized);
  CHECK(token->login_required);
  CHECK(token->manufacturer == "SoftHSM project");
  // SoftHSM2 2.6.1 offers both mechanisms.
  CHECK(token->supports_aes_gcm);
  CHECK(token->supports_aes_key_wrap_pad);

  auto keys = ListPkcs11Keys(testing::kSoftHsmModule, testing::kTokenLabel, hsm.Pin());
  REQUIRE(keys);
  CHECK(keys->size() == 7);
  std::map<std::string, std::vector<const Pkcs11KeyInfo*>> by_label;
  for (const auto& k : *keys) by_label[k.label].push_back(&k);
  REQUIRE(by_label[testing::kKeyFull].size() == 1);
  const auto& full = *by_label[testing::kKeyFull][0];
  CHECK(full.bits == 256);
  CHECK(full.usable);
  CHECK(full.uri == "pkcs11:token=envelope-test;object=wrap-main;id=%01;type=secret-key");
  CHECK_FALSE(by_label[testing::kKeyDecryptOnly].at(0)->usable);
  CHECK(by_label[testing::kKeyDecryptOnly].at(0)->can_decrypt);
  CHECK_FALSE(by_label[testing::kKeyDecryptOnly].at(0)->can_encrypt);
  CHECK_FALSE(by_label[testing::kKeyNoRights].at(0)->usable);
  CHECK(by_label[testing::kKeyAes128].at(0)->bits == 128);
  CHECK_FALSE(by_label[testing::kKeyAes128].at(0)->usable);
  CHECK(by_label[testing::kKeyTwice].size() == 2);

  auto wrong = ListPkcs11Keys(testing::kSoftHsmModule, testing::kTokenLabel, hsm.WrongPin());
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code() == ErrorCode::auth_failed);
}

}  // namespace
}  // namespace envelope
