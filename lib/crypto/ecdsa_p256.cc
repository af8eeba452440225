#include "crypto/ecdsa_p256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace envelope::crypto {

void EcdsaP256PublicKey::Free::operator()(evp_pkey_st* p) const noexcept { EVP_PKEY_free(p); }

EcdsaP256PublicKey::~EcdsaP256PublicKey() = default;

Result<EcdsaP256PublicKey> EcdsaP256PublicKey::FromCompressed(std::span<const uint8_t> point) {
  if (point.size() != kP256CompressedSize || (point[0] != 0x02 && point[0] != 0x03)) {
    return MakeError(ErrorCode::invalid_argument,
                     "ecdsa p-256: public key must be a 33-byte compressed point");
  }
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return OpenSslError(ErrorCode::internal, "ecdsa p-256: context setup failed");
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"),
                                       0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(point.data()),
                                        point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1 || key == nullptr) {
    return OpenSslError(ErrorCode::invalid_argument,
                        "ecdsa p-256: public key is not a point on the curve");
  }
  return EcdsaP256PublicKey(key);
}

Result<void> EcdsaP256PublicKey::VerifyDigest(std::span<const uint8_t> digest,
                                              std::span<const uint8_t> der) const {
  if (digest.size() != kSha256DigestSize) {
    return MakeError(ErrorCode::invalid_argument, "ecdsa p-256: digest must be 32 bytes");
  }
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
    return OpenSslError(ErrorCode::internal, "ecdsa p-256: verify setup failed");
  }
  if (EVP_PKEY_verify(ctx.get(), der.data(), der.size(), digest.data(), digest.size()) != 1) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::auth_failed, "ecdsa p-256: signature does not verify");
  }
  return {};
}

}  // namespace envelope::crypto
