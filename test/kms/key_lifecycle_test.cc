// Kms key lifecycle: create/describe/list, aliases, enable/disable, deletion
// windows and rotation, with the clock moved across periods and windows.
#include <doctest/doctest.h>

#include <algorithm>

#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::Bytes;
using testing::FakeClock;
using testing::Options;
using testing::TempDir;

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_CASE("Kms: create, describe and list keys") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE_MESSAGE(kms, kms.error().ToString());
  auto a = kms->CreateKey({.description = "first", .tags = {{"team", "storage"}}});
  REQUIRE(a);
  CHECK(a->key_id.size() == 36);
  CHECK(a->state == KeyState::enabled);
  CHECK(a->current_version == 1);
  CHECK_FALSE(a->rotation_enabled);
  CHECK(a->creation_date == clock.now());
  clock.Advance(std::chrono::hours(1));
  auto b = kms->CreateKey();
  REQUIRE(b);
  CHECK(a->key_id != b->key_id);

  auto d = kms->DescribeKey(a->key_id);
  REQUIRE(d);
  CHECK(d->description == "first");
  CHECK(d->tags.at("team") == "storage");
  auto list = kms->ListKeys();
  REQUIRE(list);
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].key_id == a->key_id);
  CHECK((*list)[1].key_id == b->key_id);

  // A second Kms on the same folder sees the same keys.
  auto again = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(again);
  CHECK(again->DescribeKey(b->key_id)->creation_date == b->creation_date);
}

TEST_CASE("Kms: unknown keys and invalid input") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms);
  auto missing = kms->DescribeKey("00000000-0000-4000-8000-000000000000");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::not_found);
  CHECK(Contains(missing.error().message(), "NotFoundException"));
  auto garbage = kms->DescribeKey("not-a-key");
  CHECK(garbage.error().code() == ErrorCode::not_found);
  CHECK(Contains(garbage.error().message(), "hint"));
  CHECK(kms->DescribeKey("alias/nope").error().code() == ErrorCode::not_found);
  CreateKeyRequest too_many_tags;
  for (int i = 0; i < 51; ++i) too_many_tags.tags["k" + std::to_string(i)] = "v";
  CHECK(kms->CreateKey(too_many_tags).error().code() == ErrorCode::invalid_argument);
  CHECK(kms->CreateKey({.description = std::string(8193, 'x')}).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(kms->ListKeys()->empty());  // failed creates left nothing behind
}

TEST_CASE("Kms: aliases create, resolve, update, delete, list") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms);
  auto a = kms->CreateKey();
  auto b = kms->CreateKey();
  REQUIRE(kms->CreateAlias("alias/app", a->key_id));
  CHECK(kms->DescribeKey("alias/app")->key_id == a->key_id);

  auto dup = kms->CreateAlias("alias/app", b->key_id);
  CHECK(dup.error().code() == ErrorCode::invalid_argument);
  CHECK(Contains(dup.error().message(), "AlreadyExistsException"));
  for (const char* bad : {"app", "alias/", "alias/aws/x", "alias/sp ace", "alias/é"}) {
    CAPTURE(bad);
    auto r = kms->CreateAlias(bad, a->key_id);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
    CHECK(Contains(r.error().message(), "InvalidAliasNameException"));
  }
  CHECK(kms->CreateAlias("alias/" + std::string(251, 'a'), a->key_id).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(kms->CreateAlias("alias/other", "alias/app").error().code() == ErrorCode::invalid_argument);
  CHECK(kms->CreateAlias("alias/other", "00000000-0000-4000-8000-000000000000").error().code() ==
        ErrorCode::not_found);

  REQUIRE(kms->UpdateAlias("alias/app", b->key_id));
  CHECK(kms->DescribeKey("alias/app")->key_id == b->key_id);
  CHECK(kms->UpdateAlias("alias/none", b->key_id).error().code() == ErrorCode::not_found);
  REQUIRE(kms->CreateAlias("alias/team/x-1_a", a->key_id));

  auto all = kms->ListAliases();
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].alias_name == "alias/app");
  auto of_a = kms->ListAliases(a->key_id);
  REQUIRE(of_a->size() == 1);
  CHECK((*of_a)[0].alias_name == "alias/team/x-1_a");

  REQUIRE(kms->DeleteAlias("alias/app"));
  CHECK(kms->DescribeKey("alias/app").error().code() == ErrorCode::not_found);
  CHECK(kms->DeleteAlias("alias/app").error().code() == ErrorCode::not_found);
  CHECK(kms->DescribeKey(b->key_id));  // the key is untouched
}

