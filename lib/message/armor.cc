// The armor of include/envelope/armor.hpp over the base64 of base64.h.
#include "envelope/armor.hpp"

#include <algorithm>
#include <string>

#include "message/base64.h"

namespace envelope {
namespace {

constexpr bool IsSpace(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

tl::unexpected<Error> Bad(const char* why) {
  return MakeError(ErrorCode::malformed, std::string("armored input: ") + why);
}

}  // namespace

Result<void> ArmorSink::Emit(std::span<const uint8_t> in, bool last) {
  out_.clear();
  out_.reserve(in.size() / 3 * 4 + in.size() / 57 + 8);
  auto put = [&](char c) {
    out_.push_back(static_cast<uint8_t>(c));
    if (++column_ == kLineLength) {
      out_.push_back('\n');
      column_ = 0;
    }
  };
  char group[4];
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    message::Base64EncodeGroup(in.subspan(i, 3), group);
    for (const char c : group) put(c);
  }
  if (last) {
    if (i < in.size()) {
      message::Base64EncodeGroup(in.subspan(i), group);
      for (const char c : group) put(c);
    }
    if (column_ != 0) out_.push_back('\n');
  }
  if (out_.empty()) return {};
  return next_.Write(out_);
}

Result<void> ArmorSink::Write(std::span<const uint8_t> data) {
  // Complete the pending group first, then encode whole groups straight
  // from `data`, keeping at most two bytes for the next call.
  while (pending_size_ > 0 && pending_size_ < 3 && !data.empty()) {
    pending_[pending_size_++] = data.front();
    data = data.subspan(1);
  }
  if (pending_size_ == 3) {
    if (auto r = Emit(pending_, false); !r) return r;
    pending_size_ = 0;
  }
  const size_t whole = data.size() / 3 * 3;
  if (whole > 0) {
    if (auto r = Emit(data.first(whole), false); !r) return r;
  }
  for (size_t i = whole; i < data.size(); ++i) pending_[pending_size_++] = data[i];
  return {};
}

Result<void> ArmorSink::Close() {
  auto r = Emit(std::span<const uint8_t>(pending_, pending_size_), true);
  pending_size_ = 0;
  return r;
}

namespace {

// kDecode maps a byte to its base64 value, or to kSpace / kOther.
constexpr int8_t kSpace = -2, kOther = -1;
struct DecodeTable {
  int8_t v[256];
  constexpr DecodeTable() : v() {
    for (int c = 0; c < 256; ++c) {
      const auto byte = static_cast<uint8_t>(c);
      v[c] = IsSpace(byte)                    ? kSpace
             : message::Base64Value(byte) < 0 ? kOther
                                              : static_cast<int8_t>(message::Base64Value(byte));
    }
  }
};
constexpr DecodeTable kDecode;

}  // namespace

Result<void> ArmorDecoder::Decode(std::span<const uint8_t> text, std::vector<uint8_t>& out) {
  out.reserve(out.size() + text.size() / 4 * 3 + 3);
  for (const uint8_t c : text) {
    const int8_t d = kDecode.v[c];
    if (d >= 0 && padding_ == 0) {
      // The common case: one more digit of the body.
      acc_ = (acc_ << 6) | static_cast<uint32_t>(d);
      if (++have_ == 4) {
        const uint8_t group[3] = {static_cast<uint8_t>(acc_ >> 16), static_cast<uint8_t>(acc_ >> 8),
                                  static_cast<uint8_t>(acc_)};
        out.insert(out.end(), group, group + 3);
        acc_ = 0;
        have_ = 0;
      }
      continue;
    }
    if (d == kSpace) continue;
    if (c == '=') {
      // Padding: only at the third or fourth digit of a group.
      if (have_ + padding_ < 2) return Bad("misplaced padding");
      if (++padding_ + have_ > 4) return Bad("misplaced padding");
      continue;
    }
    if (d < 0) return Bad("not base64 (unexpected character)");
    return Bad("data after the padding");
  }
  if (padding_ > 0 && have_ + padding_ == 4) {
    // Flush the final partial group once its padding is in: 2 or 3 digits,
    // as the first '=' came at the third or fourth digit.
    if (have_ == 2) {
      if (acc_ & 0xf) return Bad("non-canonical padding bits");
      out.push_back(static_cast<uint8_t>(acc_ >> 4));
    } else {
      if (acc_ & 0x3) return Bad("non-canonical padding bits");
      out.push_back(static_cast<uint8_t>(acc_ >> 10));
      out.push_back(static_cast<uint8_t>(acc_ >> 2));
    }
    have_ = 4;  // the group is done; only whitespace may follow
    acc_ = 0;
  }
  return {};
}

Result<void> ArmorDecoder::Finish() const {
  if (padding_ > 0 ? have_ != 4 : have_ != 0) return Bad("truncated base64");
  return {};
}

std::string Base64(std::span<const uint8_t> data) { return message::Base64Encode(data); }

bool LooksArmored(std::span<const uint8_t> head) {
  // A C2SP file starts with 56 random bytes: all of the first 64 being
  // base64 text has a chance of about 2^-100.
  bool digit = false;
  for (const uint8_t c : head.first(std::min<size_t>(head.size(), 64))) {
    if (IsSpace(c) || (digit && c == '=')) continue;
    if (message::Base64Value(c) < 0) return false;
    digit = true;
  }
  return digit;
}

}  // namespace envelope
