// envelope: keys in a hardware security module, through PKCS#11.
//
// A PKCS#11 keyring wraps each message's data key under an AES-256 key that
// lives in a token (an HSM, a smart card, SoftHSM2 in tests) and never leaves
// it: the data key goes into the token and comes back wrapped, and the
// reverse on decrypt. The token is reached through its vendor's module (a
// shared library loaded with dlopen), after logging in with the user PIN.
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto pin, ReadPkcs11Pin("/run/secrets/hsm-pin"));  // no literal
//   Pkcs11KeyringOptions options{.module_path = "/usr/lib/softhsm/libsofthsm2.so",
//                                .token_label = "prod", .key_label = "wrap-2024"};
//   ENVELOPE_ASSIGN_OR_RETURN(auto keyring, NewPkcs11Keyring(options, pin));
//   ENVELOPE_ASSIGN_OR_RETURN(auto message,
//                             Encrypt(plaintext, *keyring, {.context = {{"app", "billing"}}}));
//
// Keys are also named by RFC 7512 URIs, e.g.
//   pkcs11:token=prod;object=wrap-2024;id=%01%02?module-path=/usr/lib/x.so&pin-source=/run/pin
#ifndef ENVELOPE_PKCS11_HPP_
#define ENVELOPE_PKCS11_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/keyring.hpp"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// kPkcs11ProviderId is the provider id of every EDK a PKCS#11 keyring writes.
inline constexpr std::string_view kPkcs11ProviderId = "envelope-pkcs11";

// Pkcs11Uri is the part of an RFC 7512 URI that names a key and how to reach
// it. Empty strings mean "not given".
struct Pkcs11Uri {
  std::string token;        // path attribute token= (the token label)
  std::string object;       // path attribute object= (the key's CKA_LABEL)
  std::vector<uint8_t> id;  // path attribute id= (the key's CKA_ID, raw bytes)
  std::string type;         // path attribute type= (secret-key when given)
  std::string module_path;  // query attribute module-path=
  std::string pin_source;   // query attribute pin-source= (a file path)
};

// ParsePkcs11Uri parses "pkcs11:" path attributes separated by ';' and
// query attributes after '?' separated by '&', percent-decoding every value.
// Fails with `invalid_argument` for another scheme, a malformed percent
// escape, a repeated attribute, a type other than secret-key, a pin-source
// that runs a program ("|..."), or a pin-value attribute (a PIN written into
// a URI ends up in shell history and process lists: give pin-source instead).
// Unknown attributes (manufacturer, serial, slot-id, ...) are accepted and
// ignored, as RFC 7512 allows.
[[nodiscard]] Result<Pkcs11Uri> ParsePkcs11Uri(std::string_view uri);

// FormatPkcs11Uri writes `uri` back in canonical form (token, object, id,
// type; then module-path and pin-source), percent-encoding every byte
// outside RFC 7512's unreserved set. The result is ASCII.
std::string FormatPkcs11Uri(const Pkcs11Uri& uri);

// ReadPkcs11Pin reads a PIN from the file `pin_source` (a path, or a
// "file:" URI as RFC 7512 writes it) into secret memory, dropping one
// trailing newline. Fails with `io` when the file cannot be read,
// `invalid_argument` when it is empty, over 256 bytes, or names a program.
[[nodiscard]] Result<SecretBytes> ReadPkcs11Pin(std::string_view pin_source);

// Pkcs11Mechanism is how the token wraps data keys.
enum class Pkcs11Mechanism {
  // automatic: aes_gcm when the token offers it, else aes_key_wrap_pad.
  automatic,
  // aes_gcm: CKM_AES_GCM (C_Encrypt), 96-bit random IV, 128-bit tag, the
  // encryption context as AAD (an EDK only unwraps under its context).
  aes_gcm,
  // aes_key_wrap_pad: CKM_AES_KEY_WRAP_PAD (RFC 5649 KWP, C_WrapKey). It has
  // no AAD: the context is still bound by the message header, not the EDK.
  aes_key_wrap_pad,
};

// Pkcs11KeyringOptions says which module, token and key to use.
struct Pkcs11KeyringOptions {
  // module_path is the PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so).
  std::string module_path;
  // token_label selects the token (CK_TOKEN_INFO label, trailing blanks
  // ignored); exactly one token must carry it.
  std::string token_label;
  // key_label and/or key_id select the AES-256 secret key (CKA_LABEL,
  // CKA_ID); at least one is required and exactly one key must match.
  std::string key_label;
  std::vector<uint8_t> key_id;
  Pkcs11Mechanism mechanism = Pkcs11Mechanism::automatic;
  // max_sessions bounds the sessions opened on the token (1..256): that many
  // threads wrap or unwrap at the same time; more wait for a free session.
  size_t max_sessions = 8;
};

// NewPkcs11Keyring loads the module, logs in to the token with `pin` (used
// for the login only, not kept) and finds the key. EDKs carry provider id
// kPkcs11ProviderId and, as ASCII provider info, the token label, the key's
// label and id, and the mechanism, so a reader knows which key to ask for.
// The keyring is safe to share between threads; it keeps the module loaded
// and the session pool open until the last reference goes.
// Fails with `invalid_argument` for bad options, `io` when the module cannot
// be loaded, `not_found` for a missing token or key, `auth_failed` for a
// wrong PIN, `key_state` for a locked PIN or a key that is not AES-256 or
// may neither encrypt/decrypt nor wrap/unwrap, `unsupported` when the token
// offers neither mechanism. No PIN appears in any error.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewPkcs11Keyring(
    const Pkcs11KeyringOptions& options, const SecretBytes& pin);

// Pkcs11TokenInfo describes one token of a module.
struct Pkcs11TokenInfo {
  unsigned long slot_id = 0;
  std::string label, manufacturer, model, serial;  // trailing blanks removed
  bool initialized = false;
  bool login_required = false;
  bool supports_aes_gcm = false;           // encrypt and decrypt
  bool supports_aes_key_wrap_pad = false;  // wrap and unwrap
};

// ListPkcs11Tokens lists the tokens present in the module's slots, without
// logging in. Fails with `io` when the module cannot be loaded.
[[nodiscard]] Result<std::vector<Pkcs11TokenInfo>> ListPkcs11Tokens(std::string_view module_path);

// Pkcs11KeyInfo describes one AES secret key of a token.
struct Pkcs11KeyInfo {
  std::string label;
  std::vector<uint8_t> id;
  size_t bits = 0;  // CKA_VALUE_LEN * 8
  bool can_encrypt = false, can_decrypt = false, can_wrap = false, can_unwrap = false;
  // usable says a keyring can use the key both ways: AES-256 and either
  // encrypt+decrypt (for GCM) or wrap+unwrap (for KWP).
  bool usable = false;
  // uri names the key (token, object, id), for NewPkcs11Keyring or a CLI.
  std::string uri;
};

// ListPkcs11Keys logs in to the token labelled `token_label` and lists its
// AES secret keys. Fails as NewPkcs11Keyring does for the module, token and
// PIN.
[[nodiscard]] Result<std::vector<Pkcs11KeyInfo>> ListPkcs11Keys(std::string_view module_path,
                                                                std::string_view token_label,
                                                                const SecretBytes& pin);

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_PKCS11_HPP_
