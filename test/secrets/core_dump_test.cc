// "A value never appears in a core file": a child process reads a secret
// from the store, holds the value, and is dumped; the dump must not hold the
// value. A control child that also copies the value to its heap must have it
// in its dump, so the scan is known to see what a careless copy leaves.
//
// The dump is the kernel's own (SIGABRT with RLIMIT_CORE raised) when
// /proc/sys/kernel/core_pattern writes a file in the process's folder (the
// default "core"), else gdb's gcore when installed (CI containers often pipe
// core dumps to the host's handler, out of reach of a test); gcore, like the
// kernel, leaves out mappings marked MADV_DONTDUMP (ENVELOPE_TEST_DUMPER=gcore
// takes that path where the kernel could dump). Whatever the dump, the
// value's mapping must carry the "dd" (do not dump) flag in
// /proc/PID/smaps. Sanitizer and fuzzing builds check only that flag: an
// ASan process's dump would hold terabytes of shadow memory, and fuzzing
// builds keep secrets on the plain heap on purpose.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "envelope/secrets.hpp"
#include "kms/kms_test_util.h"

namespace envelope::secrets {
namespace {

using kms::testing::TempDir;

#if defined(__SANITIZE_ADDRESS__) || defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
constexpr bool kCanDump = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kCanDump = false;
#else
constexpr bool kCanDump = true;
#endif
#else
constexpr bool kCanDump = true;
#endif

constexpr char kSecretName[] = "core/secret";

enum class Dumper { none, kernel, gcore };

std::string GcorePath() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    const std::string path = std::string(dir) + "/gcore";
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

// ChooseDumper picks how this machine can dump a process the test owns;
// ENVELOPE_TEST_DUMPER=gcore asks for gcore where the kernel could dump.
Dumper ChooseDumper() {
  if (!kCanDump) return Dumper::none;
  const char* asked = std::getenv("ENVELOPE_TEST_DUMPER");
  if (asked != nullptr && std::string_view(asked) == "gcore" && !GcorePath().empty()) {
    return Dumper::gcore;
  }
  std::string pattern = kms::testing::ReadText("/proc/sys/kernel/core_pattern");
  while (!pattern.empty() && (pattern.back() == '\n' || pattern.back() == ' ')) pattern.pop_back();
  rlimit limit{};
  const bool may_raise = getrlimit(RLIMIT_CORE, &limit) == 0 && limit.rlim_max != 0;
  if (may_raise && !pattern.empty() && pattern.front() != '|' &&
      pattern.find('/') == std::string::npos) {
    return Dumper::kernel;
  }
  return GcorePath().empty() ? Dumper::none : Dumper::gcore;
}

// HasDontDumpFlag reports whether the mapping of `pid` holding `address`
// is marked "dd" in /proc/PID/smaps.
bool HasDontDumpFlag(pid_t pid, uintptr_t address) {
  std::istringstream smaps(kms::testing::ReadText("/proc/" + std::to_string(pid) + "/smaps"));
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    const size_t dash = line.find('-');
    const size_t space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos && dash < space &&
        line.find_first_not_of("0123456789abcdef") == dash) {
      const uintptr_t start = std::stoull(line.substr(0, dash), nullptr, 16);
      const uintptr_t end = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
      inside = start <= address && address < end;
    } else if (inside && line.starts_with("VmFlags:")) {
      return (line + " ").find(" dd ") != std::string::npos;
    }
  }
  return false;
}

// Contains reports whether file `path` holds `needle`.
bool Contains(const std::string& path, std::span<const uint8_t> needle) {
  const std::vector<uint8_t> bytes = kms::testing::ReadBytes(path);
  return std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) != bytes.end();
}

// Outcome is what one dumped child showed.
struct Outcome {
  bool read = false;       // the child read the secret
  bool dont_dump = false;  // its mapping is marked "dd"
  std::string core;        // the dump, empty when none was taken
};

