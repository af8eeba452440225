#include "commands/crypt_options.h"

#include <cstring>
#include <map>
#include <string_view>

#include "cli/exit_codes.h"
#include "envelope/message.hpp"

namespace envelope::cli {
namespace {

const char* const kEncryptExamples = R"(Examples:
  encrypt report.pdf                      # writes report.pdf.encrypted (managed default key, SSE-S3)
  encrypt -k alias/app -c team=web -o out.bin in.bin     # a named KMS key (SSE-KMS)
  encrypt --customer-key-file k.bin report.pdf           # your own 256-bit key (SSE-C)
  encrypt --passphrase notes.txt                         # asks for a passphrase on the terminal
  encrypt --wrapping-key provider=ns,key=k1,file=aes.key in.bin   # raw AES key (ESDK interop)
  encrypt --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token prod \
          --pkcs11-key wrap-2024 --pkcs11-pin-file pin.txt in.bin     # an AES key in an HSM
  encrypt --pkcs11 'pkcs11:token=prod;object=wrap-2024?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=pin.txt' \
          -k alias/app in.bin                  # HSM key (RFC 7512 URI) and a KMS key: either decrypts
  tar c photos | encrypt -a > photos.tar.b64             # text output for mail or copy-paste
  encrypt -r --suffix .enc folder/                       # every file in a folder)";

const char* const kDecryptExamples = R"(Examples:
  decrypt report.pdf.encrypted                # writes report.pdf (any key in the local keystore)
  decrypt --require-context team=web -o in.bin out.bin
  decrypt --customer-key-env SSE_C_KEY report.pdf.encrypted
  decrypt --passphrase-file pass.txt notes.txt.encrypted
  decrypt --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token prod \
          --pkcs11-key wrap-2024 --pkcs11-pin-env HSM_PIN in.bin.encrypted
  decrypt --pkcs11 'pkcs11:token=prod;object=wrap-2024?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=pin.txt' \
          in.bin.encrypted
  decrypt < photos.tar.b64 | tar x            # armored input is detected
  decrypt -r --suffix .enc folder/)";

constexpr std::string_view kPinForms =
    "--pkcs11-pin-file FILE, --pkcs11-pin-fd N, --pkcs11-pin-env VAR or pin-source=FILE in a "
    "--pkcs11 URI";

struct Refused {
  std::string_view option;  // exact, or a prefix ending in '='
  std::string_view what;
  std::string_view forms;
};

constexpr Refused kRefused[] = {
    {"--customer-key", "customer key",
     "--customer-key-file FILE, --customer-key-fd N or --customer-key-env VAR"},
    {"--passphrase=", "passphrase",
     "--passphrase (asks on the terminal), --passphrase-file FILE, --passphrase-fd N or "
     "--passphrase-env VAR"},
    {"--password", "passphrase",
     "--passphrase (asks on the terminal), --passphrase-file FILE, --passphrase-fd N or "
     "--passphrase-env VAR"},
    {"--key-material", "key", "--wrapping-key provider=NS,key=NAME,file=PATH"},
    {"--wrapping-key-material", "key", "--wrapping-key provider=NS,key=NAME,file=PATH"},
    {"--pkcs11-pin", "PKCS#11 PIN", kPinForms},
    {"--pin", "PKCS#11 PIN", kPinForms},
    {"--pkcs11-pin-value", "PKCS#11 PIN", kPinForms},
    {"--value", "parameter or secret value",
     "--value-file FILE, --value-fd N, --value-env VAR or the terminal"},
    {"--secret-string", "secret value",
     "--value-file FILE, --value-fd N, --value-env VAR or the terminal"},
};

// HasPinValue reports whether `arg` holds a pkcs11: URI with a pin-value
// attribute (the value is never printed, not even in a parse error).
bool HasPinValue(std::string_view arg) {
  return arg.find("pkcs11:") != std::string_view::npos &&
         arg.find("pin-value=") != std::string_view::npos;
}

}  // namespace

std::string ExitCodesHelp() {
  return "Exit codes:\n"
         "  0  success\n"
         "  1  other failure\n"
         "  2  bad arguments or options, or a refused action (existing output, terminal)\n"
         "  3  authentication failed or input refused: wrong key or context, tampered,\n"
         "     truncated, malformed, or over a decoding limit\n"
         "  4  key not found, disabled, pending deletion or deleted\n"
         "  5  reading or writing a file, pipe, device (standard output included) or\n"
         "     the keystore failed\n";
}

