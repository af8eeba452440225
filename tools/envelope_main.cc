// envelope: the admin tool. Keys, data keys, inspection, the audit log,
// self tests, and encrypt/decrypt (the small tools' code).
#include <CLI/CLI.hpp>
#include <string>

#include "cli/exit_codes.h"
#include "cli/parse.h"
#include "commands/admin.h"
#include "commands/crypt_options.h"
#include "envelope/atomic_file.hpp"
#include "envelope/version.hpp"

namespace {

int EnvelopeMain(int argc, char** argv) {
  using namespace envelope::cli;
  // SIGINT, SIGTERM, SIGHUP remove a named temporary output (AtomicFile).
  if (auto r = envelope::InstallTemporaryFileCleanup(); !r) return Fail(kTool, r.error());
  if (auto refused = RefuseLiteralSecrets(kTool, argc, argv)) return *refused;

  CLI::App app{
      "envelope: envelope encryption and key management (a local KMS with the "
      "semantics of AWS KMS, messages in the AWS Encryption SDK format)"};
  app.set_version_flag("--version", std::string("envelope ") + envelope::Version() +
                                        "\naes-gcm: " + envelope::AesGcmBackend());
  app.require_subcommand(1);
  app.fallthrough();
  auto globals = std::make_shared<Globals>();
  app.add_option("--keystore", globals->keystore,
                 "keystore folder (default $ENVELOPE_HOME, else $XDG_DATA_HOME/envelope)")
      ->type_name("DIR");
  app.footer(
      "Examples:\n"
      "  envelope keys create --alias alias/app\n"
      "  envelope encrypt -k alias/app report.pdf\n"
      "  envelope keys rotate alias/app && envelope rewrap report.pdf.encrypted\n"
      "  envelope inspect report.pdf.encrypted\n"
      "  envelope audit verify\n"
      "  envelope pkcs11 list --pkcs11-module /usr/lib/softhsm/libsofthsm2.so\n"
      "Run 'envelope COMMAND --help' for each command.\n\n" +
      ExitCodesHelp());

  Commands commands;
  RegisterCryptCommands(app, globals, commands);
  RegisterKeysCommands(app, globals, commands);
  RegisterDataKeyCommand(app, globals, commands);
  RegisterRewrapCommand(app, globals, commands);
  RegisterInspectCommand(app, commands);
  RegisterAuditCommands(app, globals, commands);
  RegisterSelfTestCommand(app, commands);
  RegisterPkcs11Commands(app, commands);
  RegisterParamsCommands(app, globals, commands);
  RegisterSecretsCommands(app, globals, commands);
#ifdef ENVELOPE_HAVE_SERVICE
  RegisterKmsCommands(app, globals, commands);
#endif
  RegisterIamCommands(app, globals, commands);

  if (auto done = ParseArgs(app, kTool, argc, argv)) return *done;
  for (const Command& c : commands) {
    if (c.app->parsed() && c.app->get_subcommands().empty()) return c.run();
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  envelope::cli::HardenProcess();
  return envelope::cli::RunMain(envelope::cli::kTool, [&] { return EnvelopeMain(argc, argv); });
}
