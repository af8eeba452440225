// C2SP chunked encryption: re-encrypting every valid Wycheproof vector's
// message with the vector's salt (one-shot, push, pull on 1 and 2 threads)
// or its raw key and base nonce gives the vector's ciphertext back.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>

#include "c2sp_vectors.h"
#include "envelope/hazmat/chunked_raw.hpp"
#include "stream/chunked_streams.h"

namespace envelope::stream {
namespace {

using vectors::Bytes;
using vectors::Vector;

// Decrypt returns the message of a valid vector.
Bytes Decrypt(const Vector& v) {
  auto keying = MakeC2spKeying(v.key, ChunkedOptions{1, v.ctx});
  REQUIRE(keying);
  Bytes out(*C2spOpenedSize(v.ct.size(), kC2spHeaderSize));
  REQUIRE(OpenChunkedMessage(*keying, v.ct, out));
  REQUIRE(vectors::IsMessage(v, out));
  return out;
}

TEST_CASE("C2SP vectors: encryption with the vector's salt or raw key gives ct back") {
  int checked = 0;
  for (const Vector& v : vectors::Vectors().vectors) {
    if (!v.valid()) continue;
    CAPTURE(v.id);
    const Bytes plain = Decrypt(v);
    std::array<uint8_t, kC2spSaltSize> salt;
    std::copy_n(v.ct.begin(), kC2spSaltSize, salt.begin());
    for (unsigned threads : {1u, 2u}) {
      auto keying = MakeC2spKeying(v.key, ChunkedOptions{threads, v.ctx});
      REQUIRE(keying);
      keying->salt = salt;
      // One-shot.
      Bytes out(v.ct.size());
      REQUIRE(SealChunkedMessage(*keying, plain, out));
      CHECK(out == v.ct);
      // Push, in growing odd pieces, three chunks per batch.
      auto keyed = MakeC2spKeying(v.key, ChunkedOptions{threads, v.ctx});
      REQUIRE(keyed);
      keyed->salt = salt;
      keyed->batch_chunks = 3;
      MemorySink fixed_sink;
      auto fixed = NewChunkedEncryptor(std::move(*keyed), fixed_sink);
      REQUIRE(fixed);
      std::span<const uint8_t> rest = plain;
      for (size_t piece = 1; !rest.empty(); piece = piece * 3 + 1) {
        const size_t n = std::min(piece, rest.size());
        REQUIRE((*fixed)->Write(rest.first(n)));
        rest = rest.subspan(n);
      }
      REQUIRE((*fixed)->Finish());
      CHECK(fixed_sink.data() == v.ct);
      // Pull.
      auto pulled_keying = MakeC2spKeying(v.key, ChunkedOptions{threads, v.ctx});
      REQUIRE(pulled_keying);
      pulled_keying->salt = salt;
      MemorySource source(plain);
      auto reader = NewChunkedEncryptingReader(std::move(*pulled_keying), source);
      REQUIRE(reader);
      Bytes pulled(v.ct.size() + 10);
      auto n = ReadFull(**reader, pulled);
      REQUIRE(n);
      pulled.resize(*n);
      CHECK(pulled == v.ct);
    }
    // Raw mode is deterministic.
    Bytes raw(v.ct.size() - kC2spHeaderSize);
    REQUIRE(hazmat::RawChunkedEncrypt(KeyView(v.aead_key), v.base_nonce, plain, raw));
    CHECK(std::equal(raw.begin(), raw.end(), v.ct.begin() + kC2spHeaderSize));
    ++checked;
  }
  CHECK(checked == 10);
}

}  // namespace
}  // namespace envelope::stream
