// The audit log's rotation (KmsOptions::audit_log_rotate_bytes): archives
// named for their first line, one hash chain across them, verification over
// every file, and what removing, changing or renaming an archive does to it.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::Bytes;
using testing::FakeClock;
using testing::TempDir;

constexpr uint64_t kRotateBytes = 4096;

KmsOptions SmallLogOptions(const std::string& dir, const FakeClock& clock) {
  KmsOptions o = testing::Options(dir, clock);
  o.audit_log_rotate_bytes = kRotateBytes;
  return o;
}

std::vector<std::string> LinesOf(const std::string& path) {
  std::vector<std::string> lines;
  const std::string text = testing::ReadText(path);
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  return lines;
}

uint64_t SeqOf(const std::string& line) {
  return nlohmann::json::parse(line).at("seq").get<uint64_t>();
}

// ArchiveName is the name an archive whose first line is `seq` must have
// (written here independently of lib/kms's AuditArchiveName).
std::string ArchiveName(uint64_t seq) {
  char name[64];
  std::snprintf(name, sizeof name, "audit-%020llu.log", static_cast<unsigned long long>(seq));
  return name;
}

std::string Name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

// Fill opens a keystore with a small log limit and writes `n` Encrypt lines.
// Returns the log's files.
std::vector<std::string> Fill(const TempDir& tmp, const FakeClock& clock, int n) {
  auto kms = Kms::Open(SmallLogOptions(tmp.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  for (int i = 0; i < n; ++i) REQUIRE(kms->Encrypt(key->key_id, Bytes("x")));
  auto files = kms->AuditLogFiles();
  REQUIRE(files);
  return *files;
}

AuditReport Verify(const TempDir& tmp, const FakeClock& clock) {
  auto kms = Kms::Open(SmallLogOptions(tmp.keystore(), clock));
  REQUIRE(kms);
  auto report = kms->VerifyAuditLog();
  REQUIRE(report);
  return *report;
}

TEST_CASE("Audit rotation: archives at the limit, one chain across every file") {
  TempDir tmp;
  FakeClock clock;
  const auto files = Fill(tmp, clock, 40);
  REQUIRE(files.size() >= 4);
  CHECK(Name(files.back()) == "audit.log");
  uint64_t expected = 1;
  for (size_t f = 0; f < files.size(); ++f) {
    const auto lines = LinesOf(files[f]);
    if (f + 1 < files.size()) {
      // An archive is named for its first line and holds at least the
      // limit (it rotates at the first append past it).
      REQUIRE_FALSE(lines.empty());
      CHECK(Name(files[f]) == ArchiveName(SeqOf(lines.front())));
      CHECK(std::filesystem::file_size(files[f]) >= kRotateBytes);
      CHECK(std::filesystem::file_size(files[f]) < 3 * kRotateBytes);
    }
    for (const auto& line : lines) CHECK(SeqOf(line) == expected++);
  }
  const AuditReport report = Verify(tmp, clock);
  CHECK(report.intact);
  CHECK(report.lines == expected - 1);
  CHECK(report.lines >= 42);  // CreateKeystore, CreateKey, 40 x Encrypt
}

TEST_CASE("Audit rotation: a removed, changed or renamed archive breaks the chain") {
  FakeClock clock;
  SUBCASE("an archive in the middle removed") {
    TempDir tmp;
    const auto files = Fill(tmp, clock, 40);
    const uint64_t first = SeqOf(LinesOf(files[1]).front());
    std::filesystem::remove(files[1]);
    const AuditReport report = Verify(tmp, clock);
    CHECK_FALSE(report.intact);
    CHECK(report.first_bad_line == first);
    CHECK(report.problem.find("missing") != std::string::npos);
  }
  SUBCASE("the first archive removed") {
    TempDir tmp;
    const auto files = Fill(tmp, clock, 40);
    std::filesystem::remove(files[0]);
    const AuditReport report = Verify(tmp, clock);
    CHECK_FALSE(report.intact);
    CHECK(report.first_bad_line == 1);
  }
  SUBCASE("a line of an archive changed") {
    TempDir tmp;
    const auto files = Fill(tmp, clock, 40);
    auto lines = LinesOf(files[1]);
    const uint64_t changed = SeqOf(lines[0]);
    const size_t at = lines[0].find("Encrypt");
    REQUIRE(at != std::string::npos);
    lines[0][at] = 'X';
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    testing::WriteText(files[1], text);
    const AuditReport report = Verify(tmp, clock);
    CHECK_FALSE(report.intact);
    CHECK(report.first_bad_line == changed);
    CHECK(report.problem.find("was changed") != std::string::npos);
  }
  SUBCASE("an archive renamed") {
    TempDir tmp;
    const auto files = Fill(tmp, clock, 40);
    const uint64_t first = SeqOf(LinesOf(files[1]).front());
    std::filesystem::rename(files[1], tmp.keystore() + "/" + ArchiveName(first + 1));
    const AuditReport report = Verify(tmp, clock);
    CHECK_FALSE(report.intact);
    CHECK(report.first_bad_line == first);
    CHECK(report.problem.find("named for line") != std::string::npos);
  }
}

TEST_CASE("Audit rotation: a crash right after archiving continues the chain") {
  TempDir tmp;
  FakeClock clock;
  const auto files = Fill(tmp, clock, 10);
  // What a crash between the rename and the first append of the new log
  // leaves: audit.log archived, no audit.log, audit.head at its last line.
  const auto lines = LinesOf(files.back());
  REQUIRE_FALSE(lines.empty());
  std::filesystem::rename(files.back(), tmp.keystore() + "/" + ArchiveName(SeqOf(lines.front())));
  {
    auto kms = Kms::Open(SmallLogOptions(tmp.keystore(), clock));
    REQUIRE(kms);
    REQUIRE(kms->ListKeys());
    REQUIRE(kms->ListAliases());
  }
  const AuditReport report = Verify(tmp, clock);
  CHECK(report.intact);
  CHECK(report.problem == "");
  const auto fresh = LinesOf(tmp.keystore() + "/audit.log");
  REQUIRE_FALSE(fresh.empty());
  CHECK(SeqOf(fresh.front()) == SeqOf(lines.back()) + 1);
}

TEST_CASE("Audit rotation: 0 never rotates") {
  TempDir tmp;
  FakeClock clock;
  KmsOptions o = testing::Options(tmp.keystore(), clock);
  o.audit_log_rotate_bytes = 0;
  auto kms = Kms::Open(o);
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  for (int i = 0; i < 20; ++i) REQUIRE(kms->Encrypt(key->key_id, Bytes("x")));
  auto files = kms->AuditLogFiles();
  REQUIRE(files);
  CHECK(files->size() == 1);
  CHECK(kms->VerifyAuditLog()->intact);
}

}  // namespace
}  // namespace envelope::kms
