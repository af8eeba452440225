#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "envelope/secrets.hpp"
#include "kms/kms_test_util.h"
#include "message/base64.h"

namespace envelope::secrets {
namespace {

using kms::testing::ReadText;
using kms::testing::TempDir;

SecretBytes Value(std::string_view text) {
  return *SecretBytes::CopyFrom(kms::testing::Bytes(text));
}

std::string Str(const SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

struct Fixture {
  TempDir dir;
  kms::Kms kms;
  ParameterStore store;
  Fixture()
      : kms(*kms::Kms::Open({.directory = dir.keystore()})), store(*ParameterStore::Open(kms)) {}

  Result<int64_t> Put(const std::string& name, std::string_view value,
                      ParameterType type = ParameterType::secure_string, bool overwrite = false,
                      std::string key = {}) {
    PutParameterRequest r;
    r.name = name;
    r.type = type;
    r.value = Value(value);
    r.overwrite = overwrite;
    r.key = std::move(key);
    return store.Put(r);
  }
};

TEST_CASE("ParameterStore: a SecureString is stored only encrypted and decrypts with its ARN") {
  Fixture f;
  REQUIRE(f.Put("/app/prod/db-password", "hunter2-secret").value() == 1);
  const std::string file = ReadText(f.dir.keystore() + "/parameters.json");
  CHECK(file.find("/app/prod/db-password") != std::string::npos);
  CHECK(file.find("hunter2-secret") == std::string::npos);

  auto plain = f.store.Get("/app/prod/db-password", true);
  REQUIRE(plain);
  CHECK(Str(plain->value) == "hunter2-secret");
  CHECK(plain->arn == "arn:aws:ssm:us-east-1:111122223333:parameter/app/prod/db-password");
  CHECK(plain->type == ParameterType::secure_string);
  auto key = f.kms.DescribeKey(kDefaultParameterKeyAlias);
  REQUIRE(key);
  CHECK(plain->key_id == key->key_id);
  CHECK(key->rotation_enabled);

  // Without decryption: the ciphertext blob, which the KMS opens only with
  // the parameter's ARN as context.
  auto sealed = f.store.Get("/app/prod/db-password", false);
  REQUIRE(sealed);
  CHECK(Str(sealed->value).find("hunter2") == std::string::npos);
  auto blob = message::Base64Decode(Str(sealed->value));
  REQUIRE(blob);
  CHECK_FALSE(f.kms.Decrypt(*blob, {}));
  CHECK(f.kms.Decrypt(*blob, {{"PARAMETER_ARN", plain->arn}}));
}

TEST_CASE("ParameterStore: a ciphertext copied to another name does not decrypt there") {
  Fixture f;
  REQUIRE(f.Put("/app/a", "value-of-a"));
  REQUIRE(f.Put("/app/b", "value-of-b"));
  const std::string path = f.dir.keystore() + "/parameters.json";
  auto a = f.store.Get("/app/a", false);
  auto b = f.store.Get("/app/b", false);
  REQUIRE(a);
  REQUIRE(b);
  std::string text = ReadText(path);
  const size_t at = text.find(Str(b->value));
  REQUIRE(at != std::string::npos);
  text.replace(at, b->value.size(), Str(a->value));
  {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  }
  auto copied = f.store.Get("/app/b", true);
  REQUIRE_FALSE(copied);
  CHECK(copied.error().code() == ErrorCode::auth_failed);
  CHECK(Str(f.store.Get("/app/a", true)->value) == "value-of-a");
}

TEST_CASE("ParameterStore: versions, overwrite, selectors and labels") {
  Fixture f;
  REQUIRE(f.Put("/svc/token", "one", ParameterType::string));
  auto again = f.Put("/svc/token", "two", ParameterType::string);
  REQUIRE_FALSE(again);
  CHECK(again.error().message().starts_with("ParameterAlreadyExists:"));
  CHECK(f.Put("/svc/token", "two", ParameterType::string, true).value() == 2);
  CHECK(f.Put("/svc/token", "three", ParameterType::string, true).value() == 3);
  auto wrong_type = f.Put("/svc/token", "x", ParameterType::secure_string, true);
  REQUIRE_FALSE(wrong_type);

  CHECK(Str(f.store.Get("/svc/token", false)->value) == "three");
  CHECK(Str(f.store.Get("/svc/token:1", false)->value) == "one");
  CHECK(f.store.Get("/svc/token:2", false)->selector == ":2");
  auto missing = f.store.Get("/svc/token:9", false);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message().starts_with("ParameterVersionNotFound:"));

  auto labelled = f.store.Label("/svc/token", 1, {"stable", "9bad", "awsnope"});
  REQUIRE(labelled);
  CHECK(labelled->version == 1);
  CHECK(labelled->invalid_labels == std::vector<std::string>{"9bad", "awsnope"});
  CHECK(Str(f.store.Get("/svc/token:stable", false)->value) == "one");
  // A label moves: attaching it to version 3 takes it from version 1.
  REQUIRE(f.store.Label("/svc/token", 0, {"stable"}));
  CHECK(Str(f.store.Get("/svc/token:stable", false)->value) == "three");
  auto history = f.store.History("/svc/token", false);
  REQUIRE(history);
  REQUIRE(history->size() == 3);
  CHECK(history->front().labels.empty());
  CHECK(history->back().labels == std::vector<std::string>{"stable"});
  std::vector<std::string> eleven;
  for (int i = 0; i < 10; ++i) eleven.push_back("l" + std::to_string(i));
  REQUIRE(f.store.Label("/svc/token", 2, eleven));
  auto over = f.store.Label("/svc/token", 2, {"one-more"});
  REQUIRE_FALSE(over);
  CHECK(over.error().message().starts_with("ParameterVersionLabelLimitExceeded:"));
}

TEST_CASE("ParameterStore: get-by-path, one level or recursive") {
  Fixture f;
  for (const char* name : {"/app/prod/db", "/app/prod/api/key", "/app/dev/db", "/apple", "flat"}) {
    REQUIRE(f.Put(name, std::string("v") + name, ParameterType::string));
  }
  auto names = [](const std::vector<Parameter>& ps) {
    std::vector<std::string> out;
    for (const Parameter& p : ps) out.push_back(p.name);
    return out;
  };
  CHECK(names(f.store.GetByPath("/app/prod", false, false).value()) ==
        std::vector<std::string>{"/app/prod/db"});
  CHECK(names(f.store.GetByPath("/app/prod/", true, false).value()) ==
        std::vector<std::string>{"/app/prod/api/key", "/app/prod/db"});
  CHECK(names(f.store.GetByPath("/app", true, false).value()).size() == 3);
  CHECK(names(f.store.GetByPath("/", false, false).value()) == std::vector<std::string>{"/apple"});
  CHECK_FALSE(f.store.GetByPath("app", true, false));
}

TEST_CASE("ParameterStore: bad input is refused and changes nothing") {
  Fixture f;
  for (const char* name : {"", "app/x", "/app//x", "/app/x y", "/aws/x", "SSMthing", "/a/b:c"}) {
    CAPTURE(name);
    auto r = f.Put(name, "value");
    REQUIRE_FALSE(r);
    CHECK(r.error().message().starts_with("ValidationException:"));
  }
  std::string deep;
  for (int i = 0; i < 16; ++i) deep += "/l";
  CHECK(f.Put(deep, "v").error().message().starts_with("HierarchyLevelLimitExceededException:"));
  CHECK_FALSE(f.Put("/big", std::string(4097, 'x')));
  CHECK_FALSE(f.Put("/bin", std::string("\xff\xfe", 2)));
  CHECK_FALSE(f.Put("/plain", "v", ParameterType::string, false, "alias/envelope/params"));
  CHECK_FALSE(f.Put("/nokey", "v", ParameterType::secure_string, false, "alias/nope"));
  CHECK_FALSE(std::filesystem::exists(f.dir.keystore() + "/parameters.json"));
  CHECK(f.store.Get("/missing", true).error().message().starts_with("ParameterNotFound:"));
  CHECK(f.store.Delete("/missing").error().message().starts_with("ParameterNotFound:"));
}

TEST_CASE("ParameterStore: a named key, delete, and a disabled key refuses") {
  Fixture f;
  auto key = f.kms.CreateKey();
  REQUIRE(key);
  REQUIRE(f.Put("/k/named", "under-named-key", ParameterType::secure_string, false, key->key_id));
  CHECK(f.store.Get("/k/named", true)->key_id == key->key_id);
  REQUIRE(f.kms.DisableKey(key->key_id));
  auto refused = f.store.Get("/k/named", true);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::key_state);
  REQUIRE(f.store.Delete("/k/named"));
  CHECK_FALSE(f.store.Get("/k/named", false));
}

TEST_CASE("ParameterStore: concurrent writers lose no version") {
  Fixture f;
  REQUIRE(f.Put("/race", "0", ParameterType::string));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&f] {
      for (int i = 0; i < 5; ++i) (void)f.Put("/race", "w", ParameterType::string, true);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(f.store.Get("/race", false)->version == 21);
}

}  // namespace
}  // namespace envelope::secrets
