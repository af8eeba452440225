// tools/cli: exit codes and error reporting shared by encrypt, decrypt and
// envelope, in age's style:
//
//   encrypt: error: output file "x.encrypted" exists
//   encrypt: hint: pass --force to overwrite it
#ifndef ENVELOPE_TOOLS_CLI_EXIT_CODES_H_
#define ENVELOPE_TOOLS_CLI_EXIT_CODES_H_

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "envelope/error.hpp"

namespace envelope::cli {

// ExitCode values are documented in every tool's --help.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // anything not listed below
  kExitUsage = 2,    // bad arguments or options: the caller's own, never the input's
  kExitAuth = 3,     // the input is refused: authentication failed (wrong key or
                     // context), tampered, truncated, malformed, trailing bytes, or
                     // over a decoding limit
  kExitKey = 4,      // key not found, disabled, pending deletion, or deleted
  kExitIo = 5,       // reading or writing a file, pipe or device failed
};

// ExitCodeFor maps a library error to the tool's exit code.
int ExitCodeFor(const Error& error) noexcept;

// PrintError writes "<tool>: error: <message>" and one "<tool>: hint: ..."
// line per hint to stderr. Messages never carry key material: the library
// guarantees it for its errors, and callers must for their own text.
void PrintError(std::string_view tool, std::string_view message,
                std::initializer_list<std::string_view> hints = {});

// Fail prints `error` (with hints) and returns its exit code, for
// `return Fail(...)` from a command. A library message of the form
// "what; hint: advice" is printed as an error line and a hint line.
int Fail(std::string_view tool, const Error& error,
         std::initializer_list<std::string_view> hints = {});

// FlushStdout pushes what was printed to standard output out now and
// reports whether every write so far succeeded (`io` with the reason, e.g.
// "cannot write to standard output: No space left on device"). Commands
// call it before an irreversible step that depends on the printed text
// having arrived (datakey writes the blob before the plaintext key).
[[nodiscard]] Result<void> FlushStdout();

// RunMain is the one guard of every tool's main: it keeps descriptors 0-2
// occupied (a closed one is replaced by /dev/null opened the wrong way, so
// using it still fails but no file the tool opens can take its number and
// receive what was meant for standard output), runs `body`, turns anything
// it throws into "<tool>: error: internal error: ..." and exit 1 (the
// unwinding destructors discard unfinished outputs), and finally checks
// standard output and standard error: a write that failed anywhere (full
// disk, closed pipe or descriptor) turns a success into exit 5 with a
// message, so lost output is never reported as success.
int RunMain(std::string_view tool, const std::function<int()>& body) noexcept;

// RunGuarded is RunMain's exception guard alone (no descriptor or stream
// handling), for tests: `body`'s exit code, or 1 after printing "<tool>:
// error: internal error: ..." when it throws anything.
int RunGuarded(std::string_view tool, const std::function<int()>& body) noexcept;

// HardenProcess disables core dumps (and ptrace attach by other users'
// processes) for as long as the tool holds key material, i.e. its lifetime.
void HardenProcess() noexcept;

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_CLI_EXIT_CODES_H_
