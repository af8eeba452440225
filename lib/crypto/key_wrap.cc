#include "crypto/key_wrap.h"

#include <openssl/evp.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace envelope::crypto {
namespace {

// Wrapped key sizes beyond this are not keys; the bound also keeps the
// lengths inside OpenSSL's int arguments.
constexpr size_t kMaxKeySize = 1 << 20;

const EVP_CIPHER* WrapCipher(size_t kek_size, bool pad) {
  static const EVP_CIPHER* const kw[3] = {EVP_CIPHER_fetch(nullptr, "AES-128-WRAP", nullptr),
                                          EVP_CIPHER_fetch(nullptr, "AES-192-WRAP", nullptr),
                                          EVP_CIPHER_fetch(nullptr, "AES-256-WRAP", nullptr)};
  static const EVP_CIPHER* const kwp[3] = {EVP_CIPHER_fetch(nullptr, "AES-128-WRAP-PAD", nullptr),
                                           EVP_CIPHER_fetch(nullptr, "AES-192-WRAP-PAD", nullptr),
                                           EVP_CIPHER_fetch(nullptr, "AES-256-WRAP-PAD", nullptr)};
  const int i = kek_size == 16 ? 0 : kek_size == 24 ? 1 : kek_size == 32 ? 2 : -1;
  if (i < 0) return nullptr;
  return pad ? kwp[i] : kw[i];
}

// Run performs one wrap or unwrap; returns the number of bytes written, or
// -1 when OpenSSL refused (for unwrap: the integrity check failed).
Result<int> Run(std::span<const uint8_t> kek, bool pad, bool wrap, std::span<const uint8_t> in,
                std::span<uint8_t> out, const char* what) {
  if (kek.size() != 16 && kek.size() != 24 && kek.size() != 32) {
    return MakeError(ErrorCode::invalid_argument,
                     std::string(what) + ": kek must be 16, 24 or 32 bytes");
  }
  const EVP_CIPHER* cipher = WrapCipher(kek.size(), pad);
  UniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !ctx ||
      EVP_CipherInit_ex(ctx.get(), cipher, nullptr, kek.data(), nullptr, wrap ? 1 : 0) != 1) {
    return OpenSslError(ErrorCode::internal, std::string(what) + ": setup failed");
  }
  int len = 0;
  int fin = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
    ClearOpenSslErrors();
    return -1;
  }
  return len + fin;
}

}  // namespace

Result<std::vector<uint8_t>> AesKeyWrap(std::span<const uint8_t> kek,
                                        std::span<const uint8_t> key) {
  if (key.size() < 16 || key.size() % 8 != 0 || key.size() > kMaxKeySize) {
    return MakeError(ErrorCode::invalid_argument,
                     "aes-kw: key to wrap must be a multiple of 8 bytes, at least 16");
  }
  std::vector<uint8_t> out(key.size() + 8);
  auto n = Run(kek, false, true, key, out, "aes-kw");
  ENVELOPE_RETURN_IF_ERROR(n);
  if (*n != static_cast<int>(out.size())) {
    return OpenSslError(ErrorCode::internal, "aes-kw: wrap failed");
  }
  return out;
}

Result<SecretBytes> AesKeyUnwrap(std::span<const uint8_t> kek, std::span<const uint8_t> wrapped) {
  if (wrapped.size() < 24 || wrapped.size() % 8 != 0 || wrapped.size() > kMaxKeySize + 8) {
    return MakeError(ErrorCode::invalid_argument,
                     "aes-kw: wrapped key must be a multiple of 8 bytes, at least 24");
  }
  auto out = SecretBytes::Allocate(wrapped.size() - 8);
  if (!out) return out;
  auto n = Run(kek, false, false, wrapped, out->span(), "aes-kw");
  ENVELOPE_RETURN_IF_ERROR(n);
  if (*n != static_cast<int>(out->size())) {
    return MakeError(ErrorCode::auth_failed, "aes-kw: integrity check failed");
  }
  return out;
}

Result<std::vector<uint8_t>> AesKeyWrapPad(std::span<const uint8_t> kek,
                                           std::span<const uint8_t> key) {
  if (key.empty() || key.size() > kMaxKeySize) {
    return MakeError(ErrorCode::invalid_argument, "aes-kwp: key to wrap must be 1 byte to 1 MiB");
  }
  std::vector<uint8_t> out((key.size() + 7) / 8 * 8 + 8);
  auto n = Run(kek, true, true, key, out, "aes-kwp");
  ENVELOPE_RETURN_IF_ERROR(n);
  if (*n != static_cast<int>(out.size())) {
    return OpenSslError(ErrorCode::internal, "aes-kwp: wrap failed");
  }
  return out;
}

Result<SecretBytes> AesKeyUnwrapPad(std::span<const uint8_t> kek,
                                    std::span<const uint8_t> wrapped) {
  if (wrapped.size() < 16 || wrapped.size() % 8 != 0 || wrapped.size() > kMaxKeySize + 8) {
    return MakeError(ErrorCode::auth_failed,
                     "aes-kwp: wrapped key must be a multiple of 8 bytes, at least 16");
  }
  // OpenSSL writes up to the padded length, then reports the real one.
  auto buf = SecretBytes::Allocate(wrapped.size());
  if (!buf) return buf;
  auto n = Run(kek, true, false, wrapped, buf->span(), "aes-kwp");
  ENVELOPE_RETURN_IF_ERROR(n);
  if (*n <= 0 || static_cast<size_t>(*n) > wrapped.size() - 8) {
    return MakeError(ErrorCode::auth_failed, "aes-kwp: integrity check failed");
  }
  return SecretBytes::CopyFrom(buf->span().first(static_cast<size_t>(*n)));
}

}  // namespace envelope::crypto
