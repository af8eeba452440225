// tools/commands: the encrypt and decrypt commands (the small tools and
// `envelope encrypt` / `envelope decrypt` run this same code).
#ifndef ENVELOPE_TOOLS_COMMANDS_CRYPT_H_
#define ENVELOPE_TOOLS_COMMANDS_CRYPT_H_

#include <string>

#include "commands/crypt_options.h"
#include "commands/files.h"
#include "envelope/message.hpp"

namespace envelope::cli {

// RunCrypt runs encrypt or decrypt (options.direction) over every input and
// returns the exit code. Inputs are processed in order; the first failure
// stops the run, leaving that job's output untouched (files) and earlier
// outputs complete.
int RunCrypt(const std::string& tool, const CryptOptions& options);

// EncryptOne encrypts one job's input into its output.
int EncryptOne(const std::string& tool, const CryptOptions& options,
               const CryptoMaterialsManager& cmm, const EncryptOptions& encrypt_options,
               const Job& job);

// DecryptOne decrypts one job; `required` are the --require-context pairs.
int DecryptOne(const std::string& tool, const CryptOptions& options,
               const CryptoMaterialsManager& cmm, DecryptOptions decrypt_options,
               const EncryptionContext& required, const Job& job);

// RunCryptMain is the whole main() of the small tools.
int RunCryptMain(Direction direction, int argc, char** argv);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_CRYPT_H_