// DumpReader runs a child that reads the secret (and, with `leak`, copies
// it to its heap), checks its mapping, and dumps it into `folder`.
Outcome DumpReader(const std::string& keystore, const std::string& folder, bool leak,
                   Dumper dumper) {
  int up[2];
  int down[2];
  REQUIRE(pipe(up) == 0);
  REQUIRE(pipe(down) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(up[0]);
    close(down[1]);
    uintptr_t address = 0;
    [&] {
      if (chdir(folder.c_str()) != 0) return;
      rlimit limit{};
      if (getrlimit(RLIMIT_CORE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        (void)setrlimit(RLIMIT_CORE, &limit);
      }
      (void)prctl(PR_SET_DUMPABLE, 1);
      (void)prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
      auto k = kms::Kms::Open({.directory = keystore, .create_if_missing = false});
      if (!k) return;
      auto store = SecretStore::Open(*k);
      if (!store) return;
      static std::optional<SecretValue> held;  // alive until the dump
      auto v = store->GetValue(kSecretName);
      if (!v) return;
      held.emplace(std::move(*v));
      if (leak) {
        // The control: what a careless copy leaves on the heap.
        auto* copy = new std::vector<uint8_t>(held->value.span().begin(), held->value.span().end());
        (void)copy;
      }
      address = reinterpret_cast<uintptr_t>(held->value.data());
    }();
    (void)!write(up[1], &address, sizeof address);
    char order = 0;
    (void)!read(down[0], &order, 1);
    if (order == 'a') {
      signal(SIGABRT, SIG_DFL);  // not doctest's handler: the kernel's dump
      abort();
    }
    _exit(0);
  }
  close(up[1]);
  close(down[0]);
  Outcome out;
  uintptr_t address = 0;
  const bool got = read(up[0], &address, sizeof address) == static_cast<ssize_t>(sizeof address);
  out.read = got && address != 0;
  if (out.read) out.dont_dump = HasDontDumpFlag(pid, address);
  if (out.read && dumper == Dumper::gcore) {
    const std::string prefix = folder + "/gcore";
    const std::string command = GcorePath() + " -o " + prefix + " " + std::to_string(pid) + " >" +
                                folder + "/gcore.log 2>&1";
    if (std::system(command.c_str()) == 0) out.core = prefix + "." + std::to_string(pid);
  }
  const char order = out.read && dumper == Dumper::kernel ? 'a' : 'x';
  (void)!write(down[1], &order, 1);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  close(up[0]);
  close(down[1]);
  if (order == 'a') {
    CHECK(WIFSIGNALED(status));
    if (WIFSIGNALED(status) && WCOREDUMP(status)) {
      for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.path().filename().string().starts_with("core")) out.core = entry.path();
      }
    }
  }
  return out;
}

TEST_CASE("SecretStore: a process holding a decrypted secret leaves it out of its core dump") {
  TempDir dir;
  // The value: random bytes made in secret memory; this process never
  // copies them anywhere else (a binary secret needs no encoding).
  auto marker = SecretBytes::Allocate(48);
  REQUIRE(marker);
  REQUIRE(crypto::RandomBytes(marker->span()));

  // A first child stores it, so nothing of the storing stays in this
  // process (or in the children forked from it below).
  const pid_t writer = fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {
    int code = 1;
    [&] {
      auto k = kms::Kms::Open({.directory = dir.keystore()});
      if (!k) return;
      auto store = SecretStore::Open(*k);
      auto value = marker->Clone();
      if (!store || !value) return;
      if (store->Create(kSecretName, {std::move(*value), true, {}})) code = 0;
    }();
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(writer, &status, 0) == writer);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  const Dumper dumper = ChooseDumper();
  const std::string control_folder = dir.path() + "/control";
  const std::string reader_folder = dir.path() + "/reader";
  std::filesystem::create_directory(control_folder);
  std::filesystem::create_directory(reader_folder);
  const Outcome control = DumpReader(dir.keystore(), control_folder, true, dumper);
  const Outcome reader = DumpReader(dir.keystore(), reader_folder, false, dumper);

  REQUIRE(control.read);
  REQUIRE(reader.read);
  CHECK(reader.dont_dump);
  CHECK(control.dont_dump);
  if (dumper == Dumper::none) {
    MESSAGE(
        "no core dump taken (sanitizer build, or core_pattern pipes elsewhere and gdb's "
        "gcore is not installed): only the do-not-dump flag was checked");
    return;
  }
  if (dumper == Dumper::gcore && (control.core.empty() || reader.core.empty())) {
    // gdb may not attach where ptrace is not allowed (a container without
    // CAP_SYS_PTRACE): say why and keep the do-not-dump check.
    const std::string why = kms::testing::ReadText(control_folder + "/gcore.log");
    MESSAGE("gcore could not dump the child: ", why);
    return;
  }
  const std::string by = dumper == Dumper::kernel ? "the kernel" : "gcore";
  MESSAGE("dumped by ", by);
  REQUIRE_FALSE(control.core.empty());
  REQUIRE_FALSE(reader.core.empty());
  CHECK(Contains(control.core, marker->span()));
  CHECK_FALSE(Contains(reader.core, marker->span()));
}

}  // namespace
}  // namespace envelope::secrets
