#include "cli/exit_codes.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstdio>

namespace envelope::cli {

int ExitCodeFor(const Error& error) noexcept {
  switch (error.code()) {
    case ErrorCode::invalid_argument: return kExitUsage;
    case ErrorCode::auth_failed:
    case ErrorCode::truncated: return kExitAuth;
    case ErrorCode::key_state:
    case ErrorCode::not_found: return kExitKey;
    case ErrorCode::io: return kExitIo;
    case ErrorCode::unsupported:
    case ErrorCode::limit_exceeded:
    case ErrorCode::internal: return kExitFailure;
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

int Fail(std::string_view tool, const Error& error,
         std::initializer_list<std::string_view> hints) {
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

void HardenProcess() noexcept {
  // A core file would hold whatever keys and plaintext were in memory.
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace envelope::cli
