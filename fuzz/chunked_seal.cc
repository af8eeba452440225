// fuzz target chunked_seal: the sealing side of C2SP chunked encryption
// (lib/stream: one-shot, push and pull encryptors) and the raw mode of
// envelope/hazmat/chunked_raw.hpp, which chunked_decrypt does not reach.
//
// Input: flags (1: bit 0 raw mode; bits 1-3 the piece size, 1 to 65536
// bytes; bit 4 two threads, else bit 5 one per core), key salt (1),
// context or nonce salt (1), context length (1, C2SP mode), then the
// plaintext. Properties:
//  - raw mode is deterministic: the one-shot, push (in pieces) and pull (in
//    pieces) encryptors write byte-identical ciphertext of
//    RawChunkedCiphertextSize bytes (which RawChunkedPlaintextSize inverts),
//    which the one-shot, push and pull decryptors open to the plaintext, and
//    random access reads any range of it (from a hash of the input) as that
//    slice of the plaintext; every raw factory refuses a key of 31 bytes and
//    a nonce of 11 with `invalid_argument`;
//  - C2SP mode: every encryptor's ciphertext (one-shot, push, pull and
//    ChunkedEncryptStream) is ChunkedCiphertextSize bytes and decrypts
//    (one-shot) to the plaintext under the same context, and fails with
//    another context;
//  - C2SP mode, against a sink that fails its first or second write and a
//    source that fails after some bytes: the encryptors fail with that
//    `io` error and stay failed (push: nothing more written; pull: Read
//    keeps failing), ChunkedEncryptStream returns it; Read of an empty
//    span returns 0;
//  - C2SP mode: every entry point refuses a key of 31 bytes or a context
//    of 1025 with `invalid_argument`, reading and writing nothing;
//  - either mode, the one-shot forms into a caller's buffer: sealing into
//    a buffer of exactly the ciphertext's size gives a ciphertext that
//    opens into one of exactly the plaintext's size; a buffer one byte
//    short or long, or one that overlaps the input, is refused with
//    `invalid_argument` and left as it was;
//  - either mode: a finished encryptor refuses more writes and a second
//    Finish; a flipped bit (position from a hash of the input) is refused
//    with nothing returned by the one-shot decryptor (raw: output zeroed),
//    and the raw push and pull decryptors and random access release only
//    plaintext of the chunks before the flipped one.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "envelope/chunked.hpp"
#include "envelope/hazmat/chunked_raw.hpp"
#include "envelope/io.hpp"
#include "fuzz_util.h"

namespace {

using namespace envelope;
using Bytes = std::vector<uint8_t>;

Bytes Pattern(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 13 + salt);
  return b;
}

// PieceSource hands out at most `piece` bytes per Read.
class PieceSource final : public Source {
 public:
  PieceSource(std::span<const uint8_t> data, size_t piece) : data_(data), piece_(piece) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    const size_t n = std::min({out.size(), data_.size(), piece_});
    std::copy_n(data_.begin(), n, out.begin());
    data_ = data_.subspan(n);
    return n;
  }

 private:
  std::span<const uint8_t> data_;
  size_t piece_;
};

Bytes Push(ChunkedEncryptor& enc, const MemorySink& sink, std::span<const uint8_t> plain,
           size_t piece) {
  for (size_t pos = 0; pos < plain.size(); pos += piece) {
    FUZZ_CHECK(enc.Write(plain.subspan(pos, std::min(piece, plain.size() - pos))).has_value());
  }
  FUZZ_CHECK(enc.Finish().has_value());
  // Finished: nothing more goes in, and nothing more comes out.
  const size_t written = sink.data().size();
  FUZZ_CHECK(!enc.Write(plain.first(std::min<size_t>(1, plain.size()))).has_value());
  FUZZ_CHECK(!enc.Finish().has_value());
  FUZZ_CHECK(sink.data().size() == written);
  return sink.data();
}

// FailingSink fails every Write from the `fail_at`-th on (0: the first)
// with `io`, keeping only what came before.
class FailingSink final : public Sink {
 public:
  explicit FailingSink(size_t fail_at) : left_(fail_at) {}
  Result<void> Write(std::span<const uint8_t> data) override {
    if (left_ == 0) return MakeError(ErrorCode::io, "fuzz: the sink fails");
    --left_;
    data_.insert(data_.end(), data.begin(), data.end());
    return {};
  }
  const Bytes& data() const { return data_; }

