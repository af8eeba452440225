// InspectMessage: the header and the layout of a message, without a key.
#include <algorithm>
#include <cstring>

#include "envelope/message.hpp"
#include "message/frame.h"
#include "message/header.h"
#include "message/signature.h"
#include "message/wire.h"

namespace envelope {
namespace {

using message::ContentType;

// Pull reads exactly what the walk asks for from a Source.
class Pull {
 public:
  explicit Pull(Source& source) : source_(source) {}

  // Fill makes at least `n` bytes available past the read position, or
  // fails with `truncated`.
  Result<void> Fill(size_t n) {
    while (buffer_.size() - pos_ < n) {
      if (pos_ > 0) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + pos_);
        pos_ = 0;
      }
      const size_t old = buffer_.size();
      buffer_.resize(old + std::max<size_t>(n - old, 64 * 1024));
      auto got = source_.Read(std::span(buffer_).subspan(old));
      ENVELOPE_RETURN_IF_ERROR(got);
      buffer_.resize(old + *got);
      if (*got == 0) return MakeError(ErrorCode::truncated, "inspect: the message ends early");
    }
    return {};
  }
  std::span<const uint8_t> Peek() const { return std::span(buffer_).subspan(pos_); }
  Result<uint64_t> Uint(size_t n) {
    ENVELOPE_RETURN_IF_ERROR(Fill(n));
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = v << 8 | buffer_[pos_ + i];
    pos_ += n;
    return v;
  }
  // Skip discards `n` bytes without holding them all at once.
  Result<void> Skip(uint64_t n) {
    while (n > 0) {
      const uint64_t have = buffer_.size() - pos_;
      if (have == 0) {
        if (auto r = Fill(1); !r) return r;
        continue;
      }
      const uint64_t step = std::min(have, n);
      pos_ += static_cast<size_t>(step);
      n -= step;
    }
    return {};
  }
  void Advance(size_t n) { pos_ += n; }
  // AtEnd reports whether the source has no byte left.
  Result<bool> AtEnd() {
    if (pos_ < buffer_.size()) return false;
    auto r = Fill(1);
    if (r) return false;
    if (r.error().code() == ErrorCode::truncated) return true;
    return tl::unexpected(r.error());
  }

 private:
  Source& source_;
  std::vector<uint8_t> buffer_;
  size_t pos_ = 0;
};

}  // namespace

Result<MessageInfo> InspectMessage(Source& source, const DecodeLimits& limits) {
  Pull in(source);
  MessageInfo info;
  // The header: grow the window until it parses.
  size_t want = 4096;
  for (;;) {
    auto filled = in.Fill(1);
    ENVELOPE_RETURN_IF_ERROR(filled);
    auto parsed = message::ParseHeader(in.Peek(), limits);
    if (parsed) {
      info.header = message::ToHeaderInfo(*parsed);
      in.Advance(parsed->total_size);
      break;
    }
    if (parsed.error().code() != ErrorCode::truncated) {
      return tl::unexpected(parsed.error().WithContext("inspect"));
    }
    if (auto r = in.Fill(std::min(want, limits.max_header_bytes + 1)); !r) {
      // Fewer bytes than asked for: try to parse what there is once more.
      auto last = message::ParseHeader(in.Peek(), limits);
      if (!last) return tl::unexpected(last.error().WithContext("inspect"));
      info.header = message::ToHeaderInfo(*last);
      in.Advance(last->total_size);
      break;
    }
    want *= 2;
  }
  const auto* suite = message::FindSuite(static_cast<uint16_t>(info.header.suite));
  auto bad = [](const char* what) {
    return MakeError(ErrorCode::malformed, std::string("inspect: ") + what);
  };
  if (info.header.framed) {
    const uint32_t frame_length = info.header.frame_length;
    for (uint64_t expected = 1;; ++expected) {
      // Every frame, even a regular one of one byte, is at least as long
      // as the final frame's header, so a whole message always has these.
      ENVELOPE_RETURN_IF_ERROR(in.Fill(message::kFinalFrameHeaderSize));
      auto head = message::ParseFrameHeader(in.Peek(), frame_length);
      if (!head) return bad("final frame is longer than the frame length");
      if (!*head) return MakeError(ErrorCode::internal, "inspect: frame header not parsed");
      const message::FrameHeader& f = **head;
      if (f.seq != expected) return bad("frames are out of sequence");
      const bool final = f.final;
      const uint64_t len = f.content_length;
      in.Advance(f.size);
      ENVELOPE_RETURN_IF_ERROR(in.Skip(len + message::kFrameTagSize));
      info.plaintext_size += len;
      info.body_size +=
          (final ? message::kFinalFrameOverhead : message::kRegularFrameOverhead) + len;
      ++info.frame_count;
      if (final) break;
    }
  } else {
    ENVELOPE_RETURN_IF_ERROR(in.Skip(message::kFrameIvSize));
    auto len = in.Uint(8);
    ENVELOPE_RETURN_IF_ERROR(len);
    if (*len > limits.max_frame_length) return bad("non-framed content is over max_frame_length");
    ENVELOPE_RETURN_IF_ERROR(in.Skip(*len + message::kFrameTagSize));
    info.plaintext_size = *len;
    info.body_size = message::kFrameIvSize + 8 + *len + message::kFrameTagSize;
  }
  if (suite->signed_suite()) {
    auto len = in.Uint(2);
    ENVELOPE_RETURN_IF_ERROR(len);
    if (*len == 0 || *len > message::kMaxSignatureSize) return bad("bad signature length");
    ENVELOPE_RETURN_IF_ERROR(in.Skip(*len));
    info.footer_size = 2 + *len;
  }
  auto end = in.AtEnd();
  ENVELOPE_RETURN_IF_ERROR(end);
  if (!*end) return bad("bytes follow the end of the message");
  return info;
}

}  // namespace envelope
