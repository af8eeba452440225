#include "message/suite.h"

#include <cstring>
#include <string>
#include <vector>

#include "crypto/hkdf.h"

namespace envelope::message {
namespace {

using Id = AlgorithmSuiteId;

constexpr SuiteInfo kSuites[] = {
    {Id::aes_128_gcm_iv12_tag16_no_kdf, 1, 16, Kdf::identity, SignatureAlg::none},
    {Id::aes_192_gcm_iv12_tag16_no_kdf, 1, 24, Kdf::identity, SignatureAlg::none},
    {Id::aes_256_gcm_iv12_tag16_no_kdf, 1, 32, Kdf::identity, SignatureAlg::none},
    {Id::aes_128_gcm_iv12_tag16_hkdf_sha256, 1, 16, Kdf::hkdf_sha256, SignatureAlg::none},
    {Id::aes_192_gcm_iv12_tag16_hkdf_sha256, 1, 24, Kdf::hkdf_sha256, SignatureAlg::none},
    {Id::aes_256_gcm_iv12_tag16_hkdf_sha256, 1, 32, Kdf::hkdf_sha256, SignatureAlg::none},
    {Id::aes_128_gcm_iv12_tag16_hkdf_sha256_ecdsa_p256, 1, 16, Kdf::hkdf_sha256,
     SignatureAlg::ecdsa_p256_sha256},
    {Id::aes_192_gcm_iv12_tag16_hkdf_sha384_ecdsa_p384, 1, 24, Kdf::hkdf_sha384,
     SignatureAlg::ecdsa_p384_sha384},
    {Id::aes_256_gcm_iv12_tag16_hkdf_sha384_ecdsa_p384, 1, 32, Kdf::hkdf_sha384,
     SignatureAlg::ecdsa_p384_sha384},
    {Id::aes_256_gcm_hkdf_sha512_commit_key, 2, 32, Kdf::hkdf_sha512_commit, SignatureAlg::none},
    {Id::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384, 2, 32, Kdf::hkdf_sha512_commit,
     SignatureAlg::ecdsa_p384_sha384},
};

std::string Hex16(uint16_t v) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s += kDigits[(v >> shift) & 15];
  return s;
}

}  // namespace

size_t SuiteInfo::digest_size() const {
  switch (signature) {
    case SignatureAlg::none:
      return 0;
    case SignatureAlg::ecdsa_p256_sha256:
      return 32;
    case SignatureAlg::ecdsa_p384_sha384:
      return 48;
  }
  return 0;
}

size_t SuiteInfo::public_key_size() const {
  switch (signature) {
    case SignatureAlg::none:
      return 0;
    case SignatureAlg::ecdsa_p256_sha256:
      return 33;
    case SignatureAlg::ecdsa_p384_sha384:
      return 49;
  }
  return 0;
}

const SuiteInfo* FindSuite(uint16_t id) {
  for (const SuiteInfo& s : kSuites) {
    if (static_cast<uint16_t>(s.id) == id) return &s;
  }
  return nullptr;
}

Result<void> CheckEncryptPolicy(const SuiteInfo& suite, CommitmentPolicy policy) {
  if (!suite.committing()) {
    return MakeError(ErrorCode::invalid_argument,
                     "encrypt: suite " + Hex16(static_cast<uint16_t>(suite.id)) +
                         " is legacy and decrypt-only; use 0x0478 or 0x0578");
  }
  if (policy == CommitmentPolicy::forbid_encrypt_allow_decrypt) {
    return MakeError(ErrorCode::invalid_argument,
                     "encrypt: the commitment policy forbids committing suites, and only "
                     "committing suites are written");
  }
  return {};
}

Result<void> CheckDecryptPolicy(const SuiteInfo& suite, CommitmentPolicy policy) {
  if (!suite.committing() && policy == CommitmentPolicy::require_encrypt_require_decrypt) {
    return MakeError(ErrorCode::unsupported,
                     "decrypt: suite " + Hex16(static_cast<uint16_t>(suite.id)) +
                         " does not commit to its key and the commitment policy requires it; "
                         "use require_encrypt_allow_decrypt to read legacy messages");
  }
  return {};
}

Result<DerivedKeys> DeriveKeys(const SuiteInfo& suite, std::span<const uint8_t> data_key,
                               std::span<const uint8_t> message_id) {
  if (data_key.size() != suite.key_size) {
    return MakeError(ErrorCode::invalid_argument,
                     "message: data key has " + std::to_string(data_key.size()) +
                         " bytes, the suite needs " + std::to_string(suite.key_size));
  }
  if (message_id.size() != suite.message_id_size()) {
    return MakeError(ErrorCode::invalid_argument, "message: message id has the wrong size");
  }
  auto key = SecretBytes::Allocate(suite.key_size);
  ENVELOPE_RETURN_IF_ERROR(key);
  DerivedKeys out{std::move(*key), {}};
  const uint16_t id = static_cast<uint16_t>(suite.id);
  const uint8_t id_bytes[2] = {uint8_t(id >> 8), uint8_t(id)};
  switch (suite.kdf) {
    case Kdf::identity:
      std::memcpy(out.encryption_key.data(), data_key.data(), data_key.size());
      return out;
    case Kdf::hkdf_sha256:
    case Kdf::hkdf_sha384: {
      std::vector<uint8_t> info(id_bytes, id_bytes + 2);
      info.insert(info.end(), message_id.begin(), message_id.end());
      const auto alg =
          suite.kdf == Kdf::hkdf_sha256 ? crypto::HashAlg::sha256 : crypto::HashAlg::sha384;
      if (auto r = crypto::Hkdf(alg, {}, data_key, info, out.encryption_key.span()); !r) {
        return tl::unexpected(r.error());
      }
      return out;
    }
    case Kdf::hkdf_sha512_commit: {
      auto prk = crypto::HkdfSha512Extract(message_id, data_key);
      ENVELOPE_RETURN_IF_ERROR(prk);
      static constexpr char kDeriveKey[] = "DERIVEKEY";
      static constexpr char kCommitKey[] = "COMMITKEY";
      std::vector<uint8_t> info(id_bytes, id_bytes + 2);
      info.insert(info.end(), kDeriveKey, kDeriveKey + 9);
      ENVELOPE_RETURN_IF_ERROR(
          crypto::HkdfSha512Expand(prk->span(), info, out.encryption_key.span()));
      auto commit = SecretBytes::Allocate(kCommitKeySize);
      ENVELOPE_RETURN_IF_ERROR(commit);
      const std::span<const uint8_t> commit_info(reinterpret_cast<const uint8_t*>(kCommitKey), 9);
      ENVELOPE_RETURN_IF_ERROR(crypto::HkdfSha512Expand(prk->span(), commit_info, commit->span()));
      out.commit_key = std::move(*commit);
      return out;
    }
  }
  return MakeError(ErrorCode::internal, "message: unknown key derivation");
}

}  // namespace envelope::message
