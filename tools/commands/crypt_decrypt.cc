// Decrypting one input to one output, streaming: an envelope message through
// MessageDecryptor or a C2SP chunked file through ChunkedDecryptor, the
// format told by the first bytes (after the armor, when there is one).
// --range goes through crypt_range.cc first, which reads only the frames or
// chunks it needs when it can; otherwise the whole input is decrypted here
// and only the range is written.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "commands/crypt_internal.h"
#include "envelope/armor.hpp"

namespace envelope::cli {
namespace {

// ContextCheckSink refuses to release plaintext until the authenticated
// header holds every --require-context pair and key.
class ContextCheckSink final : public Sink {
 public:
  ContextCheckSink(Sink& next, const DecryptSetup& setup) : next_(next), setup_(setup) {}
  void Watch(const MessageDecryptor* decryptor) { decryptor_ = decryptor; }
  Result<void> Write(std::span<const uint8_t> data) override {
    if (auto r = Check(); !r) return r;
    return next_.Write(data);
  }
  Result<void> Check() {
    if (checked_ || (setup_.required.empty() && setup_.required_keys.empty())) return {};
    const HeaderInfo* header = decryptor_ ? decryptor_->header() : nullptr;
    if (header == nullptr) return MakeError(ErrorCode::internal, "no authenticated header");
    if (auto r = CheckRequiredContext(header->context, setup_); !r) {
      failed_ = true;
      return r;
    }
    checked_ = true;
    return {};
  }
  bool failed() const { return failed_; }

 private:
  Sink& next_;
  const DecryptSetup& setup_;
  const MessageDecryptor* decryptor_ = nullptr;
  bool checked_ = false;
  bool failed_ = false;
};

// WindowSink passes on the plaintext bytes inside --range (all of them
// without one). When `hold` says so at the first byte (a signed message
// going to a pipe), it keeps them until Flush, after the signature
// verified: only the range is held, at most `max_hold` bytes (--max-buffer).
class WindowSink final : public Sink {
 public:
  WindowSink(Sink& next, const std::optional<ByteRange>& range, std::function<bool()> hold,
             uint64_t max_hold)
      : next_(next),
        range_(range.value_or(ByteRange{})),
        hold_(std::move(hold)),
        max_hold_(max_hold) {}
  ~WindowSink() override { SecureZero(held_); }
  Result<void> Write(std::span<const uint8_t> data) override {
    const uint64_t begin = pos_;
    pos_ += data.size();
    const uint64_t from = std::max(begin, range_.start);
    uint64_t to = pos_;
    if (range_.length) to = std::min(to, range_.start + *range_.length);
    if (from >= to) return {};
    data = data.subspan(from - begin, to - from);
    if (!holding_) holding_ = hold_ && hold_();
    if (!*holding_) return next_.Write(data);
    if (data.size() > max_hold_ - held_.size()) {
      return MakeError(ErrorCode::limit_exceeded,
                       "decrypt: the range of a signed message is held until the signature "
                       "verifies, and it is over max_buffered_plaintext");
    }
    held_.insert(held_.end(), data.begin(), data.end());
    return {};
  }
  // Flush checks that the range starts within the plaintext (all of which
  // went through) and writes what was held.
  Result<void> Flush() {
    ENVELOPE_RETURN_IF_ERROR(RangeWithin(range_, pos_));
    if (held_.empty()) return {};
    return next_.Write(held_);
  }

