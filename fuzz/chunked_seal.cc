// fuzz target chunked_seal: the sealing side of C2SP chunked encryption
// (lib/stream: one-shot, push and pull encryptors) and the raw mode of
// envelope/hazmat/chunked_raw.hpp, which chunked_decrypt does not reach.
//
// Input: flags (1: bit 0 raw mode; bits 1-3 the piece size, 1 to 16385
// bytes; bit 4 two threads), key salt (1), context or nonce salt (1),
// context length (1, C2SP mode), then the plaintext. Properties:
//  - raw mode is deterministic: the one-shot, push (in pieces) and pull (in
//    pieces) encryptors write byte-identical ciphertext of
//    RawChunkedCiphertextSize bytes, which the one-shot and push decryptors
//    open to the plaintext;
//  - C2SP mode: every encryptor's ciphertext is ChunkedCiphertextSize bytes
//    and decrypts (one-shot) to the plaintext under the same context, and
//    fails with another context;
//  - either mode: a flipped bit (position from a hash of the input) is
//    refused with nothing returned.
#include <cstddef>
#include <cstdint>
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
  return sink.data();
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

  one[(flip / 8) % one.size()] ^= static_cast<uint8_t>(1u << (flip % 8));
  FUZZ_CHECK(!hazmat::RawChunkedDecrypt(KeyView(key), nonce, one, back, threads).has_value());
  for (uint8_t b : back) FUZZ_CHECK(b == 0);
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
  for (const Bytes& c : sealed) {
    FUZZ_CHECK(c.size() == *size);
    auto back = ChunkedDecrypt(KeyView(key), c, o);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(std::equal(back->begin(), back->end(), plain.begin(), plain.end()));
  }
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
  const unsigned threads = flags & 16 ? 2 : 1;
  const uint64_t flip = fuzz::Mix({data, size});
  if (flags & 1) {
    Raw(plain, key, Pattern(12, salt), piece, threads, flip);
  } else {
    C2sp(plain, key, Pattern(context_size, salt), piece, threads, flip);
  }
  return 0;
}
