// C2SP chunked encryption: every vector of Wycheproof
// c2sp_chunked_encryption_aes_256_gcm_test.json through every API (one-shot,
// push, pull, random access, raw mode), applying the file's notes:
//  - valid: decrypts to msgLength bytes with SHA-512 msgSha512, and
//    re-encrypting with the vector's salt (or raw key/nonce) gives `ct` back;
//  - invalid: fails; streaming may release at most the PartialPlaintext
//    prefix (exactly that prefix with one-chunk batches), nothing otherwise,
//    and keeps failing;
//  - HeaderFailure: fails before any chunk is decrypted (no output), and has
//    no raw-mode form;
//  - length authentication (random access Size) fails for every invalid
//    vector except the ValidFinalChunk ones.
#include "c2sp_vectors.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/digest.h"
#include "envelope/hazmat/chunked_raw.hpp"
#include "stream/chunked_streams.h"
#include "support/vectors.h"

namespace envelope::stream {
namespace {

using vectors::Bytes;
using vectors::IsMessage;
using vectors::Vector;
using vectors::Vectors;

// SameError: both failed with the same error (tl::expected<void>'s == does
// not compile in this version of the library).
bool SameError(const Result<void>& a, const Result<void>& b) {
  return !a && !b && a.error() == b.error();
}

// Outcome of decrypting one vector through one API.
struct Outcome {
  Result<void> status;
  Bytes out;           // everything released
  bool sticky = true;  // later calls returned the same error
};

// Judge applies the notes to an outcome and counts it. `exact_prefix` says
// the API released chunks one by one (batch of one chunk), so an invalid
// vector must release exactly its PartialPlaintext prefix.
void Judge(const Vector& v, const Outcome& o, bool exact_prefix, testing::Tally& tally) {
  CAPTURE(v.id);
  if (v.valid()) {
    const bool ok = o.status.has_value() && IsMessage(v, o.out);
    CHECK(ok);
    ok ? ++tally.valid_passed : ++tally.failed;
    return;
  }
  if (v.result != "invalid") {
    ++tally.acceptable;
    return;
  }
  bool ok = !o.status.has_value() && o.sticky;
  if (ok && o.status.error().code() == ErrorCode::auth_failed) {
    // One fixed message for every authentication failure.
    ok = o.status.error().message() == kChunkedAuthFailed;
  }
  const uint64_t prefix = v.expected_prefix();
  if (exact_prefix) {
    ok = ok && o.out.size() == prefix;
  } else {
    ok = ok && o.out.size() <= prefix;
  }
  if (!o.out.empty()) ok = ok && o.out.size() == prefix && IsMessage(v, o.out);
  CHECK(ok);
  ok ? ++tally.invalid_rejected : ++tally.failed;
}

Result<ChunkedKeying> Keying(const Vector& v, bool raw, unsigned threads, size_t batch) {
  auto keying = raw ? MakeRawKeying(v.aead_key, v.base_nonce, threads)
                    : MakeC2spKeying(v.key, ChunkedOptions{threads, v.ctx});
  if (keying) keying->batch_chunks = batch;
  return keying;
}

std::span<const uint8_t> Body(const Vector& v, bool raw) {
  return raw ? std::span<const uint8_t>(v.ct).subspan(kC2spHeaderSize) : std::span(v.ct);
}

Outcome OneShot(const Vector& v, bool raw) {
  Outcome o;
  auto keying = Keying(v, raw, 0, 0);
  if (!keying) return {tl::unexpected(keying.error()), {}};
  const auto ct = Body(v, raw);
  auto size = C2spOpenedSize(ct.size(), keying->header_size());
  if (!size) return {tl::unexpected(size.error()), {}};
  Bytes out(*size, 0xaa);
  o.status = OpenChunkedMessage(*keying, ct, out);
  if (o.status) {
    o.out = std::move(out);
  } else {
    CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
  }
  return o;
}

Outcome Push(const Vector& v, bool raw, unsigned threads, size_t batch, size_t piece) {
  Outcome o;
  auto keying = Keying(v, raw, threads, batch);
  if (!keying) return {tl::unexpected(keying.error()), {}};
  MemorySink sink;
  auto dec = NewChunkedDecryptor(std::move(*keying), sink);
  if (!dec) return {tl::unexpected(dec.error()), {}};
  auto ct = Body(v, raw);
  Result<void> r;
  for (size_t off = 0; r && off < ct.size(); off += piece) {
    r = (*dec)->Write(ct.subspan(off, std::min(piece, ct.size() - off)));
  }
  if (r) r = (*dec)->Finish();
  o.status = r;
  if (!r) {
    o.sticky = SameError((*dec)->Write(ct.first(std::min<size_t>(ct.size(), 1))), r) &&
               SameError((*dec)->Finish(), r);
  }
  o.out = sink.Take();
  return o;
}

Outcome Pull(const Vector& v, bool raw, unsigned threads, size_t batch, size_t piece) {
  Outcome o;
  auto keying = Keying(v, raw, threads, batch);
  if (!keying) return {tl::unexpected(keying.error()), {}};
  MemorySource source(Body(v, raw));
  auto reader = NewChunkedDecryptingReader(std::move(*keying), source);
  if (!reader) return {tl::unexpected(reader.error()), {}};
  Bytes buf(piece);
  for (;;) {
    auto n = (*reader)->Read(buf);
    if (!n) {
      o.status = tl::unexpected(n.error());
      auto again = (*reader)->Read(buf);
      o.sticky = !again && again.error() == n.error();
      break;
    }
    if (*n == 0) break;
    o.out.insert(o.out.end(), buf.begin(), buf.begin() + *n);
  }
  return o;
}

// RandomAccess reads the whole message with ReadAt; `length` gets the
// outcome of length authentication (Size) on a fresh reader.
Outcome RandomAccess(const Vector& v, bool raw, Result<uint64_t>* length,
                     Result<size_t>* prefix_read, Bytes* prefix) {
  Outcome o;
  auto keying = Keying(v, raw, 2, 0);
  if (!keying) {
    *length = tl::unexpected(keying.error());
    return {tl::unexpected(keying.error()), {}};
  }
  MemorySource source(Body(v, raw));
  auto reader = NewChunkedRandomAccessReader(*keying, source);
  if (!reader) {
    *length = tl::unexpected(reader.error());
    return {tl::unexpected(reader.error()), {}};
  }
  Bytes out(v.ct.size() + 1, 0xaa);  // more than the message: the read reaches the end
  auto n = (*reader)->ReadAt(0, out);
  if (n) {
    out.resize(*n);
    o.out = std::move(out);
  } else {
    o.status = tl::unexpected(n.error());
    CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
  }
  auto fresh = NewChunkedRandomAccessReader(*keying, source);
  REQUIRE(fresh);
  *length = (*fresh)->Size();
  if (v.has_msg) {
    prefix->assign(v.msg_length, 0);
    *prefix_read = (*fresh)->ReadAt(0, *prefix);
  }
  return o;
}

TEST_CASE("C2SP vectors: one-shot, push, pull, random access and raw mode") {
  const auto& file = Vectors();
  REQUIRE(file.vectors.size() == static_cast<size_t>(file.number_of_tests));
  testing::Tally one_shot, push, push1, pull, pull1, pull_direct, random, length, raw;
  int raw_not_applicable = 0, length_not_applicable = 0;
  for (const Vector& v : file.vectors) {
    CAPTURE(v.id);
    Judge(v, OneShot(v, false), false, one_shot);
    Judge(v, Push(v, false, 0, 0, v.ct.size() + 1), false, push);
    Judge(v, Push(v, false, 2, 1, 1000), true, push1);
    Judge(v, Pull(v, false, 0, 0, 65536), false, pull);
    Judge(v, Pull(v, false, 2, 1, 5000), true, pull1);
    Judge(v, Pull(v, false, 2, 0, 1 << 22), false, pull_direct);

    Result<uint64_t> size = 0;
    Result<size_t> prefix_read = 0;
    Bytes prefix;
    Judge(v, RandomAccess(v, false, &size, &prefix_read, &prefix), false, random);
    if (v.has_msg && !v.valid()) {
      // Reading only the verified prefix of a PartialPlaintext vector may
      // succeed; then it must be that prefix.
      if (prefix_read) CHECK(IsMessage(v, std::span(prefix).first(*prefix_read)));
    }
    if (v.Has("HeaderFailure")) {
      CHECK_FALSE(size);  // the reader never came to be
      ++length_not_applicable;
    } else if (v.valid()) {
      const bool ok = size && *size == v.msg_length;
      CHECK(ok);
      ok ? ++length.valid_passed : ++length.failed;
    } else if (v.Has("ValidFinalChunk")) {
      ++length.acceptable;  // the final chunk is genuine: the length may verify
    } else {
      CHECK_FALSE(size);
      !size ? ++length.invalid_rejected : ++length.failed;
    }

    if (v.Has("HeaderFailure")) {
      CHECK(v.aead_key.empty());
      ++raw_not_applicable;
      continue;
    }
    // Raw mode: every API must agree with the vector's verdict.
    Outcome r = OneShot(v, true);
    const Outcome modes[] = {Push(v, true, 2, 1, 777), Pull(v, true, 1, 0, 4096)};
    bool agree = true;
    for (const Outcome& m : modes) {
      agree =
          agree && m.status.has_value() == r.status.has_value() && (!r.status || m.out == r.out);
    }
    Result<uint64_t> raw_size = 0;
    Result<size_t> raw_prefix_read = 0;
    Outcome ra = RandomAccess(v, true, &raw_size, &raw_prefix_read, &prefix);
    agree =
        agree && ra.status.has_value() == r.status.has_value() && (!r.status || ra.out == r.out);
    CHECK(agree);
    if (!agree) r.status = MakeError(ErrorCode::internal, "raw-mode APIs disagree");
    Judge(v, r, false, raw);
  }
  one_shot.Print("c2sp_chunked_encryption [one-shot]");
  push.Print("c2sp_chunked_encryption [push, default batches]");
  push1.Print("c2sp_chunked_encryption [push, one-chunk batches]");
  pull.Print("c2sp_chunked_encryption [pull, default batches]");
  pull1.Print("c2sp_chunked_encryption [pull, one-chunk batches]");
  pull_direct.Print("c2sp_chunked_encryption [pull, large reads opened in place]");
  random.Print("c2sp_chunked_encryption [random access, whole message]");
  length.Print("c2sp_chunked_encryption [random access, length authentication]");
  std::printf(
      "  (acceptable = ValidFinalChunk: the final chunk is genuine, so the length may verify; "
      "%d HeaderFailure vectors have no reader to authenticate a length)\n",
      length_not_applicable);
  raw.Print("c2sp_chunked_encryption [raw mode]");
  std::printf("  (%d HeaderFailure vectors have no raw-mode form)\n", raw_not_applicable);
  for (const testing::Tally* t : {&one_shot, &push, &push1, &pull, &pull1, &pull_direct, &random}) {
    CHECK(t->failed == 0);
    CHECK(t->total() == file.number_of_tests);
  }
  CHECK(length.failed == 0);
  CHECK(length.total() + length_not_applicable == file.number_of_tests);
  CHECK(raw.failed == 0);
  CHECK(raw.total() + raw_not_applicable == file.number_of_tests);
}

}  // namespace
}  // namespace envelope::stream
