#include "pkcs11/softhsm.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <cstring>
#include <fstream>

namespace envelope::testing {
namespace {

constexpr char kSoPin[] = "so-pin-0000";

void Check(CK_RV rv, const char* what) {
  INFO(what << ": " << keyring::pkcs11::RvName(rv));
  REQUIRE(rv == CKR_OK);
}

// Padded returns a 32-byte blank-padded token label.
std::vector<CK_UTF8CHAR> Padded(std::string_view label) {
  std::vector<CK_UTF8CHAR> out(32, ' ');
  std::memcpy(out.data(), label.data(), std::min<size_t>(label.size(), 32));
  return out;
}

void GenerateKey(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, std::string_view label, uint8_t id,
                 CK_ULONG bytes, bool encrypt, bool wrap, bool decrypt, bool unwrap) {
  CK_MECHANISM mech{CKM_AES_KEY_GEN, nullptr, 0};
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_BBOOL enc = encrypt ? yes : no, dec = decrypt ? yes : no, wr = wrap ? yes : no,
           unwr = unwrap ? yes : no;
  CK_ATTRIBUTE tmpl[] = {
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &yes, sizeof yes},
      {CKA_SENSITIVE, &yes, sizeof yes},
      {CKA_EXTRACTABLE, &no, sizeof no},
      {CKA_VALUE_LEN, &bytes, sizeof bytes},
      {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
      {CKA_ID, &id, 1},
      {CKA_ENCRYPT, &enc, sizeof enc},
      {CKA_DECRYPT, &dec, sizeof dec},
      {CKA_WRAP, &wr, sizeof wr},
      {CKA_UNWRAP, &unwr, sizeof unwr},
  };
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  Check(f->C_GenerateKey(s, &mech, tmpl, std::size(tmpl), &key), "C_GenerateKey");
}

}  // namespace

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
  std::filesystem::create_directory(dir_ / "tokens");
  const auto conf = dir_ / "softhsm2.conf";
  {
    std::ofstream out(conf);
    out << "directories.tokendir = " << (dir_ / "tokens").string() << "\n"
        << "objectstore.backend = file\n"
        << "log.level = ERROR\n"
        << "slots.removable = false\n";
  }
  // SoftHSM2 reads SOFTHSM2_CONF in C_Initialize, which Load calls.
  REQUIRE(setenv("SOFTHSM2_CONF", conf.c_str(), 1) == 0);
  auto module = keyring::pkcs11::Module::Load(kSoftHsmModule);
  INFO((module ? std::string() : module.error().ToString()));
  REQUIRE(module);
  module_ = *module;
  CK_FUNCTION_LIST* f = module_->f();

  // A fresh SoftHSM2 offers one slot with an uninitialized token.
  CK_SLOT_ID slots[8];
  CK_ULONG count = 8;
  Check(f->C_GetSlotList(CK_TRUE, slots, &count), "C_GetSlotList");
  REQUIRE(count >= 1);
  auto label = Padded(kTokenLabel);
  Check(f->C_InitToken(slots[0], reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(kSoPin)),
                       std::strlen(kSoPin), label.data()),
        "C_InitToken");
  // The initialized token moves to a new slot id; find it by label.
  auto slot = module_->FindToken(kTokenLabel);
  INFO((slot ? std::string() : slot.error().ToString()));
  REQUIRE(slot);

  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  Check(f->C_OpenSession(*slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s),
        "C_OpenSession");
  Check(f->C_Login(s, CKU_SO, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(kSoPin)),
                   std::strlen(kSoPin)),
        "C_Login(SO)");
  Check(f->C_InitPIN(s, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(kUserPin)),
                     std::strlen(kUserPin)),
        "C_InitPIN");
  Check(f->C_Logout(s), "C_Logout(SO)");
  Check(f->C_Login(s, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(kUserPin)),
                   std::strlen(kUserPin)),
        "C_Login(user)");
  GenerateKey(f, s, kKeyFull, 1, 32, true, true, true, true);
  GenerateKey(f, s, kKeyDecryptOnly, 2, 32, false, false, true, true);
  GenerateKey(f, s, kKeyNoRights, 3, 32, false, false, false, false);
  GenerateKey(f, s, kKeyAes128, 4, 16, true, true, true, true);
  GenerateKey(f, s, kKeyTwice, 5, 32, true, true, true, true);
  GenerateKey(f, s, kKeyTwice, 6, 32, true, true, true, true);
  GenerateKey(f, s, kKeyOther, 7, 32, true, true, true, true);
  // Log out and close: the keyrings under test must log in themselves.
  Check(f->C_Logout(s), "C_Logout(user)");
  Check(f->C_CloseSession(s), "C_CloseSession");
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
  Check(module_->f()->C_Initialize(&args), "C_Initialize");
}

}  // namespace envelope::testing
