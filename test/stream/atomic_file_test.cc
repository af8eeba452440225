// envelope/atomic_file.hpp: no clobber (a file appearing at the path before
// Commit is never replaced), replace, symbolic links, the folder fsync, the
// named fallback, modes, and the signal cleanup of named temporaries.
#include "envelope/atomic_file.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "stream/atomic_file_internal.h"

namespace envelope {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "envelope-atomic-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  // Names returns the folder's entries, sorted.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  REQUIRE(lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// ScopedUmask sets the umask for one test.
struct ScopedUmask {
  mode_t old;
  explicit ScopedUmask(mode_t m) : old(umask(m)) {}
  ~ScopedUmask() { umask(old); }
};

// Both ways a file is written: unnamed (O_TMPFILE) and the named fallback.
const bool kNamed[] = {false, true};

TEST_CASE("AtomicFile: a committed file appears whole; a discarded one leaves nothing") {
  for (const bool named : kNamed) {
    CAPTURE(named);
    TempDir dir;
    const fs::path target = dir.path / "out.bin";
    {
      auto f = AtomicFile::Create(target, {.named_temporary = named});
      REQUIRE(f);
      CHECK(f->unnamed() == !named);
      REQUIRE(f->Write(Bytes("hello ")));
      REQUIRE(f->Write(Bytes("world")));
      CHECK_FALSE(fs::exists(target));  // nothing at the path before Commit
      const auto during = dir.Names();
      if (named) {
        REQUIRE(during.size() == 1);
        CHECK(during[0].starts_with(".out.bin.envelope-"));
      } else {
        CHECK(during.empty());  // not even a temporary name
      }
      REQUIRE(f->Commit());
      CHECK_FALSE(f->Commit());  // once
    }
    CHECK(Slurp(target) == "hello world");
    CHECK(dir.Names() == std::vector<std::string>{"out.bin"});
    {
      auto f = AtomicFile::Create(dir.path / "other.bin", {.named_temporary = named});
      REQUIRE(f);
      REQUIRE(f->Write(Bytes("partial")));
    }  // destroyed without Commit
    CHECK(dir.Names() == std::vector<std::string>{"out.bin"});
  }
}

TEST_CASE("AtomicFile: a file created at the path before Commit is left untouched") {
  for (const bool named : kNamed) {
    CAPTURE(named);
    TempDir dir;
    const fs::path target = dir.path / "out.bin";
    auto f = AtomicFile::Create(target, {.named_temporary = named});
    REQUIRE(f);
    REQUIRE(f->Write(Bytes("ours")));
    std::ofstream(target) << "theirs";  // the race: someone else's file appears
    auto r = f->Commit();
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
    CHECK(r.error().message() == "output file \"" + target.string() + "\" exists");
    CHECK(Slurp(target) == "theirs");
    f->Discard();
    CHECK(dir.Names() == std::vector<std::string>{"out.bin"});

    // A dangling symbolic link appearing is just as much "something there".
    const fs::path other = dir.path / "link";
    auto g = AtomicFile::Create(other, {.named_temporary = named});
    REQUIRE(g);
    fs::create_symlink(dir.path / "nowhere", other);
    REQUIRE_FALSE(g->Commit());
    CHECK(fs::is_symlink(other));
    CHECK_FALSE(fs::exists(dir.path / "nowhere"));
  }
}

TEST_CASE("AtomicFile: an existing file is refused, or replaced whole with replace") {
  for (const bool named : kNamed) {
    CAPTURE(named);
    TempDir dir;
    const fs::path target = dir.path / "x";
    std::ofstream(target) << "old";
    auto refused = AtomicFile::Create(target, {.named_temporary = named});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message() == "output file \"" + target.string() + "\" exists");

    auto f = AtomicFile::Create(target, {.replace = true, .named_temporary = named});
    REQUIRE(f);
    REQUIRE(f->Write(Bytes("new")));
    CHECK(Slurp(target) == "old");  // the old one until Commit
    REQUIRE(f->Commit());
    CHECK(Slurp(target) == "new");
    CHECK(dir.Names() == std::vector<std::string>{"x"});  // no random name left
  }
}

TEST_CASE("AtomicFile: a symbolic link is refused, dangling or not; replace replaces the link") {
  for (const bool dangling : {false, true}) {
    CAPTURE(dangling);
    TempDir dir;
    const fs::path pointee = dir.path / "pointee";
    if (!dangling) std::ofstream(pointee) << "pointee";
    const fs::path link = dir.path / "link";
    fs::create_symlink(pointee, link);

    auto refused = AtomicFile::Create(link);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == ErrorCode::invalid_argument);
    CHECK(refused.error().message() == "output \"" + link.string() + "\" is a symbolic link");

    auto f = AtomicFile::Create(link, {.replace = true});
    REQUIRE(f);
    REQUIRE(f->Write(Bytes("new")));
    REQUIRE(f->Commit());
    CHECK_FALSE(fs::is_symlink(link));  // the link itself was replaced
    CHECK(Slurp(link) == "new");
    CHECK(fs::exists(pointee) == !dangling);  // never followed
    if (!dangling) CHECK(Slurp(pointee) == "pointee");
  }
}

