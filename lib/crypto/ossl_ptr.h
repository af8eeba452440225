// lib/crypto: RAII owners for OpenSSL objects (only included by lib/crypto
// sources, never by headers other layers see; those use ossl_fwd.h).
//
// Every OpenSSL object lib/crypto holds is a UniquePtr<T> with the
// Deleter<T> of its type, here or in ossl_fwd.h: nothing is freed by hand.
#ifndef ENVELOPE_LIB_CRYPTO_OSSL_PTR_H_
#define ENVELOPE_LIB_CRYPTO_OSSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "crypto/ossl_fwd.h"

namespace envelope::crypto {

#define ENVELOPE_OSSL_DELETER(type, free_fn)                \
  template <>                                               \
  struct Deleter<type> {                                    \
    void operator()(type* p) const noexcept { free_fn(p); } \
  }

ENVELOPE_OSSL_DELETER(EVP_CIPHER, EVP_CIPHER_free);
ENVELOPE_OSSL_DELETER(EVP_KDF, EVP_KDF_free);
ENVELOPE_OSSL_DELETER(EVP_KDF_CTX, EVP_KDF_CTX_free);
ENVELOPE_OSSL_DELETER(EVP_MD, EVP_MD_free);
ENVELOPE_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
ENVELOPE_OSSL_DELETER(EVP_MAC, EVP_MAC_free);
ENVELOPE_OSSL_DELETER(EVP_MAC_CTX, EVP_MAC_CTX_free);
ENVELOPE_OSSL_DELETER(BIGNUM, BN_free);
ENVELOPE_OSSL_DELETER(BIO, BIO_free_all);
ENVELOPE_OSSL_DELETER(ECDSA_SIG, ECDSA_SIG_free);
ENVELOPE_OSSL_DELETER(PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free);
ENVELOPE_OSSL_DELETER(X509, X509_free);
ENVELOPE_OSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free);
// ASN1_INTEGER and ASN1_OCTET_STRING are ASN1_STRING (one type in C).
ENVELOPE_OSSL_DELETER(ASN1_STRING, ASN1_STRING_free);

#undef ENVELOPE_OSSL_DELETER

// OsslFree frees a buffer OpenSSL allocated (i2d_* output, PEM names).
struct OsslFree {
  void operator()(void* p) const noexcept { OPENSSL_free(p); }
};

// OsslBytes owns an OPENSSL_malloc'd byte buffer, such as i2d_*'s output.
using OsslBytes = std::unique_ptr<unsigned char, OsslFree>;

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_OSSL_PTR_H_
