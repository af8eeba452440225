// Readable PKCS#11 errors: names for CKR_* codes, and what they mean to
// someone running envelope against a token.
#include <cstdio>
#include <string>

#include "keyring/pkcs11_module.h"

namespace envelope::keyring::pkcs11 {
namespace {

struct RvInfo {
  CK_RV rv;
  const char* name;
  ErrorCode code;
  const char* reason;  // nullptr: the name says it
};

// The codes a user of a keyring meets, with what to do about them.
constexpr RvInfo kRvs[] = {
    {CKR_OK, "CKR_OK", ErrorCode::internal, nullptr},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT", ErrorCode::auth_failed, "wrong PIN"},
    {CKR_PIN_INVALID, "CKR_PIN_INVALID", ErrorCode::invalid_argument,
     "the PIN has characters the token does not accept"},
    {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE", ErrorCode::invalid_argument,
     "the PIN is too short or too long for this token"},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED", ErrorCode::key_state,
     "the PIN is locked after too many wrong attempts; the security officer must reset it"},
    {CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED", ErrorCode::key_state,
     "the PIN has expired; set a new one on the token"},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED", ErrorCode::key_state,
     "the token has no user PIN yet; initialize it (C_InitPIN, softhsm2-util --init-token --pin)"},
    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN", ErrorCode::key_state,
     "not logged in to the token (the login was lost; create the keyring again)"},
    {CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID", ErrorCode::internal, nullptr},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED", ErrorCode::io,
     "the module is not initialized (it was finalized or unloaded while in use); "
     "create the keyring again"},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED", ErrorCode::io,
     "the token was removed; reconnect it and create the keyring again"},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT", ErrorCode::io,
     "the token is not present; reconnect it and create the keyring again"},
    {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED", ErrorCode::io,
     "the module does not recognize the token"},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR", ErrorCode::io, "the token reported a device error"},
    {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY", ErrorCode::io, "the token is out of memory"},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID", ErrorCode::io,
     "the session was lost (token removed or module re-initialized); "
     "create the keyring again"},
    {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED", ErrorCode::io,
     "the session was closed (token removed or module re-initialized); "
     "create the keyring again"},
    {CKR_SESSION_COUNT, "CKR_SESSION_COUNT", ErrorCode::limit_exceeded,
     "the token has no free session; lower max_sessions"},
    {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID", ErrorCode::not_found,
     "the key is gone from the token"},
    {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID", ErrorCode::not_found,
     "the object is gone from the token"},
    {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED", ErrorCode::key_state,
     "the key's attributes do not allow this use (CKA_ENCRYPT/CKA_DECRYPT or "
     "CKA_WRAP/CKA_UNWRAP is false)"},
    {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT", ErrorCode::key_state,
     "the key is not an AES key"},
    {CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE", ErrorCode::key_state,
     "the key size is not supported for this mechanism"},
    {CKR_KEY_UNEXTRACTABLE, "CKR_KEY_UNEXTRACTABLE", ErrorCode::internal, nullptr},
    {CKR_KEY_NOT_WRAPPABLE, "CKR_KEY_NOT_WRAPPABLE", ErrorCode::internal, nullptr},
    {CKR_WRAPPING_KEY_HANDLE_INVALID, "CKR_WRAPPING_KEY_HANDLE_INVALID", ErrorCode::not_found,
     "the wrapping key is gone from the token"},
    {CKR_WRAPPING_KEY_TYPE_INCONSISTENT, "CKR_WRAPPING_KEY_TYPE_INCONSISTENT", ErrorCode::key_state,
     "the key is not an AES key"},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID", ErrorCode::unsupported,
     "the token does not offer this mechanism"},
    {CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID", ErrorCode::unsupported,
     "the token rejected the mechanism parameters"},
    {CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID", ErrorCode::auth_failed, nullptr},
    {CKR_ENCRYPTED_DATA_LEN_RANGE, "CKR_ENCRYPTED_DATA_LEN_RANGE", ErrorCode::auth_failed, nullptr},
    {CKR_WRAPPED_KEY_INVALID, "CKR_WRAPPED_KEY_INVALID", ErrorCode::auth_failed, nullptr},
    {CKR_WRAPPED_KEY_LEN_RANGE, "CKR_WRAPPED_KEY_LEN_RANGE", ErrorCode::auth_failed, nullptr},
    {CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE", ErrorCode::internal, nullptr},
    {CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL", ErrorCode::internal, nullptr},
    {CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE", ErrorCode::internal, nullptr},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD", ErrorCode::internal, nullptr},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID", ErrorCode::internal, nullptr},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE", ErrorCode::internal, nullptr},
    {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT", ErrorCode::internal, nullptr},
    {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE", ErrorCode::internal, nullptr},
    {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID", ErrorCode::not_found, "the slot no longer exists"},
    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY", ErrorCode::internal, "out of memory"},
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR", ErrorCode::internal,
     "the module reported a general error"},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED", ErrorCode::internal,
     "the module reported a failure"},
    {CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED", ErrorCode::unsupported,
     "the module does not implement this function"},
    {CKR_CANT_LOCK, "CKR_CANT_LOCK", ErrorCode::unsupported,
     "the module cannot be used from several threads (no OS locking)"},
};

const RvInfo* Find(CK_RV rv) {
  for (const RvInfo& info : kRvs) {
    if (info.rv == rv) return &info;
  }
  return nullptr;
}

}  // namespace

std::string RvName(CK_RV rv) {
  if (const RvInfo* info = Find(rv)) return info->name;
  char buf[32];
  std::snprintf(buf, sizeof buf, "CKR 0x%08lx", static_cast<unsigned long>(rv));
  return buf;
}

tl::unexpected<Error> RvError(std::string_view what, CK_RV rv) {
  const RvInfo* info = Find(rv);
  std::string message = "pkcs11: " + std::string(what) + ": ";
  if (info != nullptr && info->reason != nullptr) {
    message += std::string(info->reason) + " (" + info->name + ")";
  } else {
    message += RvName(rv);
  }
  return MakeError(info != nullptr ? info->code : ErrorCode::internal, std::move(message));
}

bool IsSessionLost(CK_RV rv) {
  switch (rv) {
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_CRYPTOKI_NOT_INITIALIZED:
    case CKR_DEVICE_ERROR:
      return true;
    default:
      return false;
  }
}

std::string Label(const CK_UTF8CHAR* field, size_t size) {
  std::string s(reinterpret_cast<const char*>(field), size);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

}  // namespace envelope::keyring::pkcs11
