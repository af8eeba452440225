// Kms: grants (CreateGrant, ListGrants, RetireGrant, RevokeGrant) and the
// check iam_authorize.cc asks of them.
#include "kms/iam_grants.h"

#include <algorithm>

#include "crypto/hex.h"
#include "crypto/random.h"
#include "kms/grant_token.h"
#include "kms/kms_impl.h"

namespace envelope::kms {
namespace {

using internal::GrantRecord;

constexpr std::string_view kGrantOperations[] = {
    "CreateGrant",   "Decrypt",         "DescribeKey",
    "Encrypt",       "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom", "ReEncryptTo",     "RetireGrant"};
constexpr std::string_view kContextOperations[] = {
    "Decrypt",       "Encrypt",    "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom", "ReEncryptTo"};
constexpr size_t kMaxGrantsPerKey = 50000;

bool Contains(std::span<const std::string_view> list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool ContextAllowed(const GrantRecord& g, const EncryptionContext& context) {
  if (!g.equals.empty() && context != g.equals) return false;
  return std::all_of(g.subset.begin(), g.subset.end(), [&](const auto& pair) {
    const auto it = context.find(pair.first);
    return it != context.end() && it->second == pair.second;
  });
}

bool ValidPrincipal(std::string_view arn) {
  return arn.size() <= 256 && arn.starts_with("arn:") &&
         arn.find(":iam::") != std::string_view::npos;
}

GrantInfo Info(const std::string& id, const GrantRecord& g) {
  return GrantInfo{id,           g.key_id, g.grantee, g.retiring, g.issuer,
                   g.operations, g.equals, g.subset,  g.name,     internal::FromMs(g.created_ms)};
}

tl::unexpected<Error> NoGrant() {
  return MakeError(ErrorCode::not_found, "NotFoundException: no such grant on this key");
}

}  // namespace

namespace internal {

bool GrantAllows(const Txn& txn, std::string_view key_id, std::string_view grantee_arn,
                 std::string_view operation, const EncryptionContext& context) {
  return std::any_of(
      txn.state.iam.grants.begin(), txn.state.iam.grants.end(), [&](const auto& entry) {
        const GrantRecord& g = entry.second;
        if (g.key_id != key_id || g.grantee != grantee_arn) return false;
        if (std::find(g.operations.begin(), g.operations.end(), operation) == g.operations.end())
          return false;
        return !Contains(kContextOperations, operation) || ContextAllowed(g, context);
      });
}

}  // namespace internal

Result<NewGrant> Kms::CreateGrant(const CreateGrantRequest& request) {
  return impl_->Run("CreateGrant", [&](Txn& txn) -> Result<NewGrant> {
    txn.event.request["grantee_principal"] =
        ValidPrincipal(request.grantee_principal) ? request.grantee_principal : "(malformed)";
    auto k = internal::ResolveAuthorizedKey(txn, request.key, "kms:CreateGrant");
    ENVELOPE_RETURN_IF_ERROR(k);
    for (const std::string* p : {&request.grantee_principal, &request.retiring_principal}) {
      ENVELOPE_RETURN_IF_ERROR(internal::ValidateText(*p, "principal"));
    }
    if (!ValidPrincipal(request.grantee_principal) ||
        (!request.retiring_principal.empty() && !ValidPrincipal(request.retiring_principal))) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: grantee and retiring principals must be IAM ARNs");
    }
    if (request.operations.empty()) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: a grant needs operations");
    }
    for (const std::string& op : request.operations) {
      if (!Contains(kGrantOperations, op)) {
        return MakeError(ErrorCode::invalid_argument, "ValidationException: grant operation " +
                                                          op.substr(0, 64) + " is not supported");
      }
    }
    if (!request.context_equals.empty() && !request.context_subset.empty()) {
      return MakeError(
          ErrorCode::invalid_argument,
          "ValidationException: give EncryptionContextEquals or EncryptionContextSubset, not both");
    }
    for (const auto* c : {&request.context_equals, &request.context_subset}) {
      ENVELOPE_RETURN_IF_ERROR(internal::ValidateContext(*c, "grant constraint"));
    }
    ENVELOPE_RETURN_IF_ERROR(internal::ValidateText(request.name, "grant name"));
    if (txn.state.iam.grants.size() >= kMaxGrantsPerKey) {
      return MakeError(ErrorCode::limit_exceeded, "LimitExceededException: too many grants");
    }
    internal::GrantIdBytes random{};
    ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(random));
    const std::string id = crypto::ToHex(random);
    auto token = internal::MakeGrantToken(**k, random);
    ENVELOPE_RETURN_IF_ERROR(token);
    auto caller = internal::CurrentCaller(txn.state, *txn.options);
    ENVELOPE_RETURN_IF_ERROR(caller);
    GrantRecord g{internal::FormatKeyId((*k)->id),
                  request.grantee_principal,
                  request.retiring_principal,
                  policy::RootArn(caller->account, txn.options->partition),
                  request.name,
                  request.operations,
                  request.context_equals,
                  request.context_subset,
                  txn.now_ms};
    txn.state.iam.grants.emplace(id, std::move(g));
    txn.event.request["grant_id"] = id;
    txn.dirty = true;
    return NewGrant{id, std::move(*token)};
  });
}

