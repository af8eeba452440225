#include "keyring/passphrase_keyring.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "crypto/aes_gcm.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "keyring/keyring_util.h"
#include "message/context_codec.h"
#include "message/wire.h"

namespace envelope::keyring {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kSaltSize = crypto::kArgon2idSaltSize;
constexpr size_t kIvSize = crypto::kGcmIvSize;
constexpr size_t kInfoSize = 1 + 4 + 4 + kSaltSize + kIvSize;
constexpr size_t kWrapKeySize = 32;

// Candidate is a passphrase EDK of the expected shape, parsed.
struct Candidate {
  const EncryptedDataKey* edk;
  crypto::Argon2idParams params;
  std::span<const uint8_t> salt, iv;
  uint64_t cost;
};

}  // namespace

Result<void> PassphraseKeyring::OnEncrypt(EncryptionMaterials& materials) const {
  ENVELOPE_ASSIGN_OR_RETURN(auto data_key, DataKeyToWrap::For(materials, "passphrase"));
  auto aad = message::SerializeContext(materials.context);
  ENVELOPE_RETURN_IF_ERROR(aad);
  uint8_t salt[kSaltSize], iv[kIvSize];
  if (auto r = crypto::RandomBytes(salt); !r) return r;
  if (auto r = crypto::RandomBytes(iv); !r) return r;
  auto wrap_key = crypto::Argon2idDeriveKey(
      passphrase_.span(), salt, {.ops = options_.passes, .mem_kib = options_.memory_kib},
      kWrapKeySize);
  if (!wrap_key) return tl::unexpected(wrap_key.error().WithContext("passphrase"));
  EncryptedDataKey edk;
  edk.provider_id = std::string(kPassphraseProviderId);
  edk.provider_info.push_back(kVersion);
  message::AppendUint(edk.provider_info, options_.passes, 4);
  message::AppendUint(edk.provider_info, options_.memory_kib, 4);
  message::AppendBytes(edk.provider_info, salt);
  message::AppendBytes(edk.provider_info, iv);
  edk.ciphertext.resize(data_key.key().size() + crypto::kGcmTagSize);
  if (auto r =
          crypto::AesGcmSeal(wrap_key->span(), iv, *aad, data_key.key().span(), edk.ciphertext);
      !r) {
    return r;
  }
  std::move(data_key).Commit(materials, std::move(edk));
  return {};
}

Result<void> PassphraseKeyring::OnDecrypt(DecryptionMaterials& materials,
                                          std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  auto key_size = SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  auto aad = message::SerializeContext(materials.context);
  ENVELOPE_RETURN_IF_ERROR(aad);
  std::optional<Error> over_limit;
  std::vector<Candidate> candidates;
  uint64_t total = 0;
  for (const EncryptedDataKey& edk : edks) {
    if (edk.provider_id != kPassphraseProviderId || edk.provider_info.size() != kInfoSize ||
        edk.provider_info[0] != kVersion || edk.ciphertext.size() != *key_size + 16) {
      continue;
    }
    message::Reader r{std::span(edk.provider_info).subspan(1)};
    const crypto::Argon2idParams params{.ops = *r.U32(), .mem_kib = *r.U32()};
    const auto salt = *r.Bytes(kSaltSize);
    const auto iv = *r.Bytes(kIvSize);
    if (params.ops > options_.max_passes || params.mem_kib > options_.max_memory_kib ||
        !crypto::ValidateArgon2idParams(params)) {
      over_limit =
          Error(ErrorCode::limit_exceeded,
                "passphrase: the message asks for Argon2id with " + std::to_string(params.ops) +
                    " passes over " + std::to_string(params.mem_kib) + " KiB, over the limits of " +
                    std::to_string(options_.max_passes) + " passes and " +
                    std::to_string(options_.max_memory_kib) +
                    " KiB; hint: raise max_passes/max_memory_kib if you trust it");
      continue;
    }
    const uint64_t cost = PassphraseCost(params.ops, params.mem_kib);
    total += cost;  // at most 65535 EDKs of at most 64 x 4 GiB: no overflow
    candidates.push_back({&edk, params, salt, iv, cost});
  }
  // Refuse before the first run: trying cheapest first and stopping at the
  // budget would still spend the budget on a message that is hostile.
  if (total > options_.max_message_cost) {
    return MakeError(ErrorCode::limit_exceeded,
                     "passphrase: the message's " + std::to_string(candidates.size()) +
                         " passphrase data keys ask for Argon2id work of " + std::to_string(total) +
                         " KiB x passes together, over the per-message budget of " +
                         std::to_string(options_.max_message_cost) +
                         "; hint: raise max_message_cost if you trust the message");
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.cost < b.cost; });
  for (const Candidate& c : candidates) {
    auto wrap_key = crypto::Argon2idDeriveKey(passphrase_.span(), c.salt, c.params, kWrapKeySize);
    if (!wrap_key) return tl::unexpected(wrap_key.error().WithContext("passphrase"));
    auto data_key = SecretBytes::Allocate(*key_size);
    ENVELOPE_RETURN_IF_ERROR(data_key);
    if (crypto::AesGcmOpen(wrap_key->span(), c.iv, *aad, c.edk->ciphertext, data_key->span())) {
      materials.data_key = std::move(*data_key);
      return {};
    }
  }
  if (!candidates.empty()) return MakeError(ErrorCode::auth_failed, kWrongPassphraseMessage);
  if (over_limit) return tl::unexpected(*over_limit);
  return MakeError(ErrorCode::not_found,
                   "passphrase: the message has no data key encrypted with a passphrase");
}

}  // namespace envelope::keyring

namespace envelope {

Result<std::shared_ptr<const Keyring>> NewPassphraseKeyring(std::span<const uint8_t> passphrase,
                                                            const PassphraseOptions& options) {
  if (passphrase.empty()) {
    return MakeError(ErrorCode::invalid_argument, "passphrase: the passphrase is empty");
  }
  if (auto r =
          crypto::ValidateArgon2idParams({.ops = options.passes, .mem_kib = options.memory_kib});
      !r) {
    return tl::unexpected(r.error().WithContext("passphrase"));
  }
  if (options.passes > options.max_passes || options.memory_kib > options.max_memory_kib ||
      PassphraseCost(options.passes, options.memory_kib) > options.max_message_cost) {
    return MakeError(ErrorCode::invalid_argument,
                     "passphrase: the encryption cost is above the decrypt limits, so the "
                     "messages could not be read back with these options");
  }
  auto secret = SecretBytes::CopyFrom(passphrase);
  ENVELOPE_RETURN_IF_ERROR(secret);
  return std::make_shared<const keyring::PassphraseKeyring>(std::move(*secret), options);
}

}  // namespace envelope
