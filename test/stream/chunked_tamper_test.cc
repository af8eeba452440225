// Chunked decryption under attack: every single-bit flip of a small
// multi-chunk message, truncation at every chunk boundary (and inside the
// header and the final tag), reordered, duplicated, dropped and appended
// chunks, wrong key and context are all rejected, with nothing released
// beyond verified chunks; errors are sticky.
#include <doctest/doctest.h>

#include <algorithm>

#include "chunked_test_util.h"

namespace envelope::stream::test {
namespace {

constexpr size_t kSlot = kC2spSealedChunkSize;
constexpr size_t kHeader = kC2spHeaderSize;

// Chunk returns the sealed bytes of chunk k of `ct` (the last one may be short).
Bytes Chunk(const Bytes& ct, size_t k) {
  const size_t from = kHeader + k * kSlot;
  return Bytes(ct.begin() + from, ct.begin() + std::min(ct.size(), from + kSlot));
}

Bytes Assemble(const Bytes& ct, const std::vector<Bytes>& chunks) {
  Bytes out(ct.begin(), ct.begin() + kHeader);
  for (const auto& c : chunks) out.insert(out.end(), c.begin(), c.end());
  return out;
}

// RejectedEverywhere checks that one-shot, push and pull decryption all fail
// and that the streaming APIs released only a prefix of whole verified
// chunks of `plain`.
void RejectedEverywhere(const Bytes& ct, const Bytes& plain) {
  auto one_shot = OpenOneShot(ct);
  CHECK_FALSE(one_shot.status);
  for (size_t batch : {size_t{0}, size_t{1}}) {
    CAPTURE(batch);
    for (const Decrypted& d :
         {OpenPush(ct, 1, batch), OpenPull(ct, 1, batch), OpenPull(ct, 2, batch, 1 << 20)}) {
      CHECK_FALSE(d.status);
      CHECK(d.out.size() % kC2spChunkSize == 0);
      CHECK(d.out.size() <= plain.size());
      CHECK(std::equal(d.out.begin(), d.out.end(), plain.begin()));
    }
  }
}

TEST_CASE("Chunked: flipping any single bit of a two-chunk message is rejected") {
  const Bytes plain = Pattern(kC2spChunkSize + 100);
  Bytes ct = Seal(plain);
  REQUIRE(ct.size() == kHeader + kSlot + 116);
  Bytes out(plain.size());
  size_t rejected = 0;
  auto check = [&](size_t bit, const Result<void>& r) {
    if (!r && r.error().code() == ErrorCode::auth_failed &&
        r.error().message() == kChunkedAuthFailed &&
        std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; })) {
      ++rejected;
    } else {
      FAIL_CHECK("bit " << bit << " flipped and not rejected as auth_failed");
    }
  };
  // Header bits (salt, commitment) through the whole one-shot decryption.
  const ChunkedKeying keying = Keying(1);
  for (size_t bit = 0; bit < kHeader * 8; ++bit) {
    ct[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    check(bit, OpenChunkedMessage(keying, ct, out));
    ct[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
  // Chunk bits (bodies and tags) through the message's cipher, built once
  // (a key derivation per bit would take most of the time).
  auto cipher = ChunkedCipher::ForOpening(keying, std::span(ct).first(kHeader), 2);
  REQUIRE(cipher);
  const auto body = std::span(ct).subspan(kHeader);
  REQUIRE((*cipher)->Open(0, body, true, out));
  CHECK(out == plain);
  for (size_t bit = kHeader * 8; bit < ct.size() * 8; ++bit) {
    ct[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    check(bit, (*cipher)->Open(0, body, true, out));
    ct[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
  CHECK(rejected == ct.size() * 8);
  // Every API, on a sample of positions: header, chunk bodies, tags.
  for (size_t pos :
       {size_t{0}, size_t{23}, size_t{24}, size_t{55}, kHeader, kHeader + 16383, kHeader + 16384,
        kHeader + kSlot - 1, kHeader + kSlot, ct.size() - 17, ct.size() - 1}) {
    CAPTURE(pos);
    Bytes bad = ct;
    bad[pos] ^= 0x80;
    RejectedEverywhere(bad, plain);
  }
}

TEST_CASE("Chunked: truncation at any chunk boundary, in the header or a tag is rejected") {
  const Bytes plain = Pattern(3 * kC2spChunkSize + 1000);
  const Bytes ct = Seal(plain);
  std::vector<size_t> cuts;
  for (size_t n = 0; n <= kHeader; ++n) cuts.push_back(n);
  for (size_t k = 0; k <= 3; ++k) {
    for (size_t j = 0; j < kTagSize; ++j) cuts.push_back(kHeader + k * kSlot + j);
    cuts.push_back(kHeader + k * kSlot + 500);  // mid-chunk: the rest poses as final chunk
  }
  cuts.push_back(ct.size() - 1);
  for (size_t cut : cuts) {
    CAPTURE(cut);
    RejectedEverywhere(Bytes(ct.begin(), ct.begin() + cut), plain);
  }
  // And the message of an exact multiple of 16384 bytes without its empty
  // final chunk.
  const Bytes whole = Pattern(2 * kC2spChunkSize, 5);
  const Bytes whole_ct = Seal(whole);
  RejectedEverywhere(Bytes(whole_ct.begin(), whole_ct.end() - kTagSize), whole);
}

TEST_CASE("Chunked: reordered, duplicated, dropped and appended chunks are rejected") {
  const Bytes plain = Pattern(3 * kC2spChunkSize + 1000, 9);
  const Bytes ct = Seal(plain);
  std::vector<Bytes> chunks;
  for (size_t k = 0; k < 4; ++k) chunks.push_back(Chunk(ct, k));
  REQUIRE(Assemble(ct, chunks) == ct);

  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 4; ++j) {
      if (i == j) continue;
      CAPTURE(i);
      CAPTURE(j);
      auto swapped = chunks;
      std::swap(swapped[i], swapped[j]);
      RejectedEverywhere(Assemble(ct, swapped), plain);
      auto duplicated = chunks;
      duplicated[j] = chunks[i];  // chunk i in place of chunk j
      RejectedEverywhere(Assemble(ct, duplicated), plain);
    }
    auto dropped = chunks;
    dropped.erase(dropped.begin() + static_cast<long>(i));
    RejectedEverywhere(Assemble(ct, dropped), plain);
    auto repeated = chunks;
    repeated.insert(repeated.begin() + static_cast<long>(i), chunks[i]);
    RejectedEverywhere(Assemble(ct, repeated), plain);
    auto appended = chunks;
    appended.push_back(chunks[i]);
    RejectedEverywhere(Assemble(ct, appended), plain);
  }
  for (size_t extra : {1, 15, 16, 17, 100}) {
    Bytes trailing = ct;
    trailing.insert(trailing.end(), extra, 0);
    RejectedEverywhere(trailing, plain);
  }
  // Chunk from another message under the same key (another salt).
  auto other = ChunkedEncrypt(KeyView(kKey), plain);
  REQUIRE(other);
  auto spliced = chunks;
  spliced[1] = Chunk(*other, 1);
  RejectedEverywhere(Assemble(ct, spliced), plain);
}

TEST_CASE("Chunked: wrong key or context fails on the commitment, before any chunk") {
  const Bytes plain = Pattern(50000);
  auto ct = ChunkedEncrypt(KeyView(kKey), plain, ChunkedOptions{1, {'c', 't', 'x'}});
  REQUIRE(ct);
  Bytes other_key = kKey;
  other_key[31] ^= 1;
  for (const auto& [key, context] :
       {std::pair{other_key, Bytes{'c', 't', 'x'}}, std::pair{kKey, Bytes{}},
        std::pair{kKey, Bytes{'c', 't'}}, std::pair{kKey, Bytes{'c', 't', 'x', 0}}}) {
    MemorySink sink;
    auto dec = ChunkedDecryptor::New(KeyView(key), sink, ChunkedOptions{1, context});
    REQUIRE(dec);
    // Only the header: the failure comes before any chunk arrives.
    auto r = (*dec)->Write(std::span(*ct).first(kHeader));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
    CHECK(r.error().message() == kChunkedAuthFailed);
    CHECK(sink.data().empty());
    MemorySource source(*ct);
    auto reader = ChunkedDecryptingReader::New(KeyView(key), source, ChunkedOptions{1, context});
    REQUIRE_FALSE(reader);
    CHECK(reader.error().message() == kChunkedAuthFailed);
  }
}

TEST_CASE("Chunked: errors are sticky") {
  const Bytes plain = Pattern(8 * kC2spChunkSize + 10);
  Bytes ct = Seal(plain);
  ct[kHeader + 5 * kSlot + 3] ^= 1;  // chunk 5

  SUBCASE("pull") {
    MemorySource source(ct);
    auto reader = NewChunkedDecryptingReader(Keying(2, 1), source);
    REQUIRE(reader);
    Bytes out(5 * kC2spChunkSize);
    auto n = ReadFull(**reader, out);  // chunks 0-4 verify and come out
    REQUIRE(n);
    CHECK(*n == out.size());
    CHECK(std::equal(out.begin(), out.end(), plain.begin()));
    Bytes more(100);
    auto first = (*reader)->Read(more);
    REQUIRE_FALSE(first);
    CHECK(first.error().code() == ErrorCode::auth_failed);
    for (int i = 0; i < 3; ++i) {
      auto again = (*reader)->Read(more);
      REQUIRE_FALSE(again);
      CHECK(again.error() == first.error());
    }
  }
  SUBCASE("push") {
    MemorySink sink;
    auto dec = NewChunkedDecryptor(Keying(2, 1), sink);
    REQUIRE(dec);
    auto r = (*dec)->Write(ct);
    REQUIRE_FALSE(r);
    CHECK(sink.data().size() == 5 * kC2spChunkSize);
    const Bytes good = Seal(Pattern(10));
    CHECK((*dec)->Write(good).error() == r.error());
    CHECK((*dec)->Finish().error() == r.error());
    CHECK(sink.data().size() == 5 * kC2spChunkSize);
  }
  SUBCASE("encryptor after a failing sink") {
    class FailingSink final : public Sink {
     public:
      Result<void> Write(std::span<const uint8_t>) override {
        ++calls;
        return MakeError(ErrorCode::io, "write failed: disk full");
      }
      int calls = 0;
    } sink;
    auto enc = NewChunkedEncryptor(Keying(1, 1), sink);
    REQUIRE(enc);
    auto r = (*enc)->Write(Pattern(3 * kC2spChunkSize));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::io);
    CHECK((*enc)->Write(Pattern(1)).error() == r.error());
    CHECK((*enc)->Finish().error() == r.error());
    CHECK(sink.calls == 1);
  }
}

}  // namespace
}  // namespace envelope::stream::test
