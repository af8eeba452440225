#include "pkcs11/softhsm_token.h"

#include <stdlib.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace envelope::testing {
namespace {

constexpr char kSoPin[] = "so-pin-0000";

Result<void> Check(CK_RV rv, const char* what) {
  if (rv == CKR_OK) return {};
  return MakeError(ErrorCode::internal, std::string(what) + ": " + keyring::pkcs11::RvName(rv));
}

// Padded returns a 32-byte blank-padded token label.
std::vector<CK_UTF8CHAR> Padded(std::string_view label) {
  std::vector<CK_UTF8CHAR> out(32, ' ');
  std::memcpy(out.data(), label.data(), std::min<size_t>(label.size(), 32));
  return out;
}

CK_UTF8CHAR* Text(const char* s) { return reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(s)); }

Result<void> GenerateKey(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, std::string_view label,
                         uint8_t id, CK_ULONG bytes, bool encrypt, bool wrap, bool decrypt,
                         bool unwrap) {
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
  return Check(f->C_GenerateKey(s, &mech, tmpl, std::size(tmpl), &key), "C_GenerateKey");
}

}  // namespace

Result<std::shared_ptr<keyring::pkcs11::Module>> CreateSoftHsmToken(
    const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(kSoftHsmModule, ec)) {
    return MakeError(ErrorCode::io, std::string("SoftHSM2 is not installed (") + kSoftHsmModule +
                                        " is missing): apt-get install softhsm2");
  }
  std::filesystem::create_directories(dir / "tokens", ec);
  if (ec) return MakeError(ErrorCode::io, "cannot create " + (dir / "tokens").string());
  const auto conf = dir / "softhsm2.conf";
  {
    std::ofstream out(conf);
    out << "directories.tokendir = " << (dir / "tokens").string() << "\n"
        << "objectstore.backend = file\n"
        << "log.level = ERROR\n"
        << "slots.removable = false\n";
    if (!out) return MakeError(ErrorCode::io, "cannot write " + conf.string());
  }
  // SoftHSM2 reads SOFTHSM2_CONF in C_Initialize, which Load calls.
  if (setenv("SOFTHSM2_CONF", conf.c_str(), 1) != 0) {
    return MakeError(ErrorCode::internal, "setenv SOFTHSM2_CONF failed");
  }
  auto module = keyring::pkcs11::Module::Load(kSoftHsmModule);
  ENVELOPE_RETURN_IF_ERROR(module);
  CK_FUNCTION_LIST* f = (*module)->f();

  // A fresh SoftHSM2 offers one slot with an uninitialized token.
  CK_SLOT_ID slots[8];
  CK_ULONG count = 8;
  ENVELOPE_RETURN_IF_ERROR(Check(f->C_GetSlotList(CK_TRUE, slots, &count), "C_GetSlotList"));
  if (count < 1) return MakeError(ErrorCode::internal, "SoftHSM2 offers no slot");
  auto label = Padded(kTokenLabel);
  if (auto r = Check(f->C_InitToken(slots[0], Text(kSoPin), std::strlen(kSoPin), label.data()),
                     "C_InitToken");
      !r) {
    return tl::unexpected(r.error());
  }
  // The initialized token moves to a new slot id; find it by label.
  auto slot = (*module)->FindToken(kTokenLabel);
  ENVELOPE_RETURN_IF_ERROR(slot);

  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  auto filled = [&]() -> Result<void> {
    if (auto r = Check(f->C_Login(s, CKU_SO, Text(kSoPin), std::strlen(kSoPin)), "C_Login(SO)");
        !r) {
      return r;
    }
    if (auto r = Check(f->C_InitPIN(s, Text(kUserPin), std::strlen(kUserPin)), "C_InitPIN"); !r) {
      return r;
    }
    if (auto r = Check(f->C_Logout(s), "C_Logout(SO)"); !r) return r;
    if (auto r =
            Check(f->C_Login(s, CKU_USER, Text(kUserPin), std::strlen(kUserPin)), "C_Login(user)");
        !r) {
      return r;
    }
    struct Spec {
      const char* label;
      uint8_t id;
      CK_ULONG bytes;
      bool encrypt, wrap, decrypt, unwrap;
    };
    constexpr Spec kKeys[] = {
        {kKeyFull, 1, 32, true, true, true, true},
        {kKeyDecryptOnly, 2, 32, false, false, true, true},
        {kKeyNoRights, 3, 32, false, false, false, false},
        {kKeyAes128, 4, 16, true, true, true, true},
        {kKeyTwice, 5, 32, true, true, true, true},
        {kKeyTwice, 6, 32, true, true, true, true},
        {kKeyOther, 7, 32, true, true, true, true},
    };
    for (const Spec& k : kKeys) {
      auto r = GenerateKey(f, s, k.label, k.id, k.bytes, k.encrypt, k.wrap, k.decrypt, k.unwrap);
      if (!r) return r;
    }
    // Log out: the keyrings under test must log in themselves.
    return Check(f->C_Logout(s), "C_Logout(user)");
  };
  if (auto r =
          Check(f->C_OpenSession(*slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s),
                "C_OpenSession");
      !r) {
    return tl::unexpected(r.error());
  }
  auto r = filled();
  f->C_CloseSession(s);
  ENVELOPE_RETURN_IF_ERROR(r);
  return *module;
}

}  // namespace envelope::testing
