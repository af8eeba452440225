// envelope encrypt / envelope decrypt: the small tools' code as subcommands.
#include "commands/admin.h"
#include "commands/crypt.h"

namespace envelope::cli {

void RegisterCryptCommands(CLI::App& app, std::shared_ptr<Globals> g, Commands& out) {
  for (const Direction direction : {Direction::encrypt, Direction::decrypt}) {
    const bool enc = direction == Direction::encrypt;
    auto options = std::make_shared<CryptOptions>();
    CLI::App* sub =
        app.add_subcommand(enc ? "encrypt" : "decrypt",
                           enc ? "encrypt files or standard input (same as the encrypt tool)"
                               : "decrypt messages (same as the decrypt tool)");
    AddCryptOptions(*sub, *options, direction, kTool);
    out.push_back({sub, [g, options]() -> int {
                     if (options->keystore.empty()) options->keystore = g->keystore;
                     return RunCrypt(kTool, *options);
                   }});
  }
}

}  // namespace envelope::cli
