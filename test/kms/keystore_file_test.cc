// The keystore at rest: folder and file permissions, passphrase mode, and
// bad input (truncated, bit-flipped, wrong root key or passphrase, foreign
// files): each gives a clear error and leaves every file as it was.
#include "kms/keystore_file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "envelope/kms.hpp"
#include "kms/keystore_state.h"
#include "kms/root_key.h"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::FakeClock;
using testing::Options;
using testing::ReadBytes;
using testing::TempDir;
using testing::WriteBytes;

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// PassphraseOptions uses tiny Argon2id costs so the tests stay fast.
KmsOptions PassphraseOptions(const std::string& dir, const FakeClock& clock,
                             const std::string& passphrase_file) {
  KmsOptions o = Options(dir, clock);
  o.root_key = RootKeySource::PassphraseFile(passphrase_file);
  o.argon2id = {.passes = 1, .memory_kib = 64};
  return o;
}

// Snapshot holds every file of a keystore folder, to prove nothing changed.
std::vector<std::vector<uint8_t>> Snapshot(const std::string& dir) {
  std::vector<std::vector<uint8_t>> out;
  for (const char* f : {"keystore.kms", "root.key", "audit.log", "audit.head"}) {
    out.push_back(ReadBytes(dir + "/" + f));
  }
  return out;
}

TEST_CASE("Keystore: created with private permissions, layout as documented") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms);
  REQUIRE(kms->CreateKey());
  CHECK(ModeOf(tmp.keystore()) == 0700);
  for (const char* f : {"keystore.kms", "root.key", "keystore.lock", "audit.log", "audit.head"}) {
    CAPTURE(f);
    CHECK(ModeOf(tmp.keystore() + "/" + f) == 0600);
  }
  const auto file = ReadBytes(tmp.keystore() + "/keystore.kms");
  auto header = internal::ParseKeystoreHeader(file);
  REQUIRE(header);
  CHECK(header->mode == internal::RootKeyMode::managed);
  CHECK(ReadBytes(tmp.keystore() + "/root.key").size() == 40);
}

TEST_CASE("Keystore: temporaries a killed writer left are removed on open, nothing else") {
  TempDir tmp;
  FakeClock clock;
  {
    auto kms = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE(kms);
    REQUIRE(kms->CreateKey());
  }
  const std::string named = tmp.keystore() + "/.keystore.kms.envelope-AbC123";  // AtomicFile's
  const std::string legacy = tmp.keystore() + "/keystore.kms.tmp.00112233";     // before it
  const std::string other = tmp.keystore() + "/.notes.envelope-AbC123";         // not ours
  for (const auto& p : {named, legacy, other}) testing::WriteText(p, "partial");
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms);
  CHECK_FALSE(std::filesystem::exists(named));
  CHECK_FALSE(std::filesystem::exists(legacy));
  CHECK(std::filesystem::exists(other));
}

TEST_CASE("Keystore: refuses folders and files others can read, with a hint") {
  TempDir tmp;
  FakeClock clock;
  REQUIRE(Kms::Open(Options(tmp.keystore(), clock)));
  REQUIRE(chmod(tmp.keystore().c_str(), 0755) == 0);
  auto open_dir = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE_FALSE(open_dir);
  CHECK(open_dir.error().code() == ErrorCode::io);
  CHECK(Contains(open_dir.error().message(), "hint: chmod 700"));
  REQUIRE(chmod(tmp.keystore().c_str(), 0700) == 0);

  for (const char* f : {"keystore.kms", "root.key"}) {
    CAPTURE(f);
    const std::string path = tmp.keystore() + "/" + f;
    REQUIRE(chmod(path.c_str(), 0640) == 0);
    auto r = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE_FALSE(r);
    CHECK(Contains(r.error().message(), "hint: chmod 600"));
    REQUIRE(chmod(path.c_str(), 0600) == 0);
  }
  CHECK(Kms::Open(Options(tmp.keystore(), clock)));
}

