#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace envelope::crypto {
namespace {

EVP_KDF* HkdfKdf() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}

// Derive runs OpenSSL's HKDF in `mode` (EVP_KDF_HKDF_MODE_*). OpenSSL wants
// non-const pointers in OSSL_PARAM; it does not write through them.
Result<void> Derive(int mode, std::span<const uint8_t> salt, std::span<const uint8_t> key,
                    std::span<const uint8_t> info, std::span<uint8_t> out) {
  if (HkdfKdf() == nullptr) return OpenSslError(ErrorCode::internal, "hkdf: unavailable");
  UniquePtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(HkdfKdf()));
  if (!ctx) return OpenSslError(ErrorCode::internal, "hkdf: context allocation failed");
  // An empty salt is the RFC's "HashLen zeros": HMAC pads short keys with
  // zeros, so the empty key and 64 zero bytes give the same PRK.
  static const uint8_t kZeroSalt[kSha512Size] = {0};
  if (salt.empty()) salt = kZeroSalt;
  // `key` is the IKM (extract) or the PRK (expand). OpenSSL refuses a key
  // parameter whose data pointer is null, which an empty span may have; an
  // empty IKM is legal and must stay empty (it is the HMAC message, so a zero
  // byte in its place would change the PRK). Point at a byte, length zero.
  static const uint8_t kNoKey[1] = {0};
  if (key.empty()) key = std::span<const uint8_t>(kNoKey, 0);
  static const uint8_t kNoInfo[1] = {0};
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] =
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA512"), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  const_cast<uint8_t*>(key.data()), key.size());
  if (mode != EVP_KDF_HKDF_MODE_EXPAND_ONLY) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    const_cast<uint8_t*>(salt.data()), salt.size());
  }
  if (mode != EVP_KDF_HKDF_MODE_EXTRACT_ONLY) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.empty() ? kNoInfo : info.data()),
        info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return OpenSslError(ErrorCode::internal, "hkdf: derive failed");
  }
  return {};
}

Result<void> CheckOutput(size_t size) {
  if (size == 0 || size > kHkdfSha512MaxOutput) {
    return MakeError(ErrorCode::invalid_argument,
                     "hkdf: output must be 1 to 16320 bytes, asked for " + std::to_string(size));
  }
  return {};
}

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

Result<SecretBytes> HkdfSha512Extract(std::span<const uint8_t> salt, std::span<const uint8_t> ikm) {
  auto prk = SecretBytes::Allocate(kSha512Size);
  if (!prk) return prk;
  if (auto r = Derive(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, ikm, {}, prk->span()); !r) {
    return tl::unexpected(r.error());
  }
  return prk;
}

Result<void> HkdfSha512Expand(std::span<const uint8_t> prk, std::span<const uint8_t> info,
                              std::span<uint8_t> out) {
  if (auto r = CheckOutput(out.size()); !r) return r;
  if (prk.size() < kSha512Size) {
    return MakeError(ErrorCode::invalid_argument, "hkdf: prk must be at least 64 bytes");
  }
  return Derive(EVP_KDF_HKDF_MODE_EXPAND_ONLY, {}, prk, info, out);
}

Result<void> HkdfSha512(std::span<const uint8_t> salt, std::span<const uint8_t> ikm,
                        std::span<const uint8_t> info, std::span<uint8_t> out) {
  if (auto r = CheckOutput(out.size()); !r) return r;
  auto prk = HkdfSha512Extract(salt, ikm);
  ENVELOPE_RETURN_IF_ERROR(prk);
  return HkdfSha512Expand(prk->span(), info, out);
}

Result<void> Hkdf(HashAlg alg, std::span<const uint8_t> salt, std::span<const uint8_t> ikm,
                  std::span<const uint8_t> info, std::span<uint8_t> out) {
  const size_t hash_size = DigestSize(alg);
  if (out.empty() || out.size() > 255 * hash_size) {
    return MakeError(ErrorCode::invalid_argument,
                     "hkdf: output must be 1 to " + std::to_string(255 * hash_size) +
                         " bytes, asked for " + std::to_string(out.size()));
  }
  if (HkdfKdf() == nullptr) return OpenSslError(ErrorCode::internal, "hkdf: unavailable");
  UniquePtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(HkdfKdf()));
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
