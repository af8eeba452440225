// tools/commands: --armor, the base64 text form of a message.
//
// The whole binary message in standard base64 (RFC 4648, with padding),
// broken into lines of 76 characters and ending with a newline. That is the
// AWS Encryption CLI's `--encode` form: its `--decode` (Python base64io)
// ignores whitespace, so it reads ours, and ours reads its single-line
// output. Decoding skips whitespace and refuses anything else.
#ifndef ENVELOPE_TOOLS_COMMANDS_ARMOR_H_
#define ENVELOPE_TOOLS_COMMANDS_ARMOR_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/io.hpp"

namespace envelope::cli {

// ArmorSink base64-encodes what is written to it into `next`. Close must be
// called after the last Write to emit the padding and the final newline.
class ArmorSink final : public Sink {
 public:
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
// bytes. Fails with invalid_argument on a character outside the alphabet,
// data after the padding, or (at Finish) a length that is not a whole
// number of groups.
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

// Base64 returns the standard base64 of `data` on one line (no newline).
std::string Base64(std::span<const uint8_t> data);

// LooksArmored reports whether a message starting with `head` is the base64
// form: a binary message starts with its version byte 0x01 or 0x02 (a C2SP
// file with random bytes), the armor with base64 text: its first 64 bytes
// (or all, if fewer) are base64 digits, padding and whitespace.
bool LooksArmored(std::span<const uint8_t> head);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_ARMOR_H_
