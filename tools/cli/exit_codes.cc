#include "cli/exit_codes.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>

namespace envelope::cli {

int ExitCodeFor(const Error& error) noexcept {
  switch (error.code()) {
    case ErrorCode::invalid_argument:
      return kExitUsage;
    // Everything that says "this input is not a message we accept": the
    // caller cannot tell a flipped length byte from a real one over a limit.
    case ErrorCode::auth_failed:
    case ErrorCode::truncated:
    case ErrorCode::malformed:
    case ErrorCode::limit_exceeded:
      return kExitAuth;
    case ErrorCode::key_state:
    case ErrorCode::not_found:
      return kExitKey;
    case ErrorCode::io:
      return kExitIo;
    case ErrorCode::unsupported:
    case ErrorCode::internal:
      return kExitFailure;
  }
  return kExitFailure;
}

void PrintError(std::string_view tool, std::string_view message,
                std::initializer_list<std::string_view> hints) {
  std::fprintf(stderr, "%.*s: error: %.*s\n", int(tool.size()), tool.data(), int(message.size()),
               message.data());
  for (std::string_view hint : hints) {
    std::fprintf(stderr, "%.*s: hint: %.*s\n", int(tool.size()), tool.data(), int(hint.size()),
                 hint.data());
  }
}

int Fail(std::string_view tool, const Error& error, std::initializer_list<std::string_view> hints) {
  // Library messages may carry their own advice as "...; hint: ...": print
  // it as a hint line of its own, before the caller's.
  std::string_view message = error.message();
  constexpr std::string_view kHint = "; hint: ";
  const size_t at = message.find(kHint);
  if (at == std::string_view::npos) {
    PrintError(tool, message, hints);
  } else {
    PrintError(tool, message.substr(0, at), {message.substr(at + kHint.size())});
    for (std::string_view hint : hints) {
      std::fprintf(stderr, "%.*s: hint: %.*s\n", int(tool.size()), tool.data(), int(hint.size()),
                   hint.data());
    }
  }
  return ExitCodeFor(error);
}

namespace {

// ReserveStandardDescriptors opens /dev/null on a closed descriptor 0, 1 or
// 2, in the direction that descriptor is never used (so reads of a closed
// stdin and writes to a closed stdout still fail with EBADF).
void ReserveStandardDescriptors() noexcept {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int opened = open("/dev/null", (fd == STDIN_FILENO ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (opened >= 0 && opened != fd) {
      dup2(opened, fd);
      close(opened);
    }
  }
}

// FinishStandardStreams flushes and closes standard output, then checks
// standard error; it returns the exit code the run ends with.
int FinishStandardStreams(std::string_view tool, int rc) noexcept {
  // stdio first: std::cout (synchronised with stdio) flushes stdout too,
  // and the error's reason would be gone by the time FlushStdout looked.
  auto flushed = FlushStdout();
  std::cout.flush();
  const bool cout_failed = std::cout.bad();
  errno = 0;
  const bool closed = std::fclose(stdout) == 0;
  if (flushed && !closed) {
    flushed = MakeError(ErrorCode::io, std::string("cannot write to standard output: ") +
                                           std::strerror(errno ? errno : EIO));
  }
  if (flushed && cout_failed) {
    flushed = MakeError(ErrorCode::io, "cannot write to standard output");
  }
  if (!flushed) {
    PrintError(tool, flushed.error().message());
    if (rc == kExitOk) rc = kExitIo;
  }
  // Nothing is left to report a failed standard error on; the code says it.
  if ((std::fflush(stderr) != 0 || std::ferror(stderr)) && rc == kExitOk) rc = kExitIo;
  return rc;
}

}  // namespace

Result<void> FlushStdout() {
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return {};
  // ferror stays set after the failing write: errno may be gone by now.
  const int e = errno ? errno : EIO;
  return MakeError(ErrorCode::io,
                   std::string("cannot write to standard output: ") + std::strerror(e));
}

int RunMain(std::string_view tool, const std::function<int()>& body) noexcept {
  ReserveStandardDescriptors();
  return FinishStandardStreams(tool, RunGuarded(tool, body));
}

int RunGuarded(std::string_view tool, const std::function<int()>& body) noexcept {
  int rc = kExitFailure;
  try {
    try {
      rc = body();
    } catch (const std::exception& e) {
      PrintError(tool, std::string("internal error: ") + e.what());
      rc = kExitFailure;
    } catch (...) {
      PrintError(tool, "internal error: unknown exception");
      rc = kExitFailure;
    }
  } catch (...) {
    // Printing the message itself threw (no memory left): the code says it.
    rc = kExitFailure;
  }
  return rc;
}

void HardenProcess() noexcept {
  // A core file would hold whatever keys and plaintext were in memory.
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace envelope::cli
