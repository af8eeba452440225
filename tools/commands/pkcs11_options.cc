// The --pkcs11* options: declaring them, reading the PIN once from a file,
// a descriptor or an environment variable, and opening the keys they name.
#include "commands/pkcs11_options.h"

#include "cli/secret_input.h"
#include "commands/crypt_options.h"
#include "envelope/pkcs11.hpp"

namespace envelope::cli {
namespace {

constexpr size_t kMaxPin = 256;

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::invalid_argument, std::move(message));
}

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ParseKeyId reads --pkcs11-key-id: hex digits, optionally in pairs
// separated by ':' (the form pkcs11-tool and p11tool print).
Result<std::vector<uint8_t>> ParseKeyId(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c != ':') digits += c;
  }
  if (digits.empty() || digits.size() % 2 != 0) {
    return Invalid("--pkcs11-key-id \"" + text + "\": expected an even number of hex digits");
  }
  std::vector<uint8_t> id;
  for (size_t i = 0; i < digits.size(); i += 2) {
    const int hi = Nibble(digits[i]), lo = Nibble(digits[i + 1]);
    if (hi < 0 || lo < 0) return Invalid("--pkcs11-key-id \"" + text + "\": not hex");
    id.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return id;
}

}  // namespace

void AddPkcs11TokenOptions(CLI::App& app, Pkcs11Options& o) {
  app.add_option("--pkcs11-module", o.module,
                 "PKCS#11 module of the HSM (e.g. /usr/lib/softhsm/libsofthsm2.so)")
      ->type_name("PATH")
      ->group(kPkcs11Group);
  app.add_option("--pkcs11-token", o.token, "token label")->type_name("LABEL")->group(kPkcs11Group);
  AddSecretSourceOptions(app, "--pkcs11-pin", "token user PIN", "token user PIN from a file",
                         o.pin_file, o.pin_fd, o.pin_env, kPkcs11Group);
}

void AddPkcs11KeyOptions(CLI::App& app, Pkcs11Options& o) {
  app.add_option("--pkcs11-key", o.key, "label (CKA_LABEL) of an AES-256 key in the token")
      ->type_name("LABEL")
      ->group(kPkcs11Group);
  app.add_option("--pkcs11-key-id", o.key_id, "id (CKA_ID) of the key, in hex (e.g. 01 or 0a:1b)")
      ->type_name("HEX")
      ->group(kPkcs11Group);
  app.add_option("--pkcs11", o.uris,
                 "a key as an RFC 7512 URI: 'pkcs11:token=T;object=K?module-path=M&pin-source=F' "
                 "(missing parts come from the flags above); repeatable")
      ->type_name("URI")
      ->allow_extra_args(false)
      ->group(kPkcs11Group);
}

Result<void> CheckPkcs11Options(const Pkcs11Options& o, bool token_only_ok) {
  if (token_only_ok || o.names_key() || !o.gives_token()) return {};
  return Invalid(
      "PKCS#11 token options without a key; hint: name the key with --pkcs11-key LABEL, "
      "--pkcs11-key-id HEX or --pkcs11 URI");
}

Result<const SecretBytes*> Pkcs11Keys::Pin() {
  if (pin_) return &*pin_;
  const Pkcs11Options& o = options_;
  const int given = !o.pin_file.empty() + (o.pin_fd >= 0) + !o.pin_env.empty();
  if (given == 0) {
    return Invalid(
        "pkcs11: no PIN given; hint: use --pkcs11-pin-file FILE, --pkcs11-pin-fd N, "
        "--pkcs11-pin-env VAR or pin-source= in the URI");
  }
  if (given > 1) return Invalid("give the PKCS#11 PIN only once");
  if (!o.pin_file.empty()) {
    auto pin = ReadPkcs11Pin(o.pin_file);
    ENVELOPE_RETURN_IF_ERROR(pin);
    pin_.emplace(std::move(*pin));
    return &*pin_;
  }
  const SecretSource source = o.pin_fd >= 0
                                  ? SecretSource{SecretSource::Kind::fd, std::to_string(o.pin_fd)}
                                  : SecretSource{SecretSource::Kind::env, o.pin_env};
  auto text = ReadSecret(source, kMaxPin + 2);
  ENVELOPE_RETURN_IF_ERROR(text);
  // Like a PIN file: one trailing newline is not part of the PIN.
  auto pin = TrimNewline(*text);
  ENVELOPE_RETURN_IF_ERROR(pin);
  if (pin->empty() || pin->size() > kMaxPin) {
    return Invalid(source.Describe() + ": a PIN must be 1 to 256 bytes");
  }
  pin_.emplace(std::move(*pin));
  return &*pin_;
}

