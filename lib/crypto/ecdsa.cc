#include "crypto/ecdsa.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "crypto/digest.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace envelope::crypto {
namespace {

constexpr char kSignatureFailed[] = "ecdsa: signature did not verify";

tl::unexpected<Error> SignatureFailed() {
  ClearOpenSslErrors();
  return MakeError(ErrorCode::auth_failed, kSignatureFailed);
}

Result<void> CheckDigest(std::span<const uint8_t> digest) {
  if (digest.size() != kP384DigestSize) {
    return MakeError(ErrorCode::invalid_argument, "ecdsa: digest must be 48 bytes (sha-384), got " +
                                                      std::to_string(digest.size()));
  }
  return {};
}

// IsCanonicalDer reports whether `sig` is exactly the DER encoding of an
// ECDSA-Sig-Value. d2i_ECDSA_SIG accepts some BER (long-form lengths,
// padded integers); decoding and re-encoding, then comparing, leaves only
// the one canonical form. OpenSSL 3.0's own verify happens to do the same
// check; we keep ours so the property does not depend on the provider.
bool IsCanonicalDer(std::span<const uint8_t> sig) {
  if (sig.empty() || sig.size() > kP384MaxSignatureSize) return false;
  const unsigned char* p = sig.data();
  UniquePtr<ECDSA_SIG> parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  if (!parsed || p != sig.data() + sig.size()) return false;
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(parsed.get(), &der);
  const OsslBytes owned_der(der);
  const bool same = n > 0 && static_cast<size_t>(n) == sig.size() &&
                    std::memcmp(der, sig.data(), sig.size()) == 0;
  return same;
}

// EncodedPoint returns the public point of `pkey` as OpenSSL stores it
// (uncompressed unless the key was told otherwise).
Result<std::vector<uint8_t>> EncodedPoint(const EVP_PKEY* pkey) {
  if (pkey == nullptr) {
    return MakeError(ErrorCode::invalid_argument, "ecdsa: moved-from key");
  }
  std::vector<uint8_t> point(kP384UncompressedPointSize);
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                      point.size(), &len) != 1) {
    return OpenSslError(ErrorCode::internal, "ecdsa: reading the public point failed");
  }
  point.resize(len);
  return point;
}

// Compress turns a SEC1 point into its 49-byte compressed form: the prefix
// carries the parity of y (its last byte), then x.
Result<std::vector<uint8_t>> Compress(std::vector<uint8_t> point) {
  if (point.size() == kP384CompressedPointSize && (point[0] == 0x02 || point[0] == 0x03)) {
    return point;
  }
  if (point.size() != kP384UncompressedPointSize || point[0] != 0x04) {
    return MakeError(ErrorCode::internal, "ecdsa: unexpected public point encoding");
  }
  std::vector<uint8_t> out(kP384CompressedPointSize);
  out[0] = static_cast<uint8_t>(0x02 | (point.back() & 1));
  std::copy_n(point.begin() + 1, 48, out.begin() + 1);
  return out;
}

// PublicKeyIsValid runs OpenSSL's full public-key validation (on the curve,
// not infinity, correct order) on a freshly decoded key.
bool PublicKeyIsValid(EVP_PKEY* pkey) {
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

}  // namespace

// ---- EcdsaP384PrivateKey ----------------------------------------------------

Result<EcdsaP384PrivateKey> EcdsaP384PrivateKey::Generate() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  if (pkey == nullptr) {
    return OpenSslError(ErrorCode::internal, "ecdsa: key generation failed");
  }
  return EcdsaP384PrivateKey(UniquePtr<EVP_PKEY>(pkey));
}

Result<std::vector<uint8_t>> EcdsaP384PrivateKey::SignDigest(
    std::span<const uint8_t> digest48) const {
  ENVELOPE_RETURN_IF_ERROR(CheckDigest(digest48));
  if (pkey_ == nullptr) return MakeError(ErrorCode::invalid_argument, "ecdsa: moved-from key");
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha384()) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, digest48.data(), digest48.size()) != 1) {
    return OpenSslError(ErrorCode::internal, "ecdsa: signing setup failed");
  }
  std::vector<uint8_t> sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest48.data(), digest48.size()) != 1) {
    return OpenSslError(ErrorCode::internal, "ecdsa: signing failed");
  }
  sig.resize(len);
  return sig;
}

Result<std::vector<uint8_t>> EcdsaP384PrivateKey::Sign(std::span<const uint8_t> message) const {
  auto digest = Hash(HashAlg::sha384, message);
  ENVELOPE_RETURN_IF_ERROR(digest);
  return SignDigest(*digest);
}

