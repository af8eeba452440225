// Kms grant tokens (lib/kms/grant_token.h) through ScopedGrantTokens: what
// CreateGrant hands out, what is refused (InvalidGrantTokenException,
// ValidationException) and that a refusal changes nothing, and what the token
// of a retired or revoked grant does (nothing: the grant's permissions ended).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::Bytes;
using testing::FakeClock;
using testing::Options;
using testing::TempDir;

constexpr char kBob[] = "arn:aws:iam::111122223333:user/bob";

bool Refused(const Error& e, std::string_view type) {
  return e.code() == ErrorCode::invalid_argument && e.message().starts_with(type);
}

struct Fixture {
  Fixture() {
    auto opened = Kms::Open(Options(dir.keystore(), clock));
    REQUIRE(opened.has_value());
    kms.emplace(std::move(*opened));
    auto k = kms->CreateKey();
    REQUIRE(k.has_value());
    key = k->key_id;
    auto o = kms->CreateKey();
    REQUIRE(o.has_value());
    other = o->key_id;
    REQUIRE(kms->CreateUser("bob").has_value());
    auto access = kms->CreateAccessKey("bob");
    REQUIRE(access.has_value());
    bob.access_key_id = access->info.access_key_id;
  }

  NewGrant Grant(const std::string& on, std::vector<std::string> operations) {
    auto g = kms->CreateGrant({.key = on, .grantee_principal = kBob, .operations = operations});
    REQUIRE(g.has_value());
    return *g;
  }

  // Encrypt encrypts under `on` with `tokens`, as the keystore's owner.
  Result<Ciphertext> Encrypt(const std::string& on, std::vector<std::string> tokens) {
    ScopedGrantTokens scope(std::move(tokens));
    return kms->Encrypt(on, Bytes("hello"), {});
  }

  TempDir dir;
  FakeClock clock;
  std::optional<Kms> kms;
  std::string key, other;
  RequestCaller bob;
};

TEST_CASE("Kms grant tokens: CreateGrant's token is accepted, on its key and on others") {
  Fixture f;
  const NewGrant g = f.Grant(f.key, {"Encrypt", "Decrypt"});
  CHECK(g.grant_id.size() == 64);
  CHECK(g.grant_token.size() == 108);
  CHECK(g.grant_token != g.grant_id);
  CHECK(f.Encrypt(f.key, {g.grant_token}).has_value());
  // Clients send the same tokens with every key (the ESDK's keyrings do).
  CHECK(f.Encrypt(f.other, {g.grant_token}).has_value());
  // Ten tokens is the limit, not an error.
  CHECK(f.Encrypt(f.key, std::vector<std::string>(10, g.grant_token)).has_value());
  // Rotation does not change which tokens are valid.
  REQUIRE(f.kms->RotateKeyOnDemand(f.key).has_value());
  CHECK(f.Encrypt(f.key, {g.grant_token}).has_value());
  // A Kms opened afresh on the keystore (or a copy of it) checks it too.
  auto reopened = Kms::Open(Options(f.dir.keystore(), f.clock));
  REQUIRE(reopened.has_value());
  ScopedGrantTokens scope({g.grant_token});
  CHECK(reopened->DescribeKey(f.key).has_value());
}

TEST_CASE("Kms grant tokens: a token this keystore did not issue is refused, changing nothing") {
  Fixture f;
  const NewGrant g = f.Grant(f.key, {"Encrypt"});
  std::string flipped = g.grant_token;
  flipped[100] = flipped[100] == 'A' ? 'B' : 'A';  // in the tag
  std::string other_key = g.grant_token;
  other_key[5] = other_key[5] == 'A' ? 'B' : 'A';  // in the key id
  const std::string not_base64 = "BAD";
  const std::string grant_id_as_token = g.grant_id;  // what tokens used to be

  // Another keystore's token for a key of the same id cannot exist; its
  // tokens name keys this keystore never had.
  TempDir elsewhere;
  auto foreign = Kms::Open(Options(elsewhere.keystore(), f.clock));
  REQUIRE(foreign.has_value());
  auto fk = foreign->CreateKey();
  REQUIRE(fk.has_value());
  auto fg = foreign->CreateGrant(
      {.key = fk->key_id, .grantee_principal = kBob, .operations = {"Encrypt"}});
  REQUIRE(fg.has_value());

  for (const std::string& bad :
       {flipped, other_key, not_base64, grant_id_as_token, fg->grant_token}) {
    CAPTURE(bad);
    auto e = f.Encrypt(f.key, {g.grant_token, bad});
    REQUIRE_FALSE(e.has_value());
    CHECK(Refused(e.error(), "InvalidGrantTokenException: "));
  }
  CHECK(f.Encrypt(f.key, {fg->grant_token}).error().message().find("names no key") !=
        std::string::npos);

  // Every operation that takes GrantTokens refuses before it does anything.
  {
    ScopedGrantTokens scope({flipped});
    CHECK(Refused(f.kms->DescribeKey(f.key).error(), "InvalidGrantTokenException"));
    CHECK(Refused(f.kms->GenerateDataKey(f.key, {}).error(), "InvalidGrantTokenException"));
    CHECK(Refused(f.kms->GenerateDataKeyWithoutPlaintext(f.key, {}).error(),
                  "InvalidGrantTokenException"));
    auto refused_grant =
        f.kms->CreateGrant({.key = f.key, .grantee_principal = kBob, .operations = {"Decrypt"}});
    CHECK(Refused(refused_grant.error(), "InvalidGrantTokenException"));
  }
  auto grants = f.kms->ListGrants(f.key);
  REQUIRE(grants.has_value());
  CHECK(grants->size() == 1);  // the refused CreateGrant made none
}

