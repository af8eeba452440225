// lib/secrets: what SecretStore's files share (secret_store.cc, the
// operations; secret_rotation.cc, rotation).
#ifndef ENVELOPE_LIB_SECRETS_SECRET_STORE_IMPL_H_
#define ENVELOPE_LIB_SECRETS_SECRET_STORE_IMPL_H_

#include <chrono>
#include <string>

#include "envelope/secrets.hpp"
#include "secrets/secret_file.h"

namespace envelope::secrets {

struct SecretStore::Impl {
  kms::Kms& kms;
  ArnConfig config;
  kms::Clock clock;

  kms::TimePoint Now() const { return clock ? clock() : std::chrono::system_clock::now(); }
  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
  const std::string& dir() const { return kms.directory(); }
};

namespace internal {

// FindSecret finds `secret_id` (a name or an ARN) in `table`, skipping
// secrets whose deletion date has passed. ResourceNotFoundException.
[[nodiscard]] Result<SecretTable::iterator> FindSecret(SecretTable& table,
                                                       std::string_view secret_id, int64_t now_ms);
// Live refuses a secret scheduled for deletion (InvalidRequestException).
[[nodiscard]] Result<void> Live(const StoredSecret& s);
// NewVersionId returns `token` when it is a valid client request token (32
// to 64 letters, digits and "-"), a random UUID when empty.
[[nodiscard]] Result<std::string> NewVersionId(std::string_view token);
// MoveStage gives `stage` to version `id` alone; moving AWSCURRENT makes
// the version that had it AWSPREVIOUS.
void MoveStage(StoredSecret& s, const std::string& id, std::string_view stage);
// Info converts a stored secret for Describe.
SecretInfo Info(const std::string& name, const StoredSecret& s);
// OpenVersion decrypts one version for GetValue.
[[nodiscard]] Result<SecretValue> OpenVersion(kms::Kms& kms, const std::string& name,
                                              const StoredSecret& s, const StoredSecretVersion& v);

}  // namespace internal
}  // namespace envelope::secrets

#endif  // ENVELOPE_LIB_SECRETS_SECRET_STORE_IMPL_H_
