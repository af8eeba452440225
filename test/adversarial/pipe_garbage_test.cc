// A message whose header is authentic and whose body is 4 GiB of garbage,
// written into a pipe by another thread: the pull decryptor must fail at
// the first frame, having read at most a few frames of the pipe, within the
// memory bound. The writer stops when the reader closes the pipe.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "adversarial_util.h"
#include "envelope/message.hpp"
#include "message/header.h"

namespace envelope::testing {
namespace {

constexpr uint64_t kGarbageBytes = uint64_t{4} << 30;

// PipeSource reads a pipe and counts what it read.
class PipeSource final : public Source {
 public:
  explicit PipeSource(int fd) : fd_(fd) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    for (;;) {
      const ssize_t n = ::read(fd_, out.data(), out.size());
      if (n >= 0) {
        consumed_ += static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (errno != EINTR) return MakeError(ErrorCode::io, "pipe read failed");
    }
  }
  uint64_t consumed() const { return consumed_; }

 private:
  int fd_;
  uint64_t consumed_ = 0;
};

// Garbage writes `prefix`, then pseudo-random bytes up to kGarbageBytes,
// into `fd`; it stops early when the reader is gone (EPIPE).
void Garbage(int fd, const Bytes& prefix, std::atomic<uint64_t>* written, bool frame_header) {
  (void)::write(fd, prefix.data(), prefix.size());
  Bytes block(1 << 16);
  uint64_t x = 0x9e3779b97f4a7c15ull, total = 0;
  bool first = true;
  while (total < kGarbageBytes) {
    for (auto& b : block) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b = static_cast<uint8_t>(x);
    }
    if (first && frame_header) {
      // A plausible first frame: sequence number 1 and its IV, garbage after.
      const uint8_t head[16] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
      std::copy(std::begin(head), std::end(head), block.begin());
    }
    first = false;
    size_t off = 0;
    while (off < block.size()) {
      const ssize_t n = ::write(fd, block.data() + off, block.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        written->store(total);
        ::close(fd);
        return;  // EPIPE: the reader closed its end
      }
      off += static_cast<size_t>(n);
      total += static_cast<uint64_t>(n);
    }
  }
  written->store(total);
  ::close(fd);
}

void Run(uint32_t frame_length, bool frame_header, ErrorCode expected) {
  ::signal(SIGPIPE, SIG_IGN);
  auto cmm = NewDefaultCmm(TestKeyring());
  REQUIRE(cmm.has_value());
  EncryptOptions eo;
  eo.frame_length = frame_length;
  auto message = Encrypt(Bytes(1, 'p'), **cmm, eo);
  REQUIRE(message.has_value());
  auto parsed = message::ParseHeader(*message, {});
  REQUIRE(parsed.has_value());
  const Bytes header(message->begin(), message->begin() + parsed->total_size);

  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::atomic<uint64_t> written{0};
  std::thread writer(Garbage, fds[1], header, &written, frame_header);
  uint64_t consumed = 0;
  const std::string name = "4 GiB garbage, frame length " + std::to_string(frame_length) +
                           (frame_header ? ", plausible frame header" : "");
  Bounded(name, [&] {
    PipeSource source(fds[0]);
    auto reader = DecryptingReader::New(**cmm, {}, source);
    REQUIRE(reader.has_value());
    Bytes buf(1 << 16);
    uint64_t plaintext = 0;
    Result<size_t> n = 0;
    do {
      n = (*reader)->Read(buf);
      if (n) plaintext += *n;
    } while (n && *n > 0);
    REQUIRE_FALSE(n.has_value());
    CHECK(n.error().code() == expected);
    CHECK(plaintext == 0);
    consumed = source.consumed();
  });
  ::close(fds[0]);
  writer.join();
  const uint64_t frame = uint64_t{frame_length} + 32;
  MESSAGE(name << ": read " << consumed << " bytes of the pipe, the writer got " << written.load()
               << " in");
  // Failed at the first frame: the header, at most a few frames, and the
  // reader's read-ahead (one 64 KiB read plus the pipe buffer) were taken.
  CHECK(consumed <= header.size() + 4 * frame + (1 << 20));
  CHECK(written.load() < kGarbageBytes);
}

TEST_CASE("Adversarial: 4 GiB of garbage from a pipe fails at the first frame") {
  SUBCASE("random bytes after the header") { Run(4096, false, ErrorCode::auth_failed); }
  SUBCASE("a plausible first frame header, then garbage") {
    Run(4096, true, ErrorCode::auth_failed);
  }
  SUBCASE("1 MiB frames, plausible first frame header") {
    Run(1 << 20, true, ErrorCode::auth_failed);
  }
}

}  // namespace
}  // namespace envelope::testing
