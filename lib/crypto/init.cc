#include "crypto/init.h"

#include <sodium.h>

#include <mutex>

namespace envelope::crypto {

Result<void> EnsureInitialized() {
  static std::once_flag once;
  static int status = -1;
  // sodium_init is itself idempotent, but call_once also publishes `status`
  // to every thread with the right ordering.
  std::call_once(once, [] { status = sodium_init(); });
  if (status < 0) {
    return MakeError(ErrorCode::internal, "libsodium failed to initialise");
  }
  return {};
}

}  // namespace envelope::crypto