TEST_CASE("Keystore: the default folder follows ENVELOPE_HOME, XDG_DATA_HOME, HOME") {
  const char* saved[3] = {std::getenv("ENVELOPE_HOME"), std::getenv("XDG_DATA_HOME"),
                          std::getenv("HOME")};
  const std::string keep[3] = {saved[0] ? saved[0] : "", saved[1] ? saved[1] : "",
                               saved[2] ? saved[2] : ""};
  setenv("ENVELOPE_HOME", "/e/home", 1);
  setenv("XDG_DATA_HOME", "/x/data", 1);
  setenv("HOME", "/h", 1);
  CHECK(*DefaultKeystoreDirectory() == "/e/home");
  unsetenv("ENVELOPE_HOME");
  CHECK(*DefaultKeystoreDirectory() == "/x/data/envelope");
  setenv("XDG_DATA_HOME", "relative", 1);  // not absolute: ignored, as the spec says
  CHECK(*DefaultKeystoreDirectory() == "/h/.local/share/envelope");
  const char* names[3] = {"ENVELOPE_HOME", "XDG_DATA_HOME", "HOME"};
  for (int i = 0; i < 3; ++i) {
    if (saved[i])
      setenv(names[i], keep[i].c_str(), 1);
    else
      unsetenv(names[i]);
  }
}

TEST_CASE("Keystore: create_if_missing=false does not create anything") {
  TempDir tmp;
  FakeClock clock;
  KmsOptions o = Options(tmp.keystore(), clock);
  o.create_if_missing = false;
  auto r = Kms::Open(o);
  CHECK(r.error().code() == ErrorCode::not_found);
  CHECK_FALSE(std::filesystem::exists(tmp.keystore()));
}

TEST_CASE("Keystore: passphrase mode from a file, a descriptor and a variable") {
  TempDir tmp;
  FakeClock clock;
  const std::string pw = tmp.path() + "/pw";
  testing::WriteText(pw, "correct horse battery staple\n");
  std::string id;
  {
    auto kms = Kms::Open(PassphraseOptions(tmp.keystore(), clock, pw));
    REQUIRE_MESSAGE(kms, kms.error().ToString());
    id = kms->CreateKey()->key_id;
  }
  CHECK_FALSE(std::filesystem::exists(tmp.keystore() + "/root.key"));
  auto header = internal::ParseKeystoreHeader(ReadBytes(tmp.keystore() + "/keystore.kms"));
  REQUIRE(header);
  CHECK(header->mode == internal::RootKeyMode::passphrase);
  CHECK(header->argon2id.ops == 1);
  CHECK(header->argon2id.mem_kib == 64);

  SUBCASE("descriptor") {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const std::string text = "correct horse battery staple";
    REQUIRE(write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fds[1]);
    KmsOptions o = Options(tmp.keystore(), clock);
    o.root_key = RootKeySource::PassphraseFd(fds[0]);
    auto kms = Kms::Open(o);
    close(fds[0]);
    REQUIRE_MESSAGE(kms, kms.error().ToString());
    CHECK(kms->DescribeKey(id));
  }
  SUBCASE("environment variable") {
    setenv("ENVELOPE_TEST_PASSPHRASE", "correct horse battery staple", 1);
    KmsOptions o = Options(tmp.keystore(), clock);
    o.root_key = RootKeySource::PassphraseEnv("ENVELOPE_TEST_PASSPHRASE");
    auto kms = Kms::Open(o);
    unsetenv("ENVELOPE_TEST_PASSPHRASE");
    REQUIRE(kms);
    CHECK(kms->DescribeKey(id));
    o.root_key = RootKeySource::PassphraseEnv("ENVELOPE_TEST_UNSET_VARIABLE");
    CHECK(Kms::Open(o).error().code() == ErrorCode::invalid_argument);
  }
  SUBCASE("wrong passphrase: clear error, nothing changed") {
    const auto before = Snapshot(tmp.keystore());
    testing::WriteText(pw, "correct horse battery stapler\n");
    auto r = Kms::Open(PassphraseOptions(tmp.keystore(), clock, pw));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
    CHECK(Contains(r.error().message(), "wrong passphrase"));
    CHECK(Snapshot(tmp.keystore()) == before);
  }
  SUBCASE("empty passphrase or managed options are refused") {
    testing::WriteText(pw, "\n");
    CHECK(Kms::Open(PassphraseOptions(tmp.keystore(), clock, pw)).error().code() ==
          ErrorCode::invalid_argument);
    auto managed = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE_FALSE(managed);
    CHECK(Contains(managed.error().message(), "protected by a passphrase"));
  }
}

