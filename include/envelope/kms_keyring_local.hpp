// envelope: the local KMS (envelope/kms.hpp) as a KmsClient, and the
// SSE-S3 and SSE-KMS keyrings on it.
//
//   auto kms = std::make_shared<envelope::kms::Kms>(*envelope::kms::Kms::Open({}));
//   auto sse_s3 = envelope::kms::NewSseS3Keyring(kms);          // default key
//   auto sse_kms = envelope::NewKmsKeyring(envelope::kms::NewKmsClient(kms), "alias/app");
#ifndef ENVELOPE_KMS_KEYRING_LOCAL_HPP_
#define ENVELOPE_KMS_KEYRING_LOCAL_HPP_

#include <memory>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/kms.hpp"
#include "envelope/kms_keyring.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope::kms {

// NewKmsClient returns a KmsClient that calls `kms` (shared: the caller may
// keep using it, e.g. to manage keys). Every call is a Kms operation, with
// its audit line and its errors unchanged. Returns nullptr for a null `kms`.
std::shared_ptr<KmsClient> NewKmsClient(std::shared_ptr<Kms> kms);

// NewSseS3Keyring returns the KMS keyring on the managed default key
// (alias/envelope/default), creating that key with yearly rotation on first
// use (SSE-S3: no key named). The EDKs record the key's id, so messages
// still decrypt after the alias moves. Fails with `invalid_argument` for a
// null `kms`, or with the KMS's error when the default key cannot be made.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewSseS3Keyring(std::shared_ptr<Kms> kms);

}  // namespace envelope::kms
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_KMS_KEYRING_LOCAL_HPP_
