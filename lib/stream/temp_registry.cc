// The temporary-file registry and its signal handler (temp_registry.h), and
// InstallTemporaryFileCleanup / RemoveTemporaryFiles of atomic_file.hpp.
#include "stream/temp_registry.h"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "envelope/atomic_file.hpp"

namespace envelope {
namespace stream {
namespace {

constexpr int kFree = 0, kWriting = 1, kLive = 2;

struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};

// Zero-initialized static storage: no constructor runs at startup, and the
// handler may read it at any time.
Slot g_slots[kTempSlots];

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

void OnSignal(int sig) {
  RemoveTemporaryFiles();
  // Back to the default action, then the same signal again: it is blocked
  // while this handler runs and delivered as it returns, so the process
  // ends the way it would have without us (shell status 128 + sig).
  // SA_RESETHAND already did this, unless someone reinstalled the handler
  // with signal(), which drops the flag.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  raise(sig);
}

}  // namespace

int RegisterTemporary(const std::string& path) noexcept {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kTempSlots; ++i) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kWriting)) continue;
    std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
    g_slots[i].state.store(kLive, std::memory_order_release);
    return i;
  }
  return -1;
}

void UnregisterTemporary(int slot) noexcept {
  if (slot >= 0 && slot < kTempSlots) g_slots[slot].state.store(kFree, std::memory_order_release);
}

}  // namespace stream

void RemoveTemporaryFiles() noexcept {
  const int saved = errno;
  for (stream::Slot& s : stream::g_slots) {
    if (s.state.load(std::memory_order_acquire) == stream::kLive) unlink(s.path);
  }
  errno = saved;
}

Result<void> InstallTemporaryFileCleanup() {
  struct sigaction action {};
  action.sa_handler = stream::OnSignal;
  // While one of them is being handled the others wait: the cleanup runs
  // once, to the end.
  sigemptyset(&action.sa_mask);
  for (int sig : stream::kSignals) sigaddset(&action.sa_mask, sig);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  for (int sig : stream::kSignals) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0) {
      return MakeError(ErrorCode::internal, std::string("sigaction: ") + std::strerror(errno));
    }
    const bool is_default = (old.sa_flags & SA_SIGINFO) == 0 && old.sa_handler == SIG_DFL;
    if (!is_default) continue;  // ignored (nohup) or the application's own
    if (sigaction(sig, &action, nullptr) != 0) {
      return MakeError(ErrorCode::internal, std::string("sigaction: ") + std::strerror(errno));
    }
  }
  return {};
}

}  // namespace envelope
