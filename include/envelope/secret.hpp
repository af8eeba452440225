// envelope: SecretBytes, the owner of key material.
#ifndef ENVELOPE_SECRET_HPP_
#define ENVELOPE_SECRET_HPP_

#include <cstddef>
#include <cstdint>
#include <span>

#include "envelope/error.hpp"
#include "envelope/export.h"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// SecretBytes owns a fixed-size buffer of key material in secret memory:
// locked in RAM so it is not swapped, excluded from core dumps where the
// kernel allows, between guard pages, and zeroed when freed. Buffers over 256
// bytes are libsodium's guarded allocations (guard pages around each one);
// smaller ones (keys) share guarded slabs of locked memory, which keeps a
// request's several small secrets from costing system calls each. It is move-only; copying is the
// explicit `Clone()`. A moved-from or default-constructed SecretBytes is empty.
// Const use (reading the key) may happen in several threads at once.
//
// In fuzzing builds (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) the buffer is
// plain heap memory, still zeroed on free, so AddressSanitizer sees overflows.
class SecretBytes {
 public:
  // SecretBytes() is empty: no memory is allocated.
  SecretBytes() noexcept = default;
  // Moving transfers ownership of the buffer; `other` is left empty. Move
  // assignment first frees (and so wipes) the buffer this object held.
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  // ~SecretBytes wipes and frees the buffer.
  ~SecretBytes();

  // Allocate returns `size` zero bytes of secret memory. Fails with
  // `internal` when the allocation fails.
  [[nodiscard]] static Result<SecretBytes> Allocate(size_t size);

  // Random returns `size` bytes from the library's CSPRNG. Fails closed.
  [[nodiscard]] static Result<SecretBytes> Random(size_t size);

  // CopyFrom copies `bytes` into new secret memory. The caller remains
  // responsible for wiping its own copy.
  [[nodiscard]] static Result<SecretBytes> CopyFrom(std::span<const uint8_t> bytes);

  // Clone returns a second owner of an equal copy.
  [[nodiscard]] Result<SecretBytes> Clone() const;

  // data returns the buffer (nullptr when empty); it stays owned by this
  // object and is valid until it is moved from or destroyed.
  uint8_t* data() noexcept { return data_; }
  const uint8_t* data() const noexcept { return data_; }
  // size returns the number of bytes owned; empty reports size() == 0.
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // span views the whole buffer, with the lifetime of data().
  std::span<uint8_t> span() noexcept { return {data_, size_}; }
  std::span<const uint8_t> span() const noexcept { return {data_, size_}; }

  // Equals compares contents in constant time (for equal sizes).
  bool Equals(const SecretBytes& other) const noexcept;

 private:
  SecretBytes(uint8_t* data, size_t size) noexcept : data_(data), size_(size) {}
  void Release() noexcept;

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// KeyView is a non-owning view of key bytes, the parameter type of every
// public function that takes a raw key (chunked encryption, the raw AES and
// customer key keyrings, hazmat). It exists so a key and a data span cannot
// be swapped: a SecretBytes converts to it implicitly, plain bytes only
// through the explicit constructor, and it converts back to nothing, so
// `ChunkedEncrypt(plaintext, key)` does not compile. Like std::span it does
// not own the bytes: they must outlive every use of the view (a temporary
// SecretBytes argument lives to the end of the call). Trivially copyable;
// safe to share between threads while the bytes do not change.
class KeyView {
 public:
  // KeyView() views no bytes (an empty key, which every function rejects).
  constexpr KeyView() noexcept = default;
  // KeyView(const SecretBytes&) views the key a SecretBytes owns.
  KeyView(const SecretBytes& key) noexcept : bytes_(key.span()) {}
  // KeyView(std::span) views bytes the caller says are a key (test vectors,
  // a key already in secret memory of its own).
  constexpr explicit KeyView(std::span<const uint8_t> bytes) noexcept : bytes_(bytes) {}

  // bytes returns the viewed key bytes.
  constexpr std::span<const uint8_t> bytes() const noexcept { return bytes_; }
  // size returns the key size in bytes.
  constexpr size_t size() const noexcept { return bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
};

// SecureZero overwrites `bytes` with zeros in a way the compiler may not
// optimise away. Use it on stack copies of secrets.
void SecureZero(std::span<uint8_t> bytes) noexcept;

// ConstantTimeEqual reports whether `a` and `b` hold the same bytes, taking
// time that depends only on their lengths. Different lengths compare unequal.
bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept;

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_SECRET_HPP_
