// SecretStore: Rotate and RotateDue, the four steps of a rotation command
// (rotation_command.h) around the AWSPENDING version.
#include <algorithm>

#include "crypto/digest.h"
#include "crypto/hex.h"
#include "secrets/rotation_command.h"
#include "secrets/secret_store_impl.h"
#include "secrets/service_audit.h"

namespace envelope::secrets {
namespace {

using internal::SecretTable;
using internal::StoredSecret;
using internal::StoredSecretVersion;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Plan is what a rotation starts from: the secret, its command and the
// version it creates (or resumes).
struct Plan {
  std::string arn;
  std::string command;
  std::string token;
  bool resume = false;  // the AWSPENDING version exists already
};

}  // namespace

Result<SecretValue> SecretStore::Rotate(std::string_view secret_id, std::string_view token) {
  auto outcome = [&]() -> Result<SecretValue> {
    // Look the secret up once for its ARN, then hold its rotation lock.
    auto first = Describe(secret_id);
    ENVELOPE_RETURN_IF_ERROR(first);
    auto digest = crypto::Hash(
        crypto::HashAlg::sha256,
        std::span(reinterpret_cast<const uint8_t*>(first->arn.data()), first->arn.size()));
    ENVELOPE_RETURN_IF_ERROR(digest);
    auto lock = internal::RotationLock::TryAcquire(impl_->dir() + "/rotation-" +
                                                   crypto::ToHex(*digest).substr(0, 16) + ".lock");
    ENVELOPE_RETURN_IF_ERROR(lock);

    Plan plan;
    auto planned = internal::UpdateSecretTable(impl_->dir(), [&](SecretTable& t) -> Result<bool> {
      auto it = internal::FindSecret(t, secret_id, impl_->NowMs());
      ENVELOPE_RETURN_IF_ERROR(it);
      const StoredSecret& s = (*it)->second;
      ENVELOPE_RETURN_IF_ERROR(internal::Live(s));
      if (s.rotation_command.empty()) {
        return MakeError(ErrorCode::invalid_argument,
                         "InvalidRequestException: No rotation command is configured for this "
                         "secret (envelope secrets rotate SECRET --command PATH)");
      }
      plan.arn = s.arn;
      plan.command = s.rotation_command;
      for (const StoredSecretVersion& v : s.versions) {
        if (Has(v.stages, kStagePending) && !Has(v.stages, kStageCurrent)) {
          // An unfinished rotation (a failed step, a crash): resume it with
          // its own token, as Secrets Manager retries with the same one.
          if (!token.empty() && token != v.id) {
            return MakeError(ErrorCode::key_state,
                             "InvalidRequestException: A previous rotation isn't complete. That "
                             "rotation will be reattempted.");
          }
          plan.token = v.id;
          plan.resume = true;
        }
      }
      return false;
    });
    ENVELOPE_RETURN_IF_ERROR(planned);
    if (!plan.resume) {
      auto id = internal::NewVersionId(token);
      ENVELOPE_RETURN_IF_ERROR(id);
      plan.token = *id;
    }

    internal::RotationStep step{plan.command, plan.arn, plan.token, "createSecret", impl_->dir()};
    if (!plan.resume) {
      auto value = internal::RunRotationStep(step);
      ENVELOPE_RETURN_IF_ERROR(value);
      if (value->empty()) {
        return MakeError(ErrorCode::unsupported,
                         "InvalidRequestException: rotation step createSecret "
                         "of " +
                             plan.arn + " printed no new value");
      }
      NewSecretValue pending{std::move(*value), false, plan.token};
      if (auto put = PutValue(plan.arn, std::move(pending), {std::string(kStagePending)}); !put) {
        return tl::unexpected(put.error());
      }
    }
    for (const char* name : {"setSecret", "testSecret", "finishSecret"}) {
      step.step = name;
      auto ran = internal::RunRotationStep(step);
      ENVELOPE_RETURN_IF_ERROR(ran);
    }

    SecretValue answer;
    auto finished = internal::UpdateSecretTable(impl_->dir(), [&](SecretTable& t) -> Result<bool> {
      const int64_t now = impl_->NowMs();
      auto it = internal::FindSecret(t, plan.arn, now);
      ENVELOPE_RETURN_IF_ERROR(it);
      StoredSecret& s = (*it)->second;
      auto v = std::find_if(s.versions.begin(), s.versions.end(),
                            [&](const StoredSecretVersion& x) { return x.id == plan.token; });
      if (v == s.versions.end()) {
        return MakeError(ErrorCode::not_found,
                         "ResourceNotFoundException: the pending version of "
                         "the rotation is gone");
      }
      internal::MoveStage(s, plan.token, kStageCurrent);
      for (StoredSecretVersion& x : s.versions) std::erase(x.stages, std::string(kStagePending));
      s.rotated_ms = s.changed_ms = now;
      s.next_rotation_ms = s.rotation_days ? now + s.rotation_days * kDayMs : 0;
      auto chosen = std::find_if(s.versions.begin(), s.versions.end(),
                                 [&](const StoredSecretVersion& x) { return x.id == plan.token; });
      answer = SecretValue{s.arn,
                           (*it)->first,
                           internal::Info((*it)->first, s)
                               .versions[static_cast<size_t>(chosen - s.versions.begin())],
                           {},
                           chosen->binary};
      return true;
    });
    ENVELOPE_RETURN_IF_ERROR(finished);
    return answer;
  }();
  kms::ServiceCall call = internal::SecretCall("RotateSecret", outcome, secret_id);
  call.request["rotate_immediately"] = "true";
  if (!token.empty()) call.request["client_request_token"] = std::string(token);
  return internal::Audited(impl_->kms, call, std::move(outcome));
}

Result<std::vector<std::string>> SecretStore::RotateDue(std::vector<Error>* failures) {
  auto all = List(false);
  ENVELOPE_RETURN_IF_ERROR(all);
  const auto now = impl_->Now();
  std::vector<std::string> rotated;
  for (const SecretInfo& info : *all) {
    if (!info.rotation_enabled || !info.next_rotation || *info.next_rotation > now) continue;
    auto r = Rotate(info.arn);
    if (r) {
      rotated.push_back(info.name);
    } else if (failures != nullptr) {
      failures->push_back(r.error());
    }
  }
  return rotated;
}

}  // namespace envelope::secrets