TEST_CASE("Kms: disabled keys refuse cryptographic use with DisabledException") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  auto key = kms->CreateKey();
  auto ct = kms->Encrypt(key->key_id, Bytes("secret"));
  REQUIRE(ct);
  REQUIRE(kms->DisableKey(key->key_id));
  CHECK(kms->DescribeKey(key->key_id)->state == KeyState::disabled);
  for (auto err : {kms->Encrypt(key->key_id, Bytes("x")).error(), kms->Decrypt(ct->blob).error(),
                   kms->GenerateDataKey(key->key_id).error(),
                   kms->GenerateDataKeyWithoutPlaintext(key->key_id).error(),
                   kms->RotateKeyOnDemand(key->key_id).error()}) {
    CHECK(err.code() == ErrorCode::key_state);
    CHECK(Contains(err.message(), "DisabledException"));
  }
  REQUIRE(kms->DisableKey(key->key_id));  // idempotent
  REQUIRE(kms->EnableKey(key->key_id));
  CHECK(kms->Decrypt(ct->blob));
}

TEST_CASE("Kms: deletion window, cancellation, and destruction after the window") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  auto key = kms->CreateKey();
  REQUIRE(kms->CreateAlias("alias/doomed", key->key_id));
  auto ct = kms->Encrypt("alias/doomed", Bytes("payload"));
  REQUIRE(ct);

  CHECK(kms->ScheduleKeyDeletion(key->key_id, 6).error().code() == ErrorCode::invalid_argument);
  CHECK(kms->ScheduleKeyDeletion(key->key_id, 31).error().code() == ErrorCode::invalid_argument);
  auto sched = kms->ScheduleKeyDeletion(key->key_id);
  REQUIRE(sched);
  CHECK(sched->pending_window_days == 30);
  CHECK(sched->deletion_date == clock.now() + std::chrono::hours(24 * 30));
  auto d = kms->DescribeKey(key->key_id);
  CHECK(d->state == KeyState::pending_deletion);
  CHECK(d->deletion_date == sched->deletion_date);

  for (auto err : {kms->Encrypt(key->key_id, Bytes("x")).error(), kms->Decrypt(ct->blob).error(),
                   kms->EnableKey(key->key_id).error(), kms->DisableKey(key->key_id).error(),
                   kms->ScheduleKeyDeletion(key->key_id).error(),
                   kms->EnableKeyRotation(key->key_id).error()}) {
    CHECK(err.code() == ErrorCode::key_state);
    CHECK(Contains(err.message(), "KMSInvalidStateException"));
  }

  // Cancel: the key comes back Disabled, as in AWS.
  auto cancelled = kms->CancelKeyDeletion(key->key_id);
  REQUIRE(cancelled);
  CHECK(cancelled->state == KeyState::disabled);
  CHECK_FALSE(cancelled->deletion_date);
  CHECK(kms->CancelKeyDeletion(key->key_id).error().code() == ErrorCode::key_state);
  REQUIRE(kms->EnableKey(key->key_id));
  CHECK(kms->Decrypt(ct->blob));

  // Schedule with a 7-day window; one day before it the key still exists.
  REQUIRE(kms->ScheduleKeyDeletion(key->key_id, 7));
  clock.AdvanceDays(6);
  CHECK(kms->DescribeKey(key->key_id)->state == KeyState::pending_deletion);
  clock.AdvanceDays(1);
  auto gone = kms->Decrypt(ct->blob);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code() == ErrorCode::not_found);
  CHECK(Contains(gone.error().message(), "was deleted"));
  CHECK(Contains(gone.error().message(), "can no longer be decrypted"));
  CHECK(kms->DescribeKey(key->key_id).error().code() == ErrorCode::not_found);
  CHECK(kms->DescribeKey("alias/doomed").error().code() == ErrorCode::not_found);
  CHECK(kms->ListKeys()->empty());
  CHECK(kms->ListAliases()->empty());

  // The tombstone survives reopening; a fresh process sees the deletion too.
  auto reopened = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(reopened);
  CHECK(Contains(reopened->Decrypt(ct->blob).error().message(), "was deleted"));
}

TEST_CASE("Kms: deletion due while closed happens on open") {
  TempDir tmp;
  FakeClock clock;
  std::string id;
  {
    auto kms = Kms::Open(Options(tmp.keystore(), clock));
    id = kms->CreateKey()->key_id;
    REQUIRE(kms->ScheduleKeyDeletion(id, 10));
  }
  clock.AdvanceDays(11);
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms);
  CHECK(testing::ReadText(tmp.keystore() + "/audit.log").find("\"DeleteKey\"") !=
        std::string::npos);
  CHECK(kms->DescribeKey(id).error().code() == ErrorCode::not_found);
}

