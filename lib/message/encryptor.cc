#include "message/encryptor.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>

#include "crypto/aes_gcm.h"
#include "crypto/random.h"
#include "message/base64.h"
#include "message/context_codec.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

// Jobs per batch are capped so tiny frames do not make huge job arrays.
constexpr size_t kMaxBatchFrames = 16384;

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "encrypt: " + std::move(what));
}

// kReadersRefuse ends the message of a limit the readers' DecodeLimits
// would refuse the message for.
constexpr const char* kReadersRefuse = ", so decrypt would refuse this message";

tl::unexpected<Error> EndedEarly() {
  return MakeError(ErrorCode::io,
                   "encrypt: the input ended early (did it shrink while it was read?)");
}

// ReadExactly is ReadExactAt with an input that ends early reported as the
// encryptor's input error (io), not as a truncated message.
Result<void> ReadExactly(PositionedSource& source, uint64_t offset, std::span<uint8_t> out) {
  auto r = ReadExactAt(source, offset, out);
  if (!r && r.error().code() == ErrorCode::truncated) return EndedEarly();
  return r;
}

// FrameLoader has the engine's threads read each frame's plaintext from
// `source` straight into the frame's place in the output, where it is then
// sealed in place. Frame `first_index` starts at `offset`.
class FrameLoader final : public stream::ChunkLoader {
 public:
  FrameLoader(PositionedSource& source, uint64_t offset, uint64_t first_index,
              uint32_t frame_length)
      : source_(source), offset_(offset), first_index_(first_index), frame_length_(frame_length) {}

  Result<void> Load(std::span<const stream::ChunkJob> jobs) noexcept override {
    // The jobs are consecutive frames: consecutive plaintext, read with one
    // call per group of kGroup frames.
    constexpr size_t kGroup = 64;
    try {
      std::array<std::span<uint8_t>, kGroup> outs;
      while (!jobs.empty()) {
        const size_t count = std::min(jobs.size(), kGroup);
        size_t want = 0;
        for (size_t i = 0; i < count; ++i) {
          outs[i] = jobs[i].out;
          want += jobs[i].out.size();
        }
        const uint64_t at = offset_ + (jobs[0].index - first_index_) * frame_length_;
        auto n = source_.ReadAtV(at, std::span(outs.data(), count));
        ENVELOPE_RETURN_IF_ERROR(n);
        if (*n != want) return EndedEarly();
        jobs = jobs.subspan(count);
      }
      return {};
    } catch (...) {  // std::bad_alloc building an error message
      return MakeError(ErrorCode::internal, "encrypt: out of memory while reading the input");
    }
  }

 private:
  PositionedSource& source_;
  const uint64_t offset_;
  const uint64_t first_index_;
  const uint64_t frame_length_;
};

// FlushTask runs Encryptor::FlushHashed as the engine's side task.
template <typename F>
class FlushTask final : public stream::SideTask {
 public:
  explicit FlushTask(F flush) : flush_(std::move(flush)) {}
  void Run() noexcept override {
    try {
      result_ = flush_();
    } catch (...) {  // std::bad_alloc
      result_ = MakeError(ErrorCode::internal, "encrypt: out of memory while writing");
    }
  }
  Result<void>& result() noexcept { return result_; }

 private:
  F flush_;
  Result<void> result_;
};

}  // namespace