 private:
  size_t left_;
  Bytes data_;
};

// FailingSource hands out `good` bytes of `data`, then fails with `io`.
class FailingSource final : public Source {
 public:
  FailingSource(std::span<const uint8_t> data, size_t good) : data_(data.first(good)) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (data_.empty()) return MakeError(ErrorCode::io, "fuzz: the source fails");
    const size_t n = std::min(out.size(), data_.size());
    std::copy_n(data_.begin(), n, out.begin());
    data_ = data_.subspan(n);
    return n;
  }

 private:
  std::span<const uint8_t> data_;
};

// IoFailures: a failing sink or source fails the encryptors with its own
// error, for good: a push encryptor writes nothing more after the failed
// write and refuses every later Write and Finish; a pull encryptor's Read
// keeps failing; ChunkedEncryptStream returns the error. A pull encryptor
// given an empty span reads nothing and returns 0.
void IoFailures(std::span<const uint8_t> plain, const Bytes& key, size_t piece, unsigned threads,
                uint64_t hash) {
  ChunkedOptions o;
  o.threads = threads;
  FailingSink sink(hash % 2);
  auto enc = ChunkedEncryptor::New(KeyView(key), sink, o);
  FUZZ_CHECK(enc.has_value());
  Result<void> r;
  for (size_t pos = 0; r && pos < plain.size(); pos += piece) {
    r = (*enc)->Write(plain.subspan(pos, std::min(piece, plain.size() - pos)));
  }
  if (r) r = (*enc)->Finish();
  const size_t kept = sink.data().size();
  // One Write of the header and the chunks together, or of the first batch:
  // the second one fails only for a message longer than a batch.
  if (hash % 2 == 0) FUZZ_CHECK(!r && r.error().code() == ErrorCode::io && kept == 0);
  if (!r) {
    FUZZ_CHECK(r.error().code() == ErrorCode::io);
    FUZZ_CHECK(!(*enc)->Write(plain.first(std::min<size_t>(1, plain.size()))).has_value());
    FUZZ_CHECK(!(*enc)->Finish().has_value());
    FUZZ_CHECK(sink.data().size() == kept);
  }

  const size_t good = plain.empty() ? 0 : (hash >> 8) % plain.size();
  FailingSource source(plain, good);
  auto reader = ChunkedEncryptingReader::New(KeyView(key), source, o);
  FUZZ_CHECK(reader.has_value());
  Bytes none;
  auto zero = (*reader)->Read(none);
  FUZZ_CHECK(zero.has_value() && *zero == 0);
  Bytes buf(piece);
  Result<size_t> n = size_t{1};
  while (n && *n > 0) n = (*reader)->Read(buf);
  FUZZ_CHECK(!n && n.error().code() == ErrorCode::io);
  FUZZ_CHECK(!(*reader)->Read(buf).has_value());

  FailingSource stream_source(plain, good);
  MemorySink stream_sink;
  auto pumped = ChunkedEncryptStream(KeyView(key), stream_source, stream_sink, o);
  FUZZ_CHECK(!pumped && pumped.error().code() == ErrorCode::io);
  MemorySource whole(plain);
  FailingSink refusing(0);
  auto refused = ChunkedEncryptStream(KeyView(key), whole, refusing, o);
  FUZZ_CHECK(!refused && refused.error().code() == ErrorCode::io);
}

// SealInto and OpenInto are the one-shot forms into a caller's buffer.
using SealInto = std::function<Result<void>(std::span<const uint8_t>, std::span<uint8_t>)>;
using OpenInto = std::function<Result<void>(std::span<const uint8_t>, std::span<uint8_t>)>;

// Refused: `r` is `invalid_argument` and `buffer` still holds `before`.
bool Refused(const Result<void>& r, const Bytes& buffer, const Bytes& before) {
  return !r && r.error().code() == ErrorCode::invalid_argument && buffer == before;
}

