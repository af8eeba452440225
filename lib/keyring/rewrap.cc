// The public rewrap entry points (include/envelope/rewrap.hpp): a CMM that
// unwraps the old data key and an EDK maker that wraps it again, over the
// engine in lib/message (message/rewrap.h), for paths and for streams.
#include "envelope/rewrap.hpp"

#include <cctype>

#include "keyring/default_cmm.h"
#include "keyring/kms_keyring.h"
#include "message/rewrap.h"

namespace envelope {
namespace {

// Borrow views a caller-owned keyring as the shared_ptr a CMM takes.
std::shared_ptr<const Keyring> Borrow(const Keyring& keyring) {
  return std::shared_ptr<const Keyring>(&keyring, [](const Keyring*) {});
}

// KeyringEdks wraps the data key with `new_keyring` alone.
message::EdkMaker KeyringEdks(const Keyring& new_keyring) {
  return [&new_keyring](const message::EdkRequest& r) -> Result<std::vector<EncryptedDataKey>> {
    EncryptionMaterials m;
    m.suite = r.old_header.suite->id;
    m.context = r.new_context;
    m.required_context_keys = r.required_keys;
    auto key = r.data_key.Clone();
    ENVELOPE_RETURN_IF_ERROR(key);
    m.data_key = std::move(*key);
    ENVELOPE_RETURN_IF_ERROR(new_keyring.OnEncrypt(m));
    if (!m.data_key.Equals(r.data_key) || m.encrypted_data_keys.empty()) {
      return MakeError(ErrorCode::internal,
                       "the new keyring replaced the data key or wrapped nothing");
    }
    return std::move(m.encrypted_data_keys);
  };
}

// NewestVersionEdks re-encrypts every KMS EDK under the newest version of
// its key and keeps the others (RewrapToNewestKeyVersion).
message::EdkMaker NewestVersionEdks(std::shared_ptr<KmsClient> client) {
  return [client](const message::EdkRequest& r) -> Result<std::vector<EncryptedDataKey>> {
    std::vector<EncryptedDataKey> out;
    size_t rotated = 0;
    for (const EncryptedDataKey& edk : r.old_header.encrypted_data_keys) {
      if (edk.provider_id != kKmsProviderId) {
        if (r.context_changed) {
          return MakeError(ErrorCode::unsupported,
                           "a signed message gets a new public key in its context, which the "
                           "'" +
                               edk.provider_id +
                               "' data key is bound to; hint: rewrap it "
                               "with RewrapMessage and a multi-keyring of every recipient");
        }
        out.push_back(edk);
        continue;
      }
      const std::string key_id(edk.provider_info.begin(), edk.provider_info.end());
      if (!keyring::IsKeyId(key_id)) {
        return MakeError(ErrorCode::invalid_argument, "a kms data key has a malformed key id");
      }
      auto re = client->ReEncrypt(edk.ciphertext, r.old_context, key_id, r.new_context);
      ENVELOPE_RETURN_IF_ERROR(re);
      EncryptedDataKey rotated_edk{edk.provider_id, {}, std::move(re->blob)};
      for (char c : re->key_id) {
        rotated_edk.provider_info.push_back(
            static_cast<uint8_t>(std::tolower(static_cast<unsigned char>(c))));
      }
      out.push_back(std::move(rotated_edk));
      ++rotated;
    }
    if (rotated == 0) {
      return MakeError(ErrorCode::not_found, "the message has no data key from the kms");
    }
    return out;
  };
}

}  // namespace

Result<RewrapResult> RewrapMessage(const std::string& input_path, const std::string& output_path,
                                   const CryptoMaterialsManager& decrypt_cmm,
                                   const Keyring& new_keyring, const RewrapOptions& options) {
  return message::RewrapMessageFile(input_path, output_path, decrypt_cmm, options,
                                    KeyringEdks(new_keyring));
}

Result<RewrapResult> RewrapMessage(const std::string& input_path, const std::string& output_path,
                                   const Keyring& decrypt_keyring, const Keyring& new_keyring,
                                   const RewrapOptions& options) {
  const keyring::DefaultCmm cmm(Borrow(decrypt_keyring));
  return RewrapMessage(input_path, output_path, cmm, new_keyring, options);
}

Result<RewrapResult> RewrapToNewestKeyVersion(const std::string& input_path,
                                              const std::string& output_path,
                                              std::shared_ptr<KmsClient> client,
                                              const RewrapOptions& options) {
  if (!client) return MakeError(ErrorCode::invalid_argument, "rewrap: the kms client is null");
  const keyring::DefaultCmm cmm(std::make_shared<const keyring::KmsKeyring>(client, ""));
  return message::RewrapMessageFile(input_path, output_path, cmm, options,
                                    NewestVersionEdks(client));
}

Result<RewrapResult> RewrapMessage(Source& input, Sink& output,
                                   const CryptoMaterialsManager& decrypt_cmm,
                                   const Keyring& new_keyring, const RewrapOptions& options) {
  return message::RewrapMessageStream(input, output, decrypt_cmm, options,
                                      KeyringEdks(new_keyring));
}

Result<RewrapResult> RewrapMessage(Source& input, Sink& output, const Keyring& decrypt_keyring,
                                   const Keyring& new_keyring, const RewrapOptions& options) {
  const keyring::DefaultCmm cmm(Borrow(decrypt_keyring));
  return RewrapMessage(input, output, cmm, new_keyring, options);
}

Result<RewrapResult> RewrapToNewestKeyVersion(Source& input, Sink& output,
                                              std::shared_ptr<KmsClient> client,
                                              const RewrapOptions& options) {
  if (!client) return MakeError(ErrorCode::invalid_argument, "rewrap: the kms client is null");
  const keyring::DefaultCmm cmm(std::make_shared<const keyring::KmsKeyring>(client, ""));
  return message::RewrapMessageStream(input, output, cmm, options, NewestVersionEdks(client));
}

}  // namespace envelope
