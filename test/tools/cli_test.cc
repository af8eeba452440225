// tools/cli: atomic output, secret input, exit codes.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/secret_input.h"

namespace envelope::cli {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "envelope-cli-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, ec);
    fs::remove_all(path, ec);
  }
  size_t Entries() const {
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(path), fs::directory_iterator()));
  }
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST_CASE("Output: a committed file appears whole; a discarded one never appears") {
  TempDir dir;
  const auto target = (dir.path / "out.bin").string();
  {
    auto out = Output::Open(target, {});
    REQUIRE(out);
    CHECK(out->atomic());
    REQUIRE(out->Write(Bytes("hello ")));
    CHECK_FALSE(fs::exists(target));  // nothing visible before commit
    REQUIRE(out->Write(Bytes("world")));
    REQUIRE(out->Commit());
  }
  CHECK(Slurp(target) == "hello world");
  {
    auto out = Output::Open((dir.path / "other.bin").string(), {});
    REQUIRE(out);
    REQUIRE(out->Write(Bytes("partial")));
  }  // destroyed without commit
  CHECK_FALSE(fs::exists(dir.path / "other.bin"));
  CHECK(dir.Entries() == 1);  // no temporary file left behind
}

TEST_CASE("Output: an existing file is refused without force and replaced with it") {
  TempDir dir;
  const auto target = (dir.path / "x").string();
  std::ofstream(target) << "old";
  auto refused = Output::Open(target, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::invalid_argument);
  CHECK(refused.error().message() == "output file \"" + target + "\" exists");
  CHECK(Slurp(target) == "old");

  auto out = Output::Open(target, {.force = true});
  REQUIRE(out);
  REQUIRE(out->Write(Bytes("new")));
  CHECK(Slurp(target) == "old");  // still the old one until commit
  REQUIRE(out->Commit());
  CHECK(Slurp(target) == "new");
}

TEST_CASE("Output: a file appearing while writing is refused with a hint, and kept") {
  TempDir dir;
  const auto target = (dir.path / "x").string();
  auto out = Output::Open(target, {});
  REQUIRE(out);
  REQUIRE(out->Write(Bytes("ours")));
  std::ofstream(target) << "theirs";
  auto r = out->Commit();
  REQUIRE_FALSE(r);
  CHECK(ExitCodeFor(r.error()) == kExitUsage);
  CHECK(r.error().message().starts_with("output file \"" + target + "\" exists"));
  CHECK(r.error().message().ends_with("; hint: pass --force to overwrite it"));
  CHECK(Slurp(target) == "theirs");
  CHECK(dir.Entries() == 1);
}

TEST_CASE("Output: a link is refused without force; a link to a device is written through") {
  TempDir dir;
  const auto link = (dir.path / "link").string();
  fs::create_symlink(dir.path / "nowhere", link);
  auto refused = Output::Open(link, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::invalid_argument);
  CHECK(
      refused.error().message().starts_with("output \"" + link + "\" is a symbolic link; hint: "));
  const auto to_null = (dir.path / "null").string();
  fs::create_symlink("/dev/null", to_null);
  auto through = Output::Open(to_null, {});
  REQUIRE(through);
  CHECK_FALSE(through->atomic());
  REQUIRE(through->Write(Bytes("gone")));
  REQUIRE(through->Commit());
  CHECK(fs::is_symlink(to_null));
}

