// Chunked encryption round trips: every API, every chunk-boundary size and
// 1, 2 and 8 threads produce byte-identical ciphertext (salt fixed through
// the internal keying) that every API decrypts back; the public API with a
// random salt; argument errors that change nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "chunked_test_util.h"
#include "envelope/hazmat/chunked_raw.hpp"

namespace envelope::stream::test {
namespace {

constexpr size_t kSizes[] = {0, 1, 16383, 16384, 16385, (size_t{10} << 20) + 7};

// EncryptAllWays encrypts `plain` with the one-shot, push (in ragged pieces),
// pull and pump APIs and checks they agree; returns the ciphertext.
Bytes EncryptAllWays(const Bytes& plain, unsigned threads, size_t batch) {
  const Bytes one_shot = Seal(plain, threads, batch);

  MemorySink pushed;
  auto enc = NewChunkedEncryptor(Keying(threads, batch), pushed);
  REQUIRE(enc);
  std::span<const uint8_t> rest = plain;
  const size_t pieces[] = {1, 16383, 16385, 100000, 3, 1 << 20, 16384};
  for (size_t i = 0; !rest.empty(); ++i) {
    const size_t n = std::min(pieces[i % std::size(pieces)], rest.size());
    REQUIRE((*enc)->Write(rest.first(n)));
    rest = rest.subspan(n);
  }
  REQUIRE((*enc)->Finish());
  CHECK(pushed.data() == one_shot);

  MemorySource source(plain);
  auto reader = NewChunkedEncryptingReader(Keying(threads, batch), source);
  REQUIRE(reader);
  Bytes pulled;
  Bytes buf(9999);
  for (;;) {
    auto n = (*reader)->Read(buf);
    REQUIRE(n);
    if (*n == 0) break;
    pulled.insert(pulled.end(), buf.begin(), buf.begin() + *n);
  }
  CHECK(pulled == one_shot);

  MemorySource pump_source(plain);
  MemorySink pump_sink;
  auto total = PumpChunkedEncrypt(Keying(threads, batch), pump_source, pump_sink);
  REQUIRE(total);
  CHECK(*total == plain.size());
  CHECK(pump_sink.data() == one_shot);
  return one_shot;
}

TEST_CASE("Chunked: every API and 1, 2, 8 threads give the same ciphertext, which decrypts") {
  for (size_t size : kSizes) {
    CAPTURE(size);
    const Bytes plain = Pattern(size);
    const Bytes reference = EncryptAllWays(plain, 1, 0);
    // Structure: salt || commitment || chunks, of the documented size.
    REQUIRE(reference.size() == *ChunkedCiphertextSize(size));
    CHECK(std::equal(kSalt.begin(), kSalt.end(), reference.begin()));
    CHECK(*ChunkedPlaintextSize(reference.size()) == size);

    for (unsigned threads : {2u, 8u}) {
      CAPTURE(threads);
      CHECK(EncryptAllWays(plain, threads, 0) == reference);
    }
    // Small batches: many engine calls per message, same bytes.
    if (size > 16384) CHECK(EncryptAllWays(plain, 2, 3) == reference);

    for (unsigned threads : {1u, 2u, 8u}) {
      CAPTURE(threads);
      auto one_shot = OpenOneShot(reference, threads);
      CHECK((one_shot.status && one_shot.out == plain));
      auto push = OpenPush(reference, threads, 0, 70001);
      CHECK((push.status && push.out == plain));
      auto pull = OpenPull(reference, threads, 0, 65536);
      CHECK((pull.status && pull.out == plain));
      auto pull_direct = OpenPull(reference, threads, 0, (size_t{9} << 20) + 1);  // in place
      CHECK((pull_direct.status && pull_direct.out == plain));
      MemorySource source(reference);
      MemorySink sink;
      auto total = PumpChunkedDecrypt(Keying(threads), source, sink);
      CHECK((total && *total == size && sink.data() == plain));
      MemorySource positioned(reference);
      auto ra = NewChunkedRandomAccessReader(Keying(threads), positioned);
      REQUIRE(ra);
      Bytes all(size + 1);
      auto n = (*ra)->ReadAt(0, all);
      REQUIRE(n);
      CHECK(*n == size);
      CHECK(std::equal(plain.begin(), plain.end(), all.begin()));
    }
  }
}

TEST_CASE("Chunked: the public API uses a fresh salt per message and round-trips") {
  const Bytes plain = Pattern(40000, 7);
  const ChunkedOptions options{2, {'a', 'p', 'p'}};
  auto a = ChunkedEncrypt(KeyView(kKey), plain, options);
  auto b = ChunkedEncrypt(KeyView(kKey), plain, options);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(std::equal(a->begin(), a->begin() + 24, b->begin()));  // salts differ
  CHECK(*a != *b);
  auto back = ChunkedDecrypt(KeyView(kKey), *a, options);
  REQUIRE(back);
  CHECK(*back == plain);

  MemorySource source(*b);
  MemorySink sink;
  REQUIRE(ChunkedDecryptStream(KeyView(kKey), source, sink, options));
  CHECK(sink.data() == plain);

  MemorySource plain_source(plain);
  MemorySink ct_sink;
  REQUIRE(ChunkedEncryptStream(KeyView(kKey), plain_source, ct_sink, options));
  MemorySource ct_source(ct_sink.data());
  auto reader = ChunkedDecryptingReader::New(KeyView(kKey), ct_source, options);
  REQUIRE(reader);
  Bytes out(plain.size() + 1);
  auto n = ReadFull(**reader, out);
  REQUIRE(n);
  CHECK(*n == plain.size());
  out.resize(*n);
  CHECK(out == plain);
}

TEST_CASE("Chunked: bad arguments get a clear error and change nothing") {
  const Bytes plain = Pattern(100);
  Bytes out(*ChunkedCiphertextSize(plain.size()), 0xee);
  const Bytes untouched = out;
  for (size_t key_size : {0, 16, 31, 33, 64}) {
    CAPTURE(key_size);
    auto r = ChunkedEncrypt(KeyView(Bytes(key_size, 1)), plain, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
    CHECK(r.error().message().find("32 bytes") != std::string::npos);
    MemorySink sink;
    CHECK_FALSE(ChunkedEncryptor::New(KeyView(Bytes(key_size, 1)), sink));
    CHECK_FALSE(ChunkedDecryptor::New(KeyView(Bytes(key_size, 1)), sink));
  }
  ChunkedOptions big_context{1, Bytes(kChunkedMaxContextSize + 1)};
  CHECK(ChunkedEncrypt(KeyView(kKey), plain, out, big_context).error().code() ==
        ErrorCode::invalid_argument);
  ChunkedOptions max_context{1, Bytes(kChunkedMaxContextSize, 9)};
  auto ct = ChunkedEncrypt(KeyView(kKey), plain, max_context);
  REQUIRE(ct);
  CHECK(*ChunkedDecrypt(KeyView(kKey), *ct, max_context) == plain);

  Bytes small(out.size() - 1);
  CHECK(ChunkedEncrypt(KeyView(kKey), plain, small).error().code() == ErrorCode::invalid_argument);
  // Overlapping buffers.
  Bytes buf(plain.size() + out.size());
  auto overlap = ChunkedEncrypt(KeyView(kKey), std::span(buf).first(plain.size()),
                                std::span(buf).subspan(plain.size() - 1, out.size()));
  CHECK(overlap.error().code() == ErrorCode::invalid_argument);
  CHECK(out == untouched);

  // Impossible ciphertext sizes are refused before any key work.
  for (uint64_t size : {0ull, 55ull, 56ull, 71ull, 56ull + 16400, 56ull + 16400 + 15}) {
    CAPTURE(size);
    auto p = ChunkedPlaintextSize(size);
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == ErrorCode::truncated);
  }
  CHECK(*ChunkedPlaintextSize(72) == 0);
  CHECK(*ChunkedCiphertextSize(0) == 72);
  CHECK(*ChunkedCiphertextSize(16384) == 56 + 16400 + 16);
  // 2^38 chunks is the limit: 2^38 - 1 full chunks plus a short one fit.
  const uint64_t max_plain = (uint64_t{1} << 52) - 1;
  CHECK(ChunkedCiphertextSize(max_plain));
  CHECK(ChunkedCiphertextSize(max_plain + 1).error().code() == ErrorCode::limit_exceeded);
  CHECK(*ChunkedPlaintextSize(*ChunkedCiphertextSize(max_plain)) == max_plain);

  // Finish twice, Write after Finish.
  MemorySink sink;
  auto enc = ChunkedEncryptor::New(KeyView(kKey), sink);
  REQUIRE(enc);
  REQUIRE((*enc)->Finish());
  CHECK((*enc)->Finish().error().code() == ErrorCode::invalid_argument);
  CHECK((*enc)->Write(plain).error().code() == ErrorCode::invalid_argument);
  CHECK(sink.data().size() == 72);
}

TEST_CASE("Chunked raw mode: round trip, and the C2SP body is the raw ciphertext") {
  const Bytes plain = Pattern(50000, 3);
  const Bytes nonce(12, 0x77);
  Bytes raw(*hazmat::RawChunkedCiphertextSize(plain.size()));
  REQUIRE(hazmat::RawChunkedEncrypt(KeyView(kKey), nonce, plain, raw, 2));
  Bytes back(plain.size());
  REQUIRE(hazmat::RawChunkedDecrypt(KeyView(kKey), nonce, raw, back, 1));
  CHECK(back == plain);
  Bytes other_nonce = nonce;
  other_nonce[0] ^= 1;
  auto wrong = hazmat::RawChunkedDecrypt(KeyView(kKey), other_nonce, raw, back);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code() == ErrorCode::auth_failed);
  CHECK(std::all_of(back.begin(), back.end(), [](uint8_t b) { return b == 0; }));
  CHECK(hazmat::RawChunkedEncrypt(KeyView(kKey), Bytes(11), plain, raw).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(hazmat::RawChunkedEncrypt(KeyView(Bytes(16)), nonce, plain, raw).error().code() ==
        ErrorCode::invalid_argument);

  // C2SP = header || raw(derived key, derived base nonce).
  const Bytes c2sp = Seal(plain);
  auto keys = DeriveC2sp(kKey, kSalt, {});
  REQUIRE(keys);
  Bytes body(raw.size());
  REQUIRE(hazmat::RawChunkedEncrypt(keys->aead_key, keys->base_nonce, plain, body));
  CHECK(std::equal(body.begin(), body.end(), c2sp.begin() + kC2spHeaderSize));
}

}  // namespace
}  // namespace envelope::stream::test

namespace envelope::stream::test {
namespace {

TEST_CASE("Chunked: stream buffers follow the thread count up to a 16 MiB batch") {
  Bytes header(kC2spHeaderSize);
  for (auto [threads_wanted, chunks_wanted] :
       {std::pair{1u, 64u}, std::pair{2u, 128u}, std::pair{16u, 1024u}, std::pair{64u, 1024u}}) {
    // Copies: clang 14 cannot capture structured bindings in CAPTURE's lambda.
    const unsigned threads = threads_wanted;
    const unsigned chunks = chunks_wanted;
    CAPTURE(threads);
    auto cipher = ChunkedCipher::ForSealing(Keying(threads), header, kNoChunkHint);
    REQUIRE(cipher);
    CHECK((*cipher)->threads() == threads);
    CHECK((*cipher)->batch_chunks() == chunks);
  }
  // A short message does not start threads it cannot use.
  auto small = ChunkedCipher::ForSealing(Keying(8), header, 20);
  REQUIRE(small);
  CHECK((*small)->threads() == 1);
}

}  // namespace
}  // namespace envelope::stream::test
