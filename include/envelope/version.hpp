// envelope: library version.
#ifndef ENVELOPE_VERSION_HPP_
#define ENVELOPE_VERSION_HPP_

#include "envelope/export.h"

// ENVELOPE_VERSION_MAJOR, _MINOR and _PATCH are the version of the headers
// being compiled against (meson.build's project version; the build fails if
// they disagree). Version() is the library actually loaded; a program can
// compare the two at start-up.
#define ENVELOPE_VERSION_MAJOR 0
#define ENVELOPE_VERSION_MINOR 1
#define ENVELOPE_VERSION_PATCH 0
// ENVELOPE_VERSION_STRING is "MAJOR.MINOR.PATCH" of the headers.
#define ENVELOPE_VERSION_STRING "0.1.0"
// ENVELOPE_VERSION_NUMBER is MAJOR * 10000 + MINOR * 100 + PATCH, for
// `#if ENVELOPE_VERSION_NUMBER >= 100` (0.1.0) and the like.
#define ENVELOPE_VERSION_NUMBER \
  (ENVELOPE_VERSION_MAJOR * 10000 + ENVELOPE_VERSION_MINOR * 100 + ENVELOPE_VERSION_PATCH)

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// Version returns the library version, e.g. "0.1.0".
const char* Version() noexcept;

// AesGcmBackend names the AES-GCM implementation this process runs, e.g.
// "ipsec-mb 1.3.0 (avx512, vaes)" or "openssl 3.0.11": Intel's ipsec-mb where
// it is built in and the CPU has AVX2 or better, OpenSSL otherwise or when
// the environment variable ENVELOPE_AES_BACKEND is `openssl`. Both give
// identical results; only speed differs.
const char* AesGcmBackend() noexcept;

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_VERSION_HPP_
