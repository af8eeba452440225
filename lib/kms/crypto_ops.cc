// Kms: the cryptographic operations (Encrypt, Decrypt, GenerateDataKey,
// GenerateDataKeyWithoutPlaintext, ReEncrypt) over ciphertext_blob.h.
#include "kms/ciphertext_blob.h"
#include "kms/kms_impl.h"

namespace envelope::kms {

using internal::KeyRecord;

namespace {

// EncryptUnder seals `plaintext` under the newest version of `key`.
Result<Ciphertext> EncryptUnder(const KeyRecord& key, std::span<const uint8_t> plaintext,
                                const EncryptionContext& context) {
  ENVELOPE_RETURN_IF_ERROR(internal::RequireUsable(key));
  const auto& version = key.versions.back();
  auto blob = internal::SealBlob(key.id, version.version, version.material(), plaintext, context);
  ENVELOPE_RETURN_IF_ERROR(blob);
  return Ciphertext{std::move(*blob), internal::FormatKeyId(key.id), version.version};
}

// ResolveForUse finds `key`, records it on the audit line and checks it may
// encrypt.
Result<const KeyRecord*> ResolveForUse(Txn& txn, std::string_view key) {
  auto k = internal::ResolveKey(txn.state, key);
  if (!k) {
    txn.event.request["key"] = std::string(key);
    return tl::unexpected(k.error());
  }
  txn.event.key_id = internal::FormatKeyId((*k)->id);
  txn.event.key_version = (*k)->versions.back().version;
  if (auto ok =
          internal::AuthorizeKey(txn, **k, key, "kms:" + txn.event.operation, txn.event.context);
      !ok) {
    return tl::unexpected(ok.error());
  }
  return *k;
}

// DecryptBlob opens `blob`, recording the key it names on the audit line.
Result<Plaintext> DecryptBlob(Txn& txn, std::span<const uint8_t> blob,
                              const EncryptionContext& context, std::string_view expected_key) {
  auto view = internal::ParseBlob(blob);
  ENVELOPE_RETURN_IF_ERROR(view);
  const std::string id = internal::FormatKeyId(view->key_id);
  txn.event.key_id = id;
  txn.event.key_version = view->key_version;
  auto key = internal::ResolveKey(txn.state, id);
  ENVELOPE_RETURN_IF_ERROR(key);
  const char* action = txn.event.operation == "ReEncrypt" ? "kms:ReEncryptFrom" : "kms:Decrypt";
  ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeKey(txn, **key, expected_key, action, context));
  if (!expected_key.empty()) {
    auto expected = internal::ResolveKey(txn.state, expected_key);
    ENVELOPE_RETURN_IF_ERROR(expected);
    if (*expected != *key) {
      return MakeError(ErrorCode::invalid_argument,
                       "IncorrectKeyException: the ciphertext was encrypted under key " + id +
                           ", not under " + std::string(expected_key));
    }
  }
  ENVELOPE_RETURN_IF_ERROR(internal::RequireUsable(**key));
  if (view->key_version > (*key)->versions.size()) {
    return MakeError(ErrorCode::auth_failed, "InvalidCiphertextException: key " + id +
                                                 " has no version " +
                                                 std::to_string(view->key_version));
  }
  const auto& version = (*key)->versions[view->key_version - 1];
  auto plaintext = internal::OpenBlob(*view, version.material(), context);
  ENVELOPE_RETURN_IF_ERROR(plaintext);
  return Plaintext{std::move(*plaintext), id, view->key_version};
}

}  // namespace