// CallerBuffers checks the one-shot forms into a caller's buffer against
// `sealed`, a ciphertext of `plain` (see the properties above).
void CallerBuffers(std::span<const uint8_t> plain, const Bytes& sealed, const SealInto& seal,
                   const OpenInto& open) {
  Bytes ct(sealed.size());
  FUZZ_CHECK(seal(plain, ct).has_value());
  Bytes back(plain.size());
  FUZZ_CHECK(open(ct, back).has_value());
  FUZZ_CHECK(std::equal(back.begin(), back.end(), plain.begin(), plain.end()));

  for (const size_t size : {sealed.size() - 1, sealed.size() + 1}) {
    const Bytes before(size, 0xa5);
    Bytes wrong = before;
    FUZZ_CHECK(Refused(seal(plain, wrong), wrong, before));
  }
  for (const size_t size : {plain.size() - 1, plain.size() + 1}) {
    if (size == SIZE_MAX) continue;  // an empty plaintext has no shorter buffer
    const Bytes before(size, 0xa5);
    Bytes wrong = before;
    FUZZ_CHECK(Refused(open(sealed, wrong), wrong, before));
  }
  if (plain.empty()) return;  // an empty span overlaps nothing
  // The plaintext one byte into the ciphertext's buffer, and the other way.
  Bytes room(1, 0xa5);
  room.insert(room.end(), plain.begin(), plain.end());
  room.resize(sealed.size() + 1, 0xa5);
  Bytes before = room;
  FUZZ_CHECK(
      Refused(seal(std::span(room).subspan(1, plain.size()), std::span(room).first(sealed.size())),
              room, before));
  std::copy(sealed.begin(), sealed.end(), room.begin());
  before = room;
  FUZZ_CHECK(
      Refused(open(std::span(room).first(sealed.size()), std::span(room).subspan(1, plain.size())),
              room, before));
}

// kChunk is the plaintext size of a full chunk.
constexpr size_t kChunk = 16384;

