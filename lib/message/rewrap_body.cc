// Rewrap's body step (rewrap.h): the frames walked header by header and
// copied unchanged, the footer checked and, for a signed message, signed
// again over the same bytes in the same pass.
#include <algorithm>
#include <cstring>

#include "message/frame.h"
#include "message/rewrap.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

constexpr size_t kBuffer = size_t{1} << 20;

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "rewrap: " + std::move(what));
}

}  // namespace

BodyReader::BodyReader(Source& source, std::span<const uint8_t> first)
    : source_(source), buffer_(std::max(kBuffer, first.size())) {
  std::copy(first.begin(), first.end(), buffer_.begin());
  end_ = first.size();
}

Result<size_t> BodyReader::Refill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  ENVELOPE_ASSIGN_OR_RETURN(const size_t n, source_.Read(std::span(buffer_).subspan(end_)));
  end_ += n;
  return n;
}

Result<std::span<const uint8_t>> BodyReader::Exact(size_t n) {
  if (n > kBuffer) return MakeError(ErrorCode::internal, "rewrap: read too large");
  while (end_ - begin_ < n) {
    ENVELOPE_ASSIGN_OR_RETURN(const size_t got, Refill());
    if (got == 0) return MakeError(ErrorCode::truncated, "rewrap: the message ends too early");
  }
  const auto out = std::span<const uint8_t>(buffer_).subspan(begin_, n);
  begin_ += n;
  return out;
}

Result<std::span<const uint8_t>> BodyReader::Some(size_t max) {
  if (begin_ == end_) {
    ENVELOPE_ASSIGN_OR_RETURN(const size_t got, Refill());
    if (got == 0) return MakeError(ErrorCode::truncated, "rewrap: the message ends too early");
  }
  const size_t n = std::min(max, end_ - begin_);
  const auto out = std::span<const uint8_t>(buffer_).subspan(begin_, n);
  begin_ += n;
  return out;
}

Result<bool> BodyReader::AtEnd() {
  if (begin_ < end_) return false;
  ENVELOPE_ASSIGN_OR_RETURN(const size_t got, Refill());
  return got == 0;
}

Result<uint64_t> CopyBody(BodyReader& in, Sink& out, RewrapPlan& plan) {
  const uint32_t frame_length = plan.old_header.frame_length;
  // Pass forwards frame bytes to the output and both signatures: what is
  // signed is what is written.
  auto pass = [&](std::span<const uint8_t> bytes) -> Result<void> {
    if (plan.verifier) ENVELOPE_RETURN_IF_ERROR(plan.verifier->Update(bytes));
    if (plan.signer) ENVELOPE_RETURN_IF_ERROR(plan.signer->Update(bytes));
    return out.Write(bytes);
  };
  uint64_t copied = 0;
  for (uint64_t seq = 1;; ++seq) {
    if (seq > kMaxSequenceNumber) return Bad("too many frames");
    // A regular frame's header is 16 bytes; peek at 4 to know which it is.
    ENVELOPE_ASSIGN_OR_RETURN(auto first, in.Exact(4));
    uint8_t head[kFinalFrameHeaderSize];
    std::copy(first.begin(), first.end(), head);
    const bool final = *Reader(first).U32() == kFinalFrameMarker;
    const size_t head_size = final ? kFinalFrameHeaderSize : kRegularFrameHeaderSize;
    ENVELOPE_ASSIGN_OR_RETURN(auto rest, in.Exact(head_size - 4));
    std::copy(rest.begin(), rest.end(), head + 4);
    auto parsed = ParseFrameHeader(std::span<const uint8_t>(head, head_size), frame_length);
    if (!parsed) return Bad("the final frame header is damaged");
    if (!*parsed) return MakeError(ErrorCode::internal, "rewrap: frame header not parsed");
    const FrameHeader& f = **parsed;
    if (f.seq != seq) return Bad("frames are out of order");
    ENVELOPE_RETURN_IF_ERROR(pass(std::span<const uint8_t>(head, head_size)));
    for (uint64_t left = uint64_t{f.content_length} + kFrameTagSize; left > 0;) {
      ENVELOPE_ASSIGN_OR_RETURN(auto piece,
                                in.Some(static_cast<size_t>(std::min<uint64_t>(left, kBuffer))));
      ENVELOPE_RETURN_IF_ERROR(pass(piece));
      left -= piece.size();
    }
    copied += f.total_size();
    if (f.final) break;
  }
  if (plan.signer) {
    ENVELOPE_ASSIGN_OR_RETURN(auto len_bytes, in.Exact(2));
    const size_t length = size_t{len_bytes[0]} << 8 | len_bytes[1];
    if (length == 0 || length > kMaxSignatureSize) return Bad("the footer is damaged");
    ENVELOPE_ASSIGN_OR_RETURN(auto signature, in.Exact(length));
    if (!plan.verifier->Verify(signature)) {
      return MakeError(ErrorCode::auth_failed,
                       "rewrap: the message's signature does not verify, so it was altered after "
                       "it was signed; refusing to sign it again");
    }
  }
  ENVELOPE_ASSIGN_OR_RETURN(const bool at_end, in.AtEnd());
  if (!at_end) return Bad("bytes follow the end of the message");
  if (plan.signer) {
    ENVELOPE_ASSIGN_OR_RETURN(auto footer, plan.signer->Footer());
    ENVELOPE_RETURN_IF_ERROR(out.Write(footer));
  }
  return copied;
}

}  // namespace envelope::message