Result<std::vector<GrantInfo>> Kms::ListGrants(std::string_view key) {
  return impl_->RunRead("ListGrants", [&](Txn& txn) -> Result<std::vector<GrantInfo>> {
    auto k = internal::ResolveAuthorizedKey(txn, key, "kms:ListGrants");
    ENVELOPE_RETURN_IF_ERROR(k);
    std::vector<GrantInfo> out;
    const std::string key_id = internal::FormatKeyId((*k)->id);
    for (const auto& [id, g] : txn.state.iam.grants) {
      if (g.key_id == key_id) out.push_back(Info(id, g));
    }
    std::stable_sort(out.begin(), out.end(), [](const GrantInfo& a, const GrantInfo& b) {
      return a.creation_date < b.creation_date;
    });
    return out;
  });
}

Result<void> Kms::RetireGrant(std::string_view grant_token, std::string_view key,
                              std::string_view grant_id) {
  return impl_->Run("RetireGrant", [&](Txn& txn) -> Result<void> {
    std::string id(grant_id);
    if (!grant_token.empty()) {
      auto ref = internal::ParseGrantToken(txn.state, grant_token);
      ENVELOPE_RETURN_IF_ERROR(ref);
      id = std::move(ref->grant_id);
    }
    auto it = txn.state.iam.grants.find(id);
    if (it == txn.state.iam.grants.end()) {
      // A valid token whose grant is gone (grant_token.h).
      return MakeError(grant_token.empty() ? ErrorCode::invalid_argument : ErrorCode::not_found,
                       grant_token.empty()
                           ? "InvalidGrantIdException: no such grant"
                           : "NotFoundException: the grant of this token was retired or revoked");
    }
    txn.event.key_id = it->second.key_id;
    txn.event.request["grant_id"] = id;
    if (!key.empty()) {
      auto k = internal::ResolveKey(txn.state, key);
      if (!k || internal::FormatKeyId((*k)->id) != it->second.key_id) return NoGrant();
    }
    auto caller = internal::CurrentCaller(txn.state, *txn.options);
    ENVELOPE_RETURN_IF_ERROR(caller);
    internal::RecordPrincipal(txn, *caller);
    const GrantRecord& g = it->second;
    const bool grantee_may =
        g.grantee == caller->arn &&
        std::find(g.operations.begin(), g.operations.end(), "RetireGrant") != g.operations.end();
    const bool allowed =
        g.retiring == caller->arn || grantee_may ||
        caller->arn == policy::RootArn(txn.options->account, txn.options->partition);
    if (!allowed) {
      return MakeError(ErrorCode::unsupported,
                       "AccessDeniedException: User: " + caller->arn +
                           " is not authorized to perform: kms:RetireGrant on resource: " +
                           internal::KeyArn(*txn.options, g.key_id) +
                           " because it is neither the grant's retiring principal nor its grantee");
    }
    txn.state.iam.grants.erase(it);
    txn.dirty = true;
    return {};
  });
}

Result<void> Kms::RevokeGrant(std::string_view key, std::string_view grant_id) {
  return impl_->Run("RevokeGrant", [&](Txn& txn) -> Result<void> {
    txn.event.request["grant_id"] = std::string(grant_id.substr(0, 128));
    auto k = internal::ResolveAuthorizedKey(txn, key, "kms:RevokeGrant");
    ENVELOPE_RETURN_IF_ERROR(k);
    auto it = txn.state.iam.grants.find(std::string(grant_id));
    if (it == txn.state.iam.grants.end() || it->second.key_id != internal::FormatKeyId((*k)->id)) {
      return MakeError(ErrorCode::invalid_argument,
                       "InvalidGrantIdException: no such grant on this key");
    }
    txn.state.iam.grants.erase(it);
    txn.dirty = true;
    return {};
  });
}

}  // namespace envelope::kms
