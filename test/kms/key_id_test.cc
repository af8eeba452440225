// Key ids: UUIDs and multi-Region ("mrk-") ids, one text form each; a
// multi-Region key survives a reopen of the keystore and works locally.
#include "kms/key_id.h"

#include <doctest/doctest.h>

#include "envelope/kms.hpp"
#include "envelope/message.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

TEST_CASE("KeyId: multi-Region ids round-trip in their mrk- form only") {
  auto mrk = internal::NewMultiRegionKeyId();
  REQUIRE(mrk);
  CHECK(internal::IsMultiRegionKeyId(*mrk));
  const std::string text = internal::FormatKeyId(*mrk);
  CHECK(text.size() == 36);
  CHECK(text.starts_with("mrk-"));
  CHECK(internal::ParseKeyId(text) == *mrk);
  // The same bytes in UUID form, or upper case, name no key.
  std::string upper = text;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  upper.replace(0, 4, "mrk-");
  CHECK_FALSE(internal::ParseKeyId(upper));
  const std::string hex = text.substr(4);
  const std::string as_uuid = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
                              "-" + hex.substr(16, 4) + "-" + hex.substr(20);
  CHECK_FALSE(internal::ParseKeyId(as_uuid));
  auto uuid = internal::NewKeyId();
  REQUIRE(uuid);
  CHECK_FALSE(internal::IsMultiRegionKeyId(*uuid));
  CHECK_FALSE(internal::ParseKeyId("mrk-" + internal::FormatKeyId(*uuid).substr(0, 32)));
}

TEST_CASE("KeyId: a multi-Region key is kept, reopened and used by the local keyring") {
  testing::TempDir tmp;
  testing::FakeClock clock;
  std::string id;
  {
    auto kms = Kms::Open(testing::Options(tmp.keystore(), clock));
    REQUIRE(kms);
    CreateKeyRequest request;
    request.multi_region = true;
    auto key = kms->CreateKey(request);
    REQUIRE(key);
    id = key->key_id;
    CHECK(id.starts_with("mrk-"));
  }
  auto kms = std::make_shared<Kms>(*Kms::Open(testing::Options(tmp.keystore(), clock)));
  auto described = kms->DescribeKey(id);
  REQUIRE(described);
  CHECK(described->key_id == id);
  auto keyring = NewKmsKeyring(NewKmsClient(kms), id);
  REQUIRE(keyring);
  const std::vector<uint8_t> plain = {1, 2, 3};
  auto message = Encrypt(plain, **keyring, {});
  REQUIRE_MESSAGE(message, (message ? "" : message.error().ToString()));
  auto out = Decrypt(*message, **keyring);
  REQUIRE(out);
  CHECK(out->plaintext == plain);
}

}  // namespace
}  // namespace envelope::kms
