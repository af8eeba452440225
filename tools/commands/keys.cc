#include "commands/keys.h"

#include <vector>

#include "cli/secret_input.h"
#include "envelope/customer_key.hpp"
#include "envelope/kms.hpp"
#include "envelope/passphrase.hpp"

namespace envelope::cli {
namespace {

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::invalid_argument, std::move(message));
}

}  // namespace

Result<std::shared_ptr<kms::Kms>> Keystore::Shared() {
  if (!kms_) {
    kms::KmsOptions options;
    options.directory = dir_;
    if (!region_.empty()) options.region = region_;
    if (!account_.empty()) options.account = account_;
    if (audit_rotate_bytes_) options.audit_log_rotate_bytes = *audit_rotate_bytes_;
    auto opened = kms::Kms::Open(std::move(options));
    if (!opened) return tl::unexpected(opened.error().WithContext("keystore"));
    kms_ = std::make_shared<kms::Kms>(std::move(*opened));
  }
  return kms_;
}

Result<kms::Kms*> Keystore::Get() {
  auto shared = Shared();
  ENVELOPE_RETURN_IF_ERROR(shared);
  return shared->get();
}

Result<std::shared_ptr<const Keyring>> BuildKeyring(const CryptOptions& o, Keystore& keystore) {
  Pkcs11Keys pkcs11(o.pkcs11);
  return BuildKeyring(o, keystore, pkcs11);
}

Result<std::shared_ptr<const Keyring>> BuildKeyring(const CryptOptions& o, Keystore& keystore,
                                                    Pkcs11Keys& pkcs11) {
  auto customer_key = ReadCustomerKey(o);
  ENVELOPE_RETURN_IF_ERROR(customer_key);
  return BuildKeyring(o, keystore, pkcs11, *customer_key ? &**customer_key : nullptr);
}

Result<std::shared_ptr<const Keyring>> BuildKeyring(const CryptOptions& o, Keystore& keystore,
                                                    Pkcs11Keys& pkcs11,
                                                    const SecretBytes* customer_key) {
  const bool enc = o.direction == Direction::encrypt;
  std::vector<std::shared_ptr<const Keyring>> keyrings;
  auto add = [&](Result<std::shared_ptr<const Keyring>> k) -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(k);
    keyrings.push_back(std::move(*k));
    return {};
  };
  std::shared_ptr<KmsClient> client;
  auto kms_client = [&]() -> Result<std::shared_ptr<KmsClient>> {
    if (!client) {
      auto kms = keystore.Shared();
      ENVELOPE_RETURN_IF_ERROR(kms);
      client = kms::NewKmsClient(*kms);
    }
    return client;
  };

  for (const std::string& key : o.kms_keys) {
    auto c = kms_client();
    ENVELOPE_RETURN_IF_ERROR(c);
    ENVELOPE_RETURN_IF_ERROR(add(NewKmsKeyring(*c, key)));
  }
  if (customer_key != nullptr) {
    ENVELOPE_RETURN_IF_ERROR(add(NewCustomerKeyKeyring(*customer_key)));
  }
  auto passphrase = ReadPassphrase(o);
  ENVELOPE_RETURN_IF_ERROR(passphrase);
  if (*passphrase) {
    ENVELOPE_RETURN_IF_ERROR(add(NewPassphraseKeyring((*passphrase)->span())));
  }
  for (const std::string& spec : o.wrapping_keys) {
    ENVELOPE_RETURN_IF_ERROR(add(WrappingKeyKeyring(spec)));
  }
  auto aws_keyrings = AwsKmsKeyrings(o.aws);
  ENVELOPE_RETURN_IF_ERROR(aws_keyrings);
  for (auto& k : *aws_keyrings) keyrings.push_back(std::move(k));
  auto hsm_keys = pkcs11.Named();
  ENVELOPE_RETURN_IF_ERROR(hsm_keys);
  for (auto& k : *hsm_keys) keyrings.push_back(std::move(k));

  if (keyrings.empty()) {
    // No key named: SSE-S3 on encrypt; on decrypt, any key of the keystore.
    if (enc) {
      auto kms = keystore.Shared();
      ENVELOPE_RETURN_IF_ERROR(kms);
      ENVELOPE_RETURN_IF_ERROR(add(kms::NewSseS3Keyring(*kms)));
    } else {
      auto c = kms_client();
      ENVELOPE_RETURN_IF_ERROR(c);
      ENVELOPE_RETURN_IF_ERROR(add(NewKmsDiscoveryKeyring(*c)));
    }
  }
  if (enc && keyrings.size() > o.max_edks) {
    return Invalid(std::to_string(keyrings.size()) + " wrapping keys are more than --max-edks " +
                   std::to_string(o.max_edks));
  }
  if (keyrings.size() == 1) return keyrings.front();
  auto generator = keyrings.front();
  keyrings.erase(keyrings.begin());
  return NewMultiKeyring(std::move(generator), std::move(keyrings));
}

}  // namespace envelope::cli
