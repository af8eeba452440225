// fuzz target chunked_decrypt: C2SP chunked decryption (lib/stream, through
// include/envelope/chunked.hpp) under a fixed key.
//
// Input: one flags byte (bit 0: use the context "fuzz-context"; bit 1: three
// threads instead of one), then the ciphertext. Properties:
//  - one-shot (1 and 3 threads), push (ChunkedDecryptor in pieces), pull
//    (ChunkedDecryptingReader in pieces), ChunkedDecryptStream and random
//    access accept the same ciphertexts and yield the same plaintext, of
//    ChunkedPlaintextSize(ciphertext size) bytes;
//  - what push and pull released of a failed ciphertext is plaintext random
//    access authenticates too (verified chunks only), and nothing is released
//    when the header (commitment) does not verify;
//  - random access of any range of a valid ciphertext is that slice, and it
//    never accepts the whole of a ciphertext the stream rejects.
// Half of the mutations re-seal a changed ciphertext under kKey
// (fuzz/chunked_mutator.h), so these hold for authentic chunks too.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "chunked_mutator.h"
#include "envelope/chunked.hpp"
#include "envelope/io.hpp"
#include "fuzz_util.h"

namespace {

using namespace envelope;

// kKey is the fixed input key of this harness and of its seed corpus.
constexpr uint8_t kKey[kChunkedKeySize] = {'e', 'n', 'v', 'e', 'l', 'o', 'p', 'e', '-', 'f', 'u',
                                           'z', 'z', '-', 'c', 'h', 'u', 'n', 'k', 'e', 'd', '-',
                                           'k', 'e', 'y', '-', '0', '1', '2', '3', '4', '5'};
constexpr std::string_view kContext = "fuzz-context";

uint64_t Next(uint64_t& seed) {
  seed = seed * 6364136223846793005ull + 1442695040888963407ull;
  return seed >> 17;
}

struct Partial {
  bool ok = false;
  std::vector<uint8_t> out;
};

Partial Push(std::span<const uint8_t> in, const ChunkedOptions& options, uint64_t seed) {
  Partial p;
  MemorySink sink;
  auto dec = ChunkedDecryptor::New(KeyView(kKey), sink, options);
  FUZZ_CHECK(dec.has_value());
  size_t pos = 0;
  bool ok = true;
  while (ok && pos < in.size()) {
    const size_t n = std::min<size_t>(in.size() - pos, 1 + Next(seed) % 20000);
    ok = (*dec)->Write(in.subspan(pos, n)).has_value();
    pos += n;
  }
  if (ok) ok = (*dec)->Finish().has_value();
  // A failed stream stays failed.
  if (!ok) FUZZ_CHECK(!(*dec)->Finish().has_value());
  p.ok = ok;
  p.out = sink.Take();
  return p;
}

Partial Pull(std::span<const uint8_t> in, const ChunkedOptions& options, uint64_t seed) {
  Partial p;
  MemorySource source(in);
  auto reader = ChunkedDecryptingReader::New(KeyView(kKey), source, options);
  if (!reader) return p;  // header short or not verified: nothing released
  std::vector<uint8_t> buf(40000);
  for (;;) {
    const size_t want = 1 + Next(seed) % buf.size();
    auto n = (*reader)->Read(std::span(buf).first(want));
    if (!n) {
      FUZZ_CHECK(!(*reader)->Read(buf).has_value());  // sticky
      break;
    }
    if (*n == 0) {
      p.ok = true;
      break;
    }
    FUZZ_CHECK(*n <= want);
    p.out.insert(p.out.end(), buf.begin(), buf.begin() + *n);
  }
  return p;
}

void CheckReleased(const Partial& p, std::span<const uint8_t> in, const ChunkedOptions& options) {
  if (p.out.empty()) return;
  MemorySource source(in);
  auto ra = ChunkedRandomAccessReader::New(KeyView(kKey), source, options);
  FUZZ_CHECK(ra.has_value());  // something was released, so the header verified
  std::vector<uint8_t> got(p.out.size());
  auto n = (*ra)->ReadAt(0, got);
  FUZZ_CHECK(n.has_value() && *n == got.size());
  FUZZ_CHECK(got == p.out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput input(data, size);
  const uint8_t flags = input.U8();
  const std::span<const uint8_t> ct = input.Rest();
  uint64_t seed = fuzz::Mix(ct);
  ChunkedOptions options;
  options.threads = 1;
  if (flags & 1) options.context.assign(kContext.begin(), kContext.end());
  ChunkedOptions threaded = options;
  threaded.threads = (flags & 2) ? 3 : 2;

  auto one = ChunkedDecrypt(KeyView(kKey), ct, options);
  auto many = ChunkedDecrypt(KeyView(kKey), ct, threaded);
  FUZZ_CHECK(one.has_value() == many.has_value());
  auto expected_size = ChunkedPlaintextSize(ct.size());
  if (one) {
    FUZZ_CHECK(*one == *many);
    FUZZ_CHECK(expected_size.has_value() && *expected_size == one->size());
    auto ct_size = ChunkedCiphertextSize(one->size());
    FUZZ_CHECK(ct_size.has_value() && *ct_size == ct.size());
  } else {
    FUZZ_CHECK(one.error().code() == many.error().code());
  }

  const Partial push = Push(ct, options, seed);
  const Partial pull = Pull(ct, options, seed ^ 0x5555);
  MemorySource src(ct);
  MemorySink sink;
  auto pumped = ChunkedDecryptStream(KeyView(kKey), src, sink, options);
  FUZZ_CHECK(push.ok == one.has_value());
  FUZZ_CHECK(pull.ok == one.has_value());
  FUZZ_CHECK(pumped.has_value() == one.has_value());
  if (one) {
    FUZZ_CHECK(push.out == *one);
    FUZZ_CHECK(pull.out == *one);
    FUZZ_CHECK(sink.data() == *one && *pumped == one->size());
  } else {
    CheckReleased(push, ct, options);
    CheckReleased(pull, ct, options);
    CheckReleased({false, sink.Take()}, ct, options);
  }

  MemorySource positioned(ct);
  auto ra = ChunkedRandomAccessReader::New(KeyView(kKey), positioned, options);
  if (one) FUZZ_CHECK(ra.has_value());
  if (ra) {
    auto total = (*ra)->Size();
    if (one) FUZZ_CHECK(total.has_value() && *total == one->size());
    // Read everything through ReadAt (with room to spare: a short count
    // marks the end).
    std::vector<uint8_t> all(ct.size() + 1);
    auto n = (*ra)->ReadAt(0, all);
    if (n) {
      all.resize(*n);
      FUZZ_CHECK(one.has_value() && all == *one);
    }
    if (one) {
      FUZZ_CHECK(n.has_value());
      const uint64_t plain = one->size();
      const uint64_t off = plain > 0 ? Next(seed) % (plain + 1) : 0;
      std::vector<uint8_t> part(Next(seed) % (plain - off + 2));
      auto m = (*ra)->ReadAt(off, part);
      FUZZ_CHECK(m.has_value() && *m == std::min<uint64_t>(part.size(), plain - off));
      FUZZ_CHECK(std::equal(part.begin(), part.begin() + *m, one->begin() + off));
      // The cursor API agrees with ReadAt.
      auto pos = (*ra)->Seek(static_cast<int64_t>(off), ChunkedRandomAccessReader::Whence::kBegin);
      FUZZ_CHECK(pos.has_value() && *pos == off);
      std::vector<uint8_t> via_read(part.size());
      auto r = ReadFull(**ra, via_read);
      FUZZ_CHECK(r.has_value() && *r == *m);
      FUZZ_CHECK(std::equal(via_read.begin(), via_read.begin() + *r, part.begin()));
    }
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return envelope::fuzz::MutateChunked(data, size, max_size, seed, kKey, kContext);
}