Result<std::unique_ptr<Encryptor>> Encryptor::New(EncryptionMaterials materials,
                                                  const EncryptorConfig& config, Sink& sink) {
  const SuiteInfo* suite = FindSuite(static_cast<uint16_t>(materials.suite));
  if (suite == nullptr) return Bad("unknown algorithm suite");
  ENVELOPE_RETURN_IF_ERROR(CheckEncryptPolicy(*suite, config.commitment_policy));
  if (config.frame_length == 0) return Bad("frame length must be at least 1");
  if (auto over = FrameLengthOverLimit(config.frame_length, config.limits)) {
    return Bad(*over + kReadersRefuse);
  }
  if (auto over = EdkCountOverLimit(materials.encrypted_data_keys.size(), config.limits)) {
    return Bad(*over + kReadersRefuse);
  }
  if (materials.data_key.size() != suite->key_size) return Bad("data key must be 32 bytes");
  if (materials.encrypted_data_keys.empty()) return Bad("no encrypted data keys");
  const auto pk = materials.context.find(std::string(kPublicKeyContextKey));
  if (suite->signed_suite()) {
    if (!materials.signing_key) return Bad("signed suite without a signing key");
    if (pk == materials.context.end() ||
        pk->second != Base64Encode(materials.signing_key->PublicKey())) {
      return Bad("the context's aws-crypto-public-key does not match the signing key");
    }
  } else if (materials.signing_key || pk != materials.context.end()) {
    return Bad("unsigned suite with a signing key or aws-crypto-public-key");
  }
  for (const std::string& key : materials.required_context_keys) {
    if (!materials.context.contains(key)) return Bad("required context key missing: " + key);
  }

  std::unique_ptr<Encryptor> e(new Encryptor(sink));
  e->frame_length_ = config.frame_length;
  Header h;
  h.suite = suite;
  h.message_id.resize(suite->message_id_size());
  if (config.fixed_message_id) {
    if (config.fixed_message_id->size() != h.message_id.size()) return Bad("bad test message id");
    h.message_id = *config.fixed_message_id;
  } else {
    ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(h.message_id));
  }
  // The header stores the context minus the required keys; those are
  // authenticated through the header tag only.
  EncryptionContext required = SubContext(materials.context, materials.required_context_keys);
  h.context = materials.context;
  for (const auto& [key, value] : required) h.context.erase(key);
  h.encrypted_data_keys = std::move(materials.encrypted_data_keys);
  h.content_type = ContentType::framed;
  h.frame_length = config.frame_length;

  auto keys = DeriveKeys(*suite, materials.data_key.span(), h.message_id);
  ENVELOPE_RETURN_IF_ERROR(keys);
  h.suite_data.assign(keys->commit_key.data(), keys->commit_key.data() + kCommitKeySize);

  auto body = SerializeHeaderBody(h);
  ENVELOPE_RETURN_IF_ERROR(body);
  // The stored context's size is the header's 2-byte length field.
  auto stored_context = SerializeContext(h.context);
  ENVELOPE_RETURN_IF_ERROR(stored_context);
  if (auto over = ContextOverLimit(stored_context->size(), config.limits)) {
    return Bad(*over + kReadersRefuse);
  }
  if (auto over = HeaderOverLimit(body->size() + kHeaderTagSize, config.limits)) {
    return Bad(*over + kReadersRefuse);
  }
  auto required_bytes = SerializeContext(required);
  ENVELOPE_RETURN_IF_ERROR(required_bytes);
  std::vector<uint8_t> aad = *body;
  AppendBytes(aad, *required_bytes);
  uint8_t tag[kHeaderTagSize];
  const uint8_t zero_iv[kHeaderIvSize] = {0};
  if (auto r = crypto::AesGcmSeal(keys->encryption_key.span(), zero_iv, aad, {}, tag); !r) {
    return tl::unexpected(r.error());
  }
  h.auth_tag.assign(tag, tag + kHeaderTagSize);
  e->header_bytes_ = std::move(*body);
  AppendBytes(e->header_bytes_, h.auth_tag);

  ParsedHeader parsed{h, e->header_bytes_.size() - kHeaderTagSize, e->header_bytes_.size()};
  e->info_ = ToHeaderInfo(parsed);
  e->schedule_owner_ = std::make_unique<FrameSchedule>(h.message_id);
  auto engine =
      stream::ChunkEngine::New(keys->encryption_key.span(), *e->schedule_owner_, config.threads);
  ENVELOPE_RETURN_IF_ERROR(engine);
  e->engine_ = std::move(*engine);
  e->batch_frames_ =
      std::clamp<size_t>(e->engine_->BatchChunks(config.frame_length), 1, kMaxBatchFrames);
  if (suite->signed_suite()) {
    auto signer = MessageSigner::New(materials.signing_key);
    ENVELOPE_RETURN_IF_ERROR(signer);
    e->signer_.emplace(std::move(*signer));
  }
  return e;
}

Result<void> Encryptor::Fail(Error error) {
  error_ = error;
  SecureZero(pending_);
  pending_.clear();
  return tl::unexpected(std::move(error));
}

Result<void> Encryptor::Emit(std::span<const uint8_t> bytes) {
  if (signer_) {
    if (auto r = signer_->Update(bytes); !r) return r;
  }
  return sink_.Write(bytes);
}

Result<void> Encryptor::WriteHeaderOnce() {
  if (header_written_) return {};
  header_written_ = true;
  return Emit(header_bytes_);
}

Result<void> Encryptor::FlushHashed() {
  if (sealed_last_size_ == 0) return {};
  const auto bytes = std::span<const uint8_t>(sealed_last_).first(sealed_last_size_);
  sealed_last_size_ = 0;
  return Emit(bytes);
}