TEST_CASE("Keystore: wrong or missing root key, nothing overwritten") {
  TempDir tmp;
  FakeClock clock;
  REQUIRE(Kms::Open(Options(tmp.keystore(), clock))->CreateKey());
  const std::string root = tmp.keystore() + "/root.key";
  const auto before = Snapshot(tmp.keystore());

  SUBCASE("another root key") {
    TempDir other;
    REQUIRE(Kms::Open(Options(other.keystore(), clock)));
    WriteBytes(root, ReadBytes(other.keystore() + "/root.key"));
    auto r = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
    CHECK(Contains(r.error().message(), "wrong root key"));
    CHECK(ReadBytes(tmp.keystore() + "/keystore.kms") == before[0]);
  }
  SUBCASE("missing root key is not replaced by a new one") {
    REQUIRE(std::filesystem::remove(root));
    auto r = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::not_found);
    CHECK(Contains(r.error().message(), "root key file"));
    CHECK_FALSE(std::filesystem::exists(root));
    CHECK(ReadBytes(tmp.keystore() + "/keystore.kms") == before[0]);
  }
  SUBCASE("a foreign file as root key") {
    testing::WriteText(root, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    auto r = Kms::Open(Options(tmp.keystore(), clock));
    CHECK(r.error().code() == ErrorCode::invalid_argument);
    CHECK(Contains(r.error().message(), "not an envelope root key file"));
  }
}

TEST_CASE("Keystore: truncated, bit-flipped and foreign keystore files") {
  TempDir tmp;
  FakeClock clock;
  {
    auto kms = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE(kms->CreateKey());
    REQUIRE(kms->CreateKey());
  }
  const std::string path = tmp.keystore() + "/keystore.kms";
  const auto good = ReadBytes(path);
  auto expect_refused = [&](std::span<const uint8_t> bad, ErrorCode code, std::string_view text) {
    WriteBytes(path, bad);
    const auto audit = ReadBytes(tmp.keystore() + "/audit.log");
    auto r = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == code);
    CHECK_MESSAGE(Contains(r.error().message(), text), r.error().message());
    CHECK(ReadBytes(path) == std::vector<uint8_t>(bad.begin(), bad.end()));  // not overwritten
    CHECK(ReadBytes(tmp.keystore() + "/audit.log") == audit);
  };
  SUBCASE("truncated anywhere") {
    for (size_t n :
         {size_t{0}, size_t{5}, size_t{40}, size_t{83}, good.size() / 2, good.size() - 1}) {
      CAPTURE(n);
      expect_refused(std::span(good).first(n), ErrorCode::truncated, "truncated");
    }
  }
  SUBCASE("trailing bytes") {
    auto longer = good;
    longer.push_back(0);
    expect_refused(longer, ErrorCode::invalid_argument, "stray bytes");
  }
  SUBCASE("a flipped bit in the ciphertext or tag") {
    for (size_t i : {internal::kKeystoreHeaderSize, good.size() / 2, good.size() - 1}) {
      auto bad = good;
      bad[i] ^= 0x10;
      expect_refused(bad, ErrorCode::auth_failed, "corrupt or was tampered with");
    }
  }
  SUBCASE("a flipped bit in the authenticated header") {
    auto bad = good;
    bad[55] ^= 1;  // IV
    expect_refused(bad, ErrorCode::auth_failed, "tampered");
    bad = good;
    bad[40] ^= 1;  // root key check value
    expect_refused(bad, ErrorCode::auth_failed, "wrong root key");
    bad = good;
    bad[10] = 9;  // mode
    expect_refused(bad, ErrorCode::invalid_argument, "root key mode");
    bad = good;
    bad[9] = 2;  // version
    expect_refused(bad, ErrorCode::unsupported, "version 2");
  }
  SUBCASE("foreign files") {
    expect_refused(testing::Bytes("{\"keys\": []}\n"), ErrorCode::invalid_argument, "bad magic");
    std::vector<uint8_t> zeros(4096, 0);
    expect_refused(zeros, ErrorCode::invalid_argument, "not an envelope keystore");
  }
  WriteBytes(path, good);
  CHECK(Kms::Open(Options(tmp.keystore(), clock))->ListKeys()->size() == 2);
}

