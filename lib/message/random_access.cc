#include "message/random_access.h"

#include <algorithm>
#include <cstring>

#include "message/decryptor.h"
#include "message/header.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

constexpr size_t kMaxBatchFrames = 4096;

// ReadHeader reads a growing prefix of `source` until the header parses.
Result<std::pair<ParsedHeader, std::vector<uint8_t>>> ReadHeader(PositionedSource& source,
                                                                 uint64_t size,
                                                                 const DecodeLimits& limits) {
  size_t want = 4096;
  for (;;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>({want, size, limits.max_header_bytes}));
    std::vector<uint8_t> bytes(n);
    ENVELOPE_RETURN_IF_ERROR(ReadExactAt(source, 0, bytes));
    auto parsed = ParseHeader(bytes, limits);
    if (parsed) return std::make_pair(std::move(*parsed), std::move(bytes));
    if (parsed.error().code() != ErrorCode::truncated || n == size) {
      return tl::unexpected(parsed.error().WithContext("decrypt"));
    }
    want *= 4;
  }
}

}  // namespace

Result<std::unique_ptr<RandomAccessReader>> RandomAccessReader::New(
    PositionedSource& source, const CryptoMaterialsManager& cmm, const DecryptOptions& options) {
  auto size = source.Size();
  ENVELOPE_RETURN_IF_ERROR(size);
  auto header = ReadHeader(source, *size, options.limits);
  ENVELOPE_RETURN_IF_ERROR(header);
  const Header& h = header->first.header;
  if (h.suite->signed_suite() || h.version() != 2 || h.content_type != ContentType::framed) {
    return MakeError(ErrorCode::unsupported,
                     "random access: only unsigned v2 framed messages (0x0478) can be read at "
                     "an offset; decrypt this one as a stream");
  }
  auto keys = AuthenticateHeader(std::move(header->first), header->second, cmm, options);
  ENVELOPE_RETURN_IF_ERROR(keys);

  std::unique_ptr<RandomAccessReader> r(new RandomAccessReader(source));
  r->info_ = ToHeaderInfo(keys->parsed);
  r->header_size_ = keys->parsed.total_size;
  r->frame_length_ = keys->parsed.header.frame_length;
  if (!ComputeFrameLayout(*size - r->header_size_, r->frame_length_, &r->layout_)) {
    return MakeError(ErrorCode::malformed,
                     "random access: the message size fits no frame layout; it was truncated "
                     "or extended");
  }
  r->schedule_ = std::make_unique<FrameSchedule>(keys->parsed.header.message_id);
  auto engine =
      stream::ChunkEngine::New(keys->encryption_key.span(), *r->schedule_, options.threads);
  ENVELOPE_RETURN_IF_ERROR(engine);
  r->engine_ = std::move(*engine);
  r->batch_frames_ =
      std::clamp<size_t>(r->engine_->BatchChunks(r->frame_length_), 1, kMaxBatchFrames);
  // The final frame proves the frame count and the total length.
  ENVELOPE_RETURN_IF_ERROR(r->OpenFrames(r->layout_.regular_frames, 1));
  SecureZero(r->plain_);
  return r;
}

Result<void> RandomAccessReader::OpenFrames(uint64_t first, uint64_t count) {
  const uint64_t regular_size = uint64_t(frame_length_) + kRegularFrameOverhead;
  const uint64_t n = layout_.regular_frames;
  const bool has_final = first + count == n + 1;
  const uint64_t start = header_size_ + first * regular_size;
  const uint64_t bytes = (has_final ? count - 1 : count) * regular_size +
                         (has_final ? kFinalFrameOverhead + layout_.final_content : 0);
  raw_.resize(bytes);
  if (auto r = ReadExactAt(source_, start, raw_); !r) return r;
  plain_.resize((has_final ? count - 1 : count) * frame_length_ +
                (has_final ? layout_.final_content : 0));
  jobs_.clear();
  size_t in_off = 0, out_off = 0;
  for (uint64_t i = first; i < first + count; ++i) {
    const bool is_final = i == n;
    // Any damage is an authentication failure here: the layout came from
    // the size, and the frame that should be at this offset is not.
    auto head = ParseFrameHeader(std::span(raw_).subspan(in_off), frame_length_);
    if (!head || !*head) return AuthFailed();
    const FrameHeader& f = **head;
    if (f.final != is_final || f.seq != i + 1 || !f.IvMatches() ||
        (is_final && f.content_length != layout_.final_content) ||
        raw_.size() - in_off < f.total_size()) {
      return AuthFailed();
    }
    const size_t len = f.content_length;
    const auto ct = std::span<const uint8_t>(raw_).subspan(in_off + f.size, len);
    uint8_t* tag = raw_.data() + in_off + f.size + len;
    jobs_.push_back({i, is_final, ct, std::span(plain_).subspan(out_off, len),
                     std::span<uint8_t>(tag, kFrameTagSize)});
    in_off += f.total_size();
    out_off += len;
  }
  // Open reads the tags only; it never writes through them.
  if (!engine_->Open(jobs_)) return AuthFailed();
  return {};
}

Result<size_t> RandomAccessReader::ReadAt(uint64_t offset, std::span<uint8_t> out) {
  // The PositionedSource rule: a range past the end is cut short, not refused.
  if (offset >= layout_.plaintext_size) return size_t{0};
  if (out.size() > layout_.plaintext_size - offset) {
    out = out.first(static_cast<size_t>(layout_.plaintext_size - offset));
  }
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t pos = offset + done;
    uint64_t first = pos / frame_length_;
    if (first > layout_.regular_frames) first = layout_.regular_frames;
    const uint64_t last_needed = (offset + out.size() - 1) / frame_length_;
    const uint64_t count = std::min<uint64_t>(
        {last_needed - first + 1, batch_frames_, layout_.regular_frames + 1 - first});
    if (auto r = OpenFrames(first, count); !r) {
      SecureZero(out);
      return tl::unexpected(r.error());
    }
    const uint64_t skip = pos - first * frame_length_;
    const size_t take =
        static_cast<size_t>(std::min<uint64_t>(plain_.size() - skip, out.size() - done));
    std::memcpy(out.data() + done, plain_.data() + skip, take);
    done += take;
    SecureZero(plain_);
  }
  return done;
}

}  // namespace envelope::message
