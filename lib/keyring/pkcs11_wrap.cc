// The four token calls of the PKCS#11 keyring: AES-GCM seal and open
// (C_Encrypt / C_Decrypt) and AES-KWP wrap and unwrap (C_WrapKey /
// C_UnwrapKey). Each runs on a session leased from the pool, so threads
// work in parallel on separate sessions.
#include <cstring>

#include "crypto/random.h"
#include "keyring/pkcs11_keyring.h"

namespace envelope::keyring::pkcs11 {
namespace {

constexpr size_t kIvSize = 12;
constexpr size_t kTagSize = 16;

// GcmParams fills CK_GCM_PARAMS. SoftHSM2 2.6 (like the PKCS#11 v2.40
// errata and v3.0) expects the struct WITH ulIvBits and checks the
// parameter length against it; the p11-kit header has that layout. Some
// modules read ulIvBits instead of ulIvLen, so both are set.
CK_GCM_PARAMS GcmParams(std::span<const uint8_t> iv, std::span<const uint8_t> aad) {
  CK_GCM_PARAMS params{};
  params.pIv = const_cast<uint8_t*>(iv.data());
  params.ulIvLen = iv.size();
  params.ulIvBits = iv.size() * 8;
  params.pAAD = aad.empty() ? nullptr : const_cast<uint8_t*>(aad.data());
  params.ulAADLen = aad.size();
  params.ulTagBits = kTagSize * 8;
  return params;
}

// A session-only (CKA_TOKEN false) generic secret that may be read back:
// the data key's short stay in the token while it is wrapped or unwrapped.
struct DataKeyTemplate {
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_GENERIC_SECRET;
  CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
  std::vector<CK_ATTRIBUTE> attrs = {
      {CKA_CLASS, &cls, sizeof cls},       {CKA_KEY_TYPE, &type, sizeof type},
      {CKA_TOKEN, &no, sizeof no},         {CKA_SENSITIVE, &no, sizeof no},
      {CKA_EXTRACTABLE, &yes, sizeof yes},
  };
  DataKeyTemplate() = default;
  DataKeyTemplate(const DataKeyTemplate&) = delete;
};

// IsIntegrityFailure reports whether a failed C_Decrypt (GCM) or
// C_UnwrapKey (KWP) means the wrapped key did not authenticate: a wrong key,
// a changed context or a tampered EDK. SoftHSM2 2.6.1 reports a GCM tag
// mismatch as CKR_GENERAL_ERROR rather than CKR_ENCRYPTED_DATA_INVALID, so
// that counts too (only for this call, after the operation started).
bool IsIntegrityFailure(CK_RV rv) {
  switch (rv) {
    case CKR_ENCRYPTED_DATA_INVALID:
    case CKR_ENCRYPTED_DATA_LEN_RANGE:
    case CKR_WRAPPED_KEY_INVALID:
    case CKR_WRAPPED_KEY_LEN_RANGE:
    case CKR_GENERAL_ERROR:
    case CKR_FUNCTION_FAILED:
      return true;
    default:
      return false;
  }
}

tl::unexpected<Error> NotAuthentic(Lease& lease, std::string_view what, CK_RV rv) {
  (void)lease.Fail(what, rv);  // the session is not reused either way
  return MakeError(ErrorCode::auth_failed,
                   "pkcs11: " + std::string(what) + ": the wrapped key does not authenticate");
}

}  // namespace

Result<std::vector<uint8_t>> Pkcs11Keyring::SealGcm(const SecretBytes& data_key,
                                                    std::span<const uint8_t> aad) const {
  std::vector<uint8_t> out(kIvSize + data_key.size() + kTagSize);
  const std::span<uint8_t> iv = std::span(out).first(kIvSize);
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(iv));
  CK_GCM_PARAMS params = GcmParams(iv, aad);
  CK_MECHANISM mech{CKM_AES_GCM, &params, sizeof params};
  auto lease = pool_->Acquire();
  ENVELOPE_RETURN_IF_ERROR(lease);
  CK_FUNCTION_LIST* f = lease->module()->f();
  CK_RV rv = f->C_EncryptInit(lease->handle(), &mech, key_);
  if (rv != CKR_OK) return lease->Fail("cannot wrap the data key (aes-gcm)", rv);
  CK_ULONG len = out.size() - kIvSize;
  rv = f->C_Encrypt(lease->handle(), const_cast<uint8_t*>(data_key.data()), data_key.size(),
                    out.data() + kIvSize, &len);
  if (rv != CKR_OK) return lease->Fail("cannot wrap the data key (aes-gcm)", rv);
  if (len != data_key.size() + kTagSize) {
    return MakeError(ErrorCode::internal, "pkcs11: aes-gcm returned " + std::to_string(len) +
                                              " bytes, expected " +
                                              std::to_string(data_key.size() + kTagSize));
  }
  return out;
}

