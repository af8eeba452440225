// MessageEncryptor::UpdateFrom: the engine's threads read the frames they
// seal from a positioned source. The message must be byte-identical to the
// one Update writes, however the calls are mixed, and a source that fails or
// ends early must fail the message without leaving plaintext in the output.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "envelope/io.hpp"
#include "message_test_util.h"

namespace envelope::testing {
namespace {

// NewEncryptor makes an encryptor of the unsigned suite writing to `sink`.
std::unique_ptr<message::Encryptor> NewEncryptor(const FixedCmm& cmm,
                                                 const message::EncryptorConfig& config,
                                                 Sink& sink) {
  EncryptionMaterialsRequest request;
  request.suite = kUnsigned;
  auto materials = cmm.GetEncryptionMaterials(request);
  REQUIRE(materials);
  auto e = message::Encryptor::New(std::move(*materials), config, sink);
  REQUIRE(e);
  return std::move(*e);
}

// One step of a recipe: push [begin, end) of the plaintext with Update or
// with UpdateFrom.
struct Step {
  bool from_source;
  size_t begin;
  size_t end;
};

std::vector<uint8_t> EncryptSteps(const FixedCmm& cmm, std::span<const uint8_t> plaintext,
                                  PositionedSource& source, const std::vector<Step>& steps,
                                  uint32_t frame, unsigned threads, bool reserve) {
  message::EncryptorConfig config;
  config.frame_length = frame;
  config.threads = threads;
  config.fixed_message_id = std::vector<uint8_t>(32, 0x42);
  std::vector<uint8_t> out;
  MemorySink vector_sink(out);
  WriteOnlySink write_sink(out);
  auto e = NewEncryptor(cmm, config, reserve ? static_cast<Sink&>(vector_sink) : write_sink);
  for (const Step& s : steps) {
    if (s.from_source) {
      REQUIRE(e->UpdateFrom(source, s.begin, s.end - s.begin));
    } else {
      REQUIRE(e->Update(plaintext.subspan(s.begin, s.end - s.begin)));
    }
  }
  REQUIRE(e->Finish());
  return out;
}

TEST_CASE("Message: UpdateFrom writes the message Update writes, however calls are mixed") {
  FixedCmm cmm;
  for (uint32_t frame : {1u, 4096u, 65536u}) {
    // Several batches at every frame length (fewer bytes for one-byte frames).
    const size_t big = frame == 1 ? 20000 : (frame == 4096 ? 700000 : 5000000);
    for (size_t size : {size_t{1}, size_t{frame} - (frame > 1), size_t{frame}, size_t{frame} + 1,
                        3 * size_t{frame} + 5, big}) {
      if (size == 0) continue;
      const auto plaintext = Pattern(size);
      TempFile file(plaintext);
      FdPositionedSource fd_source(file.fd());
      MemorySource memory_source(plaintext);
      const size_t third = size / 3;
      const std::vector<std::vector<Step>> recipes = {
          {{false, 0, size}},                        // the reference
          {{true, 0, size}},                         // all positioned
          {{false, 0, third}, {true, third, size}},  // pending first
          {{true, 0, third}, {true, third, 2 * third}, {true, 2 * third, size}},
          {{true, 0, third}, {false, third, 2 * third}, {true, 2 * third, size}},
      };
      for (unsigned threads : {1u, 2u, 8u}) {
        const auto reference =
            EncryptSteps(cmm, plaintext, memory_source, recipes[0], frame, threads, true);
        for (size_t r = 1; r < recipes.size(); ++r) {
          for (bool reserve : {true, false}) {
            CAPTURE(frame);
            CAPTURE(size);
            CAPTURE(threads);
            CAPTURE(r);
            CAPTURE(reserve);
            CHECK(EncryptSteps(cmm, plaintext, fd_source, recipes[r], frame, threads, reserve) ==
                  reference);
            CHECK(EncryptSteps(cmm, plaintext, memory_source, recipes[r], frame, threads,
                               reserve) == reference);
          }
        }
      }
      // And it decrypts to the plaintext.
      const auto message = EncryptSteps(cmm, plaintext, fd_source, recipes[1], frame, 2, true);
      std::vector<uint8_t> out;
      REQUIRE(DecryptWith(cmm, message, out));
      CHECK(out == plaintext);
    }
  }
}

// FailingSource serves `data` but fails every read that reaches `fail_at`.
class FailingSource final : public PositionedSource {
 public:
  FailingSource(std::span<const uint8_t> data, uint64_t fail_at) : data_(data), fail_at_(fail_at) {}
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (offset + out.size() > fail_at_) {
      return MakeError(ErrorCode::io, "read failed: Input/output error");
    }
    return MemorySource(data_).ReadAt(offset, out);
  }
  Result<uint64_t> Size() override { return data_.size(); }

