#include "aws/aws_kms_mrk.h"

namespace envelope::aws {

bool IsMultiRegionKey(std::string_view identifier) noexcept {
  if (identifier.starts_with("arn:")) {
    auto arn = ParseKmsArn(identifier);
    return arn && arn->type == KmsArn::Type::key && arn->name.starts_with("mrk-");
  }
  return identifier.starts_with("mrk-");
}

bool MrkMatchForDecrypt(std::string_view configured, std::string_view edk_key_arn) {
  if (configured == edk_key_arn) return true;
  if (!IsMultiRegionKey(configured) || !IsMultiRegionKey(edk_key_arn)) return false;
  auto a = ParseKmsArn(configured);
  auto b = ParseKmsArn(edk_key_arn);
  if (!a || !b) return false;
  return a->partition == b->partition && a->account == b->account && a->type == b->type &&
         a->name == b->name;
}

}  // namespace envelope::aws
