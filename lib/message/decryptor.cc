#include "message/decryptor.h"

#include <algorithm>
#include <cstring>

#include "crypto/aes_gcm.h"
#include "message/context_codec.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

// Jobs per batch are capped so tiny frames do not make huge job arrays.
constexpr size_t kMaxBatchFrames = 16384;

// Malformed is a message that breaks the format after its header parsed.
tl::unexpected<Error> Malformed(std::string what) {
  return MakeError(ErrorCode::malformed, "decrypt: " + std::move(what));
}

// Broken is a materials manager that returned something unusable: our bug
// or the plugged-in manager's, not the input's.
tl::unexpected<Error> Broken(std::string what) {
  return MakeError(ErrorCode::internal, "decrypt: " + std::move(what));
}

}  // namespace

Result<HeaderKeys> AuthenticateHeader(ParsedHeader parsed, std::span<const uint8_t> header_bytes,
                                      const CryptoMaterialsManager& cmm,
                                      const DecryptOptions& options) {
  const Header& h = parsed.header;
  const SuiteInfo& suite = *h.suite;
  ENVELOPE_RETURN_IF_ERROR(CheckDecryptPolicy(suite, options.commitment_policy));
  const bool has_public_key = h.context.contains(std::string(kPublicKeyContextKey));
  if (suite.signed_suite() && !has_public_key) {
    return Malformed("signed message without aws-crypto-public-key in its encryption context");
  }
  if (!suite.signed_suite() && has_public_key) {
    return Malformed("unsigned message carries aws-crypto-public-key in its encryption context");
  }

  DecryptionMaterialsRequest request;
  request.suite = suite.id;
  request.commitment_policy = options.commitment_policy;
  request.encrypted_data_keys = h.encrypted_data_keys;
  request.stored_context = &h.context;
  request.reproduced_context = &options.reproduced_context;
  auto materials = cmm.DecryptMaterials(request);
  ENVELOPE_RETURN_IF_ERROR(materials);
  if (materials->suite != suite.id || materials->data_key.size() != suite.key_size) {
    return Broken("the materials manager returned materials for another suite");
  }
  if (suite.signed_suite() && materials->verification_key.empty()) {
    return Broken("the materials manager returned no verification key for a signed suite");
  }

  auto keys = DeriveKeys(suite, materials->data_key.span(), h.message_id);
  ENVELOPE_RETURN_IF_ERROR(keys);
  if (suite.committing() && !ConstantTimeEqual(keys->commit_key.span(), h.suite_data)) {
    return AuthFailed();
  }
  // Header tag AAD: the header body, then the context pairs the header
  // does not store (required keys), serialized; nothing when there are none.
  std::vector<std::string> not_stored;
  for (const std::string& key : materials->required_context_keys) {
    if (!h.context.contains(key)) not_stored.push_back(key);
  }
  auto extra = SerializeContext(SubContext(materials->context, not_stored));
  ENVELOPE_RETURN_IF_ERROR(extra);
  std::vector<uint8_t> aad(header_bytes.begin(), header_bytes.begin() + parsed.body_size);
  AppendBytes(aad, *extra);
  static const uint8_t kZeroIv[kHeaderIvSize] = {0};
  const std::span<const uint8_t> iv =
      h.version() == 1 ? std::span<const uint8_t>(h.iv) : std::span<const uint8_t>(kZeroIv);
  if (!crypto::AesGcmOpen(keys->encryption_key.span(), iv, aad, h.auth_tag, {})) {
    return AuthFailed();
  }
  return HeaderKeys{std::move(parsed), std::move(keys->encryption_key),
                    std::move(materials->verification_key)};
}

Decryptor::Decryptor(const CryptoMaterialsManager& cmm, DecryptOptions options, Sink& sink)
    : cmm_(cmm), options_(std::move(options)), sink_(sink) {}

Decryptor::~Decryptor() {
  SecureZero(held_);
  SecureZero(plain_);
}

Result<void> Decryptor::Fail(Error error) {
  error_ = error;
  SecureZero(held_);
  held_.clear();
  SecureZero(plain_);
  pending_.clear();
  engine_.reset();
  return tl::unexpected(std::move(error));
}

Result<void> Decryptor::Release(std::span<const uint8_t> plaintext) {
  if (plaintext.empty()) return {};
  if (!hold_) return sink_.Write(plaintext);
  if (plaintext.size() > options_.max_buffered_plaintext - held_.size()) {
    return MakeError(ErrorCode::limit_exceeded,
                     "decrypt: a signed message's plaintext is held until its signature "
                     "verifies, and it is over max_buffered_plaintext; raise the limit or set "
                     "allow_unverified_streaming with a destination discarded on failure");
  }
  held_.insert(held_.end(), plaintext.begin(), plaintext.end());
  return {};
}