Result<std::shared_ptr<const Keyring>> Pkcs11Keys::Open(std::string module, std::string token,
                                                        const std::string& label,
                                                        std::vector<uint8_t> id,
                                                        const std::string& pin_source,
                                                        const std::string& what) {
  if (module.empty()) module = options_.module;
  if (token.empty()) token = options_.token;
  if (module.empty()) {
    return Invalid(what + ": no PKCS#11 module; hint: give --pkcs11-module PATH" +
                   (what.starts_with("--pkcs11 ") ? " or module-path= in the URI" : ""));
  }
  if (token.empty()) {
    return Invalid(what + ": no token; hint: give --pkcs11-token LABEL" +
                   (what.starts_with("--pkcs11 ") ? " or token= in the URI" : "") +
                   " (`envelope pkcs11 list --pkcs11-module PATH` shows them)");
  }
  Pkcs11KeyringOptions k;
  k.module_path = std::move(module);
  k.token_label = std::move(token);
  k.key_label = label;
  k.key_id = std::move(id);
  if (!pin_source.empty()) {
    // The URI's own PIN file, for this key only.
    auto pin = ReadPkcs11Pin(pin_source);
    ENVELOPE_RETURN_IF_ERROR(pin);
    return NewPkcs11Keyring(k, *pin);
  }
  auto pin = Pin();
  ENVELOPE_RETURN_IF_ERROR(pin);
  return NewPkcs11Keyring(k, **pin);
}

Result<std::shared_ptr<const Keyring>> Pkcs11Keys::ByLabel(const std::string& label) {
  return Open("", "", label, {}, "", "--pkcs11-key " + label);
}

Result<std::shared_ptr<const Keyring>> Pkcs11Keys::ByUri(const std::string& text) {
  auto uri = ParsePkcs11Uri(text);
  if (!uri) return tl::unexpected(uri.error().WithContext("--pkcs11"));
  if (uri->object.empty() && uri->id.empty()) {
    return Invalid("--pkcs11: the URI names no key; hint: add object=LABEL or id=%XX to it");
  }
  // The URI as parsed, without any pin-source path, names it in messages.
  Pkcs11Uri shown = *uri;
  shown.pin_source.clear();
  shown.module_path.clear();
  return Open(uri->module_path, uri->token, uri->object, uri->id, uri->pin_source,
              "--pkcs11 " + FormatPkcs11Uri(shown));
}

Result<std::vector<std::shared_ptr<const Keyring>>> Pkcs11Keys::Named() {
  std::vector<std::shared_ptr<const Keyring>> keyrings;
  if (!options_.key.empty() || !options_.key_id.empty()) {
    std::vector<uint8_t> id;
    if (!options_.key_id.empty()) {
      auto parsed = ParseKeyId(options_.key_id);
      ENVELOPE_RETURN_IF_ERROR(parsed);
      id = std::move(*parsed);
    }
    const std::string what = options_.key.empty() ? "--pkcs11-key-id " + options_.key_id
                                                  : "--pkcs11-key " + options_.key;
    auto k = Open("", "", options_.key, std::move(id), "", what);
    ENVELOPE_RETURN_IF_ERROR(k);
    keyrings.push_back(std::move(*k));
  }
  for (const std::string& uri : options_.uris) {
    auto k = ByUri(uri);
    ENVELOPE_RETURN_IF_ERROR(k);
    keyrings.push_back(std::move(*k));
  }
  return keyrings;
}

}  // namespace envelope::cli