Result<Ciphertext> Kms::Encrypt(std::string_view key, std::span<const uint8_t> plaintext,
                                const EncryptionContext& context) {
  return impl_->RunRead("Encrypt", [&](Txn& txn) -> Result<Ciphertext> {
    txn.event.context = context;
    txn.event.request["plaintext_length"] = std::to_string(plaintext.size());
    ENVELOPE_RETURN_IF_ERROR(internal::ValidateContext(context));
    auto k = ResolveForUse(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    return EncryptUnder(**k, plaintext, context);
  });
}

Result<Plaintext> Kms::Decrypt(std::span<const uint8_t> blob, const EncryptionContext& context,
                               std::string_view expected_key) {
  return impl_->RunRead("Decrypt", [&](Txn& txn) -> Result<Plaintext> {
    txn.event.context = context;
    ENVELOPE_RETURN_IF_ERROR(internal::ValidateContext(context));
    // All text first, so bad text is `invalid_argument` whatever the blob.
    ENVELOPE_RETURN_IF_ERROR(internal::ValidateText(expected_key, "key id or alias"));
    return DecryptBlob(txn, blob, context, expected_key);
  });
}

Result<DataKey> Kms::GenerateDataKey(std::string_view key, const EncryptionContext& context) {
  return impl_->RunRead("GenerateDataKey", [&](Txn& txn) -> Result<DataKey> {
    txn.event.context = context;
    txn.event.request["key_spec"] = "AES_256";
    ENVELOPE_RETURN_IF_ERROR(internal::ValidateContext(context));
    auto k = ResolveForUse(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    auto data_key = SecretBytes::Random(kDataKeySize);
    ENVELOPE_RETURN_IF_ERROR(data_key);
    auto ct = EncryptUnder(**k, data_key->span(), context);
    ENVELOPE_RETURN_IF_ERROR(ct);
    return DataKey{std::move(*data_key), std::move(*ct)};
  });
}

Result<Ciphertext> Kms::GenerateDataKeyWithoutPlaintext(std::string_view key,
                                                        const EncryptionContext& context) {
  return impl_->RunRead("GenerateDataKeyWithoutPlaintext", [&](Txn& txn) -> Result<Ciphertext> {
    txn.event.context = context;
    txn.event.request["key_spec"] = "AES_256";
    ENVELOPE_RETURN_IF_ERROR(internal::ValidateContext(context));
    auto k = ResolveForUse(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    auto data_key = SecretBytes::Random(kDataKeySize);
    ENVELOPE_RETURN_IF_ERROR(data_key);
    return EncryptUnder(**k, data_key->span(), context);
  });
}

Result<ReEncrypted> Kms::ReEncrypt(std::span<const uint8_t> blob,
                                   const EncryptionContext& source_context,
                                   std::string_view destination_key,
                                   const EncryptionContext& destination_context,
                                   std::string_view source_key) {
  return impl_->RunRead("ReEncrypt", [&](Txn& txn) -> Result<ReEncrypted> {
    txn.event.context = source_context;
    txn.event.request["destination_key"] = std::string(destination_key);
    ENVELOPE_RETURN_IF_ERROR(
        internal::ValidateContext(source_context, "source encryption context"));
    if (auto ok = internal::ValidateContext(destination_context, "destination encryption context");
        !ok) {
      return tl::unexpected(ok.error());
    }
    ENVELOPE_RETURN_IF_ERROR(internal::ValidateText(destination_key, "key id or alias"));
    auto plain = DecryptBlob(txn, blob, source_context, source_key);
    ENVELOPE_RETURN_IF_ERROR(plain);
    txn.event.request["source_key_version"] = std::to_string(plain->key_version);
    auto dest = internal::ResolveKey(txn.state, destination_key);
    ENVELOPE_RETURN_IF_ERROR(dest);
    if (auto ok = internal::AuthorizeKey(txn, **dest, destination_key, "kms:ReEncryptTo",
                                         destination_context);
        !ok) {
      return tl::unexpected(ok.error());
    }
    txn.event.request["destination_key_id"] = internal::FormatKeyId((*dest)->id);
    for (const auto& [k, v] : destination_context) {
      txn.event.request["destination_context." + k] = v;
    }
    auto ct = EncryptUnder(**dest, plain->plaintext.span(), destination_context);
    ENVELOPE_RETURN_IF_ERROR(ct);
    txn.event.request["destination_key_version"] = std::to_string(ct->key_version);
    return ReEncrypted{std::move(*ct), plain->key_id, plain->key_version};
  });
}

}  // namespace envelope::kms
