// envelope: SSE-C, encryption with a key the customer supplies per
// operation and the library never stores.
//
// The caller's 256-bit key never enters the message. Each EDK wraps the
// data key under a key derived from it with a fresh random salt, and keeps a
// salted HMAC fingerprint of it, so a wrong key gets a clear "customer key
// does not match" instead of the generic authentication failure. Keys come
// from a file, a descriptor or the environment, never a command-line literal
// (a key that travelled over an insecure channel counts as compromised);
// ParseCustomerKey reads the two usual spellings.
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto key, envelope::ParseCustomerKey(file_bytes));  // raw, base64
//   ENVELOPE_ASSIGN_OR_RETURN(auto keyring, envelope::NewCustomerKeyKeyring(key));
//
// EDK written for a data key, K being the customer key:
//
//   wrap key    = HKDF-SHA-512(salt, ikm = K, info = "envelope sse-c v1 wrap", 32)
//   fingerprint = HMAC-SHA-256(K, "envelope sse-c v1 fingerprint" || salt)
//
//   provider id   = "envelope-sse-c"
//   provider info = +---------+-----------+------------------+---------+
//                   | version | salt (32) | fingerprint (32) | IV (12) |
//                   |  0x01   |  random   | HMAC-SHA-256     | random  |
//                   +---------+-----------+------------------+---------+
//   ciphertext    = AES-256-GCM(wrap key, IV, AAD = encryption context,
//                               data key) || tag (16)      (48 bytes)
#ifndef ENVELOPE_CUSTOMER_KEY_HPP_
#define ENVELOPE_CUSTOMER_KEY_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/io.hpp"
#include "envelope/keyring.hpp"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// kCustomerKeyProviderId is the EDK provider id of the SSE-C keyring.
inline constexpr std::string_view kCustomerKeyProviderId = "envelope-sse-c";
// kCustomerKeySize is the only customer key size: 256 bits.
inline constexpr size_t kCustomerKeySize = 32;
// kCustomerKeyMismatchMessage is the message of the `auth_failed` error a
// decrypt gets when the supplied key is not the one the message was
// encrypted with (the fingerprint differs; nothing was decrypted).
inline constexpr char kCustomerKeyMismatchMessage[] =
    "sse-c: the customer key does not match the key this message was encrypted with";

// CustomerKeyOptions configures NewCustomerKeyKeyring.
struct CustomerKeyOptions {
  // key_md5 is S3's x-amz-server-side-encryption-customer-key-MD5: the
  // standard base64 of the MD5 of the key, sent beside it to catch a key
  // damaged in transit. Empty: no check. It is never stored.
  std::string key_md5;
};

// NewCustomerKeyKeyring returns the SSE-C keyring for `customer_key`
// (exactly 32 bytes, copied into secret memory; the caller wipes its copy).
// Fails with `invalid_argument` for another size, and when options.key_md5
// is given and is not the base64 MD5 of the key ("the customer key md5
// does not match"). On decrypt: `not_found` when the message has no SSE-C
// EDK, `auth_failed` with kCustomerKeyMismatchMessage when no SSE-C EDK has
// this key's fingerprint, the fixed authentication failure when one does
// but does not unwrap (altered EDK or encryption context).
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewCustomerKeyKeyring(
    KeyView customer_key, const CustomerKeyOptions& options = {});

// CustomerKeyMd5 returns the standard base64 of MD5(customer_key), the
// value S3 clients send as the customer key MD5. Fails with
// `invalid_argument` for a key that is not 32 bytes.
[[nodiscard]] Result<std::string> CustomerKeyMd5(KeyView customer_key);

// ParseCustomerKey reads a customer key from the contents of a key file,
// descriptor or variable: exactly 32 raw bytes, or the standard base64 of
// 32 bytes (S3's x-amz-server-side-encryption-customer-key) optionally
// followed by one newline. The result is in secret memory. Fails with
// `invalid_argument` (which never quotes the input) for anything else.
[[nodiscard]] Result<SecretBytes> ParseCustomerKey(std::span<const uint8_t> text);

// ParseCustomerKey reads the key from text (an environment variable's
// value, say), as above.
[[nodiscard]] inline Result<SecretBytes> ParseCustomerKey(std::string_view text) {
  return ParseCustomerKey(AsBytes(text));
}

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_CUSTOMER_KEY_HPP_