Result<std::vector<uint8_t>> EcdsaP384PrivateKey::PublicKeyCompressed() const {
  auto point = EncodedPoint(pkey_.get());
  ENVELOPE_RETURN_IF_ERROR(point);
  return Compress(std::move(*point));
}

Result<EcdsaP384PublicKey> EcdsaP384PrivateKey::PublicKey() const {
  auto point = EncodedPoint(pkey_.get());
  ENVELOPE_RETURN_IF_ERROR(point);
  return EcdsaP384PublicKey::FromEncodedPoint(*point);
}

// ---- EcdsaP384PublicKey -----------------------------------------------------

Result<EcdsaP384PublicKey> EcdsaP384PublicKey::FromCompressed(std::span<const uint8_t> point) {
  if (point.size() != kP384CompressedPointSize || (point[0] != 0x02 && point[0] != 0x03)) {
    return MakeError(ErrorCode::invalid_argument,
                     "ecdsa: a compressed p-384 point is 49 bytes starting 0x02 or 0x03, got " +
                         std::to_string(point.size()) + " bytes");
  }
  return FromEncodedPoint(point);
}

Result<EcdsaP384PublicKey> EcdsaP384PublicKey::FromEncodedPoint(std::span<const uint8_t> point) {
  const bool compressed =
      point.size() == kP384CompressedPointSize && (point[0] == 0x02 || point[0] == 0x03);
  const bool uncompressed = point.size() == kP384UncompressedPointSize && point[0] == 0x04;
  if (!compressed && !uncompressed) {
    return MakeError(ErrorCode::invalid_argument,
                     "ecdsa: a p-384 point is 49 bytes (0x02/0x03) or 97 bytes (0x04), got " +
                         std::to_string(point.size()) + " bytes");
  }
  char group[] = "P-384";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(point.data()),
                                        point.size()),
      OSSL_PARAM_construct_end()};
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return OpenSslError(ErrorCode::internal, "ecdsa: key import setup failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument, "ecdsa: the point is not on p-384");
  }
  UniquePtr<EVP_PKEY> pkey(raw);
  if (!PublicKeyIsValid(pkey.get())) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument, "ecdsa: the point is not a valid p-384 key");
  }
  return EcdsaP384PublicKey(std::move(pkey));
}

Result<EcdsaP384PublicKey> EcdsaP384PublicKey::FromDer(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  UniquePtr<EVP_PKEY> pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument, "ecdsa: not a DER SubjectPublicKeyInfo");
  }
  if (p != der.data() + der.size()) {
    return MakeError(ErrorCode::invalid_argument,
                     "ecdsa: trailing bytes after the SubjectPublicKeyInfo");
  }
  char group[64] = {};
  size_t group_len = 0;
  if (!EVP_PKEY_is_a(pkey.get(), "EC") ||
      EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &group_len) != 1 ||
      std::string_view(group, group_len) != "secp384r1") {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument, "ecdsa: the key is not a p-384 ec key");
  }
  if (!PublicKeyIsValid(pkey.get())) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument, "ecdsa: the point is not a valid p-384 key");
  }
  return EcdsaP384PublicKey(std::move(pkey));
}

Result<void> EcdsaP384PublicKey::VerifyDigest(std::span<const uint8_t> digest48,
                                              std::span<const uint8_t> der_sig) const {
  if (auto ok = CheckDigest(digest48); !ok) return ok;
  if (pkey_ == nullptr) return MakeError(ErrorCode::invalid_argument, "ecdsa: moved-from key");
  if (!IsCanonicalDer(der_sig)) return SignatureFailed();
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha384()) != 1) {
    return OpenSslError(ErrorCode::internal, "ecdsa: verification setup failed");
  }
  // 1 is a good signature; 0 a bad one; negative a malformed one (r or s
  // out of range). All but 1 are the same answer to the caller.
  if (EVP_PKEY_verify(ctx.get(), der_sig.data(), der_sig.size(), digest48.data(),
                      digest48.size()) != 1) {
    return SignatureFailed();
  }
  return {};
}

Result<void> EcdsaP384PublicKey::Verify(std::span<const uint8_t> message,
                                        std::span<const uint8_t> der_sig) const {
  auto digest = Hash(HashAlg::sha384, message);
  ENVELOPE_RETURN_IF_ERROR(digest);
  return VerifyDigest(*digest, der_sig);
}

Result<std::vector<uint8_t>> EcdsaP384PublicKey::Compressed() const {
  auto point = EncodedPoint(pkey_.get());
  ENVELOPE_RETURN_IF_ERROR(point);
  return Compress(std::move(*point));
}

// ---- EcdsaP256PublicKey -----------------------------------------------------

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
  return EcdsaP256PublicKey(UniquePtr<EVP_PKEY>(key));
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
