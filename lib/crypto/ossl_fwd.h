// lib/crypto: owners for the OpenSSL objects that lib/crypto's own headers
// hold (a key, a cipher or digest context), declared without OpenSSL's
// headers so the headers other layers include stay free of them. The
// deleters are defined in ossl_ptr.cc; ossl_ptr.h adds the rest of the
// OpenSSL types for lib/crypto's sources.
#ifndef ENVELOPE_LIB_CRYPTO_OSSL_FWD_H_
#define ENVELOPE_LIB_CRYPTO_OSSL_FWD_H_

#include <memory>

// OpenSSL's struct tags for EVP_CIPHER_CTX, EVP_MD_CTX and EVP_PKEY.
struct evp_cipher_ctx_st;
struct evp_md_ctx_st;
struct evp_pkey_st;

namespace envelope::crypto {

// Deleter<T> frees a T with the matching OpenSSL call.
template <typename T>
struct Deleter;

template <>
struct Deleter<evp_cipher_ctx_st> {
  void operator()(evp_cipher_ctx_st* p) const noexcept;  // EVP_CIPHER_CTX_free
};
template <>
struct Deleter<evp_md_ctx_st> {
  void operator()(evp_md_ctx_st* p) const noexcept;  // EVP_MD_CTX_free
};
template <>
struct Deleter<evp_pkey_st> {
  void operator()(evp_pkey_st* p) const noexcept;  // EVP_PKEY_free
};

// UniquePtr<EVP_PKEY> and friends free with the matching OpenSSL call.
template <typename T>
using UniquePtr = std::unique_ptr<T, Deleter<T>>;

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_OSSL_FWD_H_
