// fuzz target message_decrypt: whole-message decryption (lib/message
// decryptor and random access, through the public API) under the fixed raw
// AES and RSA keyrings of fuzz_keys.h, reading every suite (v1 and v2).
//
// Input: a message, as is (so ESDK vector ciphertexts are seeds). Split
// points and the flipped bit are derived from a hash of the input.
// Properties:
//  - one-shot on 1 thread, one-shot on 3 threads, push (MessageDecryptor in
//    pieces), pull (DecryptingReader in pieces) and, for unsigned v2 framed
//    messages, random access all accept the same messages and yield the same
//    plaintext;
//  - nothing is released on failure before the header authenticated, nor
//    ever for a signed message (held until the signature verifies), and what
//    push and pull did release of a failed message is plaintext that random
//    access authenticates too;
//  - random access never accepts a whole message the stream rejects;
//  - a message that decrypts no longer does with any one bit flipped;
//  - a refused input fails with a code that says so (auth_failed, truncated,
//    malformed, limit_exceeded, or not_found for an EDK under no key of
//    ours), never invalid_argument or unsupported, which the tools report
//    as the caller's mistake.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "message/suite.h"
#include "message_mutator.h"

namespace {

using namespace envelope;

DecryptOptions Options(unsigned threads) {
  DecryptOptions o;
  o.commitment_policy = CommitmentPolicy::forbid_encrypt_allow_decrypt;  // read every suite
  o.threads = threads;
  o.limits.max_frame_length = 1 << 20;
  return o;
}

bool IsSigned(const HeaderInfo& h) {
  const auto* suite = message::FindSuite(static_cast<uint16_t>(h.suite));
  FUZZ_CHECK(suite != nullptr);
  return suite->signed_suite();
}

struct Partial {
  bool ok = false;
  std::vector<uint8_t> out;
  bool header_seen = false;
  bool signed_suite = false;
};

Partial Push(std::span<const uint8_t> in, uint64_t seed) {
  Partial p;
  MemorySink sink(p.out);
  auto dec = MessageDecryptor::New(*fuzz::VectorCmm(), Options(1), sink);
  FUZZ_CHECK(dec.has_value());
  size_t pos = 0;
  bool ok = true;
  while (ok && pos < in.size()) {
    const size_t n = std::min<size_t>(in.size() - pos, 1 + (seed % 1031));
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    ok = (*dec)->Update(in.subspan(pos, n)).has_value();
    pos += n;
  }
  if (ok) ok = (*dec)->Finish().has_value();
  p.ok = ok;
  if (const HeaderInfo* h = (*dec)->header()) {
    p.header_seen = true;
    p.signed_suite = IsSigned(*h);
  }
  return p;
}

Partial Pull(std::span<const uint8_t> in, uint64_t seed) {
  Partial p;
  MemorySource source(in);
  auto reader = DecryptingReader::New(*fuzz::VectorCmm(), Options(1), source);
  if (!reader) return p;  // New fails only on a bad option, never on input
  std::vector<uint8_t> buf(4096);
  for (;;) {
    const size_t want = 1 + seed % buf.size();
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    auto n = (*reader)->Read(std::span(buf).first(want));
    if (!n) break;
    if (*n == 0) {
      p.ok = true;
      break;
    }
    FUZZ_CHECK(*n <= want);
    p.out.insert(p.out.end(), buf.begin(), buf.begin() + *n);
  }
  if (const HeaderInfo* h = (*reader)->header()) {
    p.header_seen = true;
    p.signed_suite = IsSigned(*h);
  }
  return p;
}

// CheckReleased: what a stream released of a failed message must be
// authenticated plaintext.
void CheckReleased(const Partial& p, std::span<const uint8_t> in) {
  if (p.out.empty()) return;
  FUZZ_CHECK(p.header_seen && !p.signed_suite);
  MemorySource source(in);
  auto ra = RandomAccessDecryptor::New(source, *fuzz::VectorCmm(), Options(1));
  if (!ra) return;  // v1 or non-framed: nothing to compare with
  FUZZ_CHECK(p.out.size() <= (*ra)->plaintext_size());
  std::vector<uint8_t> got(p.out.size());
  auto read = (*ra)->ReadAt(0, got);
  FUZZ_CHECK(read.has_value() && *read == got.size());
  FUZZ_CHECK(got == p.out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  const uint64_t seed = fuzz::Mix(in);
  const auto& cmm = *fuzz::VectorCmm();

  auto one = Decrypt(in, cmm, Options(1));
  auto many = Decrypt(in, cmm, Options(3));
  FUZZ_CHECK(one.has_value() == many.has_value());
  if (one) {
    FUZZ_CHECK(one->plaintext == many->plaintext);
    FUZZ_CHECK(one->header.header_size == many->header.header_size);
    FUZZ_CHECK(one->header.header_size <= size);
  } else {
    FUZZ_CHECK(one.error().code() == many.error().code());
    const ErrorCode code = one.error().code();
    FUZZ_CHECK(code == ErrorCode::auth_failed || code == ErrorCode::truncated ||
               code == ErrorCode::malformed || code == ErrorCode::limit_exceeded ||
               code == ErrorCode::not_found);
    if (one.error().code() == ErrorCode::auth_failed) {
      FUZZ_CHECK(one.error().message() == many.error().message());
    }
  }

  const Partial push = Push(in, seed);
  const Partial pull = Pull(in, seed >> 7);
  FUZZ_CHECK(push.ok == one.has_value());
  FUZZ_CHECK(pull.ok == one.has_value());
  if (one) {
    FUZZ_CHECK(push.out == one->plaintext);
    FUZZ_CHECK(pull.out == one->plaintext);
  } else {
    CheckReleased(push, in);
    CheckReleased(pull, in);
  }

  // Random access: all of it, and one range chosen by the hash.
  MemorySource source(in);
  auto ra = RandomAccessDecryptor::New(source, cmm, Options(2));
  if (one && one->header.version == 2 && one->header.framed && !IsSigned(one->header)) {
    FUZZ_CHECK(ra.has_value());
  }
  if (ra) {
    const uint64_t total = (*ra)->plaintext_size();
    FUZZ_CHECK(total <= size);
    std::vector<uint8_t> all(total);
    auto read = (*ra)->ReadAt(0, all);
    if (read) {
      FUZZ_CHECK(*read == total);
      FUZZ_CHECK(one.has_value());
      FUZZ_CHECK(all == one->plaintext);
    }
    if (one) {
      FUZZ_CHECK(read.has_value());
      if (total > 0) {
        const uint64_t off = seed % total;
        const uint64_t len = (seed >> 32) % (total - off + 1);
        std::vector<uint8_t> part(len);
        auto got = (*ra)->ReadAt(off, part);
        FUZZ_CHECK(got.has_value() && *got == len);
        FUZZ_CHECK(std::equal(part.begin(), part.end(), one->plaintext.begin() + off));
      }
      // Past the end is a short read of 0 bytes, as for every PositionedSource.
      uint8_t byte = 0;
      auto past = (*ra)->ReadAt(total, std::span(&byte, 1));
      FUZZ_CHECK(past.has_value() && *past == 0);
    }
  }

  // Every byte of a valid message is authenticated.
  if (one && size > 0) {
    std::vector<uint8_t> flipped(in.begin(), in.end());
    const uint64_t bit = (seed >> 3) % (size * 8);
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    FUZZ_CHECK(!Decrypt(flipped, cmm, Options(1)).has_value());
  }
  return 0;
}

// The structure-aware mutator (message_mutator.h): half of the mutations
// re-seal a changed message under the harness's key, so the decryptor's
// frame, final-frame and signature rules see authentic input.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return envelope::fuzz::MutateMessage(data, size, max_size, seed);
}
