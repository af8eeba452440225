// envelope: rewrap of messages after a KMS key rotation, on the local KMS.
//
// After RotateKeyOnDemand or an automatic rotation, old messages still
// decrypt (every key version is kept), but their data keys stay wrapped
// under the version they were made with. RewrapToNewestVersion moves them to
// the newest version without touching the body (envelope/rewrap.hpp says
// what is verified, how signed messages are handled and why the write is
// atomic):
//
//   auto kms = std::make_shared<envelope::kms::Kms>(*envelope::kms::Kms::Open({}));
//   envelope::kms::RewrapToNewestVersion(kms, "photo.enc", "photo.enc");
#ifndef ENVELOPE_REWRAP_KMS_HPP_
#define ENVELOPE_REWRAP_KMS_HPP_

#include <memory>
#include <string>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/kms.hpp"
#include "envelope/rewrap.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope::kms {

// RewrapToNewestVersion rewrites the message at `input_path` into
// `output_path` (may be the same file) with every `envelope-kms` EDK
// re-encrypted by Kms::ReEncrypt under the newest version of its own key:
// RewrapToNewestKeyVersion over NewKmsClient(kms), with the same atomicity,
// checks and errors. Fails with `invalid_argument` for a null `kms`.
[[nodiscard]] Result<RewrapResult> RewrapToNewestVersion(std::shared_ptr<Kms> kms,
                                                         const std::string& input_path,
                                                         const std::string& output_path,
                                                         const RewrapOptions& options = {});

}  // namespace envelope::kms
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_REWRAP_KMS_HPP_
