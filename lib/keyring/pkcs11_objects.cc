#include "keyring/pkcs11_objects.h"

namespace envelope::keyring::pkcs11 {
namespace {

// ReadBytes reads one variable-length attribute (size first, then value).
Result<std::vector<uint8_t>> ReadBytes(Lease& session, CK_OBJECT_HANDLE object,
                                       CK_ATTRIBUTE_TYPE type, CK_FUNCTION_LIST* f) {
  CK_ATTRIBUTE attr{type, nullptr, 0};
  CK_RV rv = f->C_GetAttributeValue(session.handle(), object, &attr, 1);
  if (rv == CKR_ATTRIBUTE_TYPE_INVALID) return std::vector<uint8_t>{};
  if (rv != CKR_OK) return session.Fail("cannot read a key attribute", rv);
  if (attr.ulValueLen == CK_UNAVAILABLE_INFORMATION) return std::vector<uint8_t>{};
  std::vector<uint8_t> value(attr.ulValueLen);
  attr.pValue = value.data();
  rv = f->C_GetAttributeValue(session.handle(), object, &attr, 1);
  if (rv != CKR_OK) return session.Fail("cannot read a key attribute", rv);
  value.resize(attr.ulValueLen);
  return value;
}

}  // namespace

std::string KeyUri(std::string_view token_label, std::string_view label,
                   std::span<const uint8_t> id) {
  Pkcs11Uri uri;
  uri.token = std::string(token_label);
  uri.object = std::string(label);
  uri.id.assign(id.begin(), id.end());
  uri.type = "secret-key";
  return FormatPkcs11Uri(uri);
}

std::string DescribeKey(std::string_view label, std::span<const uint8_t> id) {
  Pkcs11Uri uri;
  uri.object = std::string(label);
  uri.id.assign(id.begin(), id.end());
  std::string s = FormatPkcs11Uri(uri);  // "pkcs11:object=...;id=..."
  return "'" + s.substr(7) + "'";
}

Result<std::vector<CK_OBJECT_HANDLE>> FindAesKeys(Lease& session, std::string_view label,
                                                  std::span<const uint8_t> id) {
  CK_FUNCTION_LIST* f = session.module()->f();
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_AES;
  std::vector<CK_ATTRIBUTE> tmpl = {{CKA_CLASS, &cls, sizeof cls},
                                    {CKA_KEY_TYPE, &type, sizeof type}};
  if (!label.empty()) {
    tmpl.push_back({CKA_LABEL, const_cast<char*>(label.data()), label.size()});
  }
  if (!id.empty()) tmpl.push_back({CKA_ID, const_cast<uint8_t*>(id.data()), id.size()});
  CK_RV rv = f->C_FindObjectsInit(session.handle(), tmpl.data(), tmpl.size());
  if (rv != CKR_OK) return session.Fail("cannot search the token", rv);
  std::vector<CK_OBJECT_HANDLE> found;
  for (;;) {
    CK_OBJECT_HANDLE batch[32];
    CK_ULONG n = 0;
    rv = f->C_FindObjects(session.handle(), batch, 32, &n);
    if (rv != CKR_OK) return session.Fail("cannot search the token", rv);
    found.insert(found.end(), batch, batch + n);
    if (n == 0 || found.size() > 4096) break;
  }
  rv = f->C_FindObjectsFinal(session.handle());
  if (rv != CKR_OK) return session.Fail("cannot search the token", rv);
  return found;
}

Result<Pkcs11KeyInfo> ReadKeyInfo(Lease& session, CK_OBJECT_HANDLE key,
                                  std::string_view token_label) {
  CK_FUNCTION_LIST* f = session.module()->f();
  CK_ULONG value_len = 0;
  CK_BBOOL encrypt = CK_FALSE, decrypt = CK_FALSE, wrap = CK_FALSE, unwrap = CK_FALSE;
  CK_ATTRIBUTE attrs[] = {{CKA_VALUE_LEN, &value_len, sizeof value_len},
                          {CKA_ENCRYPT, &encrypt, sizeof encrypt},
                          {CKA_DECRYPT, &decrypt, sizeof decrypt},
                          {CKA_WRAP, &wrap, sizeof wrap},
                          {CKA_UNWRAP, &unwrap, sizeof unwrap}};
  // An attribute the token does not have reads as unavailable (false / 0),
  // which the caller treats as "not allowed".
  const CK_RV rv = f->C_GetAttributeValue(session.handle(), key, attrs, 5);
  if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_ATTRIBUTE_SENSITIVE) {
    return session.Fail("cannot read the key's attributes", rv);
  }
  auto label = ReadBytes(session, key, CKA_LABEL, f);
  ENVELOPE_RETURN_IF_ERROR(label);
  auto id = ReadBytes(session, key, CKA_ID, f);
  ENVELOPE_RETURN_IF_ERROR(id);
  Pkcs11KeyInfo info;
  info.label.assign(label->begin(), label->end());
  info.id = std::move(*id);
  info.bits = attrs[0].ulValueLen == CK_UNAVAILABLE_INFORMATION ? 0 : value_len * 8;
  auto flag = [&](int i, CK_BBOOL v) {
    return attrs[i].ulValueLen != CK_UNAVAILABLE_INFORMATION && v == CK_TRUE;
  };
  info.can_encrypt = flag(1, encrypt);
  info.can_decrypt = flag(2, decrypt);
  info.can_wrap = flag(3, wrap);
  info.can_unwrap = flag(4, unwrap);
  info.usable = info.bits == 256 &&
                ((info.can_encrypt && info.can_decrypt) || (info.can_wrap && info.can_unwrap));
  info.uri = KeyUri(token_label, info.label, info.id);
  return info;
}

}  // namespace envelope::keyring::pkcs11
