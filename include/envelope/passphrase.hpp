// envelope: the passphrase keyring, for data keys a person unlocks with a
// passphrase instead of a stored key.
//
// Each EDK derives its own wrapping key with Argon2id (RFC 9106) from the
// passphrase and a fresh random salt; the cost parameters and the salt
// travel in the EDK, so a message stays readable when the defaults change.
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto passphrase, envelope::ReadSecret(source, 1024));  // io.hpp
//   ENVELOPE_ASSIGN_OR_RETURN(auto keyring, envelope::NewPassphraseKeyring(passphrase.span()));
//
// EDK written for a data key:
//
//   provider id   = "envelope-passphrase"
//   provider info = +---------+------------+----------------+-----------+---------+
//                   | version | passes (4) | memory KiB (4) | salt (16) | IV (12) |
//                   |  0x01   |            |                |  random   | random  |
//                   +---------+------------+----------------+-----------+---------+
//   ciphertext    = AES-256-GCM(Argon2id(passphrase, salt, passes, memory),
//                               IV, AAD = encryption context, data key) || tag (16)
//
// There is no passphrase fingerprint: the AES-GCM tag already lets whoever
// holds a message test guesses, and each guess costs a full Argon2id run.
#ifndef ENVELOPE_PASSPHRASE_HPP_
#define ENVELOPE_PASSPHRASE_HPP_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/io.hpp"
#include "envelope/keyring.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// kPassphraseProviderId is the EDK provider id of the passphrase keyring.
inline constexpr std::string_view kPassphraseProviderId = "envelope-passphrase";
// kWrongPassphraseMessage is the message of the `auth_failed` error of a
// passphrase EDK that does not unwrap.
inline constexpr char kWrongPassphraseMessage[] =
    "passphrase: the passphrase is wrong (or the message's encrypted data key or encryption "
    "context was altered)";

// PassphraseOptions sets the Argon2id cost of new EDKs and the most a
// decrypt will spend on a message's EDK.
struct PassphraseOptions {
  // passes and memory_kib are the cost of EDKs this keyring writes. The
  // defaults (3 passes over 64 MiB) are RFC 9106's second recommendation;
  // lower values (down to 1 pass over 8 KiB) exist for tests only.
  uint32_t passes = 3;
  uint32_t memory_kib = 64 * 1024;
  // max_passes and max_memory_kib bound what an EDK may ask for on decrypt,
  // so a hostile message cannot make us spin or allocate without limit.
  uint32_t max_passes = 10;
  uint32_t max_memory_kib = 1024 * 1024;
  // max_message_cost bounds the Argon2id work one message may ask for, all
  // its passphrase EDKs together, in KiB x passes (memory times passes):
  // the per-EDK maxima alone would let 64 EDKs cost 64 times as much before
  // anything is authenticated. A message over it is refused before the
  // first Argon2id run. The default is one EDK at the per-EDK maxima (about
  // 50 EDKs at the default cost).
  uint64_t max_message_cost = uint64_t{10} * 1024 * 1024;
};

// PassphraseCost is the Argon2id work of one EDK as max_message_cost counts
// it: memory in KiB times passes.
inline constexpr uint64_t PassphraseCost(uint32_t passes, uint32_t memory_kib) {
  return uint64_t{passes} * memory_kib;
}

// NewPassphraseKeyring returns a keyring for `passphrase` (any bytes, at
// least one; copied into secret memory). Fails with `invalid_argument` for
// an empty passphrase or costs outside Argon2id's bounds (1..64 passes,
// 8 KiB..4 GiB) or above the decrypt maxima. On decrypt: `not_found` when
// the message has no passphrase EDK, `limit_exceeded` when an EDK's cost is
// over the per-EDK maxima or all of them together are over max_message_cost,
// `auth_failed` with kWrongPassphraseMessage when none unwraps. EDKs are
// tried cheapest first.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewPassphraseKeyring(
    std::span<const uint8_t> passphrase, const PassphraseOptions& options = {});

// NewPassphraseKeyring takes the passphrase as text (its bytes, as above).
[[nodiscard]] inline Result<std::shared_ptr<const Keyring>> NewPassphraseKeyring(
    std::string_view passphrase, const PassphraseOptions& options = {}) {
  return NewPassphraseKeyring(AsBytes(passphrase), options);
}

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_PASSPHRASE_HPP_
