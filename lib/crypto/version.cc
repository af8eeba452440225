#include "envelope/version.hpp"

#include "crypto/aes_gcm.h"

namespace envelope {

const char* Version() noexcept { return ENVELOPE_VERSION_STRING; }

const char* AesGcmBackend() noexcept {
  return crypto::GcmBackendDescription(crypto::ActiveGcmBackend());
}

}  // namespace envelope
