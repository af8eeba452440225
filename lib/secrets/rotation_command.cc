#include "secrets/rotation_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "envelope/secrets.hpp"

extern char** environ;

namespace envelope::secrets::internal {
namespace {

tl::unexpected<Error> StepFailed(const RotationStep& s, const std::string& why) {
  return MakeError(ErrorCode::unsupported, "InvalidRequestException: rotation step " + s.step +
                                               " of " + s.secret_id + " failed: " + why);
}

}  // namespace

Result<SecretBytes> RunRotationStep(const RotationStep& s) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls (the server is multi-threaded).
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.starts_with("SECRET_ID=") || entry.starts_with("CLIENT_REQUEST_TOKEN=") ||
        entry.starts_with("STEP=") || entry.starts_with("ENVELOPE_HOME=")) {
      continue;
    }
    env_text.emplace_back(entry);
  }
  env_text.push_back("SECRET_ID=" + s.secret_id);
  env_text.push_back("CLIENT_REQUEST_TOKEN=" + s.token);
  env_text.push_back("STEP=" + s.step);
  env_text.push_back("ENVELOPE_HOME=" + s.keystore);
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string path = s.command;
  char* argv[] = {path.data(), nullptr};

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0)
    return StepFailed(s, std::string("pipe: ") + std::strerror(errno));
  const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = fork();
  if (pid == 0) {
    // The command starts with the default signal mask and SIGPIPE action,
    // not the server's (which blocks its stop signals in every thread).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &default_action, nullptr);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out[1], 1);
    execve(path.c_str(), argv, envp.data());
    _exit(127);
  }
  if (devnull >= 0) close(devnull);
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    return StepFailed(s, std::string("fork: ") + std::strerror(errno));
  }
  auto buffer = SecretBytes::Allocate(kMaxSecretValueSize + 1);
  size_t got = 0;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + s.timeout;
  while (buffer) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    uint8_t sink[4096];
    const bool room = got < buffer->size();
    const ssize_t n = room ? read(out[0], buffer->data() + got, buffer->size() - got)
                           : read(out[0], sink, sizeof(sink));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (room) {
      got += static_cast<size_t>(n);
    } else {
      got = buffer->size() + 1;  // over the limit; drain so the child can finish
    }
  }
  close(out[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ENVELOPE_RETURN_IF_ERROR(buffer);
  if (timed_out)
    return StepFailed(s, "it ran longer than " + std::to_string(s.timeout.count()) + " s");
  if (WIFSIGNALED(status))
    return StepFailed(s, "killed by signal " + std::to_string(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return StepFailed(s, "exit status " + std::to_string(WEXITSTATUS(status)));
  }
  if (got > kMaxSecretValueSize) return StepFailed(s, "it wrote more than 65536 bytes");
  return SecretBytes::CopyFrom(buffer->span().first(got));
}

Result<RotationLock> RotationLock::TryAcquire(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return MakeError(ErrorCode::io, "secrets: cannot open " + path + ": " + std::strerror(errno));
  }
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) {
      return MakeError(ErrorCode::key_state,
                       "InvalidRequestException: a rotation of this secret is in progress; try "
                       "again when it has finished");
    }
    return MakeError(ErrorCode::io, "secrets: cannot lock " + path + ": " + std::strerror(err));
  }
  return RotationLock(fd);
}

RotationLock::~RotationLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace envelope::secrets::internal
