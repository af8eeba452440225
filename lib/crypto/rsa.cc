#include "crypto/rsa.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace envelope::crypto {
namespace {

constexpr char kDecryptFailed[] = "rsa: decryption failed";

const EVP_MD* OaepMd(RsaPadding padding) {
  switch (padding) {
    case RsaPadding::oaep_sha1:
      return EVP_sha1();
    case RsaPadding::oaep_sha256:
      return EVP_sha256();
    case RsaPadding::oaep_sha384:
      return EVP_sha384();
    case RsaPadding::oaep_sha512:
      return EVP_sha512();
    case RsaPadding::pkcs1_v15:
      return nullptr;
  }
  return nullptr;
}

size_t OaepHashSize(RsaPadding padding) {
  switch (padding) {
    case RsaPadding::oaep_sha1:
      return 20;
    case RsaPadding::oaep_sha256:
      return 32;
    case RsaPadding::oaep_sha384:
      return 48;
    case RsaPadding::oaep_sha512:
      return 64;
    case RsaPadding::pkcs1_v15:
      return 0;
  }
  return 0;
}

// SetPadding configures an encrypt or decrypt context for `padding`.
bool SetPadding(EVP_PKEY_CTX* ctx, RsaPadding padding) {
  if (padding == RsaPadding::pkcs1_v15) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  const EVP_MD* md = OaepMd(padding);
  return md != nullptr && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
}

// ClearFree frees `size` bytes with OPENSSL_clear_free.
struct ClearFree {
  size_t size = 0;
  void operator()(unsigned char* p) const noexcept { OPENSSL_clear_free(p, size); }
};

// PemBlock is one decoded PEM block: its type ("PUBLIC KEY", ...) and DER
// body, owned by unique_ptrs. The body is wiped when freed (it may hold a
// private key).
struct PemBlock {
  std::unique_ptr<char, OsslFree> name;
  std::unique_ptr<unsigned char, ClearFree> data;
  std::span<const uint8_t> der() const { return {data.get(), data.get_deleter().size}; }
};

// ReadPem decodes the first PEM block of `pem` into `block`.
Result<void> ReadPem(std::string_view pem, PemBlock& block) {
  UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError(ErrorCode::internal, "rsa: bio allocation failed");
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  const int ok = PEM_read_bio(bio.get(), &name, &header, &data, &len);
  // Owned from here on, whatever PEM_read_bio returned.
  block.name.reset(name);
  const std::unique_ptr<char, OsslFree> owned_header(header);
  block.data = std::unique_ptr<unsigned char, ClearFree>(
      data, ClearFree{static_cast<size_t>(len < 0 ? 0 : len)});
  if (ok != 1 || name == nullptr) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument, "rsa: no PEM block found");
  }
  if (header != nullptr && header[0] != '\0') {
    // "Proc-Type: 4,ENCRYPTED" and friends: a passphrase-protected key.
    return MakeError(ErrorCode::unsupported,
                     "rsa: encrypted PEM keys are not supported; decrypt the key first");
  }
  return {};
}

// SetLabel hands OpenSSL a copy of a non-empty OAEP label.
bool SetLabel(EVP_PKEY_CTX* ctx, std::span<const uint8_t> label) {
  if (label.empty()) return true;
  OsslBytes copy(static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size())));
  if (!copy) return false;
  if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy.get(), static_cast<int>(label.size())) != 1) {
    return false;
  }
  (void)copy.release();  // OpenSSL owns the copy now
  return true;
}

Result<void> CheckLabel(RsaPadding padding, std::span<const uint8_t> label) {
  if (padding == RsaPadding::pkcs1_v15 && !label.empty()) {
    return MakeError(ErrorCode::invalid_argument, "rsa: a label needs OAEP padding");
  }
  if (label.size() > (size_t{1} << 30)) {
    return MakeError(ErrorCode::invalid_argument, "rsa: the OAEP label is too long");
  }
  return {};
}

Result<void> CheckRsa(EVP_PKEY* pkey) {
  if (!EVP_PKEY_is_a(pkey, "RSA")) {
    return MakeError(ErrorCode::invalid_argument, "rsa: the key is not an RSA key");
  }
  return {};
}

// DecodePublicDer accepts SubjectPublicKeyInfo or PKCS#1 RSAPublicKey, the
// whole input and nothing else.
Result<UniquePtr<EVP_PKEY>> DecodePublicDer(std::span<const uint8_t> der, bool spki, bool pkcs1) {
  const unsigned char* const end = der.data() + der.size();
  const long len = static_cast<long>(der.size());
  if (spki) {
    const unsigned char* p = der.data();
    UniquePtr<EVP_PKEY> pkey(d2i_PUBKEY(nullptr, &p, len));
    if (pkey && p == end) return pkey;
  }
  if (pkcs1) {
    const unsigned char* p = der.data();
    UniquePtr<EVP_PKEY> pkey(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len));
    if (pkey && p == end) return pkey;
  }
  ClearOpenSslErrors();
  return MakeError(ErrorCode::invalid_argument,
                   "rsa: not a DER SubjectPublicKeyInfo or PKCS#1 RSA public key");
}