Result<void> Encryptor::SealFrames(std::span<const uint8_t> head, std::span<const uint8_t> source,
                                   size_t count, bool final, stream::ChunkLoader* loader) {
  const size_t head_frames = head.size() / frame_length_;
  const size_t plain =
      loader != nullptr
          ? count * size_t{frame_length_}
          : head.size() + std::min(source.size(), (count - head_frames) * size_t{frame_length_});
  if (next_seq_ + count - 1 > kMaxSequenceNumber) {
    return Bad("message too long: more than 2^32 - 2 frames");
  }
  const size_t total = count * kRegularFrameOverhead + (final ? 8 : 0) + plain;
  // Seal straight into the sink's memory when it offers some (no copy of
  // the ciphertext); otherwise into our buffer, then Write. Signed suites
  // always use our buffer: the batch is hashed and written during the next
  // one (see the header).
  std::span<uint8_t> dst = signer_ ? std::span<uint8_t>() : sink_.Reserve(total);
  const bool direct = dst.size() == total;
  if (!direct) {
    out_.resize(total);
    dst = out_;
  }
  jobs_.clear();
  uint8_t* p = dst.data();
  size_t offset = 0;
  for (size_t i = 0; i < count; ++i) {
    const bool is_final = final && i + 1 == count;
    const size_t len = is_final ? plain - offset : frame_length_;
    const uint32_t seq = static_cast<uint32_t>(next_seq_ + i);
    if (is_final) {
      PutUint(p, kFinalFrameMarker, 4);
      p += 4;
    }
    PutUint(p, seq, 4);
    FrameIv(seq, std::span<uint8_t, kFrameIvSize>(p + 4, kFrameIvSize));
    p += 4 + kFrameIvSize;
    if (is_final) {
      PutUint(p, len, 4);
      p += 4;
    }
    const std::span<uint8_t> out(p, len);
    const std::span<const uint8_t> in = loader != nullptr ? out
                                        : i < head_frames
                                            ? head.subspan(offset, len)
                                            : source.subspan(offset - head.size(), len);
    jobs_.push_back({seq - 1u, is_final, in, out, std::span(p + len, kFrameTagSize)});
    p += len + kFrameTagSize;
    offset += len;
  }
  auto flush = FlushTask([this] { return FlushHashed(); });
  if (auto r = engine_->Seal(jobs_, loader, signer_ ? &flush : nullptr); !r) {
    // Loaded frames that were not sealed hold plaintext.
    if (loader != nullptr) SecureZero(dst);
    if (direct) (void)sink_.Commit(0);
    return r;
  }
  next_seq_ += count;
  if (direct) return sink_.Commit(total);
  if (!signer_) return Emit(dst);
  ENVELOPE_RETURN_IF_ERROR(flush.result());
  // This batch is hashed and written with the next one, or by Finish.
  out_.swap(sealed_last_);
  sealed_last_size_ = total;
  return {};
}

Result<void> Encryptor::Update(std::span<const uint8_t> plaintext) {
  if (error_) return tl::unexpected(*error_);
  if (finished_) return Fail(Error(ErrorCode::invalid_argument, "encrypt: update after finish"));
  if (auto r = WriteHeaderOnce(); !r) return Fail(r.error());
  const size_t frame = frame_length_;
  const size_t batch_bytes = batch_frames_ * frame;
  // A write with this many whole frames is sealed from the caller's buffer
  // rather than gathered (copied) into pending_: enough frames to keep
  // every thread busy (4 each, as the pull reader's rule), or any with one
  // thread, which has no hand-off to amortise.
  const size_t threads = engine_->threads();
  const size_t direct_min = threads == 1 ? 1 : std::min(batch_frames_, 4 * threads);
  while (!plaintext.empty()) {
    // No frame is sealed until some plaintext follows it, so the last frame
    // of the message is never sealed as a regular one.
    if (!pending_.empty()) {
      const size_t fill = (frame - pending_.size() % frame) % frame;  // ends its last frame
      const size_t direct =
          plaintext.size() > fill ? (plaintext.size() - fill - 1) / frame : size_t{0};
      if (direct < direct_min && pending_.size() + plaintext.size() <= batch_bytes) {
        // Small writes gather into pending_ until a batch is full.
        pending_.insert(pending_.end(), plaintext.begin(), plaintext.end());
        return {};
      }
      // Complete pending_'s last frame, then seal its frames and, in the
      // same batch, as many whole frames of the caller's buffer as the
      // batch holds (keeping back at least one byte). A large write after
      // a held-back frame is then one batch, not a copy of the write into
      // pending_ (1 MiB writes of 64 KiB frames on two threads had
      // scaled 0.95x: every other write was copied while the worker idled).
      pending_.insert(pending_.end(), plaintext.begin(), plaintext.begin() + fill);
      plaintext = plaintext.subspan(fill);
      if (plaintext.empty()) return {};
      const size_t head = pending_.size() / frame;
      const size_t more = direct < direct_min ? 0 : std::min(batch_frames_ - head, direct);
      if (auto r = SealFrames(pending_, plaintext, head + more, false, nullptr); !r) {
        return Fail(r.error());
      }
      pending_.clear();
      plaintext = plaintext.subspan(more * frame);
      continue;
    }
    // Seal whole frames straight from the input (no copy), keeping back at
    // least one byte; what is left (at most one frame) waits in pending_.
    if (plaintext.size() > frame) {
      const size_t frames = std::min(batch_frames_, (plaintext.size() - 1) / frame);
      if (auto r = SealFrames({}, plaintext, frames, false, nullptr); !r) return Fail(r.error());
      plaintext = plaintext.subspan(frames * frame);
      continue;
    }
    pending_.insert(pending_.end(), plaintext.begin(), plaintext.end());
    plaintext = {};
  }
  return {};
}

