// tools/cli: exit codes and error reporting shared by encrypt, decrypt and
// envelope, in age's style:
//
//   encrypt: error: output file "x.encrypted" exists
//   encrypt: hint: pass --force to overwrite it
#ifndef ENVELOPE_TOOLS_CLI_EXIT_CODES_H_
#define ENVELOPE_TOOLS_CLI_EXIT_CODES_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "envelope/error.hpp"

namespace envelope::cli {

// ExitCode values are documented in every tool's --help.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // anything not listed below
  kExitUsage = 2,        // bad arguments or options
  kExitAuth = 3,         // authentication failed: wrong key, tampered or truncated input
  kExitKey = 4,          // key not found, disabled, pending deletion, or deleted
  kExitIo = 5,           // reading or writing a file, pipe or device failed
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

// HardenProcess disables core dumps (and ptrace attach by other users'
// processes) for as long as the tool holds key material, i.e. its lifetime.
void HardenProcess() noexcept;

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_CLI_EXIT_CODES_H_
