#include "commands/keys.h"

#include <vector>

#include "cli/secret_input.h"

namespace envelope::cli {
namespace {

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::invalid_argument, std::move(message));
}

}  // namespace

Result<kms::Kms*> Keystore::Get() {
  if (!kms_) {
    kms::KmsOptions options;
    options.directory = dir_;
    auto opened = kms::Kms::Open(std::move(options));
    if (!opened) return tl::unexpected(opened.error().WithContext("keystore"));
    kms_.emplace(std::move(*opened));
  }
  return &*kms_;
}

Result<std::shared_ptr<const Keyring>> BuildKeyring(const CryptOptions& o, Keystore& keystore) {
  (void)keystore;
  std::vector<std::shared_ptr<const Keyring>> keyrings;
  for (const std::string& spec : o.wrapping_keys) {
    auto k = WrappingKeyKeyring(spec);
    if (!k) return k;
    keyrings.push_back(std::move(*k));
  }
  if (keyrings.empty()) return Invalid("no key given (use --wrapping-key)");
  if (o.direction == Direction::encrypt && keyrings.size() > o.max_edks) {
    return Invalid(std::to_string(keyrings.size()) + " wrapping keys are more than --max-edks " +
                   std::to_string(o.max_edks));
  }
  if (keyrings.size() == 1) return keyrings.front();
  auto generator = keyrings.front();
  keyrings.erase(keyrings.begin());
  return NewMultiKeyring(std::move(generator), std::move(keyrings));
}

}  // namespace envelope::cli
