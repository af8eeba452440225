// envelope: library version.
#ifndef ENVELOPE_VERSION_HPP_
#define ENVELOPE_VERSION_HPP_

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

#endif  // ENVELOPE_VERSION_HPP_
