// tools/commands: where `envelope params put` and `envelope secrets
// create|put-value` read a value: a file, a descriptor, an environment
// variable or the terminal, never the command line (RefuseLiteralSecrets
// refuses --value and --secret-string).
#ifndef ENVELOPE_TOOLS_COMMANDS_VALUE_SOURCE_H_
#define ENVELOPE_TOOLS_COMMANDS_VALUE_SOURCE_H_

#include <CLI/CLI.hpp>
#include <string>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::cli {

// ValueSource holds --value-file, --value-fd and --value-env.
struct ValueSource {
  std::string file;
  int fd = -1;
  std::string env;
};

// AddValueOptions declares the three options on `app`.
void AddValueOptions(CLI::App& app, ValueSource& v);

// ReadValue reads the value from the one source given (at most `max_size`
// bytes, exactly as they are), else asks for `what` on the terminal twice.
[[nodiscard]] Result<SecretBytes> ReadValue(const ValueSource& v, const std::string& what,
                                            size_t max_size);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_VALUE_SOURCE_H_