Result<size_t> Decryptor::ConsumeHeader(std::span<const uint8_t> data, bool at_end) {
  // Parsing again after every small piece would be quadratic: wait until
  // the input grew by half (or ended) before retrying a truncated header.
  if (!at_end && data.size() < header_retry_at_) return 0;
  auto parsed = ParseHeader(data, options_.limits);
  if (!parsed) {
    if (parsed.error().code() == ErrorCode::truncated && !at_end) {
      header_retry_at_ = data.size() + std::max<size_t>(data.size() / 2, 1);
      return 0;
    }
    return tl::unexpected(parsed.error().WithContext("decrypt"));
  }
  const size_t total = parsed->total_size;
  auto keys = AuthenticateHeader(std::move(*parsed), data, cmm_, options_);
  ENVELOPE_RETURN_IF_ERROR(keys);
  const Header& h = keys->parsed.header;
  info_ = ToHeaderInfo(keys->parsed);
  message_id_ = h.message_id;
  frame_length_ = h.frame_length;
  key_ = std::move(keys->encryption_key);
  if (h.suite->signed_suite()) {
    auto verifier = MessageVerifier::New(*h.suite, keys->verification_key);
    ENVELOPE_RETURN_IF_ERROR(verifier);
    verifier_.emplace(std::move(*verifier));
    ENVELOPE_RETURN_IF_ERROR(verifier_->Update(data.first(total)));
    hold_ = !options_.allow_unverified_streaming;
  }
  if (h.content_type == ContentType::framed) {
    schedule_ = std::make_unique<FrameSchedule>(message_id_);
    auto engine = stream::ChunkEngine::New(key_.span(), *schedule_, options_.threads);
    ENVELOPE_RETURN_IF_ERROR(engine);
    engine_ = std::move(*engine);
    batch_frames_ = std::clamp<size_t>(engine_->BatchChunks(frame_length_), 1, kMaxBatchFrames);
    state_ = State::frames;
  } else {
    state_ = State::unframed;
  }
  return total;
}

Result<size_t> Decryptor::ConsumeFrames(std::span<const uint8_t> data) {
  size_t used = 0;
  bool final_seen = false;
  while (!final_seen) {
    // Parse up to one batch of complete frames.
    jobs_.clear();
    size_t pos = used, plain_size = 0;
    struct Slot {
      size_t in_off, len;
    };
    std::vector<Slot> slots;
    while (jobs_.size() < batch_frames_ && !final_seen) {
      auto head = ParseFrameHeader(data.subspan(pos), frame_length_);
      if (!head) return Malformed(head.error().message());
      if (!*head) break;
      const FrameHeader& f = **head;
      if (f.seq != next_seq_ + jobs_.size()) return AuthFailed();  // reordered, dropped, repeated
      if (!f.IvMatches()) return AuthFailed();
      if (data.size() - pos < f.total_size()) break;
      const bool is_final = f.final;
      const uint32_t seq = f.seq;
      const uint64_t len = f.content_length;
      const size_t ct_off = pos + f.size;
      const auto tag = data.subspan(ct_off + len, kFrameTagSize);
      jobs_.push_back({seq - 1u,
                       is_final,
                       data.subspan(ct_off, len),
                       {},
                       std::span<uint8_t>(const_cast<uint8_t*>(tag.data()), kFrameTagSize)});
      slots.push_back({plain_size, len});
      plain_size += len;
      pos += f.total_size();
      final_seen = is_final;
    }
    if (jobs_.empty()) break;
    // Decrypt straight into the sink's memory when it offers some and
    // nothing has to be held for a signature; it is committed only after
    // every frame of the batch authenticated.
    std::span<uint8_t> dst = hold_ ? std::span<uint8_t>() : sink_.Reserve(plain_size);
    const bool direct = dst.size() == plain_size && plain_size > 0;
    if (!direct) {
      plain_.resize(plain_size);
      dst = plain_;
    }
    for (size_t i = 0; i < jobs_.size(); ++i) {
      jobs_[i].out = dst.subspan(slots[i].in_off, slots[i].len);
    }
    // Open reads tags only; the const_cast above never writes through them.
    if (!engine_->Open(jobs_)) {
      SecureZero(dst);  // frames before the failing one verified: release none
      if (direct) (void)sink_.Commit(0);
      return AuthFailed();
    }
    if (verifier_) {
      ENVELOPE_RETURN_IF_ERROR(verifier_->Update(data.subspan(used, pos - used)));
    }
    next_seq_ += jobs_.size();
    used = pos;
    // plain_ is reused for the next batch and wiped on failure and in the
    // destructor; wiping it per batch would double the memory traffic.
    ENVELOPE_RETURN_IF_ERROR(direct ? sink_.Commit(plain_size) : Release(plain_));
  }
  if (final_seen) {
    engine_.reset();
    state_ = verifier_ ? State::footer : State::done;
  }
  return used;
}

