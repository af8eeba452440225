// envelope: armor, the base64 text form of a whole message (the tools'
// --armor), encoded and decoded in pieces of any size.
//
// The whole binary message in standard base64 (RFC 4648, with padding; the
// alphabet of base64.h), broken into lines of 76 characters and ending with
// a newline:
//
//   AgR4... (76 characters)\n
//   ...\n
//   ...== \n        (the last line: 1 to 76 characters, padded)
//
// That is the AWS Encryption CLI's `--encode` form: its `--decode` (Python
// base64io) ignores whitespace, so it reads ours, and ours reads its
// single-line output. Decoding skips whitespace and refuses anything else.
#ifndef ENVELOPE_ARMOR_HPP_
#define ENVELOPE_ARMOR_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/io.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// ArmorSink base64-encodes what is written to it into `next` (borrowed; it
// must outlive the ArmorSink). Close must be called after the last Write to
// emit the padding and the final newline. Errors are `next`'s.
class ArmorSink final : public Sink {
 public:
  // kLineLength is the number of characters on every line but the last.
  static constexpr size_t kLineLength = 76;
  explicit ArmorSink(Sink& next) : next_(next) {}
  [[nodiscard]] Result<void> Write(std::span<const uint8_t> data) override;
  [[nodiscard]] Result<void> Close();

 private:
  [[nodiscard]] Result<void> Emit(std::span<const uint8_t> whole_groups, bool last);
  Sink& next_;
  uint8_t pending_[3] = {};
  size_t pending_size_ = 0;
  size_t column_ = 0;
  std::vector<uint8_t> out_;
};

// ArmorDecoder turns base64 text, fed in pieces of any size, back into
// bytes. Fails with `malformed` on a character outside the alphabet and
// whitespace, misplaced padding, data after the padding, non-zero bits under
// the padding, or (at Finish) a length that is not a whole number of groups.
// After a failure the decoder must not be used again.
class ArmorDecoder {
 public:
  // Decode appends the bytes of `text` that complete groups to `out`.
  [[nodiscard]] Result<void> Decode(std::span<const uint8_t> text, std::vector<uint8_t>& out);
  // Finish checks that the text ended on a group boundary.
  [[nodiscard]] Result<void> Finish() const;

 private:
  uint32_t acc_ = 0;
  int have_ = 0;     // base64 digits in acc_
  int padding_ = 0;  // '=' seen
};

// LooksArmored reports whether a message starting with `head` is the base64
// form: a binary message starts with its version byte 0x01 or 0x02 (a C2SP
// file with random bytes), the armor with base64 text: its first 64 bytes
// (or all, if fewer) are base64 digits, padding and whitespace.
bool LooksArmored(std::span<const uint8_t> head);

// Base64 returns the standard base64 of `data` (RFC 4648, padded) on one
// line, without a newline: the armor's alphabet without its line breaks.
std::string Base64(std::span<const uint8_t> data);

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_ARMOR_HPP_