 private:
  Sink& next_;
  ByteRange range_;
  std::function<bool()> hold_;
  uint64_t max_hold_;
  std::optional<bool> holding_;
  uint64_t pos_ = 0;  // plaintext bytes seen
  std::vector<uint8_t> held_;
};

// Body is the decryptor of one input: an envelope message or a C2SP file.
struct Body {
  std::unique_ptr<MessageDecryptor> message;
  std::unique_ptr<ChunkedDecryptor> chunked;
  Result<void> Update(std::span<const uint8_t> bytes) {
    return message ? message->Update(bytes) : chunked->Write(bytes);
  }
  Result<void> Finish() { return message ? message->Finish() : chunked->Finish(); }
};

int DecryptStream(const std::string& tool, const CryptOptions& o, const DecryptSetup& setup,
                  const Job& job, InputFile& in) {
  auto out = OpenOutput(job, in, o.force, false, true);
  if (!out) return FailOutput(tool, out.error());
  // A file output is discarded unless everything verifies, so signed
  // messages may stream into it; a pipe may not see unverified bytes unless
  // --unverified-streaming says so. A --range is held by the WindowSink
  // instead (only the range, not the whole plaintext).
  DecryptOptions d = setup.options;
  const bool pipe_must_wait = !out->atomic() && !o.unverified_streaming;
  d.allow_unverified_streaming = !pipe_must_wait || setup.range.has_value();
  OutputSink sink(*out);
  Body body;
  WindowSink window(
      sink, setup.range,
      [&]() {
        const HeaderInfo* h = body.message ? body.message->header() : nullptr;
        return pipe_must_wait && h != nullptr &&
               h->context.count(std::string(kPublicKeyContextKey)) > 0;
      },
      d.max_buffered_plaintext);
  ContextCheckSink checked(window, setup);
  Progress progress(tool, in.size(), o.quiet);
  std::vector<uint8_t> decoded;
  std::optional<ArmorDecoder> armor;
  uint64_t read = 0;
  // StartBody builds the decryptor for the format the first bytes tell;
  // nullopt when it could, else the exit code.
  auto start_body = [&](std::span<const uint8_t> head) -> std::optional<int> {
    const Format format = o.format == "c2sp"   ? Format::c2sp
                          : o.format == "esdk" ? Format::esdk
                                               : DetectFormat(head);
    if (format == Format::c2sp) {
      if (setup.c2sp_key == nullptr) return Fail(tool, C2spKeyMissing(job.input));
      if (!setup.required.empty() || !setup.required_keys.empty()) {
        return Fail(tool, Error(ErrorCode::invalid_argument,
                                "--require-context: \"" + job.input +
                                    "\" is a C2SP chunked file, which has no encryption "
                                    "context"));
      }
      auto c = ChunkedDecryptor::New(*setup.c2sp_key, window, setup.chunked);
      if (!c) return Fail(tool, c.error());
      body.chunked = std::move(*c);
    } else {
      auto m = MessageDecryptor::New(*setup.cmm, d, checked);
      if (!m) return FailCrypto(tool, m.error(), false, o);
      body.message = std::move(*m);
      checked.Watch(body.message.get());
    }
    return std::nullopt;
  };
  auto fail_body = [&](const Error& e) {
    if (checked.failed()) return Fail(tool, e, {kContextHint});
    return FailCrypto(tool, e, false, o);
  };
  std::unique_ptr<ReadAhead> reader;
  if (ReadByThreads(in, o.threads) && !o.decode && o.format != "c2sp") {
    // A binary envelope message in a large regular file is read by the
    // threads that open its frames (MessageDecryptor::UpdateFrom), as
    // encrypt does; armor and C2SP files are read ahead in turn.
    auto start = in.Position();
    if (!start) return Fail(tool, start.error());
    uint8_t head_bytes[64];
    FdPositionedSource at(in.fd());
    auto n = at.ReadAt(*start, head_bytes);
    if (!n) return Fail(tool, n.error());
    const auto head = std::span<const uint8_t>(head_bytes, *n);
    if (!LooksArmored(head) && (o.format == "esdk" || DetectFormat(head) == Format::esdk)) {
      if (auto rc = start_body(head)) return *rc;
      auto fed =
          FeedSlices(in, progress, read, [&](PositionedSource& src, uint64_t pos, uint64_t len) {
            return body.message->UpdateFrom(src, pos, len);
          });
      if (!fed) {
        return fed.error().from_update ? fail_body(fed.error().error)
                                       : Fail(tool, fed.error().error);
      }
      reader = std::move(*fed);
    }
  }
  const bool started = reader != nullptr;
  if (!started) reader = Reader(in);
  for (bool first = !started;; first = false) {
    auto piece = reader->Next();
    if (!piece) return Fail(tool, piece.error());
    std::span<const uint8_t> chunk = *piece;
    if (first && LooksArmored(chunk)) armor.emplace();
    if (first && o.decode && !armor) {
      return Fail(
          tool, Error(ErrorCode::malformed, "--decode: \"" + job.input + "\" is not base64 text"));
    }
    if (armor) {
      decoded.clear();
      if (auto r = armor->Decode(chunk, decoded); !r) return Fail(tool, r.error());
      chunk = decoded;
    }
    if (first) {
      if (auto rc = start_body(chunk)) return *rc;
    }
    if (piece->empty()) break;
    read += piece->size();
    if (auto r = body.Update(chunk); !r) return fail_body(r.error());
    progress.Add(piece->size());
  }
  if (armor) {
    if (auto r = armor->Finish(); !r) return Fail(tool, r.error());
  }
  if (auto r = body.Finish(); !r) return FailCrypto(tool, r.error(), false, o);
  if (auto r = checked.Check(); !r) return Fail(tool, r.error(), {kContextHint});
  if (auto r = window.Flush(); !r) return FailCrypto(tool, r.error(), false, o);
  progress.Finish();
  if (auto r = out->Commit(); !r) return Fail(tool, r.error());
  if (setup.metadata != nullptr) {
    MetadataRecord m{.mode = "decrypt",
                     .format = body.message ? "esdk" : "c2sp",
                     .input = job.input,
                     .output = job.output,
                     .bytes_read = read,
                     .bytes_written = out->bytes_written()};
    if (body.message) m.header = *body.message->header();
    if (setup.range) m.range = std::make_pair(setup.range->start, out->bytes_written());
    if (auto r = setup.metadata->Write(m); !r) return Fail(tool, r.error());
  }
  if (o.verbose) {
    std::fprintf(stderr, "%s: read %llu bytes of \"%s\" (all of it)\n", tool.c_str(),
                 static_cast<unsigned long long>(read), job.input.c_str());
  }
  return kExitOk;
}

}  // namespace

int DecryptOne(const std::string& tool, const CryptOptions& o, const DecryptSetup& setup,
               const Job& job) {
  auto in = InputFile::Open(job.input);
  if (!in) return Fail(tool, in.error());
  if (setup.range) {
    if (auto rc = DecryptRangeAt(tool, o, setup, job, *in)) return *rc;
  }
  return DecryptStream(tool, o, setup, job, *in);
}

}  // namespace envelope::cli
