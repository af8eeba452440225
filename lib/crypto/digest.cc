#include "crypto/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <utility>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace envelope::crypto {
namespace {

const EVP_MD* Md(HashAlg alg) {
  static const EVP_MD* const k256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const k384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static const EVP_MD* const k512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  switch (alg) {
    case HashAlg::sha256:
      return k256;
    case HashAlg::sha384:
      return k384;
    case HashAlg::sha512:
      return k512;
  }
  return nullptr;
}

}  // namespace

size_t DigestSize(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::sha256:
      return 32;
    case HashAlg::sha384:
      return 48;
    case HashAlg::sha512:
      return 64;
  }
  return 0;
}

Result<Hasher> Hasher::New(HashAlg alg) {
  UniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || Md(alg) == nullptr || EVP_DigestInit_ex(ctx.get(), Md(alg), nullptr) != 1) {
    return OpenSslError(ErrorCode::internal, "digest: init failed");
  }
  return Hasher(std::move(ctx), alg);
}

Result<void> Hasher::Update(std::span<const uint8_t> data) {
  if (ctx_ == nullptr) return MakeError(ErrorCode::invalid_argument, "digest: moved-from hasher");
  if (!data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    return OpenSslError(ErrorCode::internal, "digest: update failed");
  }
  return {};
}

Result<void> Hasher::Final(std::span<uint8_t> out) {
  if (ctx_ == nullptr) return MakeError(ErrorCode::invalid_argument, "digest: moved-from hasher");
  if (out.size() != DigestSize(alg_)) {
    return MakeError(ErrorCode::invalid_argument, "digest: output has the wrong size");
  }
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &n) != 1) {
    return OpenSslError(ErrorCode::internal, "digest: final failed");
  }
  return {};
}

Result<std::vector<uint8_t>> Hash(HashAlg alg, std::span<const uint8_t> data) {
  auto h = Hasher::New(alg);
  ENVELOPE_RETURN_IF_ERROR(h);
  std::vector<uint8_t> out(DigestSize(alg));
  ENVELOPE_RETURN_IF_ERROR(h->Update(data));
  ENVELOPE_RETURN_IF_ERROR(h->Final(out));
  return out;
}

Result<void> Hmac(HashAlg alg, std::span<const uint8_t> key, std::span<const uint8_t> data,
                  std::span<uint8_t> out) {
  if (out.size() != DigestSize(alg)) {
    return MakeError(ErrorCode::invalid_argument, "hmac: output has the wrong size");
  }
  static const uint8_t kZero = 0;  // HMAC() wants a non-null key pointer
  unsigned int n = 0;
  if (HMAC(Md(alg), key.empty() ? &kZero : key.data(), static_cast<int>(key.size()), data.data(),
           data.size(), out.data(), &n) == nullptr) {
    return OpenSslError(ErrorCode::internal, "hmac: failed");
  }
  return {};
}

Result<SecretBytes> HmacKey(HashAlg alg, std::span<const uint8_t> key,
                            std::span<const uint8_t> data) {
  auto out = SecretBytes::Allocate(DigestSize(alg));
  ENVELOPE_RETURN_IF_ERROR(out);
  ENVELOPE_RETURN_IF_ERROR(Hmac(alg, key, data, out->span()));
  return out;
}

Result<void> Md5ForTransportCheck(std::span<const uint8_t> data, std::span<uint8_t, kMd5Size> out) {
  // Fetched per call: this runs once per SSE-C operation, not per block.
  UniquePtr<EVP_MD> md(EVP_MD_fetch(nullptr, "MD5", nullptr));
  unsigned int n = 0;
  if (!md || EVP_Digest(data.data(), data.size(), out.data(), &n, md.get(), nullptr) != 1 ||
      n != kMd5Size) {
    return OpenSslError(ErrorCode::internal, "digest: md5 failed");
  }
  return {};
}

}  // namespace envelope::crypto
