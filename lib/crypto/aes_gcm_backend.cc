// Which AES-GCM implementation AesGcm::New uses: chosen once per process.
#include <openssl/crypto.h>
#include <strings.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "crypto/aes_gcm.h"
#include "crypto/aes_gcm_ipsec_mb.h"

namespace envelope::crypto {
namespace {

// ChooseAtStartUp applies ENVELOPE_AES_BACKEND: `openssl` forces OpenSSL;
// anything else (or nothing) takes ipsec-mb where it can run.
GcmBackend ChooseAtStartUp() {
  const char* forced = std::getenv("ENVELOPE_AES_BACKEND");
  if (forced != nullptr && strcasecmp(forced, "openssl") == 0) return GcmBackend::openssl;
  return ipsec_mb::Available() ? GcmBackend::ipsec_mb : GcmBackend::openssl;
}

std::atomic<GcmBackend>& Active() {
  static std::atomic<GcmBackend> active{ChooseAtStartUp()};
  return active;
}

}  // namespace

GcmBackend ActiveGcmBackend() noexcept { return Active().load(std::memory_order_relaxed); }

bool GcmBackendAvailable(GcmBackend backend) noexcept {
  return backend == GcmBackend::openssl || ipsec_mb::Available();
}

const char* GcmBackendDescription(GcmBackend backend) noexcept {
  if (backend == GcmBackend::ipsec_mb) return ipsec_mb::Description();
  static const std::string openssl =
      std::string("openssl ") + OpenSSL_version(OPENSSL_VERSION_STRING);
  return openssl.c_str();
}

Result<void> SetGcmBackendForTesting(GcmBackend backend) {
  if (!GcmBackendAvailable(backend)) {
    return MakeError(ErrorCode::unsupported, std::string("aes-gcm: backend unavailable: ") +
                                                 GcmBackendDescription(backend));
  }
  Active().store(backend, std::memory_order_relaxed);
  return {};
}

}  // namespace envelope::crypto
