// lib/keyring: finding AES keys in a token and reading what they may do.
#ifndef ENVELOPE_LIB_KEYRING_PKCS11_OBJECTS_H_
#define ENVELOPE_LIB_KEYRING_PKCS11_OBJECTS_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/pkcs11.hpp"
#include "keyring/pkcs11_session_pool.h"

namespace envelope::keyring::pkcs11 {

// FindAesKeys returns the handles of the AES secret keys visible in the
// session whose label is `label` and id is `id` (an empty one matches any).
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> FindAesKeys(Lease& session,
                                                                std::string_view label,
                                                                std::span<const uint8_t> id);

// ReadKeyInfo reads a key's label, id, size and permissions; `token_label`
// goes into its URI.
[[nodiscard]] Result<Pkcs11KeyInfo> ReadKeyInfo(Lease& session, CK_OBJECT_HANDLE key,
                                                std::string_view token_label);

// KeyUri returns the canonical URI of a key: token, object and id (the
// attributes left out when empty), type=secret-key.
std::string KeyUri(std::string_view token_label, std::string_view label,
                   std::span<const uint8_t> id);

// DescribeKey names a key for errors: "label 'x' and id %01%02".
std::string DescribeKey(std::string_view label, std::span<const uint8_t> id);

}  // namespace envelope::keyring::pkcs11

#endif  // ENVELOPE_LIB_KEYRING_PKCS11_OBJECTS_H_
