// examples/pkcs11.cc: data keys wrapped by an AES key that never leaves a
// hardware security module, reached through PKCS#11.
//
//   pkcs11 [URI]
//
// URI (else $ENVELOPE_PKCS11_URI) is an RFC 7512 URI naming the token, the
// key, the module and the file holding the user PIN, for example
//
//   pkcs11:token=prod;object=wrap-2024?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/run/secrets/hsm-pin
//
// The program lists the module's tokens, encrypts a message under the key
// with an encryption context, decrypts it, and shows that the data key is
// wrapped by the token (the message's EDK names the PKCS#11 keyring). The
// key must be an AES-256 secret key allowed to encrypt and decrypt (or wrap
// and unwrap); `envelope pkcs11 list` shows which keys qualify.
#include <cstdio>
#include <cstdlib>
#include <envelope/envelope.hpp>
#include <envelope/pkcs11.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Fail prints the error and returns the exit status 1.
int Fail(const char* what, const envelope::Error& error) {
  std::fprintf(stderr, "pkcs11: error: %s: %s\n", what, error.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const char* uri_text = argc == 2 ? argv[1] : std::getenv("ENVELOPE_PKCS11_URI");
  if (argc > 2 || uri_text == nullptr) {
    std::fprintf(stderr, "usage: pkcs11 URI (or set ENVELOPE_PKCS11_URI)\n");
    return 2;
  }
  auto uri = envelope::ParsePkcs11Uri(uri_text);
  if (!uri) return Fail("uri", uri.error());
  if (uri->module_path.empty() || uri->token.empty() || uri->pin_source.empty() ||
      (uri->object.empty() && uri->id.empty())) {
    std::fprintf(stderr,
                 "pkcs11: error: the uri needs token=, object= or id=, module-path= and "
                 "pin-source=\n");
    return 2;
  }

  // Listing needs no PIN: it shows what the module offers.
  auto tokens = envelope::ListPkcs11Tokens(uri->module_path);
  if (!tokens) return Fail("list tokens", tokens.error());
  for (const auto& token : *tokens) {
    std::printf("token \"%s\" (%s %s)%s\n", token.label.c_str(), token.manufacturer.c_str(),
                token.model.c_str(), token.supports_aes_gcm ? ", AES-GCM" : "");
  }

  // The PIN comes from a file into secret memory, never from the command
  // line; it is used to log in and not kept.
  auto pin = envelope::ReadPkcs11Pin(uri->pin_source);
  if (!pin) return Fail("pin", pin.error());
  envelope::Pkcs11KeyringOptions options;
  options.module_path = uri->module_path;
  options.token_label = uri->token;
  options.key_label = uri->object;
  options.key_id = uri->id;
  auto keyring = envelope::NewPkcs11Keyring(options, *pin);
  if (!keyring) return Fail("keyring", keyring.error());

  constexpr std::string_view kText = "quarterly numbers";
  const std::vector<uint8_t> plaintext(kText.begin(), kText.end());
  envelope::EncryptOptions encrypt_options;
  encrypt_options.context = {{"department", "finance"}};
  auto message = envelope::Encrypt(plaintext, **keyring, encrypt_options);
  if (!message) return Fail("encrypt", message.error());

  // Decrypting asks the token to unwrap the data key; the context must match.
  envelope::DecryptOptions decrypt_options;
  decrypt_options.reproduced_context = {{"department", "finance"}};
  auto result = envelope::Decrypt(*message, **keyring, decrypt_options);
  if (!result) return Fail("decrypt", result.error());
  if (result->plaintext != plaintext) {
    std::fprintf(stderr, "pkcs11: error: the round trip changed the data\n");
    return 1;
  }
  const auto& edks = result->header.encrypted_data_keys;
  if (edks.size() != 1 || edks[0].provider_id != envelope::kPkcs11ProviderId) {
    std::fprintf(stderr, "pkcs11: error: the data key was not wrapped by the token\n");
    return 1;
  }
  decrypt_options.reproduced_context = {{"department", "sales"}};
  if (envelope::Decrypt(*message, **keyring, decrypt_options)) {
    std::fprintf(stderr, "pkcs11: error: a message decrypted under another context\n");
    return 1;
  }
  const std::string info(edks[0].provider_info.begin(), edks[0].provider_info.end());
  std::printf("pkcs11: %zu-byte message, data key wrapped by %s\n", message->size(), info.c_str());
  return 0;
}
