// test/stream: helpers shared by the chunked encryption tests.
#ifndef ENVELOPE_TEST_STREAM_CHUNKED_TEST_UTIL_H_
#define ENVELOPE_TEST_STREAM_CHUNKED_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "envelope/chunked.hpp"
#include "stream/chunked_streams.h"

namespace envelope::stream::test {

using Bytes = std::vector<uint8_t>;

inline const Bytes kKey = Bytes(32, 0x4b);
inline constexpr std::array<uint8_t, kC2spSaltSize> kSalt = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};

// Pattern returns n bytes that differ from chunk to chunk (so a moved chunk
// would decrypt to visibly different data if the tag let it through).
inline Bytes Pattern(size_t n, uint32_t seed = 1) {
  Bytes out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return out;
}

// Keying returns a C2SP keying for kKey with the given settings; a fixed salt
// makes encryption deterministic.
inline ChunkedKeying Keying(unsigned threads, size_t batch = 0, bool fixed_salt = true,
                            Bytes context = {}) {
  auto keying = MakeC2spKeying(kKey, ChunkedOptions{threads, std::move(context)});
  REQUIRE(keying);
  keying->batch_chunks = batch;
  if (fixed_salt) keying->salt = kSalt;
  return std::move(*keying);
}

// Seal is the one-shot encryption under Keying(threads, batch).
inline Bytes Seal(const Bytes& plain, unsigned threads = 1, size_t batch = 0) {
  auto size = C2spSealedSize(plain.size(), kC2spHeaderSize);
  REQUIRE(size);
  Bytes out(*size);
  REQUIRE(SealChunkedMessage(Keying(threads, batch), plain, out));
  return out;
}

// Decrypted is what one decryption API released and how it ended.
struct Decrypted {
  Result<void> status;
  Bytes out;
};

// OpenOneShot, OpenPush, OpenPull decrypt `ct` under Keying(threads, batch).
inline Decrypted OpenOneShot(const Bytes& ct, unsigned threads = 1) {
  auto size = C2spOpenedSize(ct.size(), kC2spHeaderSize);
  if (!size) return {tl::unexpected(size.error()), {}};
  Bytes out(*size);
  auto r = OpenChunkedMessage(Keying(threads), ct, out);
  if (!r) return {r, {}};
  return {r, std::move(out)};
}

inline Decrypted OpenPush(const Bytes& ct, unsigned threads = 1, size_t batch = 0,
                          size_t piece = 5000) {
  MemorySink sink;
  auto dec = NewChunkedDecryptor(Keying(threads, batch), sink);
  REQUIRE(dec);
  Result<void> r;
  for (size_t off = 0; r && off < ct.size(); off += piece) {
    r = (*dec)->Write(std::span(ct).subspan(off, std::min(piece, ct.size() - off)));
  }
  if (r) r = (*dec)->Finish();
  return {r, sink.Take()};
}

inline Decrypted OpenPull(const Bytes& ct, unsigned threads = 1, size_t batch = 0,
                          size_t piece = 7000) {
  MemorySource source(ct);
  auto reader = NewChunkedDecryptingReader(Keying(threads, batch), source);
  if (!reader) return {tl::unexpected(reader.error()), {}};
  Decrypted d;
  Bytes buf(piece);
  for (;;) {
    auto n = (*reader)->Read(buf);
    if (!n) {
      d.status = tl::unexpected(n.error());
      break;
    }
    if (*n == 0) break;
    d.out.insert(d.out.end(), buf.begin(), buf.begin() + *n);
  }
  return d;
}

}  // namespace envelope::stream::test

#endif  // ENVELOPE_TEST_STREAM_CHUNKED_TEST_UTIL_H_