std::optional<int> RefuseLiteralSecrets(const std::string& tool, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (HasPinValue(arg)) {
      PrintError(tool,
                 "pin-value= in a pkcs11: URI: a PKCS#11 PIN is never accepted on the "
                 "command line",
                 {"other users can read it in /proc/*/cmdline and it stays in your shell history",
                  "use " + std::string(kPinForms)});
      return kExitUsage;
    }
    for (const Refused& r : kRefused) {
      const bool prefix_form = r.option.back() == '=';
      const bool hit = prefix_form ? arg.starts_with(r.option)
                                   : (arg == r.option ||
                                      (arg.starts_with(r.option) && arg[r.option.size()] == '='));
      if (!hit) continue;
      const std::string name(arg.substr(0, arg.find('=')));
      PrintError(tool,
                 name + ": a " + std::string(r.what) + " is never accepted on the command line",
                 {"other users can read it in /proc/*/cmdline and it stays in your shell history",
                  "use " + std::string(r.forms)});
      return kExitUsage;
    }
  }
  return std::nullopt;
}

Result<EncryptionContext> ParseContext(const std::vector<std::string>& pairs,
                                       const std::string& option) {
  EncryptionContext context;
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return MakeError(ErrorCode::invalid_argument,
                       option + " \"" + pair + "\": expected KEY=VALUE with a non-empty key");
    }
    if (!context.emplace(pair.substr(0, eq), pair.substr(eq + 1)).second) {
      return MakeError(ErrorCode::invalid_argument,
                       option + ": key \"" + pair.substr(0, eq) + "\" given twice");
    }
  }
  return context;
}

Result<CommitmentPolicy> ParseCommitmentPolicy(const std::string& text) {
  if (text == "require-encrypt-require-decrypt") {
    return CommitmentPolicy::require_encrypt_require_decrypt;
  }
  if (text == "require-encrypt-allow-decrypt")
    return CommitmentPolicy::require_encrypt_allow_decrypt;
  if (text == "forbid-encrypt-allow-decrypt") return CommitmentPolicy::forbid_encrypt_allow_decrypt;
  return MakeError(ErrorCode::invalid_argument, "unknown commitment policy \"" + text + "\"");
}

void AddSecretSourceOptions(CLI::App& app, const std::string& name, const std::string& what,
                            const std::string& file_help, std::string& file, int& fd,
                            std::string& env, const std::string& group) {
  app.add_option(name + "-file", file, file_help)->type_name("FILE")->group(group);
  app.add_option(name + "-fd", fd, what + " from a file descriptor")->type_name("N")->group(group);
  app.add_option(name + "-env", env, what + " from an environment variable")
      ->type_name("VAR")
      ->group(group);
}

