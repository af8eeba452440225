// lib/crypto: RSA encryption for the ESDK raw RSA keyring (wrapping a data
// key under a long-lived RSA key pair).
//
// Paddings are PKCS#1 v1.5 (legacy, decrypt-interoperable) and OAEP with
// SHA-1/256/384/512, always with MGF1 over the same hash, which is what every
// ESDK means by "OAEP with SHA-x". Keys are plain RSA (not RSA-PSS keys).
//
// Decrypt gives one fixed error for every kind of failure (bad padding, wrong
// length, wrong key, wrong label) so it is not a padding oracle. Note that
// with PKCS#1 v1.5 this only removes the oracle in the error value; OAEP is
// the padding to use for new keys.
#ifndef ENVELOPE_LIB_CRYPTO_RSA_H_
#define ENVELOPE_LIB_CRYPTO_RSA_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/ossl_fwd.h"
#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::crypto {

// RsaPadding names an RSA encryption scheme. OAEP uses MGF1 with the same
// hash as the label hash.
enum class RsaPadding { pkcs1_v15, oaep_sha1, oaep_sha256, oaep_sha384, oaep_sha512 };

// RsaPaddingName returns "pkcs1-v1.5", "oaep-sha1", ... for messages.
std::string_view RsaPaddingName(RsaPadding padding) noexcept;

// kRsaMinEncryptBits is the smallest modulus we encrypt to.
inline constexpr size_t kRsaMinEncryptBits = 2048;

// RsaMaxPlaintextSize returns the largest plaintext `padding` fits in a
// modulus of `modulus_size` bytes, or 0 when nothing fits.
size_t RsaMaxPlaintextSize(RsaPadding padding, size_t modulus_size) noexcept;

// RsaPublicKey is an RSA public key used to wrap data keys. Move-only; owns
// its OpenSSL key.
class RsaPublicKey {
 public:
  // FromPem parses a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or "RSA PUBLIC
  // KEY" (PKCS#1) block. Fails with `invalid_argument` for other PEM types,
  // malformed data, or a key that is not RSA.
  [[nodiscard]] static Result<RsaPublicKey> FromPem(std::string_view pem);

  // FromDer parses a DER SubjectPublicKeyInfo or PKCS#1 RSAPublicKey, with
  // no trailing bytes. Fails with `invalid_argument` otherwise.
  [[nodiscard]] static Result<RsaPublicKey> FromDer(std::span<const uint8_t> der);

  RsaPublicKey(RsaPublicKey&& other) noexcept = default;
  RsaPublicKey& operator=(RsaPublicKey&& other) noexcept = default;
  RsaPublicKey(const RsaPublicKey&) = delete;
  RsaPublicKey& operator=(const RsaPublicKey&) = delete;
  ~RsaPublicKey() = default;

  // Encrypt wraps `plaintext` (randomised padding; output is modulus_size()
  // bytes). `oaep_label` is the OAEP label (the ESDK uses none); it must be
  // empty for PKCS#1 v1.5. Fails with `invalid_argument` when the key is
  // under 2048 bits or the plaintext does not fit the padding (see
  // RsaMaxPlaintextSize).
  [[nodiscard]] Result<std::vector<uint8_t>> Encrypt(
      RsaPadding padding, std::span<const uint8_t> plaintext,
      std::span<const uint8_t> oaep_label = {}) const;

  // modulus_size returns the modulus length in bytes (256 for RSA-2048).
  size_t modulus_size() const noexcept;

  // modulus_bits returns the modulus length in bits.
  size_t modulus_bits() const noexcept;

  // DerSubjectPublicKeyInfo returns the key as DER SubjectPublicKeyInfo.
  [[nodiscard]] Result<std::vector<uint8_t>> DerSubjectPublicKeyInfo() const;

 private:
  friend class RsaPrivateKey;
  explicit RsaPublicKey(UniquePtr<evp_pkey_st> pkey) noexcept : pkey_(std::move(pkey)) {}
  UniquePtr<evp_pkey_st> pkey_;
};

// RsaPrivateKey is an RSA private key used to unwrap data keys. Move-only;
// owns its OpenSSL key (OpenSSL clears the private parts when freeing it).
class RsaPrivateKey {
 public:
  // FromPem parses an unencrypted PEM "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE
  // KEY" (PKCS#1) block. Fails with `unsupported` for an encrypted key and
  // `invalid_argument` for other PEM types, malformed data or a non-RSA key.
  [[nodiscard]] static Result<RsaPrivateKey> FromPem(std::string_view pem);

  // FromDer parses a DER PKCS#8 PrivateKeyInfo or PKCS#1 RSAPrivateKey,
  // with no trailing bytes.
  [[nodiscard]] static Result<RsaPrivateKey> FromDer(std::span<const uint8_t> der);

  RsaPrivateKey(RsaPrivateKey&& other) noexcept = default;
  RsaPrivateKey& operator=(RsaPrivateKey&& other) noexcept = default;
  RsaPrivateKey(const RsaPrivateKey&) = delete;
  RsaPrivateKey& operator=(const RsaPrivateKey&) = delete;
  ~RsaPrivateKey() = default;

  // Decrypt unwraps `ciphertext` (exactly modulus_size() bytes) into secret
  // memory. `oaep_label` is the OAEP label (the ESDK uses none); it must be
  // empty for PKCS#1 v1.5. Every decryption failure returns `auth_failed`
  // with the one message "rsa: decryption failed". Keys under 2048 bits are
  // allowed here so old data stays readable.
  [[nodiscard]] Result<SecretBytes> Decrypt(RsaPadding padding, std::span<const uint8_t> ciphertext,
                                            std::span<const uint8_t> oaep_label = {}) const;

  // PublicKey returns the public half of this key.
  [[nodiscard]] Result<RsaPublicKey> PublicKey() const;

  // modulus_size returns the modulus length in bytes.
  size_t modulus_size() const noexcept;

 private:
  explicit RsaPrivateKey(UniquePtr<evp_pkey_st> pkey) noexcept : pkey_(std::move(pkey)) {}
  UniquePtr<evp_pkey_st> pkey_;
};

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_RSA_H_
