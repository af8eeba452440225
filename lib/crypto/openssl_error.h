// lib/crypto: turning OpenSSL failures into envelope errors.
#ifndef ENVELOPE_LIB_CRYPTO_OPENSSL_ERROR_H_
#define ENVELOPE_LIB_CRYPTO_OPENSSL_ERROR_H_

#include <string_view>

#include "envelope/error.hpp"

namespace envelope::crypto {

// OpenSslError drains OpenSSL's thread-local error queue (leaving it empty)
// and returns an error (the failure side of a Result) "<what>: openssl: <first reason>". Call it
// right after the OpenSSL call that failed.
tl::unexpected<Error> OpenSslError(ErrorCode code, std::string_view what);

// ClearOpenSslErrors empties the queue after an expected failure (a tag that
// did not verify) so no stale entry leaks into a later, unrelated error.
void ClearOpenSslErrors() noexcept;

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_OPENSSL_ERROR_H_