// PullSome reads `reader` to its end or first error; `ok` says which.
Bytes PullSome(Source& reader, size_t piece, bool& ok) {
  Bytes out;
  Bytes buf(piece);
  for (;;) {
    auto n = reader.Read(buf);
    if (!n) {
      FUZZ_CHECK(!reader.Read(buf).has_value());  // sticky
      ok = false;
      return out;
    }
    if (*n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  ok = true;
  return out;
}

// IsAuthenticatedPrefix: `part` is the start of `whole` and ends on a chunk boundary
// before chunk `bad` (only authenticated chunks are released).
bool IsAuthenticatedPrefix(const Bytes& part, std::span<const uint8_t> whole, size_t bad) {
  return part.size() % kChunk == 0 && part.size() / kChunk <= bad && part.size() <= whole.size() &&
         std::equal(part.begin(), part.end(), whole.begin());
}

void RawFactoriesRefuse(const Bytes& key, const Bytes& nonce, unsigned threads) {
  const auto short_key = std::span(key).first(31);
  const auto short_nonce = std::span(nonce).first(11);
  for (int i = 0; i < 2; ++i) {
    const auto k = i == 0 ? short_key : std::span<const uint8_t>(key);
    const auto n = i == 0 ? std::span<const uint8_t>(nonce) : short_nonce;
    MemorySink sink;
    MemorySource source({});
    MemorySource positioned({});
    Bytes none;
    auto code = ErrorCode::invalid_argument;
    auto e1 = hazmat::NewRawChunkedEncryptor(KeyView(k), n, sink, threads);
    FUZZ_CHECK(!e1.has_value() && e1.error().code() == code);
    auto e2 = hazmat::NewRawChunkedDecryptor(KeyView(k), n, sink, threads);
    FUZZ_CHECK(!e2.has_value() && e2.error().code() == code);
    auto e3 = hazmat::NewRawChunkedEncryptingReader(KeyView(k), n, source, threads);
    FUZZ_CHECK(!e3.has_value() && e3.error().code() == code);
    auto e4 = hazmat::NewRawChunkedDecryptingReader(KeyView(k), n, source, threads);
    FUZZ_CHECK(!e4.has_value() && e4.error().code() == code);
    auto e5 = hazmat::NewRawChunkedRandomAccessReader(KeyView(k), n, positioned, threads);
    FUZZ_CHECK(!e5.has_value() && e5.error().code() == code);
    Bytes ct(16);
    auto e6 = hazmat::RawChunkedEncrypt(KeyView(k), n, none, ct, threads);
    FUZZ_CHECK(!e6.has_value() && e6.error().code() == code);
    auto e7 = hazmat::RawChunkedDecrypt(KeyView(k), n, ct, none, threads);
    FUZZ_CHECK(!e7.has_value() && e7.error().code() == code);
  }
}

// C2spFactoriesRefuse: every C2SP entry point refuses a key of 31 bytes
// and a context of 1025 bytes with `invalid_argument`, reading and writing
// nothing.
void C2spFactoriesRefuse(const Bytes& key, std::span<const uint8_t> sealed, unsigned threads) {
  const Bytes context_1025(1025, 'c');
  for (int i = 0; i < 2; ++i) {
    const auto k = i == 0 ? std::span(key).first(31) : std::span<const uint8_t>(key);
    ChunkedOptions o;
    o.threads = threads;
    if (i == 1) o.context = context_1025;
    const auto code = ErrorCode::invalid_argument;
    MemorySink sink;
    MemorySource source(sealed);
    MemorySource positioned(sealed);
    auto e1 = ChunkedEncryptor::New(KeyView(k), sink, o);
    FUZZ_CHECK(!e1.has_value() && e1.error().code() == code);
    auto e2 = ChunkedDecryptor::New(KeyView(k), sink, o);
    FUZZ_CHECK(!e2.has_value() && e2.error().code() == code);
    auto e3 = ChunkedEncryptingReader::New(KeyView(k), source, o);
    FUZZ_CHECK(!e3.has_value() && e3.error().code() == code);
    auto e4 = ChunkedDecryptingReader::New(KeyView(k), source, o);
    FUZZ_CHECK(!e4.has_value() && e4.error().code() == code);
    auto e5 = ChunkedRandomAccessReader::New(KeyView(k), positioned, o);
    FUZZ_CHECK(!e5.has_value() && e5.error().code() == code);
    auto e6 = ChunkedEncrypt(KeyView(k), sealed, o);
    FUZZ_CHECK(!e6.has_value() && e6.error().code() == code);
    auto e7 = ChunkedDecrypt(KeyView(k), sealed, o);
    FUZZ_CHECK(!e7.has_value() && e7.error().code() == code);
    FUZZ_CHECK(sink.data().empty());
    Bytes rest(1);
    FUZZ_CHECK(source.Read(rest).value_or(0) == 1);  // the source was not read
  }
}

// RawRandomAccess: the size is the plaintext's; any range reads as its
// slice, through ReadAt and through the cursor (Seek from the start, the
// current position or the end, then Read; Tell follows); a seek before 0
// is `invalid_argument` and leaves the cursor where it was.
void RawRandomAccess(std::span<const uint8_t> plain, const Bytes& key, const Bytes& nonce,
                     const Bytes& ct, unsigned threads, uint64_t hash) {
  using Whence = ChunkedRandomAccessReader::Whence;
  MemorySource positioned(ct);
  auto ra = hazmat::NewRawChunkedRandomAccessReader(KeyView(key), nonce, positioned, threads);
  FUZZ_CHECK(ra.has_value());
  auto total = (*ra)->Size();
  FUZZ_CHECK(total.has_value() && *total == plain.size());
  const uint64_t off = hash % (plain.size() + 1);
  Bytes part((hash >> 20) % (plain.size() - off + 2));
  auto n = (*ra)->ReadAt(off, part);
  FUZZ_CHECK(n.has_value() && *n == std::min<uint64_t>(part.size(), plain.size() - off));
  FUZZ_CHECK(std::equal(part.begin(), part.begin() + static_cast<std::ptrdiff_t>(*n),
                        plain.begin() + static_cast<std::ptrdiff_t>(off)));

  ChunkedRandomAccessReader& cursor = **ra;
  const auto at = static_cast<int64_t>(off);
  const auto size = static_cast<int64_t>(plain.size());
  const Whence whence[] = {Whence::kBegin, Whence::kCurrent, Whence::kEnd};
  const Whence from = whence[(hash >> 40) % 3];
  FUZZ_CHECK(cursor.Seek(1, Whence::kBegin).has_value() && cursor.Tell() == 1);
  const int64_t delta = from == Whence::kBegin ? at : from == Whence::kCurrent ? at - 1 : at - size;
  auto moved = cursor.Seek(delta, from);
  FUZZ_CHECK(moved.has_value() && *moved == off && cursor.Tell() == off);
  Bytes again(part.size());
  auto m = cursor.Read(again);
  FUZZ_CHECK(m.has_value() && *m == *n && cursor.Tell() == off + *n);
  FUZZ_CHECK(
      std::equal(again.begin(), again.begin() + static_cast<std::ptrdiff_t>(*m), part.begin()));
  auto before_start = cursor.Seek(from == Whence::kEnd ? -size - 1 : -1,
                                  from == Whence::kCurrent ? Whence::kBegin : from);
  FUZZ_CHECK(!before_start && before_start.error().code() == ErrorCode::invalid_argument);
  FUZZ_CHECK(cursor.Tell() == off + *m);
}

Bytes Pull(Source& reader, size_t piece) {
  Bytes out;
  for (;;) {
    Bytes buf(piece);
    auto n = reader.Read(buf);
    FUZZ_CHECK(n.has_value());
    if (*n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  return out;
}

void Raw(std::span<const uint8_t> plain, const Bytes& key, const Bytes& nonce, size_t piece,
         unsigned threads, uint64_t flip) {
  auto size = hazmat::RawChunkedCiphertextSize(plain.size());
  FUZZ_CHECK(size.has_value());
  Bytes one(*size);
  FUZZ_CHECK(hazmat::RawChunkedEncrypt(KeyView(key), nonce, plain, one, threads).has_value());
  MemorySink sink;
  auto enc = hazmat::NewRawChunkedEncryptor(KeyView(key), nonce, sink, threads);
  FUZZ_CHECK(enc.has_value());
  FUZZ_CHECK(Push(**enc, sink, plain, piece) == one);
  PieceSource source(plain, piece);
  auto reader = hazmat::NewRawChunkedEncryptingReader(KeyView(key), nonce, source, threads);
  FUZZ_CHECK(reader.has_value());
  FUZZ_CHECK(Pull(**reader, piece) == one);

  Bytes back(plain.size());
  FUZZ_CHECK(hazmat::RawChunkedDecrypt(KeyView(key), nonce, one, back, threads).has_value());
  FUZZ_CHECK(std::equal(back.begin(), back.end(), plain.begin(), plain.end()));
  MemorySink out;
  auto dec = hazmat::NewRawChunkedDecryptor(KeyView(key), nonce, out, threads);
  FUZZ_CHECK(dec.has_value());
  for (size_t pos = 0; pos < one.size(); pos += piece) {
    FUZZ_CHECK((*dec)->Write(std::span(one).subspan(pos, std::min(piece, one.size() - pos))));
  }
  FUZZ_CHECK((*dec)->Finish().has_value());
  FUZZ_CHECK(out.data() == back);
  // Finished: more ciphertext or a second Finish is refused, nothing written.
  FUZZ_CHECK(!(*dec)->Write(std::span(one).first(1)).has_value());
  FUZZ_CHECK(!(*dec)->Finish().has_value());
  FUZZ_CHECK(out.data() == back);
  auto plain_size = hazmat::RawChunkedPlaintextSize(one.size());
  FUZZ_CHECK(plain_size.has_value() && *plain_size == plain.size());
  {
    MemorySource ct_source(one);
    auto pull = hazmat::NewRawChunkedDecryptingReader(KeyView(key), nonce, ct_source, threads);
    FUZZ_CHECK(pull.has_value());
    bool ok = false;
    FUZZ_CHECK(PullSome(**pull, piece, ok) == back && ok);
  }
  RawRandomAccess(plain, key, nonce, one, threads, flip >> 8);
  RawFactoriesRefuse(key, nonce, threads);
  CallerBuffers(
      plain, one,
      [&](std::span<const uint8_t> p, std::span<uint8_t> dst) {
        return hazmat::RawChunkedEncrypt(KeyView(key), nonce, p, dst, threads);
      },
      [&](std::span<const uint8_t> c, std::span<uint8_t> dst) {
        return hazmat::RawChunkedDecrypt(KeyView(key), nonce, c, dst, threads);
      });

  const size_t at = (flip / 8) % one.size();
  const size_t bad = at / (kChunk + 16);
  one[at] ^= static_cast<uint8_t>(1u << (flip % 8));
  FUZZ_CHECK(!hazmat::RawChunkedDecrypt(KeyView(key), nonce, one, back, threads).has_value());
  for (uint8_t b : back) FUZZ_CHECK(b == 0);
  MemorySink partial;
  auto push = hazmat::NewRawChunkedDecryptor(KeyView(key), nonce, partial, threads);
  FUZZ_CHECK(push.has_value());
  bool ok = true;
  for (size_t pos = 0; ok && pos < one.size(); pos += piece) {
    ok = (*push)->Write(std::span(one).subspan(pos, std::min(piece, one.size() - pos))).has_value();
  }
  if (ok) ok = (*push)->Finish().has_value();
  FUZZ_CHECK(!ok && !(*push)->Finish().has_value());
  FUZZ_CHECK(IsAuthenticatedPrefix(partial.data(), plain, bad));
  MemorySource ct_source(one);
  auto pull = hazmat::NewRawChunkedDecryptingReader(KeyView(key), nonce, ct_source, threads);
  FUZZ_CHECK(pull.has_value());  // raw mode: no header to check
  const Bytes pulled = PullSome(**pull, piece, ok);
  FUZZ_CHECK(!ok && IsAuthenticatedPrefix(pulled, plain, bad));
  MemorySource positioned(one);
  auto ra = hazmat::NewRawChunkedRandomAccessReader(KeyView(key), nonce, positioned, threads);
  FUZZ_CHECK(ra.has_value());
  Bytes all(plain.size() + 1);
  FUZZ_CHECK(!(*ra)->ReadAt(0, all).has_value());
  // The cursor fails the same way, and keeps failing.
  FUZZ_CHECK(!(*ra)->Read(all).has_value());
  FUZZ_CHECK(!(*ra)->Read(all).has_value());
}

void C2sp(std::span<const uint8_t> plain, const Bytes& key, const Bytes& context, size_t piece,
          unsigned threads, uint64_t flip) {
  ChunkedOptions o;
  o.threads = threads;
  o.context = context;
  auto size = ChunkedCiphertextSize(plain.size());
  FUZZ_CHECK(size.has_value());
  std::vector<Bytes> sealed;
  auto one = ChunkedEncrypt(KeyView(key), plain, o);
  FUZZ_CHECK(one.has_value());
  sealed.push_back(*one);
  MemorySink sink;
  auto enc = ChunkedEncryptor::New(KeyView(key), sink, o);
  FUZZ_CHECK(enc.has_value());
  sealed.push_back(Push(**enc, sink, plain, piece));
  PieceSource source(plain, piece);
  auto reader = ChunkedEncryptingReader::New(KeyView(key), source, o);
  FUZZ_CHECK(reader.has_value());
  sealed.push_back(Pull(**reader, piece));
  PieceSource streamed(plain, piece);
  MemorySink pumped;
  auto total = ChunkedEncryptStream(KeyView(key), streamed, pumped, o);
  FUZZ_CHECK(total.has_value() && *total == plain.size());
  sealed.push_back(pumped.data());
  for (const Bytes& c : sealed) {
    FUZZ_CHECK(c.size() == *size);
    auto back = ChunkedDecrypt(KeyView(key), c, o);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(std::equal(back->begin(), back->end(), plain.begin(), plain.end()));
  }
  CallerBuffers(
      plain, sealed[0],
      [&](std::span<const uint8_t> p, std::span<uint8_t> dst) {
        return ChunkedEncrypt(KeyView(key), p, dst, o);
      },
      [&](std::span<const uint8_t> c, std::span<uint8_t> dst) {
        return ChunkedDecrypt(KeyView(key), c, dst, o);
      });
  C2spFactoriesRefuse(key, sealed[0], threads);
  ChunkedOptions other = o;
  other.context.push_back('!');
  FUZZ_CHECK(!ChunkedDecrypt(KeyView(key), sealed[0], other).has_value());
  Bytes bad = sealed[1];
  bad[(flip / 8) % bad.size()] ^= static_cast<uint8_t>(1u << (flip % 8));
  FUZZ_CHECK(!ChunkedDecrypt(KeyView(key), bad, o).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const uint8_t flags = in.U8();
  const Bytes key = Pattern(32, in.U8());
  const uint8_t salt = in.U8();
  const size_t context_size = in.U8() % 64;
  const auto plain = in.Rest();
  const size_t pieces[] = {1, 7, 100, 4096, 16383, 16384, 16385, 65536};
  const size_t piece = pieces[(flags >> 1) % 8];
  const unsigned threads = flags & 16 ? 2 : flags & 32 ? 0 : 1;  // 0: one per core
  const uint64_t flip = fuzz::Mix({data, size});
  if (flags & 1) {
    Raw(plain, key, Pattern(12, salt), piece, threads, flip);
  } else {
    C2sp(plain, key, Pattern(context_size, salt), piece, threads, flip);
    IoFailures(plain, key, piece, threads, flip >> 3);
  }
  return 0;
}
