// tools/commands: the options `encrypt` and `decrypt` share (and `envelope
// encrypt` / `envelope decrypt`, which are the same code).
#ifndef ENVELOPE_TOOLS_COMMANDS_CRYPT_OPTIONS_H_
#define ENVELOPE_TOOLS_COMMANDS_CRYPT_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands/aws_kms_options.h"
#include "commands/pkcs11_options.h"
#include "envelope/error.hpp"
#include "envelope/materials.hpp"

namespace envelope::cli {

// Direction says which tool the options are for.
enum class Direction { encrypt, decrypt };

// CryptOptions is the parsed command line of encrypt or decrypt.
struct CryptOptions {
  Direction direction = Direction::encrypt;
  std::vector<std::string> inputs;  // empty or "-": standard input
  std::string output;               // -o; empty: beside the input, or stdout
  bool force = false;
  bool recursive = false;
  bool quiet = false;
  bool armor = false;   // encrypt only; decrypt detects it
  bool decode = false;  // decrypt --decode: the input must be armored
  std::string suffix = ".encrypted";

  // Keys (see keys.h for how they become keyrings).
  std::vector<std::string> kms_keys;  // -k/--key, repeatable
  std::string customer_key_file;      // SSE-C
  int customer_key_fd = -1;
  std::string customer_key_env;
  bool passphrase_prompt = false;  // --passphrase: ask on the terminal
  std::string passphrase_file;
  int passphrase_fd = -1;
  std::string passphrase_env;
  std::vector<std::string> wrapping_keys;  // --wrapping-key provider=..,key=..,file=..
  std::string keystore;                    // --keystore DIR
  Pkcs11Options pkcs11;                    // --pkcs11-*, --pkcs11 URI
  AwsKmsOptions aws;                       // --aws-kms*, --profile, --region, --endpoint-url

  std::vector<std::string> context;          // -c k=v
  std::vector<std::string> require_context;  // decrypt --require-context k=v or k
  uint32_t frame_size = 64 * 1024;
  unsigned threads = 0;  // one per core
  std::string suite = "unsigned";
  size_t max_edks = 64;
  std::string commitment_policy = "require-encrypt-require-decrypt";

  // Formats, ranges and limits (crypt_format_options.cc).
  std::string format;            // encrypt: esdk, c2sp; decrypt: auto, esdk, c2sp
  std::string c2sp_context;      // --c2sp-context TEXT
  std::string c2sp_context_hex;  // --c2sp-context-hex HEX
  std::string range;             // decrypt --range
  bool verbose = false;          // decrypt -v: what was read
  std::string max_frame_size = "16M";
  std::string max_buffer = "256M";
  bool unverified_streaming = false;
  std::string metadata_output;  // --metadata-output FILE or -
};

// AddFormatOptions declares --format, the C2SP context, decrypt's --range
// and the limits (--max-frame-size, --max-buffer, --unverified-streaming),
// and --metadata-output.
void AddFormatOptions(CLI::App& app, CryptOptions& options, Direction direction);

// AddSecretSourceOptions declares the three ways a secret reaches a tool,
// never its value: `name`-file FILE, `name`-fd N and `name`-env VAR, in
// option group `group`. `what` names the secret in the fd and env help
// lines; `file_help` is the help line of the file option.
void AddSecretSourceOptions(CLI::App& app, const std::string& name, const std::string& what,
                            const std::string& file_help, std::string& file, int& fd,
                            std::string& env, const std::string& group);

// AddCryptOptions declares every option of `direction` on `app`, with
// --help text, examples and the exit codes.
void AddCryptOptions(CLI::App& app, CryptOptions& options, Direction direction,
                     const std::string& tool);

// RefuseLiteralSecrets scans argv before CLI11 sees it (so a secret never
// reaches a parse error message) for options that would put a key or a
// passphrase on the command line: --customer-key VALUE, --passphrase=VALUE,
// --key-material, --pkcs11-pin, a pkcs11: URI with pin-value=... It prints the error with hints and
// returns kExitUsage, or nullopt when argv is clean.
std::optional<int> RefuseLiteralSecrets(const std::string& tool, int argc, char** argv);

// ParseContext turns "k=v" strings into an encryption context. Fails with
// invalid_argument for a missing "=", an empty key or a repeated key.
[[nodiscard]] Result<EncryptionContext> ParseContext(const std::vector<std::string>& pairs,
                                                     const std::string& option);

// ParseCommitmentPolicy reads the ESDK CLI spelling
// (require-encrypt-require-decrypt, ...).
[[nodiscard]] Result<CommitmentPolicy> ParseCommitmentPolicy(const std::string& text);

// ExitCodesHelp is the "Exit codes:" paragraph of every --help.
std::string ExitCodesHelp();

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_CRYPT_OPTIONS_H_