TEST_CASE("Kms: rotation settings and their validation") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  auto key = kms->CreateKey();
  auto st = kms->GetKeyRotationStatus(key->key_id);
  REQUIRE(st);
  CHECK_FALSE(st->enabled);
  CHECK(kms->EnableKeyRotation(key->key_id, 89).error().code() == ErrorCode::invalid_argument);
  CHECK(kms->EnableKeyRotation(key->key_id, 2561).error().code() == ErrorCode::invalid_argument);
  REQUIRE(kms->EnableKeyRotation(key->key_id));
  st = kms->GetKeyRotationStatus(key->key_id);
  CHECK(st->enabled);
  CHECK(st->period_days == 365);
  CHECK(st->next_rotation_date == clock.now() + std::chrono::hours(24 * 365));
  REQUIRE(kms->EnableKeyRotation(key->key_id, 90));
  CHECK(kms->GetKeyRotationStatus(key->key_id)->period_days == 90);
  REQUIRE(kms->DisableKeyRotation(key->key_id));
  CHECK_FALSE(kms->GetKeyRotationStatus(key->key_id)->enabled);
  REQUIRE(kms->DisableKey(key->key_id));
  auto disabled = kms->EnableKeyRotation(key->key_id);
  CHECK(disabled.error().code() == ErrorCode::key_state);
  CHECK(Contains(disabled.error().message(), "DisabledException"));
}

TEST_CASE("Kms: automatic rotation across periods; every version still decrypts") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  auto key = kms->CreateKey();
  REQUIRE(kms->EnableKeyRotation(key->key_id, 90));
  std::vector<Ciphertext> blobs;
  blobs.push_back(*kms->Encrypt(key->key_id, Bytes("v1")));
  clock.AdvanceDays(89);
  CHECK(kms->Encrypt(key->key_id, Bytes("x"))->key_version == 1);  // not yet
  for (int i = 0; i < 5; ++i) {
    clock.AdvanceDays(i == 0 ? 1 : 90);
    auto ct = kms->Encrypt(key->key_id, Bytes("v" + std::to_string(i + 2)));
    REQUIRE(ct);
    CHECK(ct->key_version == static_cast<uint32_t>(i + 2));  // the newest encrypts
    blobs.push_back(*ct);
  }
  auto rotations = kms->ListKeyRotations(key->key_id);
  REQUIRE(rotations);
  REQUIRE(rotations->size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CHECK((*rotations)[i].version == i + 2);
    CHECK((*rotations)[i].type == RotationType::automatic);
  }
  for (size_t i = 0; i < blobs.size(); ++i) {
    auto pt = kms->Decrypt(blobs[i].blob);
    REQUIRE(pt);
    CHECK(pt->key_version == i + 1);
    const std::string expected = "v" + std::to_string(i + 1);
    CHECK(std::equal(pt->plaintext.span().begin(), pt->plaintext.span().end(), expected.begin(),
                     expected.end()));
  }
  // A disabled key does not rotate; re-enabled, it catches up once.
  REQUIRE(kms->DisableKey(key->key_id));
  clock.AdvanceDays(400);
  CHECK(kms->DescribeKey(key->key_id)->current_version == 6);
  REQUIRE(kms->EnableKey(key->key_id));
  CHECK(kms->DescribeKey(key->key_id)->current_version == 7);
}

TEST_CASE("Kms: on-demand rotation, its limit, and the schedule it leaves alone") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  auto key = kms->CreateKey();
  REQUIRE(kms->EnableKeyRotation(key->key_id, 365));
  const auto next = *kms->GetKeyRotationStatus(key->key_id)->next_rotation_date;
  auto old = kms->Encrypt(key->key_id, Bytes("old"));
  auto r = kms->RotateKeyOnDemand(key->key_id);
  REQUIRE(r);
  CHECK(r->version == 2);
  CHECK(r->type == RotationType::on_demand);
  auto st = kms->GetKeyRotationStatus(key->key_id);
  CHECK(st->next_rotation_date == next);
  CHECK(st->on_demand_rotation_start_date == clock.now());
  CHECK(kms->Encrypt(key->key_id, Bytes("new"))->key_version == 2);
  CHECK(kms->Decrypt(old->blob)->key_version == 1);
  for (int i = 1; i < kMaxOnDemandRotations; ++i) REQUIRE(kms->RotateKeyOnDemand(key->key_id));
  auto limit = kms->RotateKeyOnDemand(key->key_id);
  CHECK(limit.error().code() == ErrorCode::limit_exceeded);
  CHECK(Contains(limit.error().message(), "LimitExceededException"));
  CHECK(kms->ListKeyRotations(key->key_id)->size() == 25);
}

TEST_CASE("Kms: the managed default key is created once, with rotation") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  auto first = kms->DefaultKey();
  REQUIRE(first);
  CHECK(first->rotation_enabled);
  CHECK(first->rotation_period_days == 365);
  const std::string log = testing::ReadText(tmp.keystore() + "/audit.log");
  CHECK(Contains(log, "\"CreateKey\""));
  CHECK(Contains(log, "\"DefaultKey\""));
  auto second = kms->DefaultKey();
  CHECK(second->key_id == first->key_id);
  // Finding the existing key is not logged (its uses are).
  CHECK(testing::ReadText(tmp.keystore() + "/audit.log") == log);
  CHECK(kms->DescribeKey(kDefaultKeyAlias)->key_id == first->key_id);
  CHECK(kms->ListKeys()->size() == 1);
  clock.AdvanceDays(365);
  CHECK(kms->GenerateDataKey(kDefaultKeyAlias)->ciphertext.key_version == 2);
}

}  // namespace
}  // namespace envelope::kms