Result<void> Encryptor::UpdateFrom(PositionedSource& source, uint64_t offset, uint64_t length) {
  if (error_) return tl::unexpected(*error_);
  if (finished_) return Fail(Error(ErrorCode::invalid_argument, "encrypt: update after finish"));
  if (length == 0) return {};
  if (offset > std::numeric_limits<uint64_t>::max() - length) {
    return Fail(Error(ErrorCode::invalid_argument, "encrypt: input range out of bounds"));
  }
  if (auto r = WriteHeaderOnce(); !r) return Fail(r.error());
  const size_t frame = frame_length_;
  if (!pending_.empty()) {
    // Complete the frame pending_ has begun (pending_ never holds more than
    // a batch, a whole number of frames, so this stays within one), then
    // seal pending_'s frames: plaintext follows them.
    const size_t take =
        static_cast<size_t>(std::min<uint64_t>(length, (frame - pending_.size() % frame) % frame));
    const size_t held = pending_.size();
    pending_.resize(held + take);
    if (auto r = ReadExactly(source, offset, std::span(pending_).subspan(held)); !r) {
      return Fail(r.error());
    }
    offset += take;
    length -= take;
    if (length == 0) return {};
    if (auto r = SealFrames(pending_, {}, pending_.size() / frame, false, nullptr); !r) {
      return Fail(r.error());
    }
    SecureZero(pending_);
    pending_.clear();
  }
  // Whole frames, keeping back at least one byte, are read by the threads
  // that seal them.
  while (length > frame) {
    const size_t frames =
        static_cast<size_t>(std::min<uint64_t>(batch_frames_, (length - 1) / frame));
    FrameLoader loader(source, offset, next_seq_ - 1, frame_length_);
    if (auto r = SealFrames({}, {}, frames, false, &loader); !r) return Fail(r.error());
    offset += uint64_t{frames} * frame;
    length -= uint64_t{frames} * frame;
  }
  // The last 1 .. frame bytes wait in pending_ for what follows.
  pending_.resize(static_cast<size_t>(length));
  if (auto r = ReadExactly(source, offset, pending_); !r) return Fail(r.error());
  return {};
}

Result<void> Encryptor::Finish() {
  if (error_) return tl::unexpected(*error_);
  if (finished_) return Fail(Error(ErrorCode::invalid_argument, "encrypt: finish called twice"));
  finished_ = true;
  if (auto r = WriteHeaderOnce(); !r) return Fail(r.error());
  // pending_ holds 0 .. batch bytes: all but the last frame regular.
  const size_t frames = std::max<size_t>(1, (pending_.size() + frame_length_ - 1) / frame_length_);
  if (auto r = SealFrames({}, pending_, frames, true, nullptr); !r) return Fail(r.error());
  SecureZero(pending_);
  pending_.clear();
  if (auto r = FlushHashed(); !r) return Fail(r.error());
  if (signer_) {
    auto footer = signer_->Footer();
    if (!footer) return Fail(footer.error());
    if (auto r = sink_.Write(*footer); !r) return Fail(r.error());
  }
  engine_.reset();
  return {};
}

}  // namespace envelope::message
