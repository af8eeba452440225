// MessageDecryptor::UpdateFrom: the engine's threads read the regular frames
// they open from a positioned source. It must release exactly what Update
// releases, however the range is cut into calls, and reject every damaged,
// truncated or extended message without releasing anything of the batch
// that holds the damage.
#include <doctest/doctest.h>

#include <string>

#include "envelope/io.hpp"
#include "message_test_util.h"

namespace envelope::testing {
namespace {

// DecryptFrom decrypts [0, end) of `source` with UpdateFrom, one call per
// piece between the `cuts`, then Finish; `released` gets what reached the
// sink (a Reserve sink or a Write-only one).
Result<void> DecryptFrom(const FixedCmm& cmm, PositionedSource& source, size_t end,
                         const std::vector<size_t>& cuts, std::vector<uint8_t>& released,
                         unsigned threads, bool reserve) {
  released.clear();
  MemorySink vector_sink(released);
  WriteOnlySink write_sink(released);
  DecryptOptions options;
  options.threads = threads;
  message::Decryptor d(cmm, options, reserve ? static_cast<Sink&>(vector_sink) : write_sink);
  size_t from = 0;
  for (size_t cut : cuts) {
    if (cut <= from || cut >= end) continue;
    ENVELOPE_RETURN_IF_ERROR(d.UpdateFrom(source, from, cut - from));
    from = cut;
  }
  ENVELOPE_RETURN_IF_ERROR(d.UpdateFrom(source, from, end - from));
  return d.Finish();
}

TEST_CASE("Message: decrypting with UpdateFrom releases what Update releases, however cut") {
  FixedCmm cmm;
  for (auto suite : {kUnsigned, kSigned}) {
    for (uint32_t frame : {1u, 4096u, 65536u}) {
      const size_t big = frame == 1 ? 20000 : (frame == 4096 ? 700000 : 5000000);
      for (size_t size :
           {size_t{0}, size_t{1}, size_t{frame}, size_t{frame} + 1, 3 * size_t{frame} + 5, big}) {
        const auto plaintext = Pattern(size);
        const auto message = EncryptWith(cmm, plaintext, {.suite = suite, .frame_length = frame});
        TempFile file(message);
        FdPositionedSource fd_source(file.fd());
        MemorySource memory_source(message);
        const size_t m = message.size();
        const std::vector<std::vector<size_t>> recipes = {
            {},                                    // one call
            {m / 3, 2 * m / 3},                    // thirds
            {7, 100, 5000, m / 2, m - 41, m - 1},  // inside the header, near the end
        };
        for (unsigned threads : {1u, 2u, 8u}) {
          for (size_t r = 0; r < recipes.size(); ++r) {
            for (bool reserve : {true, false}) {
              const bool is_signed = suite == kSigned;
              CAPTURE(is_signed);
              CAPTURE(frame);
              CAPTURE(size);
              CAPTURE(threads);
              CAPTURE(r);
              CAPTURE(reserve);
              std::vector<uint8_t> released;
              CHECK(DecryptFrom(cmm, fd_source, m, recipes[r], released, threads, reserve));
              CHECK(released == plaintext);
              CHECK(DecryptFrom(cmm, memory_source, m, recipes[r], released, threads, reserve));
              CHECK(released == plaintext);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("Message: UpdateFrom rejects a damaged frame, releasing nothing of its batch") {
  FixedCmm cmm;
  const uint32_t frame = 4096;
  const size_t frames = 300;  // several batches on every thread count
  const auto plaintext = Pattern(frames * frame + 100);
  const auto message = EncryptWith(cmm, plaintext, {.frame_length = frame});
  const size_t body = message.size() - (frames * (frame + 32) + 40 + 100);
  const size_t damaged = 150;  // the frame that is damaged
  const size_t at = body + damaged * (frame + 32);
  // Offsets inside frame 150: sequence number, IV, ciphertext, tag.
  for (size_t offset : {size_t{3}, size_t{4}, size_t{15}, size_t{16}, size_t{2000},
                        size_t{frame + 16}, size_t{frame + 31}}) {
    auto bad = message;
    bad[at + offset] ^= 0x01;
    MemorySource source(bad);
    for (unsigned threads : {1u, 2u}) {
      CAPTURE(offset);
      CAPTURE(threads);
      std::vector<uint8_t> released;
      auto r = DecryptFrom(cmm, source, bad.size(), {}, released, threads, true);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::auth_failed);
      CHECK(r.error().message() == message::kAuthFailedMessage);
      // Only whole verified batches before the damaged frame came out.
      CHECK(released.size() <= damaged * frame);
      CHECK(std::equal(released.begin(), released.end(), plaintext.begin()));
    }
  }
  // Two regular frames swapped.
  auto swapped = message;
  std::swap_ranges(swapped.begin() + at, swapped.begin() + at + frame + 32,
                   swapped.begin() + at + frame + 32);
  MemorySource source(swapped);
  std::vector<uint8_t> released;
  auto r = DecryptFrom(cmm, source, swapped.size(), {}, released, 2, false);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::auth_failed);
  CHECK(released.size() <= damaged * frame);
}

TEST_CASE("Message: UpdateFrom rejects truncated and extended messages and short sources") {
  FixedCmm cmm;
  const uint32_t frame = 4096;
  const auto plaintext = Pattern(200 * frame + 7);
  const auto message = EncryptWith(cmm, plaintext, {.frame_length = frame});
  MemorySource source(message);
  std::vector<uint8_t> released;
  // Cut before the final frame, or inside it.
  for (size_t cut : {message.size() - 50, message.size() - 1, message.size() / 2}) {
    CAPTURE(cut);
    auto r = DecryptFrom(cmm, source, cut, {}, released, 2, true);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::truncated);
  }
  // Bytes after the final frame: a few (read in turn), or enough that the
  // final frame sits where the threads expect a regular one. Then the
  // threads read the final frame and the junk after it as regular frames
  // at once, and the lowest failing frame names the error whichever thread
  // fails first: the final frame's marker (malformed), as with one thread,
  // not the junk's sequence number (auth_failed). Several rounds, as a
  // race decided it once.
  for (size_t extra :
       {size_t{1}, size_t{100}, size_t{3} * (frame + 32), size_t{40} * (frame + 32)}) {
    auto longer = message;
    longer.resize(message.size() + extra, 0);
    MemorySource longer_source(longer);
    for (unsigned threads : {1u, 2u, 2u, 2u, 2u, 2u, 2u, 2u, 2u, 8u, 8u, 8u}) {
      CAPTURE(extra);
      CAPTURE(threads);
      auto r = DecryptFrom(cmm, longer_source, longer.size(), {}, released, threads, true);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::malformed);
      CHECK(r.error().message().find("bytes follow the end of the message") != std::string::npos);
    }
  }
  // A range past the end of the source: io, sticky.
  DecryptOptions options;
  options.threads = 2;
  MemorySink sink(released);
  message::Decryptor d(cmm, options, sink);
  auto r = d.UpdateFrom(source, 0, message.size() + 10);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::io);
  CHECK(d.Update(std::span(message).first(1)).error().code() == ErrorCode::io);
  CHECK(d.Finish().error().code() == ErrorCode::io);
}

}  // namespace
}  // namespace envelope::testing
