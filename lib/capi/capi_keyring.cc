// The C API's KMS and keyring handles.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "capi/capi_internal.h"
#include "envelope/kms.hpp"
#include "envelope/kms_keyring.hpp"

using envelope::ErrorCode;
using envelope::MakeError;
using envelope::Result;
using envelope::capi::Guard;
using envelope::capi::Require;

namespace {

// AdoptKeyring finishes a keyring handle: the keyring and its default CMM.
Result<void> AdoptKeyring(std::shared_ptr<const envelope::Keyring> keyring,
                          envelope_keyring** out) {
  auto cmm = envelope::NewDefaultCmm(keyring);
  ENVELOPE_RETURN_IF_ERROR(cmm);
  *out = new envelope_keyring{std::move(keyring), std::move(*cmm)};
  return {};
}

}  // namespace

extern "C" {

envelope_status envelope_kms_open(const char* directory, int create_if_missing,
                                  envelope_kms** out) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr, "out"));
    envelope::kms::KmsOptions options;
    if (directory != nullptr) options.directory = directory;
    options.create_if_missing = create_if_missing != 0;
    auto kms = envelope::kms::Kms::Open(std::move(options));
    ENVELOPE_RETURN_IF_ERROR(kms);
    *out = new envelope_kms{std::make_shared<envelope::kms::Kms>(std::move(*kms))};
    return {};
  });
}

envelope_status envelope_kms_create_key(envelope_kms* kms, const char* description, char** key_id) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(kms != nullptr, "kms"));
    ENVELOPE_RETURN_IF_ERROR(Require(key_id != nullptr, "key_id"));
    envelope::kms::CreateKeyRequest request;
    if (description != nullptr) request.description = description;
    auto key = kms->kms->CreateKey(request);
    ENVELOPE_RETURN_IF_ERROR(key);
    char* copy = static_cast<char*>(std::malloc(key->key_id.size() + 1));
    if (copy == nullptr) return MakeError(ErrorCode::internal, "out of memory");
    std::memcpy(copy, key->key_id.c_str(), key->key_id.size() + 1);
    *key_id = copy;
    return {};
  });
}

void envelope_kms_free(envelope_kms* kms) { delete kms; }

envelope_status envelope_keyring_new_raw_aes(const char* key_namespace, const char* key_name,
                                             const uint8_t* wrapping_key, size_t wrapping_key_len,
                                             envelope_keyring** out) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(key_namespace != nullptr, "key_namespace"));
    ENVELOPE_RETURN_IF_ERROR(Require(key_name != nullptr, "key_name"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr, "out"));
    auto key = envelope::capi::Bytes(wrapping_key, wrapping_key_len, "wrapping_key");
    ENVELOPE_RETURN_IF_ERROR(key);
    auto keyring = envelope::NewRawAesKeyring(key_namespace, key_name, envelope::KeyView(*key));
    ENVELOPE_RETURN_IF_ERROR(keyring);
    return AdoptKeyring(std::move(*keyring), out);
  });
}

envelope_status envelope_keyring_new_kms(envelope_kms* kms, const char* key,
                                         envelope_keyring** out) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(kms != nullptr, "kms"));
    ENVELOPE_RETURN_IF_ERROR(Require(key != nullptr, "key"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr, "out"));
    auto keyring = envelope::NewKmsKeyring(envelope::kms::NewKmsClient(kms->kms), key);
    ENVELOPE_RETURN_IF_ERROR(keyring);
    return AdoptKeyring(std::move(*keyring), out);
  });
}

void envelope_keyring_free(envelope_keyring* keyring) { delete keyring; }

}  // extern "C"