TEST_CASE("Keystore payload: numbers must be integers the field can hold") {
  TempDir tmp;
  FakeClock clock;
  {
    auto kms = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE(kms);
    REQUIRE(kms->CreateKey());
  }
  auto root = internal::LoadManagedRootKey(tmp.keystore() + "/root.key");
  REQUIRE(root);
  auto payload = internal::OpenKeystore(ReadBytes(tmp.keystore() + "/keystore.kms"), *root);
  REQUIRE(payload);
  const auto bytes = payload->span();
  const size_t json_size =
      size_t{bytes[0]} << 24 | size_t{bytes[1]} << 16 | size_t{bytes[2]} << 8 | size_t{bytes[3]};
  const auto doc = nlohmann::json::parse(bytes.begin() + 4, bytes.begin() + 4 + json_size);
  const auto table = bytes.subspan(4 + json_size);
  auto rebuild = [&](const nlohmann::json& d) {
    const std::string text = d.dump();
    std::vector<uint8_t> out;
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(text.size() >> (24 - 8 * i)));
    out.insert(out.end(), text.begin(), text.end());
    out.insert(out.end(), table.begin(), table.end());
    return out;
  };
  REQUIRE(internal::DecodePayload(rebuild(doc)));

  // A plain get<int>() reads 4294967297 as 1, and converting 1e300 to an
  // integer is undefined behaviour (found by the keystore_load fuzzer).
  const std::pair<const char*, nlohmann::json> bad[] = {
      {"/format", 4294967297ull},
      {"/format", 1.0},
      {"/generation", -1},
      {"/keys/0/created", 1e300},
      {"/keys/0/on_demand", 2147483648ull},
      {"/keys/0/rotation/next", -1e300},
      {"/keys/0/versions/0/version", 4294967297ull},
      {"/keys/0/versions/0/material", 0.5},
      {"/deleted", {{"9e5fd1d6-8b29-4f4e-9a5e-000000000000", 18446744073709551615ull}}},
  };
  for (const auto& [where, value] : bad) {
    const std::string pointer = where;
    CAPTURE(pointer);
    auto changed = doc;
    changed[nlohmann::json::json_pointer(where)] = value;
    auto state = internal::DecodePayload(rebuild(changed));
    REQUIRE_FALSE(state);
    CHECK(state.error().code() == ErrorCode::invalid_argument);
    CHECK(Contains(state.error().message(), "not an integer in range"));
  }

  // json reads an array of pairs as a map too; the format has objects.
  auto pairs = doc;
  pairs["deleted"] = nlohmann::json::array({nlohmann::json::array({"some-key", 1})});
  auto state = internal::DecodePayload(rebuild(pairs));
  REQUIRE_FALSE(state);
  CHECK(Contains(state.error().message(), "must be objects"));
}

}  // namespace
}  // namespace envelope::kms