 private:
  std::span<const uint8_t> data_;
  uint64_t fail_at_;
};

// SpySink offers Reserve from one area it keeps, so a test can look at what
// was left in reserved memory after a failure.
class SpySink final : public Sink {
 public:
  Result<void> Write(std::span<const uint8_t> data) override {
    written.insert(written.end(), data.begin(), data.end());
    return {};
  }
  std::span<uint8_t> Reserve(size_t n) override {
    if (area.size() < n) area.resize(n);
    return std::span(area).first(n);
  }
  Result<void> Commit(size_t n) override {
    written.insert(written.end(), area.begin(), area.begin() + static_cast<ptrdiff_t>(n));
    return {};
  }
  std::vector<uint8_t> written;
  std::vector<uint8_t> area;
};

// LongestRun is the longest run of `byte` in `data`.
size_t LongestRun(std::span<const uint8_t> data, uint8_t byte) {
  size_t best = 0, run = 0;
  for (uint8_t b : data) {
    run = b == byte ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

TEST_CASE(
    "Message: UpdateFrom fails on a failing or short source, stickily, leaving no plaintext") {
  FixedCmm cmm;
  // One repeated byte: any run of it longer than a few bytes in the output
  // would be plaintext.
  const std::vector<uint8_t> plaintext(3 << 20, 0x5a);
  for (unsigned threads : {1u, 2u, 8u}) {
    for (uint64_t fail_at : {uint64_t{0}, uint64_t{100000}, uint64_t{2500000}}) {
      CAPTURE(threads);
      CAPTURE(fail_at);
      message::EncryptorConfig config;
      config.frame_length = 4096;
      config.threads = threads;
      SpySink sink;
      auto e = NewEncryptor(cmm, config, sink);
      FailingSource source(plaintext, fail_at);
      auto r = e->UpdateFrom(source, 0, plaintext.size());
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::io);
      CHECK(r.error().message() == "read failed: Input/output error");
      // Sticky: every later call returns the same error.
      CHECK(e->Update(std::span(plaintext).first(10)).error().message() == r.error().message());
      CHECK(e->Finish().error().message() == r.error().message());
      CHECK(LongestRun(sink.written, 0x5a) < 8);
      CHECK(LongestRun(sink.area, 0x5a) < 8);
    }
  }
  // A source shorter than the range asked for: io, "ended early".
  MemorySource short_source(std::span<const uint8_t>(plaintext).first(1000000));
  for (unsigned threads : {1u, 2u}) {
    message::EncryptorConfig config;
    config.threads = threads;
    SpySink sink;
    auto e = NewEncryptor(cmm, config, sink);
    auto r = e->UpdateFrom(short_source, 0, plaintext.size());
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::io);
    CHECK(r.error().message().find("ended early") != std::string::npos);
    CHECK(LongestRun(sink.area, 0x5a) < 8);
    CHECK(LongestRun(sink.written, 0x5a) < 8);
  }
}

TEST_CASE("Message: UpdateFrom of nothing, and after Finish") {
  FixedCmm cmm;
  const auto plaintext = Pattern(5000);
  MemorySource source(plaintext);
  // Zero bytes change nothing (and write nothing yet).
  {
    std::vector<uint8_t> out;
    MemorySink sink(out);
    auto e = NewEncryptor(cmm, {}, sink);
    CHECK(e->UpdateFrom(source, 123, 0));
    CHECK(out.empty());
    CHECK(e->Finish());
    CHECK(e->UpdateFrom(source, 0, 10).error().code() == ErrorCode::invalid_argument);
  }
  // A range that wraps around 2^64 is refused.
  {
    std::vector<uint8_t> out;
    MemorySink sink(out);
    auto e = NewEncryptor(cmm, {}, sink);
    CHECK(e->UpdateFrom(source, ~uint64_t{0} - 5, 10).error().code() ==
          ErrorCode::invalid_argument);
  }
}

}  // namespace
}  // namespace envelope::testing