TEST_CASE("AtomicFile: folders, missing folders") {
  TempDir dir;
  auto folder = AtomicFile::Create(dir.path.string());
  REQUIRE_FALSE(folder);
  CHECK(folder.error().code() == ErrorCode::invalid_argument);
  auto slash = AtomicFile::Create(dir.path.string() + "/");
  REQUIRE_FALSE(slash);
  CHECK(slash.error().code() == ErrorCode::invalid_argument);
  auto missing = AtomicFile::Create(dir.path / "no" / "x");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::io);
}

int g_syncs = 0;
ino_t g_synced_inode = 0;
int CountingSync(int fd) {
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) g_synced_inode = st.st_ino;
  ++g_syncs;
  return fsync(fd);
}
int FailingSync(int) {
  errno = EIO;
  return -1;
}

TEST_CASE("AtomicFile: Commit flushes the folder, and a failed flush is an error") {
  for (const bool replace : {false, true}) {
    CAPTURE(replace);
    TempDir dir;
    const fs::path target = dir.path / "out";
    if (replace) std::ofstream(target) << "old";
    g_syncs = 0;
    g_synced_inode = 0;
    auto previous = stream::SetSyncFolderForTesting(CountingSync);
    {
      auto f = AtomicFile::Create(target, {.replace = replace});
      REQUIRE(f);
      REQUIRE(f->Commit());
    }
    CHECK(g_syncs == 1);
    struct stat st {};
    REQUIRE(stat(dir.path.c_str(), &st) == 0);
    CHECK(g_synced_inode == st.st_ino);

    stream::SetSyncFolderForTesting(FailingSync);
    auto f = AtomicFile::Create(dir.path / "second", {});
    REQUIRE(f);
    auto r = f->Commit();
    stream::SetSyncFolderForTesting(previous);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::io);
    CHECK(r.error().message().starts_with("cannot flush the folder"));
  }
}

TEST_CASE("AtomicFile: modes never carry setuid, setgid or sticky; the umask when asked") {
  ScopedUmask mask(077);
  for (const bool named : kNamed) {
    CAPTURE(named);
    TempDir dir;
    auto make = [&](const char* name, AtomicFileOptions o) {
      o.named_temporary = named;
      auto f = AtomicFile::Create(dir.path / name, o);
      REQUIRE(f);
      REQUIRE(f->Commit());
      return ModeOf(dir.path / name);
    };
    CHECK(make("suid", {.mode = 04755, .apply_umask = false}) == 0755);
    CHECK(make("sgid-sticky", {.mode = 03775, .apply_umask = false}) == 0775);
    CHECK(make("masked", {.mode = 0644, .apply_umask = true}) == 0600);
    CHECK(make("default", {}) == 0600);  // 0666 & ~077
    CHECK(make("private", {.mode = 0600, .apply_umask = false}) == 0600);
  }
}

TEST_CASE("RemoveTemporaryFiles: named temporaries go, unnamed files have nothing to remove") {
  TempDir dir;
  auto named = AtomicFile::Create(dir.path / "a", {.named_temporary = true});
  auto unnamed = AtomicFile::Create(dir.path / "b");
  REQUIRE(named);
  REQUIRE(unnamed);
  CHECK(dir.Names().size() == 1);
  RemoveTemporaryFiles();
  CHECK(dir.Names().empty());
  // A committed file is no longer a temporary: the next call leaves it.
  auto c = AtomicFile::Create(dir.path / "c", {.named_temporary = true});
  REQUIRE(c);
  REQUIRE(c->Commit());
  RemoveTemporaryFiles();
  CHECK(dir.Names() == std::vector<std::string>{"c"});
}

TEST_CASE("InstallTemporaryFileCleanup: SIGTERM, SIGINT, SIGHUP remove named temporaries") {
  for (const int sig : {SIGTERM, SIGINT, SIGHUP}) {
    CAPTURE(sig);
    TempDir dir;
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child: a named temporary half written, then the signal. It
      // starts like a fresh process (doctest handles signals itself).
      for (int s : {SIGTERM, SIGINT, SIGHUP}) signal(s, SIG_DFL);
      if (!InstallTemporaryFileCleanup() || !InstallTemporaryFileCleanup()) _exit(10);
      auto f = AtomicFile::Create(dir.path / "out", {.named_temporary = true});
      if (!f || !f->Write(Bytes("partial"))) _exit(11);
      (void)!write(ready[1], "r", 1);
      pause();
      _exit(12);
    }
    close(ready[1]);
    char c = 0;
    REQUIRE(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    CHECK(dir.Names().size() == 1);  // the temporary exists
    kill(pid, sig);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));  // ended by the signal, as without the handler
    if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == sig);
    CHECK(dir.Names().empty());
  }
}

TEST_CASE("InstallTemporaryFileCleanup: an ignored SIGHUP (nohup) stays ignored") {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
    if (!InstallTemporaryFileCleanup()) _exit(10);
    struct sigaction now {};
    sigaction(SIGHUP, nullptr, &now);
    _exit(now.sa_handler == SIG_IGN ? 0 : 11);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace envelope
