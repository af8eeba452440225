// Asking for a passphrase on the controlling terminal with echo off
// (termios), as ssh-keygen and age do. The terminal is restored on every
// path out, including SIGINT/SIGTERM while the prompt waits.
#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "commands/keys.h"
#include "envelope/io.hpp"

namespace envelope::cli {
namespace {

constexpr size_t kMaxPassphrase = 1024;

int g_tty = -1;
struct termios g_saved;

void RestoreAndReraise(int sig) {
  if (g_tty >= 0) tcsetattr(g_tty, TCSAFLUSH, &g_saved);
  signal(sig, SIG_DFL);
  raise(sig);
}

tl::unexpected<Error> NoTerminal(const std::string& why) {
  return MakeError(ErrorCode::invalid_argument, "cannot ask for a passphrase: " + why);
}

// AskOnce writes `prompt` and reads one line without echo into secret memory.
Result<SecretBytes> AskOnce(int tty, const char* prompt) {
  if (tcgetattr(tty, &g_saved) != 0) return NoTerminal(std::strerror(errno));
  struct termios quiet = g_saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
  quiet.c_lflag |= ICANON;
  g_tty = tty;
  auto old_int = signal(SIGINT, RestoreAndReraise);
  auto old_term = signal(SIGTERM, RestoreAndReraise);
  tcsetattr(tty, TCSAFLUSH, &quiet);
  // Echo goes off before the prompt shows, so nothing typed after seeing
  // the prompt can be echoed.
  if (write(tty, prompt, std::strlen(prompt)) < 0) {
    const int err = errno;
    tcsetattr(tty, TCSAFLUSH, &g_saved);
    g_tty = -1;
    signal(SIGINT, old_int);
    signal(SIGTERM, old_term);
    return NoTerminal(std::strerror(err));
  }

  auto buf = SecretBytes::Allocate(kMaxPassphrase + 1);
  size_t got = 0;
  bool line_end = false;
  std::string read_error;
  while (buf && got < buf->size()) {
    // Straight into secret memory, one byte at a time up to the newline.
    auto n = ReadFd(tty, buf->span().subspan(got, 1));
    if (!n) read_error = n.error().message();
    if (!n || *n == 0) break;
    if (buf->data()[got] == '\n' || buf->data()[got] == '\r') {
      line_end = true;
      break;
    }
    ++got;
  }
  tcsetattr(tty, TCSAFLUSH, &g_saved);
  g_tty = -1;
  signal(SIGINT, old_int);
  signal(SIGTERM, old_term);
  (void)!write(tty, "\n", 1);
  ENVELOPE_RETURN_IF_ERROR(buf);
  if (!read_error.empty()) return NoTerminal(read_error);
  if (!line_end && got > kMaxPassphrase) {
    return MakeError(ErrorCode::invalid_argument, "passphrase is longer than 1024 bytes");
  }
  if (got == 0) return MakeError(ErrorCode::invalid_argument, "empty passphrase");
  return SecretBytes::CopyFrom(buf->span().first(got));
}

}  // namespace

Result<SecretBytes> PromptPassphrase(bool confirm) { return PromptSecret("passphrase", confirm); }

Result<SecretBytes> PromptSecret(const std::string& what, bool confirm) {
  const int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (tty < 0) return NoTerminal("no terminal (" + std::string(std::strerror(errno)) + ")");
  auto first = AskOnce(tty, ("Enter " + what + ": ").c_str());
  if (first && confirm) {
    auto second = AskOnce(tty, ("Confirm " + what + ": ").c_str());
    if (!second) {
      first = tl::unexpected(second.error());
    } else if (!first->Equals(*second) || first->size() != second->size()) {
      first = MakeError(ErrorCode::invalid_argument, "the " + what + "s do not match");
    }
  }
  close(tty);
  return first;
}

}  // namespace envelope::cli