Result<size_t> Decryptor::ConsumeUnframed(std::span<const uint8_t> data) {
  Reader r(data);
  auto iv = r.Bytes(kFrameIvSize);
  if (!iv) return 0;
  auto len = r.U64();
  if (!len) return 0;
  if (*len > options_.limits.max_frame_length) {
    return MakeError(ErrorCode::limit_exceeded, "decrypt: non-framed content of " +
                                                    std::to_string(*len) +
                                                    " bytes is over max_frame_length");
  }
  auto ct = r.Bytes(*len);
  if (!ct) return 0;
  auto tag = r.Bytes(kFrameTagSize);
  if (!tag) return 0;
  const auto aad = BodyAad(message_id_, kSingleBlockString, 1, *len);
  auto gcm = crypto::AesGcm::New(key_.span());
  ENVELOPE_RETURN_IF_ERROR(gcm);
  plain_.resize(*len);
  if (!gcm->Open(*iv, aad, *ct, *tag, plain_)) return AuthFailed();
  if (verifier_) {
    ENVELOPE_RETURN_IF_ERROR(verifier_->Update(data.first(r.position())));
  }
  ENVELOPE_RETURN_IF_ERROR(Release(plain_));
  SecureZero(plain_);
  state_ = verifier_ ? State::footer : State::done;
  return r.position();
}

Result<size_t> Decryptor::ConsumeFooter(std::span<const uint8_t> data) {
  Reader r(data);
  auto len = r.U16();
  if (!len) return 0;
  if (*len == 0 || *len > kMaxSignatureSize) return AuthFailed();
  auto signature = r.Bytes(*len);
  if (!signature) return 0;
  if (!verifier_->Verify(*signature)) return AuthFailed();
  state_ = State::done;
  return r.position();
}

Result<size_t> Decryptor::Consume(std::span<const uint8_t> data, bool at_end) {
  size_t used = 0;
  for (;;) {
    const auto rest = data.subspan(used);
    Result<size_t> n = 0;
    switch (state_) {
      case State::header:
        n = ConsumeHeader(rest, at_end);
        break;
      case State::frames:
        n = ConsumeFrames(rest);
        break;
      case State::unframed:
        n = ConsumeUnframed(rest);
        break;
      case State::footer:
        n = ConsumeFooter(rest);
        break;
      case State::done:
        if (!rest.empty()) return Malformed("bytes follow the end of the message");
        return used;
    }
    if (!n) return n;
    if (*n == 0) return used;
    used += *n;
  }
}

Result<void> Decryptor::Update(std::span<const uint8_t> ciphertext) {
  if (error_) return tl::unexpected(*error_);
  while (!ciphertext.empty()) {
    if (pending_.empty()) {
      // Whole frames straight from the caller's buffer; keep the tail.
      auto n = Consume(ciphertext, false);
      if (!n) return Fail(n.error());
      pending_.assign(ciphertext.begin() + *n, ciphertext.end());
      return {};
    }
    // pending_ holds the start of a structure that did not fit last time.
    // Append only what completes it (a regular frame has a known size;
    // otherwise double what is held), so the bulk of a large write is not
    // copied.
    size_t take = std::max<size_t>(pending_.size(), 4096);
    if (state_ == State::frames && pending_.size() < frame_length_ + kRegularFrameOverhead) {
      take = frame_length_ + kRegularFrameOverhead - pending_.size();
    }
    take = std::min(take, ciphertext.size());
    pending_.insert(pending_.end(), ciphertext.begin(), ciphertext.begin() + take);
    ciphertext = ciphertext.subspan(take);
    auto n = Consume(pending_, false);
    if (!n) return Fail(n.error());
    pending_.erase(pending_.begin(), pending_.begin() + *n);
  }
  return {};
}

Result<void> Decryptor::Finish() {
  if (error_) return tl::unexpected(*error_);
  auto n = Consume(pending_, true);
  if (!n) return Fail(n.error());
  pending_.erase(pending_.begin(), pending_.begin() + *n);
  if (state_ != State::done) {
    return Fail(Error(ErrorCode::truncated,
                      state_ == State::header
                          ? "decrypt: the message ends inside its header"
                          : "decrypt: the message ends before its final frame or footer; it "
                            "was truncated"));
  }
  hold_ = false;
  if (auto r = Release(held_); !r) return Fail(r.error());
  SecureZero(held_);
  held_.clear();
  error_ = Error(ErrorCode::invalid_argument, "decrypt: the message was already finished");
  return {};
}

}  // namespace envelope::message
