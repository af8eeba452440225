#include "keyring/pkcs11_session_pool.h"

namespace envelope::keyring::pkcs11 {

Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), handle_(other.handle_), discard_(other.discard_) {
  other.pool_ = nullptr;
}

Lease::~Lease() {
  if (pool_ != nullptr) pool_->Return(handle_, discard_);
}

Module* Lease::module() const { return pool_->module().get(); }

tl::unexpected<Error> Lease::Fail(std::string_view what, CK_RV rv) {
  // Besides a lost session, any failure in the middle of an operation may
  // leave it active on some modules (CKR_OPERATION_ACTIVE on the next init):
  // a fresh session is cheaper than finding out.
  discard_ = true;
  return RvError(what, rv);
}

SessionPool::~SessionPool() {
  std::lock_guard lock(mu_);
  for (CK_SESSION_HANDLE h : idle_) (void)module_->f()->C_CloseSession(h);
  idle_.clear();
}

Result<Lease> SessionPool::Acquire() {
  std::unique_lock lock(mu_);
  returned_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    const CK_SESSION_HANDLE h = idle_.back();
    idle_.pop_back();
    return Lease(this, h);
  }
  // Count the session before opening it, outside the lock, so other
  // threads are not held up by a slow token.
  ++open_;
  lock.unlock();
  CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
  const CK_RV rv = module_->f()->C_OpenSession(slot_, CKF_SERIAL_SESSION, nullptr, nullptr, &h);
  if (rv != CKR_OK) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return RvError("cannot open a session", rv);
  }
  return Lease(this, h);
}

void SessionPool::Return(CK_SESSION_HANDLE handle, bool discard) {
  if (discard) (void)module_->f()->C_CloseSession(handle);
  std::lock_guard lock(mu_);
  if (discard) {
    --open_;
  } else {
    idle_.push_back(handle);
  }
  returned_.notify_one();
}

size_t SessionPool::open_sessions() const {
  std::lock_guard lock(mu_);
  return open_;
}

Result<void> SessionPool::Login(const SecretBytes& pin) {
  if (pin.empty()) return MakeError(ErrorCode::invalid_argument, "pkcs11: the PIN is empty");
  auto lease = Acquire();
  ENVELOPE_RETURN_IF_ERROR(lease);
  const CK_RV rv = module_->f()->C_Login(lease->handle(), CKU_USER,
                                         const_cast<CK_UTF8CHAR*>(pin.data()), pin.size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    if (IsSessionLost(rv)) return lease->Fail("login failed", rv);
    return RvError("login failed", rv);
  }
  auto same = module_->LoginMatches(slot_, pin, rv == CKR_OK);
  ENVELOPE_RETURN_IF_ERROR(same);
  if (!*same) return RvError("login failed", CKR_PIN_INCORRECT);
  return {};
}

}  // namespace envelope::keyring::pkcs11
