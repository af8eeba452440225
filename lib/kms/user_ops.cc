// Kms: users, the principals that own access keys (CreateUser, ListUsers,
// DeleteUser, PutUserPolicy, GetUserPolicy). Only the keystore's owner
// manages them (the CLI; these operations are not on the network API).
#include <algorithm>

#include "kms/kms_impl.h"

namespace envelope::kms {
namespace {

bool ValidUserName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("+=,.@_-").find(c) != std::string_view::npos;
  });
}

bool ValidAccount(std::string_view account) {
  return account.size() == 12 &&
         std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; });
}

UserInfo Info(const KmsOptions& options, const std::string& name, const internal::UserRecord& u) {
  return UserInfo{name, u.account,
                  "arn:" + options.partition + ":iam::" + u.account + ":user/" + name,
                  internal::FromMs(u.created_ms), !u.policy.empty()};
}

Result<internal::UserRecord*> FindUser(Txn& txn, std::string_view name) {
  txn.event.request["user_name"] = ValidUserName(name) ? std::string(name) : "(malformed)";
  auto it = txn.state.iam.users.find(std::string(name));
  if (it == txn.state.iam.users.end()) {
    return MakeError(
        ErrorCode::not_found,
        "NoSuchEntity: no user named " + std::string(ValidUserName(name) ? name : "(malformed)"));
  }
  return &it->second;
}

}  // namespace

Result<UserInfo> Kms::CreateUser(std::string_view user_name, std::string_view account) {
  return impl_->Run("CreateUser", [&](Txn& txn) -> Result<UserInfo> {
    ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeAccount(txn, "iam:CreateUser"));
    if (!ValidUserName(user_name)) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: a user name is 1 to 64 of A-Z a-z 0-9 and +=,.@_-");
    }
    const std::string acct = account.empty() ? txn.options->account : std::string(account);
    if (!ValidAccount(acct)) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: an account id is 12 digits");
    }
    txn.event.request["user_name"] = std::string(user_name);
    txn.event.request["user_account"] = acct;
    if (txn.state.iam.users.count(std::string(user_name)) == 1) {
      return MakeError(ErrorCode::invalid_argument, "AlreadyExistsException: a user named " +
                                                        std::string(user_name) + " exists");
    }
    auto [it, inserted] = txn.state.iam.users.emplace(std::string(user_name),
                                                      internal::UserRecord{acct, txn.now_ms, {}});
    txn.dirty = true;
    return Info(*txn.options, it->first, it->second);
  });
}

Result<std::vector<UserInfo>> Kms::ListUsers() {
  return impl_->RunRead("ListUsers", [&](Txn& txn) -> Result<std::vector<UserInfo>> {
    ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeAccount(txn, "iam:ListUsers"));
    std::vector<UserInfo> users;
    for (const auto& [name, u] : txn.state.iam.users) users.push_back(Info(*txn.options, name, u));
    return users;
  });
}

Result<void> Kms::DeleteUser(std::string_view user_name) {
  return impl_->Run("DeleteUser", [&](Txn& txn) -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeAccount(txn, "iam:DeleteUser"));
    auto user = FindUser(txn, user_name);
    ENVELOPE_RETURN_IF_ERROR(user);
    for (const auto& [id, owner] : txn.state.iam.access_key_users) {
      if (owner == user_name) {
        return MakeError(ErrorCode::invalid_argument,
                         "DeleteConflict: user " + std::string(user_name) +
                             " still has access keys; hint: delete them first");
      }
    }
    txn.state.iam.users.erase(std::string(user_name));
    txn.dirty = true;
    return {};
  });
}

Result<void> Kms::PutUserPolicy(std::string_view user_name, std::string_view policy_text) {
  return impl_->Run("PutUserPolicy", [&](Txn& txn) -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeAccount(txn, "iam:PutUserPolicy"));
    auto user = FindUser(txn, user_name);
    ENVELOPE_RETURN_IF_ERROR(user);
    if (!policy_text.empty()) {
      auto doc = policy::ParsePolicy(policy_text, policy::PolicyKind::identity);
      ENVELOPE_RETURN_IF_ERROR(doc);
    }
    (*user)->policy = std::string(policy_text);
    txn.dirty = true;
    return {};
  });
}

Result<std::string> Kms::GetUserPolicy(std::string_view user_name) {
  return impl_->RunRead("GetUserPolicy", [&](Txn& txn) -> Result<std::string> {
    ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeAccount(txn, "iam:GetUserPolicy"));
    auto user = FindUser(txn, user_name);
    ENVELOPE_RETURN_IF_ERROR(user);
    return (*user)->policy;
  });
}

}  // namespace envelope::kms