TEST_CASE("Output: permissions requested for a new file are applied") {
  TempDir dir;
  const auto target = (dir.path / "secret").string();
  auto out = Output::Open(target, {.mode = 0600});
  REQUIRE(out);
  REQUIRE(out->Commit());
  CHECK((fs::status(target).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("Output: devices are written straight through") {
  auto out = Output::Open("/dev/null", {.binary = true});
  REQUIRE(out);
  CHECK_FALSE(out->atomic());
  REQUIRE(out->Write(Bytes("discarded")));
  REQUIRE(out->Commit());

  auto full = Output::Open("/dev/full", {});
  REQUIRE(full);
  auto w = full->Write(Bytes("x"));
  REQUIRE_FALSE(w);
  CHECK(w.error().code() == ErrorCode::io);
  CHECK(ExitCodeFor(w.error()) == kExitIo);
}

TEST_CASE("Output: an unwritable folder is an io error and leaves nothing") {
  if (geteuid() == 0) {
    // root ignores folder permissions; a missing folder shows the same path.
    auto out = Output::Open("/nonexistent-envelope-dir/x", {});
    REQUIRE_FALSE(out);
    CHECK(out.error().code() == ErrorCode::io);
    return;
  }
  TempDir dir;
  fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
  auto out = Output::Open((dir.path / "x").string(), {});
  REQUIRE_FALSE(out);
  CHECK(out.error().code() == ErrorCode::io);
}

TEST_CASE("ReadSecret: file, descriptor and environment; bounded; never empty") {
  TempDir dir;
  const auto key_file = (dir.path / "k").string();
  std::ofstream(key_file) << "0123456789abcdef0123456789abcdef";
  auto from_file = ReadSecret({SecretSource::Kind::file, key_file}, 64);
  REQUIRE(from_file);
  CHECK(from_file->size() == 32);

  auto too_big = ReadSecret({SecretSource::Kind::file, key_file}, 16);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().code() == ErrorCode::invalid_argument);
  CHECK(too_big.error().message().find("0123") == std::string::npos);  // no secret in errors

  const int fd = open(key_file.c_str(), O_RDONLY);
  auto from_fd = ReadSecret({SecretSource::Kind::fd, std::to_string(fd)}, 64);
  close(fd);
  REQUIRE(from_fd);
  CHECK(from_fd->Equals(*from_file));

  setenv("ENVELOPE_TEST_SECRET", "passphrase", 1);
  auto from_env = ReadSecret({SecretSource::Kind::env, "ENVELOPE_TEST_SECRET"}, 64);
  REQUIRE(from_env);
  CHECK(from_env->size() == 10);
  unsetenv("ENVELOPE_TEST_SECRET");
  CHECK_FALSE(ReadSecret({SecretSource::Kind::env, "ENVELOPE_TEST_SECRET"}, 64));

  std::ofstream(dir.path / "empty");
  CHECK_FALSE(ReadSecret({SecretSource::Kind::file, (dir.path / "empty").string()}, 64));
  auto missing = ReadSecret({SecretSource::Kind::file, (dir.path / "nope").string()}, 64);
  CHECK(missing.error().code() == ErrorCode::not_found);
  CHECK_FALSE(ReadSecret({SecretSource::Kind::fd, "x1"}, 64));
}

TEST_CASE("ParseKey256: raw, hex and base64 forms agree; everything else is refused") {
  std::vector<uint8_t> raw(32);
  for (size_t i = 0; i < 32; ++i) raw[i] = uint8_t(i * 7 + 1);
  const std::string hex = "01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3da";
  const std::string b64 = "AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=";
  auto s_raw = *SecretBytes::CopyFrom(raw);
  auto s_hex = *SecretBytes::CopyFrom(Bytes(hex + "\n"));
  auto s_b64 = *SecretBytes::CopyFrom(Bytes(b64));
  auto k1 = ParseKey256(s_raw), k2 = ParseKey256(s_hex), k3 = ParseKey256(s_b64);
  REQUIRE(k1);
  REQUIRE(k2);
  REQUIRE(k3);
  CHECK(k1->Equals(*k2));
  CHECK(k1->Equals(*k3));

  for (std::string bad : {std::string(31, 'a'), hex.substr(0, 63) + "g", b64.substr(0, 42) + "B=",
                          b64.substr(0, 43) + "A", std::string(33, 'x')}) {
    CAPTURE(bad);
    auto r = ParseKey256(*SecretBytes::CopyFrom(Bytes(bad)));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
  }
}

TEST_CASE("ExitCodeFor: documented codes per error class") {
  CHECK(ExitCodeFor(Error(ErrorCode::auth_failed, "")) == kExitAuth);
  CHECK(ExitCodeFor(Error(ErrorCode::truncated, "")) == kExitAuth);
  CHECK(ExitCodeFor(Error(ErrorCode::malformed, "")) == kExitAuth);
  CHECK(ExitCodeFor(Error(ErrorCode::limit_exceeded, "")) == kExitAuth);
  CHECK(ExitCodeFor(Error(ErrorCode::io, "")) == kExitIo);
  CHECK(ExitCodeFor(Error(ErrorCode::not_found, "")) == kExitKey);
  CHECK(ExitCodeFor(Error(ErrorCode::key_state, "")) == kExitKey);
  CHECK(ExitCodeFor(Error(ErrorCode::invalid_argument, "")) == kExitUsage);
  CHECK(ExitCodeFor(Error(ErrorCode::internal, "")) == kExitFailure);
}

TEST_CASE("RunGuarded: anything thrown is exit 1, never an abort; outputs are discarded") {
  TempDir dir;
  const std::string target = (dir.path / "out.bin").string();
  CHECK(RunGuarded("test", [] { return kExitKey; }) == kExitKey);
  CHECK(RunGuarded("test", [&]() -> int {
          auto out = Output::Open(target, {});
          REQUIRE(out);
          REQUIRE(out->Write(std::vector<uint8_t>(10, 1)));
          throw std::runtime_error("boom");
        }) == kExitFailure);
  CHECK(dir.Entries() == 0);  // the unwinding destructor removed the temporary
  CHECK(RunGuarded("test", []() -> int { throw 42; }) == kExitFailure);
  CHECK(RunGuarded("test", []() -> int { throw std::bad_alloc(); }) == kExitFailure);
}

TEST_CASE("Progress: off in pipes, rendered with percent, rate and ETA") {
  std::FILE* pipe = std::tmpfile();  // not a terminal
  Progress p("encrypt", uint64_t{1} << 30, false, pipe);
  CHECK_FALSE(p.enabled());
  p.Add(100);
  std::fclose(pipe);

  const std::string line = p.Render(uint64_t{512} << 20, 2.0);
  CHECK(line == "encrypt: [##########..........]  50%  512.0 MiB / 1.0 GiB  256.0 MiB/s  ETA 0:02");
  Progress unknown("decrypt", 0, false, stderr);
  CHECK(unknown.Render(1536, 1.0) == "decrypt: 1.5 KiB  1.5 KiB/s");
  CHECK(FormatBytes(0) == "0 B");
  CHECK(FormatBytes(1023) == "1023 B");
}

}  // namespace
}  // namespace envelope::cli
