// lib/keyring: small helpers shared by the keyrings.
#ifndef ENVELOPE_LIB_KEYRING_KEYRING_UTIL_H_
#define ENVELOPE_LIB_KEYRING_KEYRING_UTIL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "envelope/error.hpp"
#include "envelope/materials.hpp"
#include "message/decryptor.h"
#include "message/suite.h"

namespace envelope::keyring {

// SuiteKeySize returns the data key size of `suite`, or `unsupported`.
inline Result<size_t> SuiteKeySize(AlgorithmSuiteId suite) {
  const auto* info = message::FindSuite(static_cast<uint16_t>(suite));
  if (info == nullptr) return MakeError(ErrorCode::unsupported, "keyring: unknown suite");
  return info->key_size;
}

// NoKeyUnwrapped is the failure of OnDecrypt: `not_found` when no EDK was
// addressed to the keyring, else the fixed authentication failure.
inline tl::unexpected<Error> NoKeyUnwrapped(bool addressed, std::string_view keyring,
                                            std::string_view key_namespace,
                                            std::string_view key_name) {
  if (addressed) return message::AuthFailed();
  return MakeError(ErrorCode::not_found,
                   std::string(keyring) + ": no encrypted data key is addressed to namespace '" +
                       std::string(key_namespace) + "', key name '" + std::string(key_name) + "'");
}

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_KEYRING_UTIL_H_