// DecodePrivateDer accepts PKCS#8 PrivateKeyInfo or PKCS#1 RSAPrivateKey.
Result<UniquePtr<EVP_PKEY>> DecodePrivateDer(std::span<const uint8_t> der, bool pkcs8, bool pkcs1) {
  const unsigned char* const end = der.data() + der.size();
  const long len = static_cast<long>(der.size());
  if (pkcs8) {
    const unsigned char* p = der.data();
    UniquePtr<PKCS8_PRIV_KEY_INFO> p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, len));
    if (p8 && p == end) {
      UniquePtr<EVP_PKEY> pkey(EVP_PKCS82PKEY(p8.get()));
      if (pkey) return pkey;
    }
  }
  if (pkcs1) {
    const unsigned char* p = der.data();
    UniquePtr<EVP_PKEY> pkey(d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, len));
    if (pkey && p == end) return pkey;
  }
  ClearOpenSslErrors();
  return MakeError(ErrorCode::invalid_argument, "rsa: not a DER PKCS#8 or PKCS#1 RSA private key");
}

}  // namespace

std::string_view RsaPaddingName(RsaPadding padding) noexcept {
  switch (padding) {
    case RsaPadding::pkcs1_v15:
      return "pkcs1-v1.5";
    case RsaPadding::oaep_sha1:
      return "oaep-sha1";
    case RsaPadding::oaep_sha256:
      return "oaep-sha256";
    case RsaPadding::oaep_sha384:
      return "oaep-sha384";
    case RsaPadding::oaep_sha512:
      return "oaep-sha512";
  }
  return "unknown";
}

size_t RsaMaxPlaintextSize(RsaPadding padding, size_t modulus_size) noexcept {
  // RFC 8017: k - 11 for PKCS#1 v1.5 (7.2.1), k - 2 hLen - 2 for OAEP (7.1.1).
  const size_t overhead = padding == RsaPadding::pkcs1_v15 ? 11 : 2 * OaepHashSize(padding) + 2;
  return modulus_size > overhead ? modulus_size - overhead : 0;
}

// ---- RsaPublicKey -----------------------------------------------------------

Result<RsaPublicKey> RsaPublicKey::FromPem(std::string_view pem) {
  PemBlock block;
  ENVELOPE_RETURN_IF_ERROR(ReadPem(pem, block));
  const std::string_view name(block.name.get());
  if (name != "PUBLIC KEY" && name != "RSA PUBLIC KEY") {
    return MakeError(ErrorCode::invalid_argument,
                     "rsa: expected a PEM \"PUBLIC KEY\" or \"RSA PUBLIC KEY\", got \"" +
                         std::string(name) + "\"");
  }
  auto pkey = DecodePublicDer(block.der(), name == "PUBLIC KEY", name == "RSA PUBLIC KEY");
  ENVELOPE_RETURN_IF_ERROR(pkey);
  ENVELOPE_RETURN_IF_ERROR(CheckRsa(pkey->get()));
  return RsaPublicKey(std::move(*pkey));
}

Result<RsaPublicKey> RsaPublicKey::FromDer(std::span<const uint8_t> der) {
  auto pkey = DecodePublicDer(der, true, true);
  ENVELOPE_RETURN_IF_ERROR(pkey);
  ENVELOPE_RETURN_IF_ERROR(CheckRsa(pkey->get()));
  return RsaPublicKey(std::move(*pkey));
}

size_t RsaPublicKey::modulus_size() const noexcept {
  return pkey_ == nullptr ? 0 : static_cast<size_t>(EVP_PKEY_get_size(pkey_.get()));
}

size_t RsaPublicKey::modulus_bits() const noexcept {
  return pkey_ == nullptr ? 0 : static_cast<size_t>(EVP_PKEY_get_bits(pkey_.get()));
}