Result<SecretBytes> Pkcs11Keyring::OpenGcm(std::span<const uint8_t> ciphertext,
                                           std::span<const uint8_t> aad, size_t key_size) const {
  const auto iv = ciphertext.first(kIvSize);
  const auto sealed = ciphertext.subspan(kIvSize);
  CK_GCM_PARAMS params = GcmParams(iv, aad);
  CK_MECHANISM mech{CKM_AES_GCM, &params, sizeof params};
  // Some modules want room for the tag in the output too.
  auto out = SecretBytes::Allocate(sealed.size());
  ENVELOPE_RETURN_IF_ERROR(out);
  auto lease = pool_->Acquire();
  ENVELOPE_RETURN_IF_ERROR(lease);
  CK_FUNCTION_LIST* f = lease->module()->f();
  CK_RV rv = f->C_DecryptInit(lease->handle(), &mech, key_);
  if (rv != CKR_OK) return lease->Fail("cannot unwrap the data key (aes-gcm)", rv);
  CK_ULONG len = out->size();
  rv = f->C_Decrypt(lease->handle(), const_cast<uint8_t*>(sealed.data()), sealed.size(),
                    out->data(), &len);
  if (IsIntegrityFailure(rv)) return NotAuthentic(*lease, "cannot unwrap the data key", rv);
  if (rv != CKR_OK) return lease->Fail("cannot unwrap the data key (aes-gcm)", rv);
  if (len != key_size) return RvError("cannot unwrap the data key", CKR_ENCRYPTED_DATA_INVALID);
  return SecretBytes::CopyFrom(out->span().first(len));
}

Result<std::vector<uint8_t>> Pkcs11Keyring::WrapKwp(const SecretBytes& data_key) const {
  DataKeyTemplate tmpl;
  tmpl.attrs.push_back({CKA_VALUE, const_cast<uint8_t*>(data_key.data()), data_key.size()});
  CK_MECHANISM mech{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
  auto lease = pool_->Acquire();
  ENVELOPE_RETURN_IF_ERROR(lease);
  CK_FUNCTION_LIST* f = lease->module()->f();
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CK_RV rv = f->C_CreateObject(lease->handle(), tmpl.attrs.data(), tmpl.attrs.size(), &object);
  if (rv != CKR_OK) return lease->Fail("cannot load the data key to wrap it (aes-kwp)", rv);
  std::vector<uint8_t> out((data_key.size() + 7) / 8 * 8 + 8);
  CK_ULONG len = out.size();
  rv = f->C_WrapKey(lease->handle(), &mech, key_, object, out.data(), &len);
  (void)f->C_DestroyObject(lease->handle(), object);
  if (rv != CKR_OK) return lease->Fail("cannot wrap the data key (aes-kwp)", rv);
  out.resize(len);
  return out;
}

Result<SecretBytes> Pkcs11Keyring::UnwrapKwp(std::span<const uint8_t> wrapped,
                                             size_t key_size) const {
  DataKeyTemplate tmpl;
  CK_MECHANISM mech{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
  auto out = SecretBytes::Allocate(key_size);
  ENVELOPE_RETURN_IF_ERROR(out);
  auto lease = pool_->Acquire();
  ENVELOPE_RETURN_IF_ERROR(lease);
  CK_FUNCTION_LIST* f = lease->module()->f();
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CK_RV rv = f->C_UnwrapKey(lease->handle(), &mech, key_, const_cast<uint8_t*>(wrapped.data()),
                            wrapped.size(), tmpl.attrs.data(), tmpl.attrs.size(), &object);
  if (IsIntegrityFailure(rv)) return NotAuthentic(*lease, "cannot unwrap the data key", rv);
  if (rv != CKR_OK) return lease->Fail("cannot unwrap the data key (aes-kwp)", rv);
  CK_ATTRIBUTE value{CKA_VALUE, out->data(), out->size()};
  rv = f->C_GetAttributeValue(lease->handle(), object, &value, 1);
  (void)f->C_DestroyObject(lease->handle(), object);
  if (rv != CKR_OK) return lease->Fail("cannot read the unwrapped data key (aes-kwp)", rv);
  if (value.ulValueLen != key_size) {
    return RvError("cannot unwrap the data key", CKR_WRAPPED_KEY_INVALID);
  }
  return std::move(*out);
}

}  // namespace envelope::keyring::pkcs11
