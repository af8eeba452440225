// envelope: keyrings whose data keys are wrapped by a key management
// service (SSE-KMS and SSE-S3), through the small KmsClient interface.
//
// The keyring layer does not know which service it talks to: the local KMS
// (envelope::kms::NewKmsClient in envelope/kms.hpp adapts envelope::kms::Kms), and later AWS
// KMS or an HSM, implement KmsClient with the shapes of the AWS KMS calls.
//
//   auto client = envelope::kms::NewKmsClient(kms);  // the local KMS, a shared_ptr<Kms>
//   ENVELOPE_ASSIGN_OR_RETURN(auto keyring, envelope::NewKmsKeyring(client, "alias/app"));
//   ENVELOPE_ASSIGN_OR_RETURN(auto message,
//                             envelope::Encrypt(plaintext, *keyring, {.context = ctx}));
//
// EDK written for a data key:
//
//   provider id   = "envelope-kms"
//   provider info = +--------------------------------------------------+
//                   | key id: the key's UUID, text (36 bytes); aliases |
//                   | are resolved to it when the message is encrypted |
//                   +--------------------------------------------------+
//   ciphertext    = the KMS ciphertext blob of the data key, made with
//                   the materials' encryption context as the KMS context
//
// The encryption context is bound by the KMS itself (it is the AAD of the
// blob), so an EDK only opens under the context it was made for.
#ifndef ENVELOPE_KMS_KEYRING_HPP_
#define ENVELOPE_KMS_KEYRING_HPP_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/keyring.hpp"
#include "envelope/materials.hpp"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// kKmsProviderId is the EDK provider id of the KMS keyring.
inline constexpr std::string_view kKmsProviderId = "envelope-kms";

// KmsDataKey is what KmsClient::GenerateDataKey returns: a 256-bit data key
// in secret memory, its ciphertext blob, and the id of the key that wrapped
// it (aliases resolved).
struct KmsDataKey {
  SecretBytes plaintext;
  std::vector<uint8_t> blob;
  std::string key_id;
};

// KmsWrapped is a ciphertext blob and the id of the key that made it.
struct KmsWrapped {
  std::vector<uint8_t> blob;
  std::string key_id;
};

// KmsUnwrapped is a plaintext in secret memory and the key that opened it.
struct KmsUnwrapped {
  SecretBytes plaintext;
  std::string key_id;
};

// KmsClient is the part of a key management service the keyrings need.
// Implementations must be safe to call from several threads, and must keep
// the service's error codes: `not_found` for unknown or deleted keys,
// `key_state` for disabled or pending-deletion keys, `auth_failed` for a
// blob or context that does not verify.
class KmsClient {
 public:
  virtual ~KmsClient() = default;

  // GenerateDataKey returns a fresh 256-bit data key wrapped under the
  // newest version of `key` (key id or alias), bound to `context`.
  [[nodiscard]] virtual Result<KmsDataKey> GenerateDataKey(std::string_view key,
                                                           const EncryptionContext& context) = 0;

  // Encrypt wraps `plaintext` (at most 4096 bytes) under `key`, bound to
  // `context`.
  [[nodiscard]] virtual Result<KmsWrapped> Encrypt(std::string_view key,
                                                   std::span<const uint8_t> plaintext,
                                                   const EncryptionContext& context) = 0;

  // Decrypt opens `blob` under `context`. When `expected_key` is not empty
  // and the blob was made by another key it fails (`invalid_argument`)
  // without decrypting.
  [[nodiscard]] virtual Result<KmsUnwrapped> Decrypt(std::span<const uint8_t> blob,
                                                     const EncryptionContext& context,
                                                     std::string_view expected_key) = 0;

  // ReEncrypt opens `blob` under `source_context` and wraps the same
  // plaintext under the newest version of `destination_key` with
  // `destination_context`, inside the service: the caller never sees it.
  [[nodiscard]] virtual Result<KmsWrapped> ReEncrypt(
      std::span<const uint8_t> blob, const EncryptionContext& source_context,
      std::string_view destination_key, const EncryptionContext& destination_context) = 0;
};

// NewKmsKeyring returns a keyring that wraps data keys under KMS key `key`
// (a key id or an alias; an alias is resolved to the key's id when a
// message is encrypted, and that id is what the EDK records). On encrypt it
// asks GenerateDataKey when it is the first keyring, else Encrypt. On
// decrypt it tries only `envelope-kms` EDKs whose recorded key id is the
// key `key` names now, asking the KMS to check that the blob was made by
// that key. KMS errors keep their code: a disabled or pending-deletion key
// is `key_state`, an unknown or deleted key `not_found`, and only a blob
// that does not open is `auth_failed`. Fails with `invalid_argument` for a
// null client or an empty key.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewKmsKeyring(
    std::shared_ptr<KmsClient> client, std::string_view key);

// NewKmsDiscoveryKeyring returns a decrypt-only KMS keyring: it tries every
// `envelope-kms` EDK of a message, whatever key made it (the KMS still
// checks the blob was made by the key its EDK names). Encrypting with it
// fails with `invalid_argument`. Fails for a null client.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewKmsDiscoveryKeyring(
    std::shared_ptr<KmsClient> client);

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_KMS_KEYRING_HPP_