TEST_CASE("Kms grant tokens: decrypt and re-encrypt check them too") {
  Fixture f;
  auto ct = f.kms->Encrypt(f.key, Bytes("secret"), {});
  REQUIRE(ct.has_value());
  ScopedGrantTokens scope({"BAD"});
  CHECK(Refused(f.kms->Decrypt(ct->blob, {}).error(), "InvalidGrantTokenException"));
  CHECK(Refused(f.kms->ReEncrypt(ct->blob, {}, f.other, {}).error(), "InvalidGrantTokenException"));
}

TEST_CASE("Kms grant tokens: the refused request's audit line names its caller") {
  Fixture f;
  {
    ScopedRequestCaller as_bob(f.bob);
    ScopedGrantTokens scope({"BAD"});
    CHECK(Refused(f.kms->DescribeKey(f.key).error(), "InvalidGrantTokenException"));
  }
  const std::string log = testing::ReadText(f.dir.keystore() + "/audit.log");
  const size_t at = log.rfind("InvalidGrantTokenException");
  REQUIRE(at != std::string::npos);
  const size_t begin = log.rfind('\n', at) + 1;
  const std::string line = log.substr(begin, log.find('\n', at) - begin);
  CHECK(line.find("\"eventName\":\"DescribeKey\"") != std::string::npos);
  CHECK(line.find("arn:aws:iam::111122223333:user/bob") != std::string::npos);
}

TEST_CASE("Kms grant tokens: the list's limits are ValidationException") {
  Fixture f;
  const NewGrant g = f.Grant(f.key, {"Encrypt"});
  CHECK(Refused(f.Encrypt(f.key, std::vector<std::string>(11, g.grant_token)).error(),
                "ValidationException"));
  CHECK(Refused(f.Encrypt(f.key, {""}).error(), "ValidationException"));
  CHECK(Refused(f.Encrypt(f.key, {std::string(8193, 'A')}).error(), "ValidationException"));
  CHECK(f.Encrypt(f.key, {}).has_value());  // an empty list is no list
}

TEST_CASE("Kms grant tokens: a retired or revoked grant's token is valid but gives nothing") {
  Fixture f;
  auto ct = f.kms->Encrypt(f.key, Bytes("for bob"), {});
  REQUIRE(ct.has_value());
  const NewGrant retired = f.Grant(f.key, {"Decrypt", "RetireGrant"});
  const NewGrant revoked = f.Grant(f.key, {"Decrypt"});
  {
    ScopedRequestCaller as_bob(f.bob);
    ScopedGrantTokens scope({retired.grant_token});
    CHECK(f.kms->Decrypt(ct->blob, {}).has_value());
    REQUIRE(f.kms->RetireGrant(retired.grant_token).has_value());
  }
  REQUIRE(f.kms->RevokeGrant(f.key, revoked.grant_id).has_value());
  {
    // Bob's permission came from the grants only: now AccessDenied, with or
    // without the tokens, which are not refused as invalid.
    ScopedRequestCaller as_bob(f.bob);
    ScopedGrantTokens scope({retired.grant_token, revoked.grant_token});
    auto denied = f.kms->Decrypt(ct->blob, {});
    REQUIRE_FALSE(denied.has_value());
    CHECK(denied.error().message().starts_with("AccessDeniedException"));
  }
  // The owner's request with the same tokens is decided by the key policy.
  CHECK(f.Encrypt(f.key, {retired.grant_token, revoked.grant_token}).has_value());
  // Retiring it again: the grant is gone (NotFound), the token still ours.
  auto again = f.kms->RetireGrant(retired.grant_token);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code() == ErrorCode::not_found);
  CHECK(Refused(f.kms->RetireGrant("BAD").error(), "InvalidGrantTokenException"));
}

TEST_CASE("Kms grant tokens: a deleted key's tokens cannot be checked and are refused") {
  Fixture f;
  const NewGrant g = f.Grant(f.other, {"Encrypt"});
  REQUIRE(f.kms->ScheduleKeyDeletion(f.other, 7).has_value());
  CHECK(f.Encrypt(f.key, {g.grant_token}).has_value());  // pending deletion: still checked
  f.clock.AdvanceDays(8);
  auto e = f.Encrypt(f.key, {g.grant_token});
  REQUIRE_FALSE(e.has_value());
  CHECK(Refused(e.error(), "InvalidGrantTokenException"));
  CHECK(e.error().message().find("was deleted") != std::string::npos);
}

}  // namespace
}  // namespace envelope::kms
