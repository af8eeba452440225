// The public entry points of pkcs11.hpp: load the module, find the token,
// log in, find the key, choose the mechanism; and the listings behind
// `envelope pkcs11 list`.
#include "envelope/pkcs11.hpp"
#include "keyring/pkcs11_keyring.h"
#include "keyring/pkcs11_objects.h"

namespace envelope {
namespace {

using keyring::pkcs11::Module;
using keyring::pkcs11::SessionPool;

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "pkcs11: " + std::move(what));
}

// Session is a logged-in pool on the token labelled `token_label`.
struct Session {
  std::unique_ptr<SessionPool> pool;
  Pkcs11TokenInfo token;
};

Result<Session> OpenToken(std::string_view module_path, std::string_view token_label,
                          const SecretBytes& pin, size_t max_sessions) {
  if (token_label.empty()) return Bad("no token label given");
  if (pin.empty()) return Bad("the PIN is empty");
  auto module = Module::Load(module_path);
  ENVELOPE_RETURN_IF_ERROR(module);
  auto slot = (*module)->FindToken(token_label);
  ENVELOPE_RETURN_IF_ERROR(slot);
  auto tokens = (*module)->Tokens();
  ENVELOPE_RETURN_IF_ERROR(tokens);
  Session session;
  for (const auto& t : *tokens) {
    if (t.slot_id == *slot) session.token = t;
  }
  session.pool = std::make_unique<SessionPool>(*module, *slot, max_sessions);
  ENVELOPE_RETURN_IF_ERROR(session.pool->Login(pin));
  return session;
}

}  // namespace

Result<std::shared_ptr<const Keyring>> NewPkcs11Keyring(const Pkcs11KeyringOptions& options,
                                                        const SecretBytes& pin) {
  if (options.key_label.empty() && options.key_id.empty()) {
    return Bad("name the key by label, id or both");
  }
  if (options.max_sessions == 0 || options.max_sessions > 256) {
    return Bad("max_sessions must be 1 to 256");
  }
  auto session = OpenToken(options.module_path, options.token_label, pin, options.max_sessions);
  ENVELOPE_RETURN_IF_ERROR(session);
  const std::string wanted = keyring::pkcs11::DescribeKey(options.key_label, options.key_id);
  // The lease goes back to the pool (end of the lambda) before the pool
  // moves into the keyring.
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  auto info = [&]() -> Result<Pkcs11KeyInfo> {
    auto lease = session->pool->Acquire();
    ENVELOPE_RETURN_IF_ERROR(lease);
    auto keys = keyring::pkcs11::FindAesKeys(*lease, options.key_label, options.key_id);
    ENVELOPE_RETURN_IF_ERROR(keys);
    if (keys->empty()) {
      return MakeError(ErrorCode::not_found, "pkcs11: no AES key " + wanted + " in token '" +
                                                 options.token_label +
                                                 "' (list them with `envelope pkcs11 list`)");
    }
    if (keys->size() > 1) {
      return Bad(std::to_string(keys->size()) + " AES keys match " + wanted + " in token '" +
                 options.token_label + "'; name the key by label and id");
    }
    key = keys->front();
    return keyring::pkcs11::ReadKeyInfo(*lease, key, session->token.label);
  }();
  ENVELOPE_RETURN_IF_ERROR(info);
  if (info->bits != 256) {
    return MakeError(ErrorCode::key_state, "pkcs11: key " + info->uri + " is AES-" +
                                               std::to_string(info->bits) + ", not AES-256");
  }
  const bool gcm_ok = session->token.supports_aes_gcm && (info->can_encrypt || info->can_decrypt);
  const bool kwp_ok =
      session->token.supports_aes_key_wrap_pad && (info->can_wrap || info->can_unwrap);
  Pkcs11Mechanism mechanism = options.mechanism;
  if (mechanism == Pkcs11Mechanism::automatic) {
    if (!gcm_ok && !kwp_ok) {
      if (!session->token.supports_aes_gcm && !session->token.supports_aes_key_wrap_pad) {
        return MakeError(ErrorCode::unsupported,
                         "pkcs11: token '" + options.token_label +
                             "' offers neither CKM_AES_GCM nor CKM_AES_KEY_WRAP_PAD");
      }
      return MakeError(ErrorCode::key_state,
                       "pkcs11: key " + info->uri +
                           " may neither encrypt/decrypt nor wrap/unwrap (CKA_ENCRYPT, "
                           "CKA_DECRYPT, CKA_WRAP and CKA_UNWRAP are false)");
    }
    mechanism = gcm_ok ? Pkcs11Mechanism::aes_gcm : Pkcs11Mechanism::aes_key_wrap_pad;
  } else if (mechanism == Pkcs11Mechanism::aes_gcm && !session->token.supports_aes_gcm) {
    return MakeError(ErrorCode::unsupported,
                     "pkcs11: token '" + options.token_label + "' does not offer CKM_AES_GCM");
  } else if (mechanism == Pkcs11Mechanism::aes_key_wrap_pad &&
             !session->token.supports_aes_key_wrap_pad) {
    return MakeError(ErrorCode::unsupported, "pkcs11: token '" + options.token_label +
                                                 "' does not offer CKM_AES_KEY_WRAP_PAD");
  }
  keyring::pkcs11::KeyRights rights{info->can_encrypt, info->can_decrypt, info->can_wrap,
                                    info->can_unwrap};
  if (!rights.encrypt && !rights.decrypt && !rights.wrap && !rights.unwrap) {
    return MakeError(ErrorCode::key_state,
                     "pkcs11: key " + info->uri +
                         " may neither encrypt/decrypt nor wrap/unwrap (CKA_ENCRYPT, "
                         "CKA_DECRYPT, CKA_WRAP and CKA_UNWRAP are false)");
  }
  std::string uri = info->uri;
  return std::make_shared<const keyring::pkcs11::Pkcs11Keyring>(std::move(session->pool), key,
                                                                std::move(uri), mechanism, rights);
}

Result<std::vector<Pkcs11TokenInfo>> ListPkcs11Tokens(std::string_view module_path) {
  auto module = Module::Load(module_path);
  ENVELOPE_RETURN_IF_ERROR(module);
  return (*module)->Tokens();
}

Result<std::vector<Pkcs11KeyInfo>> ListPkcs11Keys(std::string_view module_path,
                                                  std::string_view token_label,
                                                  const SecretBytes& pin) {
  auto session = OpenToken(module_path, token_label, pin, 1);
  ENVELOPE_RETURN_IF_ERROR(session);
  auto lease = session->pool->Acquire();
  ENVELOPE_RETURN_IF_ERROR(lease);
  auto keys = keyring::pkcs11::FindAesKeys(*lease, "", {});
  ENVELOPE_RETURN_IF_ERROR(keys);
  std::vector<Pkcs11KeyInfo> out;
  for (CK_OBJECT_HANDLE key : *keys) {
    auto info = keyring::pkcs11::ReadKeyInfo(*lease, key, session->token.label);
    ENVELOPE_RETURN_IF_ERROR(info);
    out.push_back(std::move(*info));
  }
  return out;
}

}  // namespace envelope
