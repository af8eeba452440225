#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "envelope/secrets.hpp"
#include "kms/kms_test_util.h"

namespace envelope::secrets {
namespace {

using kms::testing::FakeClock;
using kms::testing::ReadText;
using kms::testing::TempDir;

NewSecretValue Value(std::string_view text, std::string token = {}) {
  return {*SecretBytes::CopyFrom(kms::testing::Bytes(text)), false, std::move(token)};
}

std::string Str(const SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

struct Fixture {
  TempDir dir;
  FakeClock clock;
  kms::Kms kms;
  SecretStore store;
  Fixture()
      : kms(*kms::Kms::Open({.directory = dir.keystore()})),
        store(*SecretStore::Open(kms, {}, clock.clock())) {}

  // Script writes an executable rotation command.
  std::string Script(const std::string& name, const std::string& body) {
    const std::string path = dir.path() + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    chmod(path.c_str(), 0700);
    return path;
  }
};

TEST_CASE("SecretStore: create, get, put moves AWSCURRENT and AWSPREVIOUS") {
  Fixture f;
  auto created = f.store.Create("app/db", Value("first-password"));
  REQUIRE(created);
  CHECK(created->arn.starts_with("arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-"));
  CHECK(created->arn.size() ==
        std::string("arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-").size() + 6);
  CHECK(ReadText(f.dir.keystore() + "/secrets.json").find("first-password") == std::string::npos);
  CHECK(Str(f.store.GetValue("app/db")->value) == "first-password");
  CHECK(Str(f.store.GetValue(created->arn)->value) == "first-password");
  CHECK(f.store.Create("app/db", Value("x"))
            .error()
            .message()
            .starts_with("ResourceExistsException"));

  const std::string token(36, 'a');
  auto put = f.store.PutValue("app/db", Value("second-password", token));
  REQUIRE(put);
  CHECK(put->version.version_id == token);
  CHECK(Str(f.store.GetValue("app/db")->value) == "second-password");
  auto previous = f.store.GetValue("app/db", {}, kStagePrevious);
  REQUIRE(previous);
  CHECK(Str(previous->value) == "first-password");
  CHECK(previous->version.version_id == created->version.version_id);
  // The same token again: idempotent with the same value, refused with another.
  CHECK(f.store.PutValue("app/db", Value("second-password", token)));
  CHECK(f.store.PutValue("app/db", Value("third", token))
            .error()
            .message()
            .starts_with("ResourceExistsException"));
  CHECK(f.store.Describe("app/db")->versions.size() == 2);
  CHECK(Str(f.store.GetValue("app/db", token)->value) == "second-password");
  CHECK_FALSE(f.store.GetValue("app/none"));
  CHECK(f.store.List()->size() == 1);
}

TEST_CASE("SecretStore: a value moved to another version or secret does not decrypt") {
  Fixture f;
  REQUIRE(f.store.Create("a", Value("value-a")));
  REQUIRE(f.store.Create("b", Value("value-b")));
  const std::string path = f.dir.keystore() + "/secrets.json";
  auto j = nlohmann::json::parse(ReadText(path));
  j["secrets"]["b"]["versions"][0]["sealed"] = j["secrets"]["a"]["versions"][0]["sealed"];
  std::ofstream(path, std::ios::trunc) << j.dump();
  auto moved = f.store.GetValue("b");
  REQUIRE_FALSE(moved);
  CHECK(moved.error().code() == ErrorCode::auth_failed);
  CHECK(Str(f.store.GetValue("a")->value) == "value-a");
}

TEST_CASE("SecretStore: delete with a recovery window, restore, and the end of the window") {
  Fixture f;
  REQUIRE(f.store.Create("tmp/token", Value("v")));
  CHECK_FALSE(f.store.Delete("tmp/token", 6));
  CHECK_FALSE(f.store.Delete("tmp/token", 31));
  auto deleted = f.store.Delete("tmp/token", 7);
  REQUIRE(deleted);
  REQUIRE(deleted->deletion_date);
  CHECK(*deleted->deletion_date == f.clock.now() + std::chrono::hours(24 * 7));
  CHECK(f.store.GetValue("tmp/token").error().message().starts_with("InvalidRequestException"));
  CHECK(f.store.List()->empty());
  CHECK(f.store.List(true)->size() == 1);
  REQUIRE(f.store.Restore("tmp/token"));
  CHECK(Str(f.store.GetValue("tmp/token")->value) == "v");
  REQUIRE(f.store.Delete("tmp/token", 7));
  f.clock.AdvanceDays(8);
  CHECK(f.store.Describe("tmp/token").error().message().starts_with("ResourceNotFoundException"));
  CHECK_FALSE(f.store.Restore("tmp/token"));
  CHECK(f.store.Create("tmp/token", Value("new")));  // the name is free again
}

TEST_CASE("SecretStore: a rotation that succeeds moves the labels") {
  Fixture f;
  auto created = f.store.Create("rot/ok", Value("v1"));
  REQUIRE(created);
  const std::string log = f.dir.path() + "/steps.log";
  const std::string cmd =
      f.Script("rotate-ok.sh",
               "echo \"$STEP $CLIENT_REQUEST_TOKEN $SECRET_ID\" >> " + log +
                   "\n"
                   "[ \"$STEP\" = createSecret ] && printf 'rotated-%s' \"$CLIENT_REQUEST_TOKEN\"\n"
                   "exit 0\n");
  CHECK_FALSE(f.store.Rotate("rot/ok"));  // no command yet
  REQUIRE(f.store.SetRotation("rot/ok", cmd, 30));
  auto rotated = f.store.Rotate("rot/ok");
  REQUIRE(rotated);
  const std::string token = rotated->version.version_id;
  CHECK(Str(f.store.GetValue("rot/ok")->value) == "rotated-" + token);
  CHECK(Str(f.store.GetValue("rot/ok", {}, kStagePrevious)->value) == "v1");
  CHECK_FALSE(f.store.GetValue("rot/ok", {}, kStagePending));
  const std::string steps = ReadText(log);
  for (const char* s : {"createSecret", "setSecret", "testSecret", "finishSecret"}) {
    CHECK(steps.find(std::string(s) + " " + token + " " + created->arn) != std::string::npos);
  }
  auto info = f.store.Describe("rot/ok");
  CHECK(info->rotation_enabled);
  CHECK(*info->next_rotation == f.clock.now() + std::chrono::hours(24 * 30));

  // Due rotations: none now, one after 30 days.
  CHECK(f.store.RotateDue()->empty());
  f.clock.AdvanceDays(31);
  CHECK(f.store.RotateDue().value() == std::vector<std::string>{"rot/ok"});
  CHECK(Str(f.store.GetValue("rot/ok", {}, kStagePrevious)->value) == "rotated-" + token);
}

TEST_CASE("SecretStore: a failed testSecret leaves AWSCURRENT; the next run resumes") {
  Fixture f;
  REQUIRE(f.store.Create("rot/fail", Value("stable-value")));
  const std::string marker = f.dir.path() + "/broken";
  const std::string creates = f.dir.path() + "/creates";
  std::ofstream(marker) << "x";
  const std::string cmd =
      f.Script("rotate-fail.sh", "if [ \"$STEP\" = createSecret ]; then echo c >> " + creates +
                                     "; printf new-value; fi\n"
                                     "if [ \"$STEP\" = testSecret ] && [ -e " +
                                     marker +
                                     " ]; then exit 3; fi\n"
                                     "exit 0\n");
  REQUIRE(f.store.SetRotation("rot/fail", cmd, 0));
  auto failed = f.store.Rotate("rot/fail");
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message().find("testSecret") != std::string::npos);
  CHECK(failed.error().message().find("new-value") == std::string::npos);
  CHECK(Str(f.store.GetValue("rot/fail")->value) == "stable-value");
  auto pending = f.store.GetValue("rot/fail", {}, kStagePending);
  REQUIRE(pending);
  CHECK(Str(pending->value) == "new-value");
  // Another token while one is unfinished is refused.
  CHECK_FALSE(f.store.Rotate("rot/fail", std::string(40, 'b')));

  std::filesystem::remove(marker);
  auto resumed = f.store.Rotate("rot/fail");
  REQUIRE(resumed);
  CHECK(resumed->version.version_id == pending->version.version_id);
  CHECK(Str(f.store.GetValue("rot/fail")->value) == "new-value");
  CHECK(ReadText(creates) == "c\n");  // createSecret ran once: the run resumed
}

TEST_CASE("SecretStore: two rotations of one secret at once: one wins, the other is refused") {
  Fixture f;
  REQUIRE(f.store.Create("rot/race", Value("v")));
  const std::string go = f.dir.path() + "/go";
  const std::string started = f.dir.path() + "/started";
  const std::string cmd =
      f.Script("rotate-slow.sh",
               "if [ \"$STEP\" = createSecret ]; then printf slow; exit 0; fi\n"
               "if [ \"$STEP\" = setSecret ]; then touch " +
                   started + "; while [ ! -e " + go + " ]; do sleep 0.05; done; fi\nexit 0\n");
  REQUIRE(f.store.SetRotation("rot/race", cmd, 0));
  Result<SecretValue> first = MakeError(ErrorCode::internal, "not run");
  std::thread a([&] { first = f.store.Rotate("rot/race"); });
  while (!std::filesystem::exists(started))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto second = f.store.Rotate("rot/race");
  std::ofstream(go) << "x";
  a.join();
  REQUIRE(first);
  REQUIRE_FALSE(second);
  CHECK(second.error().message().find("in progress") != std::string::npos);
  CHECK(Str(f.store.GetValue("rot/race")->value) == "slow");
}

}  // namespace
}  // namespace envelope::secrets
