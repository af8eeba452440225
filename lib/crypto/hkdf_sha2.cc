#include "crypto/hkdf_sha2.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace envelope::crypto {
namespace {

const char* DigestName(HashAlg alg) {
  switch (alg) {
    case HashAlg::sha256:
      return "SHA256";
    case HashAlg::sha384:
      return "SHA384";
    case HashAlg::sha512:
      return "SHA512";
  }
  return nullptr;
}

}  // namespace

Result<void> Hkdf(HashAlg alg, std::span<const uint8_t> salt, std::span<const uint8_t> ikm,
                  std::span<const uint8_t> info, std::span<uint8_t> out) {
  const size_t hash_size = DigestSize(alg);
  if (out.empty() || out.size() > 255 * hash_size) {
    return MakeError(ErrorCode::invalid_argument,
                     "hkdf: output must be 1 to " + std::to_string(255 * hash_size) +
                         " bytes, asked for " + std::to_string(out.size()));
  }
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) return OpenSslError(ErrorCode::internal, "hkdf: unavailable");
  UniquePtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return OpenSslError(ErrorCode::internal, "hkdf: context allocation failed");
  // RFC 5869: no salt is HashLen zeros. OpenSSL refuses empty key and info
  // parameters; HMAC pads keys with zeros, so one zero byte is the same key,
  // and an absent info parameter is the empty info.
  static const uint8_t kZeros[64] = {0};
  if (salt.empty()) salt = std::span<const uint8_t>(kZeros, hash_size);
  if (ikm.empty()) ikm = std::span<const uint8_t>(kZeros, 1);
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                 const_cast<char*>(DigestName(alg)), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  const_cast<uint8_t*>(ikm.data()), ikm.size());
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                  const_cast<uint8_t*>(salt.data()), salt.size());
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                    const_cast<uint8_t*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return OpenSslError(ErrorCode::internal, "hkdf: derive failed");
  }
  return {};
}

}  // namespace envelope::crypto
