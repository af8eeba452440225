#include "crypto/openssl_error.h"

#include <openssl/err.h>

#include <string>

namespace envelope::crypto {

tl::unexpected<Error> OpenSslError(ErrorCode code, std::string_view what) {
  std::string message(what);
  // The first entry is the root cause; later ones add call-site context.
  unsigned long first = ERR_get_error();
  if (first != 0) {
    char buf[256];
    ERR_error_string_n(first, buf, sizeof buf);
    message += ": openssl: ";
    message += buf;
  }
  ERR_clear_error();
  return MakeError(code, std::move(message));
}

void ClearOpenSslErrors() noexcept { ERR_clear_error(); }

}  // namespace envelope::crypto
