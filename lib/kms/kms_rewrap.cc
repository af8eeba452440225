// Rotation rewrap on the local KMS (include/envelope/kms.hpp).
#include "envelope/kms.hpp"

namespace envelope::kms {

Result<RewrapResult> RewrapToNewestVersion(std::shared_ptr<Kms> kms, const std::string& input_path,
                                           const std::string& output_path,
                                           const RewrapOptions& options) {
  if (!kms) return MakeError(ErrorCode::invalid_argument, "rewrap: the kms is null");
  return RewrapToNewestKeyVersion(input_path, output_path, NewKmsClient(std::move(kms)), options);
}

}  // namespace envelope::kms
