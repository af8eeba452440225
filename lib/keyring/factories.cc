// The public constructors of keyring.hpp: validate, then build.
#include "crypto/utf8.h"
#include "envelope/keyring.hpp"
#include "keyring/default_cmm.h"
#include "keyring/multi_keyring.h"
#include "keyring/raw_aes_keyring.h"
#include "keyring/raw_rsa_keyring.h"

namespace envelope {
namespace {

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, std::move(what));
}

Result<void> CheckNames(std::string_view keyring, std::string_view key_namespace,
                        std::string_view key_name) {
  if (key_namespace.empty() || key_name.empty()) {
    return Bad(std::string(keyring) + ": key namespace and key name must not be empty");
  }
  if (key_namespace.size() > 0xffff || key_name.size() > 0xffff - 20) {
    return Bad(std::string(keyring) + ": key namespace or name is too long");
  }
  // The ESDK writes both as UTF-8 (the provider id and the start of the
  // provider info); other implementations reject anything else.
  if (auto ok = crypto::CheckUtf8(key_namespace, std::string(keyring) + ": key namespace"); !ok) {
    return ok;
  }
  if (auto ok = crypto::CheckUtf8(key_name, std::string(keyring) + ": key name"); !ok) return ok;
  if (key_namespace.starts_with("aws-kms")) {
    return Bad(std::string(keyring) + ": namespaces starting with aws-kms are reserved");
  }
  return {};
}

crypto::RsaPadding ToCrypto(RsaPadding padding) {
  switch (padding) {
    case RsaPadding::pkcs1_v15:
      return crypto::RsaPadding::pkcs1_v15;
    case RsaPadding::oaep_sha1:
      return crypto::RsaPadding::oaep_sha1;
    case RsaPadding::oaep_sha256:
      return crypto::RsaPadding::oaep_sha256;
    case RsaPadding::oaep_sha384:
      return crypto::RsaPadding::oaep_sha384;
    case RsaPadding::oaep_sha512:
      return crypto::RsaPadding::oaep_sha512;
  }
  return crypto::RsaPadding::oaep_sha256;
}

}  // namespace

Result<std::shared_ptr<const Keyring>> NewRawAesKeyring(std::string_view key_namespace,
                                                        std::string_view key_name,
                                                        KeyView wrapping_key_view) {
  ENVELOPE_RETURN_IF_ERROR(CheckNames("raw aes keyring", key_namespace, key_name));
  const std::span<const uint8_t> wrapping_key = wrapping_key_view.bytes();
  if (wrapping_key.size() != 16 && wrapping_key.size() != 24 && wrapping_key.size() != 32) {
    return Bad("raw aes keyring: the wrapping key must be 16, 24 or 32 bytes, got " +
               std::to_string(wrapping_key.size()));
  }
  auto key = SecretBytes::CopyFrom(wrapping_key);
  ENVELOPE_RETURN_IF_ERROR(key);
  return std::make_shared<const keyring::RawAesKeyring>(std::string(key_namespace),
                                                        std::string(key_name), std::move(*key));
}

Result<std::shared_ptr<const Keyring>> NewRawRsaKeyring(std::string_view key_namespace,
                                                        std::string_view key_name,
                                                        RsaPadding padding,
                                                        std::string_view public_key_pem,
                                                        std::string_view private_key_pem) {
  ENVELOPE_RETURN_IF_ERROR(CheckNames("raw rsa keyring", key_namespace, key_name));
  if (public_key_pem.empty() && private_key_pem.empty()) {
    return Bad("raw rsa keyring: give a public key, a private key or both");
  }
  std::optional<crypto::RsaPrivateKey> private_key;
  std::optional<crypto::RsaPublicKey> public_key;
  if (!private_key_pem.empty()) {
    auto key = crypto::RsaPrivateKey::FromPem(private_key_pem);
    if (!key) return tl::unexpected(key.error().WithContext("raw rsa keyring: private key"));
    private_key.emplace(std::move(*key));
  }
  if (!public_key_pem.empty()) {
    auto key = crypto::RsaPublicKey::FromPem(public_key_pem);
    if (!key) return tl::unexpected(key.error().WithContext("raw rsa keyring: public key"));
    public_key.emplace(std::move(*key));
  } else {
    auto key = private_key->PublicKey();
    ENVELOPE_RETURN_IF_ERROR(key);
    public_key.emplace(std::move(*key));
  }
  return std::make_shared<const keyring::RawRsaKeyring>(
      std::string(key_namespace), std::string(key_name), ToCrypto(padding), std::move(public_key),
      std::move(private_key));
}

Result<std::shared_ptr<const Keyring>> NewMultiKeyring(
    std::shared_ptr<const Keyring> generator,
    std::vector<std::shared_ptr<const Keyring>> children) {
  if (!generator && children.empty()) return Bad("multi-keyring: no keyrings given");
  for (const auto& child : children) {
    if (!child) return Bad("multi-keyring: a child keyring is null");
  }
  return std::make_shared<const keyring::MultiKeyring>(std::move(generator), std::move(children));
}

Result<std::shared_ptr<const CryptoMaterialsManager>> NewDefaultCmm(
    std::shared_ptr<const Keyring> keyring) {
  if (!keyring) return Bad("default cmm: the keyring is null");
  return std::make_shared<const keyring::DefaultCmm>(std::move(keyring));
}

Result<std::shared_ptr<const CryptoMaterialsManager>> NewRequiredEncryptionContextCmm(
    std::shared_ptr<const CryptoMaterialsManager> underlying,
    std::vector<std::string> required_keys) {
  if (!underlying) return Bad("required encryption context cmm: the underlying cmm is null");
  if (required_keys.empty()) return Bad("required encryption context cmm: no required keys");
  for (const std::string& key : required_keys) {
    if (key.starts_with(kReservedContextPrefix)) {
      return Bad("required encryption context cmm: key '" + key + "' is reserved");
    }
  }
  return std::make_shared<const keyring::RequiredContextCmm>(std::move(underlying),
                                                             std::move(required_keys));
}

}  // namespace envelope
