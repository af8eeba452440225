// tools/commands: the PKCS#11 options of encrypt, decrypt, rewrap and
// `envelope pkcs11 list`, and the keyrings they name.
//
// A key in a token is named either by flags
//
//   --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token prod
//   --pkcs11-key wrap-2024 [--pkcs11-key-id 01ab] --pkcs11-pin-file pin.txt
//
// or by an RFC 7512 URI, whose missing parts (module, token, PIN) come from
// the same flags:
//
//   --pkcs11 'pkcs11:token=prod;object=wrap-2024?module-path=/usr/lib/x.so&pin-source=pin.txt'
//
// The PIN comes from a file, a descriptor or an environment variable (or
// the URI's pin-source file), never from the command line.
#ifndef ENVELOPE_TOOLS_COMMANDS_PKCS11_OPTIONS_H_
#define ENVELOPE_TOOLS_COMMANDS_PKCS11_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/keyring.hpp"
#include "envelope/secret.hpp"

namespace envelope::cli {

// Pkcs11Options is what the --pkcs11* options say.
struct Pkcs11Options {
  std::string module;             // --pkcs11-module PATH
  std::string token;              // --pkcs11-token LABEL
  std::string key;                // --pkcs11-key LABEL
  std::string key_id;             // --pkcs11-key-id HEX
  std::vector<std::string> uris;  // --pkcs11 URI, repeatable
  std::string pin_file;           // --pkcs11-pin-file FILE
  int pin_fd = -1;                // --pkcs11-pin-fd N
  std::string pin_env;            // --pkcs11-pin-env VAR

  // names_key reports whether a key is named (--pkcs11-key, --pkcs11-key-id
  // or --pkcs11 URI); module, token and PIN alone name none.
  bool names_key() const { return !key.empty() || !key_id.empty() || !uris.empty(); }
  // gives_token reports whether any token option (module, token, PIN) is set.
  bool gives_token() const {
    return !module.empty() || !token.empty() || !pin_file.empty() || pin_fd >= 0 ||
           !pin_env.empty();
  }
  // has_pin reports whether a PIN source option is set.
  bool has_pin() const { return !pin_file.empty() || pin_fd >= 0 || !pin_env.empty(); }
};

// kPkcs11Group is the --help heading of the PKCS#11 options.
inline constexpr const char* kPkcs11Group = "PKCS#11 (HSM) keys";

// AddPkcs11TokenOptions declares --pkcs11-module, --pkcs11-token and the
// --pkcs11-pin-* options; AddPkcs11KeyOptions declares --pkcs11-key,
// --pkcs11-key-id and --pkcs11 URI.
void AddPkcs11TokenOptions(CLI::App& app, Pkcs11Options& options);
void AddPkcs11KeyOptions(CLI::App& app, Pkcs11Options& options);

// Pkcs11Keys opens the keys the options name. The PIN of the options is
// read once (a descriptor cannot be read twice) and kept in secret memory
// for the keyrings this object opens; a URI's pin-source is read when used.
class Pkcs11Keys {
 public:
  explicit Pkcs11Keys(const Pkcs11Options& options) : options_(options) {}

  // Named returns a keyring for --pkcs11-key/--pkcs11-key-id (if given) and
  // one per --pkcs11 URI. Fails with invalid_argument for a missing module,
  // token or PIN, or a malformed id or URI, and with NewPkcs11Keyring's
  // errors (io, not_found, auth_failed, key_state).
  [[nodiscard]] Result<std::vector<std::shared_ptr<const Keyring>>> Named();

  // ByLabel opens the key labelled `label` on the options' token.
  [[nodiscard]] Result<std::shared_ptr<const Keyring>> ByLabel(const std::string& label);

  // ByUri opens the key the URI names; its missing parts come from the
  // options.
  [[nodiscard]] Result<std::shared_ptr<const Keyring>> ByUri(const std::string& uri);

  // Pin reads (once) and returns the options' PIN. Fails with
  // invalid_argument when no or several sources are given, io when the
  // source cannot be read.
  [[nodiscard]] Result<const SecretBytes*> Pin();

 private:
  [[nodiscard]] Result<std::shared_ptr<const Keyring>> Open(std::string module, std::string token,
                                                            const std::string& label,
                                                            std::vector<uint8_t> id,
                                                            const std::string& pin_source,
                                                            const std::string& what);
  const Pkcs11Options& options_;
  std::optional<SecretBytes> pin_;
};

// CheckPkcs11Options refuses token options with no key to use them for
// ("--pkcs11-module without --pkcs11-key ..."), unless `token_only_ok`
// (rewrap, where they may serve --to-pkcs11-key alone).
[[nodiscard]] Result<void> CheckPkcs11Options(const Pkcs11Options& options, bool token_only_ok);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_PKCS11_OPTIONS_H_
