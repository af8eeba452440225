#include <openssl/crypto.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "crypto/init.h"
#include "crypto/random.h"
#include "crypto/secret_pool.h"
#include "envelope/secret.hpp"

namespace envelope {
namespace {

// In fuzzing builds guard pages and mlock hide overflows from ASan and make
// every allocation a syscall; plain heap memory (still wiped) is used there.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
uint8_t* SecretAlloc(size_t size) { return static_cast<uint8_t*>(std::calloc(1, size)); }
void SecretFree(uint8_t* p, size_t size) {
  sodium_memzero(p, size);
  std::free(p);
}
#else
// Small secrets come from the pool (secret_pool.h), others from libsodium's
// guarded allocation. Under AddressSanitizer every secret gets its own
// guarded allocation, so overflows between small secrets are still seen.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUsePool = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUsePool = false;
#else
constexpr bool kUsePool = true;
#endif
#else
constexpr bool kUsePool = true;
#endif

uint8_t* SecretAlloc(size_t size) {
  if (kUsePool && size <= crypto::kMaxPooledSecret) return crypto::PoolAlloc(size);
  auto* p = static_cast<uint8_t*>(sodium_malloc(size));
  if (p != nullptr) sodium_memzero(p, size);  // sodium_malloc fills with 0xdb
  return p;
}
void SecretFree(uint8_t* p, size_t size) {
  if (kUsePool && size <= crypto::kMaxPooledSecret) {
    crypto::PoolFree(p, size);  // zeroes the slot and keeps it for reuse
    return;
  }
  sodium_free(p);  // zeroes, unlocks and unmaps
}
#endif

}  // namespace

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes::~SecretBytes() { Release(); }

void SecretBytes::Release() noexcept {
  if (data_ != nullptr) SecretFree(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

Result<SecretBytes> SecretBytes::Allocate(size_t size) {
  ENVELOPE_RETURN_IF_ERROR(crypto::EnsureInitialized());
  if (size == 0) return SecretBytes();
  uint8_t* p = SecretAlloc(size);
  if (p == nullptr) {
    return MakeError(ErrorCode::internal,
                     "secret memory: allocation of " + std::to_string(size) + " bytes failed");
  }
  return SecretBytes(p, size);
}

Result<SecretBytes> SecretBytes::Random(size_t size) {
  auto out = Allocate(size);
  if (!out) return out;
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(out->span()));
  return out;
}

Result<SecretBytes> SecretBytes::CopyFrom(std::span<const uint8_t> bytes) {
  auto out = Allocate(bytes.size());
  if (!out) return out;
  if (!bytes.empty()) std::memcpy(out->data(), bytes.data(), bytes.size());
  return out;
}

Result<SecretBytes> SecretBytes::Clone() const { return CopyFrom(span()); }

bool SecretBytes::Equals(const SecretBytes& other) const noexcept {
  return ConstantTimeEqual(span(), other.span());
}

void SecureZero(std::span<uint8_t> bytes) noexcept {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace envelope
