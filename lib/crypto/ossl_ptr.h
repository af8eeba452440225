// lib/crypto: RAII owners for OpenSSL objects (only included by lib/crypto
// sources, never by headers other layers see).
#ifndef ENVELOPE_LIB_CRYPTO_OSSL_PTR_H_
#define ENVELOPE_LIB_CRYPTO_OSSL_PTR_H_

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

namespace envelope::crypto {

template <typename T>
struct Deleter;

#define ENVELOPE_OSSL_DELETER(type, free_fn)                \
  template <>                                               \
  struct Deleter<type> {                                    \
    void operator()(type* p) const noexcept { free_fn(p); } \
  }

ENVELOPE_OSSL_DELETER(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
ENVELOPE_OSSL_DELETER(EVP_CIPHER, EVP_CIPHER_free);
ENVELOPE_OSSL_DELETER(EVP_KDF, EVP_KDF_free);
ENVELOPE_OSSL_DELETER(EVP_KDF_CTX, EVP_KDF_CTX_free);
ENVELOPE_OSSL_DELETER(EVP_MD, EVP_MD_free);
ENVELOPE_OSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free);
ENVELOPE_OSSL_DELETER(EVP_PKEY, EVP_PKEY_free);
ENVELOPE_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
ENVELOPE_OSSL_DELETER(EVP_MAC, EVP_MAC_free);
ENVELOPE_OSSL_DELETER(EVP_MAC_CTX, EVP_MAC_CTX_free);
ENVELOPE_OSSL_DELETER(BIGNUM, BN_free);

#undef ENVELOPE_OSSL_DELETER

// UniquePtr<EVP_CIPHER_CTX> and friends free with the matching OpenSSL call.
template <typename T>
using UniquePtr = std::unique_ptr<T, Deleter<T>>;

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_OSSL_PTR_H_
