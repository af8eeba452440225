// tools/cli: running CLI11 with our error style and exit codes.
#ifndef ENVELOPE_TOOLS_CLI_PARSE_H_
#define ENVELOPE_TOOLS_CLI_PARSE_H_

#include <CLI/CLI.hpp>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "cli/exit_codes.h"

namespace envelope::cli {

// ParseArgs parses the command line. It returns nullopt when the command
// should run, or the exit code to return right away: 0 after --help or
// --version, kExitUsage after printing "<tool>: error: ..." with a hint.
inline std::optional<int> ParseArgs(CLI::App& app, std::string_view tool, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    const std::string hint = "run '" + std::string(tool) + " --help' for usage";
    std::string message = e.what();
    // CLI11 capitalises its messages; ours start in lower case.
    if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
        std::islower(static_cast<unsigned char>(message[1]))) {
      message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    }
    PrintError(tool, message, {hint});
    return kExitUsage;
  }
}

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_CLI_PARSE_H_
