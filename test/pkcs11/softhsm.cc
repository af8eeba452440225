#include "pkcs11/softhsm.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <cstring>

namespace envelope::testing {

SoftHsm& SoftHsm::Get() {
  static SoftHsm* hsm = [] {
    auto* h = new SoftHsm;
    h->Create();
    return h;
  }();
  return *hsm;
}

SoftHsm::~SoftHsm() {
  module_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void SoftHsm::Create() {
  INFO("SoftHSM2 is not installed (" << kSoftHsmModule << " is missing): apt-get install softhsm2");
  REQUIRE(std::filesystem::exists(kSoftHsmModule));
  char tmpl[] = "/tmp/envelope-softhsm-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  dir_ = tmpl;
  auto module = CreateSoftHsmToken(dir_);
  INFO((module ? std::string() : module.error().ToString()));
  REQUIRE(module);
  module_ = *module;
}

SecretBytes SoftHsm::Pin() const {
  auto pin = SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(kUserPin), std::strlen(kUserPin)));
  REQUIRE(pin);
  return std::move(*pin);
}

SecretBytes SoftHsm::WrongPin() const {
  const std::string_view wrong = "4711-usEr";
  auto pin = SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(wrong.data()), wrong.size()));
  REQUIRE(pin);
  return std::move(*pin);
}

Pkcs11KeyringOptions SoftHsm::Options(std::string label) const {
  Pkcs11KeyringOptions options;
  options.module_path = kSoftHsmModule;
  options.token_label = kTokenLabel;
  options.key_label = std::move(label);
  return options;
}

std::shared_ptr<const Keyring> SoftHsm::NewKeyring(std::string label, Pkcs11Mechanism mechanism,
                                                   size_t max_sessions) const {
  auto options = Options(std::move(label));
  options.mechanism = mechanism;
  options.max_sessions = max_sessions;
  auto keyring = NewPkcs11Keyring(options, Pin());
  INFO((keyring ? std::string() : keyring.error().ToString()));
  REQUIRE(keyring);
  return *keyring;
}

void SoftHsm::Reinitialize() const {
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  const CK_RV rv = module_->f()->C_Initialize(&args);
  INFO("C_Initialize: " << keyring::pkcs11::RvName(rv));
  REQUIRE(rv == CKR_OK);
}

}  // namespace envelope::testing
