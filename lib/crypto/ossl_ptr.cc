// The deleters ossl_fwd.h declares for the OpenSSL objects lib/crypto's
// headers hold.
#include <openssl/evp.h>

#include "crypto/ossl_fwd.h"

namespace envelope::crypto {

// Freeing a context or a key also cleanses the key material in it.
void Deleter<evp_cipher_ctx_st>::operator()(evp_cipher_ctx_st* p) const noexcept {
  EVP_CIPHER_CTX_free(p);
}

void Deleter<evp_md_ctx_st>::operator()(evp_md_ctx_st* p) const noexcept { EVP_MD_CTX_free(p); }

void Deleter<evp_pkey_st>::operator()(evp_pkey_st* p) const noexcept { EVP_PKEY_free(p); }

}  // namespace envelope::crypto
