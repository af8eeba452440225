// fuzz: the fixed key material of the KMS harnesses (kms_blob,
// keystore_load) and of their seed corpora. Test-only values.
#ifndef ENVELOPE_FUZZ_KMS_FUZZ_KEYS_H_
#define ENVELOPE_FUZZ_KMS_FUZZ_KEYS_H_

#include <cstdint>
#include <string_view>

#include "envelope/kms_types.hpp"

namespace envelope::fuzz {

// kBlobMaterial is the key version material that opens the blob seeds.
inline constexpr uint8_t kBlobMaterial[32] = {
    0xb1, 0x0b, 0x5e, 0xed, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98,
    0x76, 0x54, 0x32, 0x10, 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4};

// kKeystoreRootKey is the managed root key that opens the keystore seeds.
inline constexpr uint8_t kKeystoreRootKey[32] = {
    0x52, 0x4f, 0x4f, 0x54, 0x2d, 0x4b, 0x45, 0x59, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x13, 0x57, 0x9b, 0xdf, 0x24, 0x68, 0xac, 0xe0};

// BlobContext returns one of the four encryption contexts the blob harness
// tries, chosen by the low bits of `selector`.
inline kms::EncryptionContext BlobContext(uint8_t selector) {
  switch (selector & 3) {
    case 0:
      return {};
    case 1:
      return {{"purpose", "fuzz"}};
    case 2:
      return {{"bucket", "b"}, {"object", "o/\xc3\xa9"}};
    default:
      return {{"", "empty key"}};  // not a valid context: must fail cleanly
  }
}

}  // namespace envelope::fuzz

#endif  // ENVELOPE_FUZZ_KMS_FUZZ_KEYS_H_