void AddCryptOptions(CLI::App& app, CryptOptions& o, Direction direction, const std::string& tool) {
  const bool enc = direction == Direction::encrypt;
  o.direction = direction;
  app.add_option("inputs", o.inputs, "files or folders to read (default or \"-\": standard input)");
  app.add_option("-o,--output", o.output,
                 "output file (\"-\": standard output); a folder with several inputs")
      ->type_name("FILE");
  app.add_flag("-f,--force", o.force,
               "overwrite existing output files (and replace a symbolic link at the output "
               "itself, never what it points to)");
  app.add_flag("-r,--recursive", o.recursive, "walk folders given as inputs");
  app.add_option("--suffix", o.suffix,
                 enc ? "added to output names (default .encrypted)"
                     : "stripped from input names (default .encrypted; else .decrypted is added)")
      ->type_name("SUFFIX");
  app.add_flag("-q,--quiet", o.quiet, "no progress bar");
  if (enc) {
    app.add_flag("-a,--armor,--encode", o.armor, "base64 text output (decrypt detects it)");
  } else {
    app.add_flag("--decode", o.decode,
                 "the input must be base64 text (the ESDK CLI's form; detected without it)");
  }

  const char* const keys = "Keys (none: the managed default key, like SSE-S3)";
  app.add_option("-k,--key", o.kms_keys, "KMS key id or alias/NAME (SSE-KMS); repeatable")
      ->type_name("KEY")
      ->allow_extra_args(false)
      ->group(keys);
  AddSecretSourceOptions(app, "--customer-key", "SSE-C key",
                         "your 256-bit key (SSE-C): 32 bytes, 64 hex digits or base64",
                         o.customer_key_file, o.customer_key_fd, o.customer_key_env, keys);
  app.add_flag("--passphrase", o.passphrase_prompt, "ask for a passphrase on the terminal")
      ->group(keys);
  AddSecretSourceOptions(app, "--passphrase", "passphrase", "passphrase from a file",
                         o.passphrase_file, o.passphrase_fd, o.passphrase_env, keys);
  app.add_option("--wrapping-key", o.wrapping_keys,
                 "raw key: provider=NS,key=NAME,file=PATH[,type=aes|rsa-oaep-sha256|"
                 "rsa-oaep-sha1|rsa-oaep-sha384|rsa-oaep-sha512|rsa-pkcs1]; repeatable. A "
                 "value with a comma is quoted (key=\"a,b\") or escaped (key=a\\,b)")
      ->type_name("SPEC")
      ->allow_extra_args(false)
      ->group(keys);
  app.add_option("--keystore", o.keystore,
                 "keystore folder (default $ENVELOPE_HOME, else $XDG_DATA_HOME/envelope)")
      ->type_name("DIR")
      ->group(keys);
  AddPkcs11TokenOptions(app, o.pkcs11);
  AddPkcs11KeyOptions(app, o.pkcs11);
  AddAwsKmsOptions(app, o.aws, !enc);

  const char* const msg = "Message";
  if (enc) {
    app.add_option("-c,--context,--encryption-context", o.context,
                   "encryption context pair; repeatable")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false)
        ->group(msg);
    // Over 16M needs --max-frame-size too (checked in RunCrypt).
    app.add_option("--frame-size,--frame-length", o.frame_size,
                   "plaintext bytes per frame (default 65536)")
        ->check(CLI::Range(uint32_t{1}, UINT32_MAX))
        ->group(msg);
    app.add_option("--suite,--algorithm", o.suite,
                   "unsigned (0x0478, default) or signed (0x0578); also the ESDK CLI's names "
                   "AES_256_GCM_HKDF_SHA512_COMMIT_KEY[_ECDSA_P384]")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, std::string>{
                {"unsigned", "unsigned"},
                {"signed", "signed"},
                {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY", "unsigned"},
                {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384", "signed"}},
            CLI::ignore_case))
        ->group(msg);
  } else {
    app.add_option("--require-context,--encryption-context", o.require_context,
                   "fail unless the message's context holds this pair (KEY=VALUE) or this key "
                   "with any value (KEY); repeatable")
        ->type_name("KEY[=VALUE]")
        ->allow_extra_args(false)
        ->group(msg);
  }
  app.add_option("--threads", o.threads,
                 "threads that encrypt or decrypt the frames (default 0: one per core; 1: no "
                 "worker threads); encrypt has them read a large input file too, except with 1; "
                 "otherwise reading a large input runs on one more thread")
      ->check(CLI::Range(0u, 256u))
      ->group(msg);
  app.add_option("--max-edks", o.max_edks, "most encrypted data keys a message may hold (64)")
      ->check(CLI::Range(size_t{1}, size_t{65535}))
      ->group(msg);
  app.add_option("--commitment-policy", o.commitment_policy,
                 enc ? "require-encrypt-require-decrypt (default) or require-encrypt-allow-decrypt "
                       "(the same when encrypting: only committing messages are written)"
                     : "require-encrypt-require-decrypt (default), require-encrypt-allow-decrypt "
                       "(also reads legacy v1 messages) or forbid-encrypt-allow-decrypt")
      ->check(
          enc ? CLI::Validator(
                    [](std::string& v) -> std::string {
                      if (v == "forbid-encrypt-allow-decrypt") {
                        return "forbid-encrypt-allow-decrypt forbids the committing "
                               "messages encrypt writes (it only matters to decrypt)";
                      }
                      if (v == "require-encrypt-require-decrypt" ||
                          v == "require-encrypt-allow-decrypt") {
                        return "";
                      }
                      return "unknown commitment policy \"" + v + "\"";
                    },
                    "POLICY")
              : CLI::IsMember({"require-encrypt-require-decrypt", "require-encrypt-allow-decrypt",
                               "forbid-encrypt-allow-decrypt"}))
      ->group(msg);
  AddFormatOptions(app, o, direction);
  (void)tool;
  app.footer(std::string(enc ? kEncryptExamples : kDecryptExamples) +
             "\n\nKeys and PINs are never accepted on the command line (--customer-key VALUE,\n"
             "--passphrase=VALUE and --pkcs11-pin VALUE are refused): other users can read\n"
             "/proc/*/cmdline.\n\n" +
             (enc ? "Output files get the input's permission bits, never setuid, setgid or\n"
                    "sticky (standard input: 0666 minus the umask).\n"
                  : "Output files get the input's permission bits minus the umask (a ciphertext\n"
                    "may be shared more widely than its plaintext should be), never setuid,\n"
                    "setgid or sticky (standard input: 0666 minus the umask).\n") +
             "An output file appears only when complete: it is written unnamed and linked\n"
             "into place at the end, and a file that appeared meanwhile is never replaced\n"
             "without --force. Nothing is left behind on failure or Ctrl-C.\n\n" +
             ExitCodesHelp());
}

}  // namespace envelope::cli