Result<std::vector<uint8_t>> RsaPublicKey::Encrypt(RsaPadding padding,
                                                   std::span<const uint8_t> plaintext,
                                                   std::span<const uint8_t> oaep_label) const {
  if (pkey_ == nullptr) return MakeError(ErrorCode::invalid_argument, "rsa: moved-from key");
  ENVELOPE_RETURN_IF_ERROR(CheckLabel(padding, oaep_label));
  if (modulus_bits() < kRsaMinEncryptBits) {
    return MakeError(ErrorCode::invalid_argument,
                     "rsa: refusing to encrypt to a " + std::to_string(modulus_bits()) +
                         "-bit key; RSA keys must have at least 2048 bits");
  }
  const size_t max = RsaMaxPlaintextSize(padding, modulus_size());
  if (plaintext.size() > max) {
    return MakeError(ErrorCode::invalid_argument,
                     "rsa: " + std::to_string(plaintext.size()) + " bytes do not fit " +
                         std::string(RsaPaddingName(padding)) + " with a " +
                         std::to_string(modulus_bits()) + "-bit key (at most " +
                         std::to_string(max) + ")");
  }
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 || !SetPadding(ctx.get(), padding) ||
      !SetLabel(ctx.get(), oaep_label) ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1) {
    return OpenSslError(ErrorCode::internal, "rsa: encryption setup failed");
  }
  std::vector<uint8_t> out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1) {
    return OpenSslError(ErrorCode::internal, "rsa: encryption failed");
  }
  out.resize(len);
  return out;
}

Result<std::vector<uint8_t>> RsaPublicKey::DerSubjectPublicKeyInfo() const {
  if (pkey_ == nullptr) return MakeError(ErrorCode::invalid_argument, "rsa: moved-from key");
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(pkey_.get(), &der);
  const OsslBytes owned_der(der);
  if (n <= 0) return OpenSslError(ErrorCode::internal, "rsa: encoding the public key failed");
  std::vector<uint8_t> out(der, der + n);
  return out;
}

// ---- RsaPrivateKey ----------------------------------------------------------

Result<RsaPrivateKey> RsaPrivateKey::FromPem(std::string_view pem) {
  PemBlock block;
  ENVELOPE_RETURN_IF_ERROR(ReadPem(pem, block));
  const std::string_view name(block.name.get());
  if (name == "ENCRYPTED PRIVATE KEY") {
    return MakeError(ErrorCode::unsupported,
                     "rsa: encrypted PKCS#8 keys are not supported; decrypt the key first");
  }
  if (name != "PRIVATE KEY" && name != "RSA PRIVATE KEY") {
    return MakeError(ErrorCode::invalid_argument,
                     "rsa: expected a PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\", got \"" +
                         std::string(name) + "\"");
  }
  auto pkey = DecodePrivateDer(block.der(), name == "PRIVATE KEY", name == "RSA PRIVATE KEY");
  ENVELOPE_RETURN_IF_ERROR(pkey);
  ENVELOPE_RETURN_IF_ERROR(CheckRsa(pkey->get()));
  return RsaPrivateKey(std::move(*pkey));
}

Result<RsaPrivateKey> RsaPrivateKey::FromDer(std::span<const uint8_t> der) {
  auto pkey = DecodePrivateDer(der, true, true);
  ENVELOPE_RETURN_IF_ERROR(pkey);
  ENVELOPE_RETURN_IF_ERROR(CheckRsa(pkey->get()));
  return RsaPrivateKey(std::move(*pkey));
}

size_t RsaPrivateKey::modulus_size() const noexcept {
  return pkey_ == nullptr ? 0 : static_cast<size_t>(EVP_PKEY_get_size(pkey_.get()));
}

Result<SecretBytes> RsaPrivateKey::Decrypt(RsaPadding padding, std::span<const uint8_t> ciphertext,
                                           std::span<const uint8_t> oaep_label) const {
  if (pkey_ == nullptr) return MakeError(ErrorCode::invalid_argument, "rsa: moved-from key");
  ENVELOPE_RETURN_IF_ERROR(CheckLabel(padding, oaep_label));
  const size_t k = modulus_size();
  // A ciphertext of another length is as wrong as a bad padding: same answer.
  if (ciphertext.size() != k) {
    return MakeError(ErrorCode::auth_failed, kDecryptFailed);
  }
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 || !SetPadding(ctx.get(), padding) ||
      !SetLabel(ctx.get(), oaep_label)) {
    return OpenSslError(ErrorCode::internal, "rsa: decryption setup failed");
  }
  // Decrypt into secret memory sized for the largest possible output.
  auto buffer = SecretBytes::Allocate(k);
  ENVELOPE_RETURN_IF_ERROR(buffer);
  size_t len = buffer->size();
  if (EVP_PKEY_decrypt(ctx.get(), buffer->data(), &len, ciphertext.data(), ciphertext.size()) !=
          1 ||
      len > k) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::auth_failed, kDecryptFailed);
  }
  return SecretBytes::CopyFrom(buffer->span().first(len));
}

Result<RsaPublicKey> RsaPrivateKey::PublicKey() const {
  if (pkey_ == nullptr) return MakeError(ErrorCode::invalid_argument, "rsa: moved-from key");
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(pkey_.get(), &der);
  const OsslBytes owned_der(der);
  if (n <= 0) return OpenSslError(ErrorCode::internal, "rsa: encoding the public key failed");
  auto pub = RsaPublicKey::FromDer({der, static_cast<size_t>(n)});
  return pub;
}

}  // namespace envelope::crypto
