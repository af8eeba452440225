// Kms: access keys of the network service (CreateAccessKey, ListAccessKeys,
// SetAccessKeyActive, DeleteAccessKey, AccessKeySecret), and the caller
// that audit lines of network requests record.
//
// An access key id is "AKIA" and 16 characters of RFC 4648 base32 (A-Z,
// 2-7) from 10 random bytes, shaped like AWS's. The secret is 30 random
// bytes, kept in the keystore's material table (a 32-byte row, two zero
// bytes of padding) and handed out as 40 characters of base64.
#include <algorithm>

#include "crypto/random.h"
#include "kms/kms_impl.h"
#include "message/base64.h"

namespace envelope::kms {
namespace {

constexpr size_t kSecretBytes = 30;
constexpr size_t kSecretChars = 40;
constexpr size_t kIdChars = 20;

thread_local const RequestCaller* current_caller = nullptr;

bool ValidAccessKeyId(std::string_view id) {
  return id.size() == kIdChars && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

Result<std::string> NewAccessKeyId() {
  uint8_t random[10];
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(random));
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id = "AKIA";
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : random) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      id += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return id;
}

// SecretText encodes the 30 secret bytes of `row` as base64 straight into
// secret memory.
Result<SecretBytes> SecretText(std::span<const uint8_t> row) {
  auto text = SecretBytes::Allocate(kSecretChars);
  if (!text) return text;
  // Straight into the secret memory: no copy of the text elsewhere.
  char* out = reinterpret_cast<char*>(text->data());
  for (size_t i = 0; i < kSecretBytes; i += 3) {
    message::Base64EncodeGroup(row.subspan(i, 3), std::span<char, 4>(out + i / 3 * 4, 4));
  }
  return text;
}

Result<internal::AccessKeyRecord*> FindAccessKey(Txn& txn, std::string_view id) {
  txn.event.request["access_key_id"] = ValidAccessKeyId(id) ? std::string(id) : "(malformed)";
  auto it = ValidAccessKeyId(id) ? txn.state.access_keys.find(std::string(id))
                                 : txn.state.access_keys.end();
  if (it == txn.state.access_keys.end()) {
    return MakeError(ErrorCode::not_found, "NotFoundException: no access key with that id");
  }
  return &it->second;
}

}  // namespace

namespace internal {

const RequestCaller* CurrentRequestCaller() { return current_caller; }

void AttachCaller(AuditEvent& event) {
  if (current_caller == nullptr) return;
  event.request["caller_access_key_id"] = current_caller->access_key_id;
  event.request["source_ip"] = current_caller->source_ip;
  event.request["user_agent"] = current_caller->user_agent;
  event.request["request_id"] = current_caller->request_id;
}

}  // namespace internal

ScopedRequestCaller::ScopedRequestCaller(RequestCaller caller)
    : caller_(std::move(caller)), outer_(current_caller) {
  current_caller = &caller_;
}

ScopedRequestCaller::~ScopedRequestCaller() { current_caller = outer_; }

Result<NewAccessKey> Kms::CreateAccessKey(std::string_view user_name) {
  return impl_->Run("CreateAccessKey", [&](Txn& txn) -> Result<NewAccessKey> {
    if (!user_name.empty()) {
      txn.event.request["user_name"] = std::string(user_name);
      if (txn.state.iam.users.count(std::string(user_name)) == 0) {
        return MakeError(ErrorCode::not_found,
                         "NotFoundException: no user named " + std::string(user_name));
      }
    }
    auto id = NewAccessKeyId();
    ENVELOPE_RETURN_IF_ERROR(id);
    if (txn.state.access_keys.count(*id) == 1) {
      return MakeError(ErrorCode::internal, "kms: access key id collision; try again");
    }
    auto row = SecretBytes::Allocate(internal::kKeyMaterialSize);
    ENVELOPE_RETURN_IF_ERROR(row);
    ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(row->span().first(kSecretBytes)));
    auto secret = SecretText(row->span());
    ENVELOPE_RETURN_IF_ERROR(secret);
    internal::AccessKeyRecord record;
    record.created_ms = txn.now_ms;
    record.owned = std::move(*row);
    txn.state.access_keys.emplace(*id, std::move(record));
    if (!user_name.empty()) txn.state.iam.access_key_users[*id] = std::string(user_name);
    txn.event.request["access_key_id"] = *id;
    txn.dirty = true;
    return NewAccessKey{AccessKeyInfo{*id, true, txn.now, std::string(user_name)},
                        std::move(*secret)};
  });
}

Result<std::vector<AccessKeyInfo>> Kms::ListAccessKeys() {
  return impl_->RunRead("ListAccessKeys", [&](Txn& txn) -> Result<std::vector<AccessKeyInfo>> {
    std::vector<AccessKeyInfo> keys;
    for (const auto& [id, a] : txn.state.access_keys) {
      const auto user = txn.state.iam.access_key_users.find(id);
      keys.push_back({id, a.active, internal::FromMs(a.created_ms),
                      user == txn.state.iam.access_key_users.end() ? std::string() : user->second});
    }
    return keys;
  });
}

Result<void> Kms::SetAccessKeyActive(std::string_view access_key_id, bool active) {
  return impl_->Run(active ? "ActivateAccessKey" : "DeactivateAccessKey",
                    [&](Txn& txn) -> Result<void> {
                      auto key = FindAccessKey(txn, access_key_id);
                      ENVELOPE_RETURN_IF_ERROR(key);
                      if ((*key)->active != active) {
                        (*key)->active = active;
                        txn.dirty = true;
                      }
                      return {};
                    });
}

Result<void> Kms::DeleteAccessKey(std::string_view access_key_id) {
  return impl_->Run("DeleteAccessKey", [&](Txn& txn) -> Result<void> {
    auto key = FindAccessKey(txn, access_key_id);
    ENVELOPE_RETURN_IF_ERROR(key);
    txn.state.access_keys.erase(std::string(access_key_id));
    txn.state.iam.access_key_users.erase(std::string(access_key_id));
    txn.dirty = true;
    return {};
  });
}

Result<SecretBytes> Kms::AccessKeySecret(std::string_view access_key_id) {
  return impl_->RunRead("", [&](Txn& txn) -> Result<SecretBytes> {
    auto key = FindAccessKey(txn, access_key_id);
    ENVELOPE_RETURN_IF_ERROR(key);
    if (!(*key)->active) {
      return MakeError(ErrorCode::not_found, "NotFoundException: the access key is inactive");
    }
    return SecretText((*key)->secret());
  });
}

Result<void> Kms::AuditRefusedRequest(std::string_view operation, const Error& error) {
  auto recorded =
      impl_->RunRead(operation, [&](Txn&) -> Result<void> { return tl::unexpected(error); });
  if (!recorded && recorded.error() == error) return {};
  return recorded;
}

}  // namespace envelope::kms
