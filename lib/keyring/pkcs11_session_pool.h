// lib/keyring: a small pool of PKCS#11 sessions on one token.
//
// A PKCS#11 session runs one operation at a time, so one shared session
// would serialize every thread. The pool opens sessions on demand, up to a
// bound, and hands each to one thread at a time (a Lease); a thread that
// finds all of them busy at the bound waits for one to come back. Sessions
// reported lost (token removed, module finalized) are closed and dropped,
// never handed out again.
//
// Login is per application and token in PKCS#11: once one session logged
// in, every session the process opens on the token is logged in, for as long
// as any of them stays open. The pool keeps its idle sessions open, so the
// login made through its first session lasts as long as the pool.
#ifndef ENVELOPE_LIB_KEYRING_PKCS11_SESSION_POOL_H_
#define ENVELOPE_LIB_KEYRING_PKCS11_SESSION_POOL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "envelope/secret.hpp"
#include "keyring/pkcs11_module.h"

namespace envelope::keyring::pkcs11 {

class SessionPool;

// Lease is one session lent to one thread; it goes back to the pool when the
// Lease is destroyed, unless MarkLost was called.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  // handle is the session, valid until the Lease goes.
  CK_SESSION_HANDLE handle() const { return handle_; }
  // module is the module the session belongs to.
  Module* module() const;
  // Fail turns a failed call on this session into RvError(what, rv) and
  // marks the session to be closed instead of reused: it may be lost, or an
  // operation may be left active on it.
  tl::unexpected<Error> Fail(std::string_view what, CK_RV rv);

 private:
  friend class SessionPool;
  Lease(SessionPool* pool, CK_SESSION_HANDLE handle) : pool_(pool), handle_(handle) {}
  SessionPool* pool_;
  CK_SESSION_HANDLE handle_;
  bool discard_ = false;
};

// SessionPool lends read-only sessions on one slot (creating session
// objects, as KWP does, is allowed in a read-only session).
class SessionPool {
 public:
  // SessionPool keeps `module` loaded; `max_sessions` is at least 1.
  SessionPool(std::shared_ptr<Module> module, CK_SLOT_ID slot, size_t max_sessions)
      : module_(std::move(module)), slot_(slot), max_(max_sessions == 0 ? 1 : max_sessions) {}
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;
  // ~SessionPool closes the idle sessions; no Lease may outlive the pool.
  ~SessionPool();

  // Acquire lends an idle session, opens one when below the bound, or
  // waits for one to be returned. Fails when C_OpenSession fails.
  [[nodiscard]] Result<Lease> Acquire();

  // Login logs the token's user in with `pin`. PKCS#11 does not check a PIN
  // again while the process is logged in; the module remembers a keyed hash
  // of the PIN that logged in, and a different PIN fails here as a wrong PIN
  // would. Fails with the C_Login error ("pkcs11: login failed: wrong PIN").
  [[nodiscard]] Result<void> Login(const SecretBytes& pin);

  // open_sessions is how many sessions are open (lent or idle).
  size_t open_sessions() const;
  const std::shared_ptr<Module>& module() const { return module_; }
  CK_SLOT_ID slot() const { return slot_; }

 private:
  friend class Lease;
  void Return(CK_SESSION_HANDLE handle, bool discard);

  std::shared_ptr<Module> module_;
  const CK_SLOT_ID slot_;
  const size_t max_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<CK_SESSION_HANDLE> idle_;
  size_t open_ = 0;
};

}  // namespace envelope::keyring::pkcs11

#endif  // ENVELOPE_LIB_KEYRING_PKCS11_SESSION_POOL_H_
