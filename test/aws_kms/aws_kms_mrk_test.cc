// Multi-Region keys across two servers: us-east-1 and a copy of its
// keystore served as us-west-2 (the replica holds the same key material
// under the same "mrk-" id). A message written in one region decrypts in
// the other with the MRK-aware keyrings only.
#include <doctest/doctest.h>

#include "envelope/aws_kms.hpp"
#include "envelope/message.hpp"
#include "kms_server_fixture.h"

namespace envelope {
namespace {

using testing::KmsServer;

std::vector<uint8_t> Plain(std::string_view s) { return {s.begin(), s.end()}; }

struct TwoRegions {
  TwoRegions() {
    mrk_east = east.CreateKey(/*multi_region=*/true);
    srk_east = east.CreateKey();
    // The replica region starts once the keys exist.
    west.emplace("us-west-2", "111122223333", 0, east.keystore_dir());
    const std::string mrk_id = mrk_east.substr(mrk_east.rfind('/') + 1);
    mrk_west = west->KeyArn(mrk_id);
    srk_west = west->KeyArn(srk_east.substr(srk_east.rfind('/') + 1));
  }
  // Supplier answers each region's own server.
  AwsKmsClientSupplier Supplier() {
    auto e = east.Client();
    auto w = west->Client();
    return [e, w](std::string_view region) -> Result<std::shared_ptr<AwsKmsClient>> {
      if (region == "us-east-1") return std::shared_ptr<AwsKmsClient>(e);
      if (region == "us-west-2") return std::shared_ptr<AwsKmsClient>(w);
      return MakeError(ErrorCode::not_found, "no server for region " + std::string(region));
    };
  }
  KmsServer east{"us-east-1"};
  std::optional<KmsServer> west;
  std::string mrk_east, mrk_west, srk_east, srk_west;
};

TEST_CASE("MRK: a message written in us-east-1 decrypts in us-west-2 through the replica") {
  TwoRegions t;
  CHECK(t.mrk_east.find(":key/mrk-") != std::string::npos);
  auto writer = NewAwsKmsKeyring({.generator = t.mrk_east, .mrk_aware = true}, t.Supplier());
  REQUIRE(writer);
  auto message = Encrypt(Plain("across regions"), **writer, {.context = {{"a", "b"}}});
  REQUIRE_MESSAGE(message, (message ? "" : message.error().ToString()));

  auto reader = NewAwsKmsKeyring({.generator = t.mrk_west, .mrk_aware = true}, t.Supplier());
  REQUIRE(reader);
  auto out = Decrypt(*message, **reader);
  REQUIRE_MESSAGE(out, (out ? "" : out.error().ToString()));
  CHECK(out->plaintext == Plain("across regions"));

  // Without MRK awareness the west ARN names another key than the EDK's.
  auto strict = NewAwsKmsKeyring({.generator = t.mrk_west}, t.Supplier());
  REQUIRE(strict);
  auto refused = Decrypt(*message, **strict);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::not_found);

  // MRK-aware discovery in us-west-2 calls only us-west-2, with the replica.
  auto discovery = NewAwsKmsDiscoveryKeyring({.mrk_region = "us-west-2"}, t.Supplier());
  REQUIRE(discovery);
  CHECK(Decrypt(*message, **discovery));
  // Plain discovery asks the EDK's own region (us-east-1).
  auto plain = NewAwsKmsDiscoveryKeyring({}, t.Supplier());
  REQUIRE(plain);
  CHECK(Decrypt(*message, **plain));
}

TEST_CASE("MRK: a single-Region key is not a replica, even with the same key material") {
  TwoRegions t;
  auto writer = NewAwsKmsKeyring({.generator = t.srk_east}, t.Supplier());
  REQUIRE(writer);
  auto message = Encrypt(Plain("x"), **writer, {});
  REQUIRE(message);
  auto reader = NewAwsKmsKeyring({.generator = t.srk_west, .mrk_aware = true}, t.Supplier());
  REQUIRE(reader);
  auto r = Decrypt(*message, **reader);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::not_found);
  auto west_discovery = NewAwsKmsDiscoveryKeyring({.mrk_region = "us-west-2"}, t.Supplier());
  REQUIRE(west_discovery);
  CHECK_FALSE(Decrypt(*message, **west_discovery));
}

TEST_CASE("MRK: the server reports MultiRegion and a key ARN's region matters") {
  TwoRegions t;
  auto client = t.east.Client();
  auto described = client->Call("DescribeKey", {{"KeyId", t.mrk_east}});
  REQUIRE(described);
  CHECK((*described)["KeyMetadata"]["MultiRegion"] == true);
  auto created = client->Call("CreateKey", {{"MultiRegion", true}});
  REQUIRE(created);
  CHECK((*created)["KeyMetadata"]["KeyId"].get<std::string>().starts_with("mrk-"));
  // The east server does not answer for a us-west-2 ARN.
  auto wrong_region = client->Encrypt(t.mrk_west, std::vector<uint8_t>{1}, {});
  REQUIRE_FALSE(wrong_region);
  CHECK(wrong_region.error().code() == ErrorCode::not_found);
}

}  // namespace
}  // namespace envelope
