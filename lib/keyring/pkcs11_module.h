// lib/keyring: a loaded PKCS#11 module and the readable names of its errors.
//
// A module is loaded once per process and path (dlopen, C_GetFunctionList,
// C_Initialize with OS locking) and shared by every keyring that names it:
// PKCS#11 initialization is per process, so a second C_Initialize or an
// early C_Finalize by one user would break the others. The last owner
// finalizes the module (only if this library initialized it) and unloads it.
#ifndef ENVELOPE_LIB_KEYRING_PKCS11_MODULE_H_
#define ENVELOPE_LIB_KEYRING_PKCS11_MODULE_H_

#include <p11-kit/pkcs11.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/pkcs11.hpp"
#include "envelope/secret.hpp"

namespace envelope::keyring::pkcs11 {

// RvName returns the PKCS#11 name of `rv` ("CKR_PIN_INCORRECT"), or its hex
// value for codes we do not name.
std::string RvName(CK_RV rv);

// RvError turns a failed call into an Error "pkcs11: <what>: <reason>", with
// a code and a reason people can act on (CKR_PIN_INCORRECT gives
// `auth_failed` "pkcs11: login failed: wrong PIN").
tl::unexpected<Error> RvError(std::string_view what, CK_RV rv);

// IsSessionLost reports whether `rv` means the session can no longer be
// used (closed, token removed, module finalized), so it must not go back to
// a pool.
bool IsSessionLost(CK_RV rv);

// Label returns a blank-padded PKCS#11 text field without its padding.
std::string Label(const CK_UTF8CHAR* field, size_t size);

// Module is one loaded, initialized PKCS#11 module.
class Module {
 public:
  // Load returns the process's Module for `path`, loading and initializing
  // it on first use. Fails with `io` when the library cannot be loaded or
  // has no C_GetFunctionList, or with the C_Initialize error.
  [[nodiscard]] static Result<std::shared_ptr<Module>> Load(std::string_view path);

  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  // ~Module finalizes the module if Load initialized it, then unloads it.
  ~Module();

  // f is the module's function list, valid while this Module lives.
  CK_FUNCTION_LIST* f() const { return functions_; }
  const std::string& path() const { return path_; }

  // Tokens lists the slots with a token present and describes each.
  [[nodiscard]] Result<std::vector<Pkcs11TokenInfo>> Tokens() const;

  // FindToken returns the slot of the one token labelled `label`. Fails with
  // `not_found` (naming the labels present) or `invalid_argument` when
  // several tokens share the label.
  [[nodiscard]] Result<CK_SLOT_ID> FindToken(std::string_view label) const;

  // LoginMatches records, for a C_Login that succeeded (`fresh`), a keyed
  // hash of `pin` for `slot`; for a login the token skipped because the
  // process is already logged in, it reports whether `pin` is the one that
  // logged in (true when the login was made by someone else). The key is
  // random per load, so the hash means nothing outside this process.
  [[nodiscard]] Result<bool> LoginMatches(CK_SLOT_ID slot, const SecretBytes& pin, bool fresh);

 private:
  Module(std::string path, void* handle, CK_FUNCTION_LIST* functions, bool finalize)
      : path_(std::move(path)), handle_(handle), functions_(functions), finalize_(finalize) {}

  std::string path_;
  void* handle_;
  CK_FUNCTION_LIST* functions_;
  bool finalize_;
  std::mutex login_mu_;
  std::optional<SecretBytes> tag_key_;
  std::map<CK_SLOT_ID, std::vector<uint8_t>> login_tags_;
};

}  // namespace envelope::keyring::pkcs11

#endif  // ENVELOPE_LIB_KEYRING_PKCS11_MODULE_H_
