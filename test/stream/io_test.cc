// envelope/io.hpp: the descriptor and memory sources and sinks, including
// EINTR, short transfers, end of file and errors; a chunked round trip
// through pipes.
#include "envelope/io.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "envelope/chunked.hpp"

namespace envelope {
namespace {

using Bytes = std::vector<uint8_t>;

std::atomic<int> g_signals{0};
void CountSignal(int) { g_signals.fetch_add(1); }

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { REQUIRE(pipe(fds) == 0); }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  void CloseWrite() {
    close(fds[1]);
    fds[1] = -1;
  }
};

TEST_CASE("FdSource: retries a read interrupted by a signal") {
  struct sigaction sa {};
  sa.sa_handler = CountSignal;  // no SA_RESTART: read(2) returns EINTR
  struct sigaction old {};
  REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);
  Pipe p;
  const pthread_t reader_thread = pthread_self();
  g_signals = 0;
  std::thread writer([&] {
    for (int i = 0; i < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      pthread_kill(reader_thread, SIGUSR1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const char msg[] = "hello";
    CHECK(write(p.fds[1], msg, 5) == 5);
  });
  FdSource source(p.fds[0]);
  Bytes out(16);
  auto n = source.Read(out);
  writer.join();
  sigaction(SIGUSR1, &old, nullptr);
  REQUIRE(n);
  CHECK(*n == 5);
  CHECK(std::memcmp(out.data(), "hello", 5) == 0);
  CHECK(g_signals.load() == 3);
}

TEST_CASE("FdSource/FdSink: pipes, end of input, errors") {
  Pipe p;
  FdSink sink(p.fds[1]);
  const Bytes data = {1, 2, 3, 4, 5, 6, 7};
  REQUIRE(sink.Write(data));
  REQUIRE(sink.Write({}));
  p.CloseWrite();
  FdSource source(p.fds[0]);
  Bytes out(100);
  auto n = ReadFull(source, out);
  REQUIRE(n);
  CHECK(*n == 7);
  CHECK(std::equal(data.begin(), data.end(), out.begin()));
  CHECK(*source.Read(out) == 0);
  CHECK(*source.Read({}) == 0);

  FdSource bad_source(-1);
  auto r = bad_source.Read(out);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::io);
  CHECK(r.error().message().find("read failed") == 0);
  FdSink bad_sink(-1);
  CHECK(bad_sink.Write(data).error().code() == ErrorCode::io);
  FdPositionedSource bad_file(-1);
  CHECK(bad_file.Size().error().code() == ErrorCode::io);
  FdPositionedSource pipe_file(p.fds[0]);
  CHECK(pipe_file.Size().error().code() == ErrorCode::io);  // a pipe has no size
}

TEST_CASE("ReadFd/WriteFd: whole spans through signals and short transfers") {
  struct sigaction sa {};
  sa.sa_handler = CountSignal;  // no SA_RESTART: EINTR, or a short transfer
  struct sigaction old {};
  REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);
  Pipe p;
  // 4 MiB through a 64 KiB pipe: WriteFd blocks many times, and the
  // signals interrupt it (EINTR before any byte, a short write after some).
  Bytes data(size_t{4} << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + (i >> 12));
  const pthread_t writer_thread = pthread_self();
  g_signals = 0;
  Bytes got(data.size() + 1);
  Result<size_t> n = 0;
  std::thread reader([&] {
    // Small pieces, slowly at first, so the writer is blocked when signalled.
    size_t at = 0;
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      pthread_kill(writer_thread, SIGUSR1);
      auto piece = ReadFd(p.fds[0], std::span(got).subspan(at, 1000));
      if (!piece) return;
      at += *piece;
    }
    auto rest = ReadFd(p.fds[0], std::span(got).subspan(at));
    n = rest ? Result<size_t>(at + *rest) : rest;
  });
  auto w = WriteFd(p.fds[1], data);
  p.CloseWrite();
  reader.join();
  sigaction(SIGUSR1, &old, nullptr);
  REQUIRE(w);
  REQUIRE(n);
  CHECK(*n == data.size());  // ReadFd stops only at the end
  CHECK(std::equal(data.begin(), data.end(), got.begin()));
  CHECK(g_signals.load() > 0);

  auto bad = ReadFd(-1, got);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().starts_with("read failed"));
  CHECK(WriteFd(-1, data).error().message().starts_with("write failed"));
  CHECK(WriteFd(-1, data, "\"x\"").error().message() == "cannot write \"x\": Bad file descriptor");
  CHECK(ReadFd(-1, got, "\"x\"").error().message() == "cannot read \"x\": Bad file descriptor");
}

TEST_CASE("ReadSecret: file, descriptor, environment; bounded, never empty, nothing in errors") {
  char path[] = "/tmp/envelope_secret_test_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const std::string secret = "0123456789abcdef";
  REQUIRE(WriteFd(fd, {reinterpret_cast<const uint8_t*>(secret.data()), secret.size()}));
  close(fd);

  auto exact = ReadSecret({SecretSource::Kind::file, path}, 16);  // exactly the bound
  REQUIRE(exact);
  CHECK(exact->size() == 16);
  CHECK(std::memcmp(exact->data(), secret.data(), 16) == 0);
  auto over = ReadSecret({SecretSource::Kind::file, path}, 15);
  REQUIRE_FALSE(over);
  CHECK(over.error().code() == ErrorCode::invalid_argument);
  CHECK(over.error().message() ==
        "key file \"" + std::string(path) + "\": holds more than 15 bytes");

  const int rfd = open(path, O_RDONLY);
  auto from_fd = ReadSecret({SecretSource::Kind::fd, std::to_string(rfd)}, 64);
  REQUIRE(from_fd);
  CHECK(from_fd->Equals(*exact));
  CHECK(fcntl(rfd, F_GETFD) != -1);  // left open
  REQUIRE(lseek(rfd, 0, SEEK_SET) == 0);
  auto raw_fd = ReadSecretFd(rfd, 64);
  REQUIRE(raw_fd);
  CHECK(raw_fd->Equals(*exact));
  CHECK(ReadSecretFd(rfd, 64)->size() == 0);  // at its end: empty is allowed here
  close(rfd);
  CHECK(ReadSecret({SecretSource::Kind::fd, "3x"}, 64).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(ReadSecret({SecretSource::Kind::fd, "-1"}, 64).error().code() ==
        ErrorCode::invalid_argument);

  setenv("ENVELOPE_IO_TEST_SECRET", "passphrase", 1);
  auto env = ReadSecret({SecretSource::Kind::env, "ENVELOPE_IO_TEST_SECRET"}, 64);
  REQUIRE(env);
  CHECK(env->size() == 10);
  auto long_env = ReadSecret({SecretSource::Kind::env, "ENVELOPE_IO_TEST_SECRET"}, 9);
  REQUIRE_FALSE(long_env);
  CHECK(long_env.error().message().find("passphrase") == std::string::npos);
  setenv("ENVELOPE_IO_TEST_SECRET", "", 1);
  CHECK(ReadSecret({SecretSource::Kind::env, "ENVELOPE_IO_TEST_SECRET"}, 64).error().message() ==
        "environment variable ENVELOPE_IO_TEST_SECRET: is empty");
  unsetenv("ENVELOPE_IO_TEST_SECRET");
  CHECK(ReadSecret({SecretSource::Kind::env, "ENVELOPE_IO_TEST_SECRET"}, 64).error().message() ==
        "environment variable ENVELOPE_IO_TEST_SECRET: is not set");

  unlink(path);
  CHECK(ReadSecret({SecretSource::Kind::file, path}, 64).error().code() == ErrorCode::not_found);
}

// UnlinkedFileWith returns a descriptor of a fresh temporary file (already
// unlinked) holding `data`, its offset at the end.
int UnlinkedFileWith(const Bytes& data) {
  char path[] = "/tmp/envelope_io_test_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  unlink(path);
  FdSink sink(fd);
  REQUIRE(sink.Write(data));
  return fd;
}

TEST_CASE("FdPositionedSource: pread anywhere, short at the end, offset untouched") {
  Bytes data(100000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  const int fd = UnlinkedFileWith(data);
  REQUIRE(lseek(fd, 10, SEEK_SET) == 10);
  FdPositionedSource file(fd);
  CHECK(*file.Size() == data.size());
  Bytes out(1000);
  CHECK(*file.ReadAt(5000, out) == 1000);
  CHECK(std::equal(out.begin(), out.end(), data.begin() + 5000));
  CHECK(*file.ReadAt(data.size() - 10, out) == 10);
  CHECK(*file.ReadAt(data.size(), out) == 0);
  CHECK(*file.ReadAt(data.size() + 100, out) == 0);
  CHECK(lseek(fd, 0, SEEK_CUR) == 10);  // pread does not move the offset
  CHECK(file.ReadAt(UINT64_MAX - 10, out).error().code() == ErrorCode::invalid_argument);
  close(fd);
}

TEST_CASE("ReadAtV: spans filled in turn, empty spans skipped, short at the end") {
  Bytes data(300000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 13 + (i >> 8));
  const int fd = UnlinkedFileWith(data);
  FdPositionedSource file(fd);
  MemorySource memory(data);
  // 100 spans (more than one preadv takes), some empty.
  for (PositionedSource* source :
       {static_cast<PositionedSource*>(&file), static_cast<PositionedSource*>(&memory)}) {
    for (uint64_t offset : {uint64_t{0}, uint64_t{777}, uint64_t{299000}, uint64_t{300000}}) {
      CAPTURE(offset);
      std::vector<Bytes> buffers;
      for (size_t i = 0; i < 100; ++i) buffers.emplace_back(i % 7 == 3 ? 0 : 100 + i * 11);
      std::vector<std::span<uint8_t>> spans(buffers.begin(), buffers.end());
      auto n = source->ReadAtV(offset, spans);
      REQUIRE(n);
      size_t want = 0;
      for (const Bytes& b : buffers) want += b.size();
      const size_t expected = std::min<uint64_t>(want, data.size() - offset);
      CHECK(*n == expected);
      // The bytes read are the file's, span after span.
      size_t at = 0;
      for (const Bytes& b : buffers) {
        const size_t got = std::min(b.size(), expected - std::min(at, expected));
        CHECK(std::equal(b.begin(), b.begin() + static_cast<ptrdiff_t>(got),
                         data.begin() + static_cast<ptrdiff_t>(offset + at)));
        at += b.size();
      }
    }
  }
  std::vector<Bytes> one(1, Bytes(10));
  std::vector<std::span<uint8_t>> spans(one.begin(), one.end());
  CHECK(file.ReadAtV(UINT64_MAX - 5, spans).error().code() == ErrorCode::invalid_argument);
  CHECK(*file.ReadAtV(0, {}) == 0);
  close(fd);
}

TEST_CASE("Memory sources and sinks") {
  const Bytes data = {9, 8, 7, 6, 5};
  MemorySource source(data);
  Bytes out(3);
  CHECK(*source.Read(out) == 3);
  CHECK(*source.Read(out) == 2);
  CHECK(*source.Read(out) == 0);
  MemorySource positioned(data);
  CHECK(*positioned.Size() == 5);
  CHECK(*positioned.ReadAt(4, out) == 1);
  CHECK(out[0] == 5);
  CHECK(*positioned.ReadAt(5, out) == 0);
  MemorySink sink;
  REQUIRE(sink.Write(data));
  REQUIRE(sink.Write(data));
  CHECK(sink.data().size() == 10);
  CHECK(sink.Take().size() == 10);
  CHECK(sink.data().empty());
}

TEST_CASE("Chunked streams through pipes, with a writer thread on the other end") {
  const Bytes key(32, 3);
  Bytes plain(300000);
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<uint8_t>(i % 251);
  Pipe in, out;
  std::thread producer([&] {
    FdSink sink(in.fds[1]);
    CHECK(sink.Write(plain));
    in.CloseWrite();
  });
  Bytes ct;
  std::thread consumer([&] {
    FdSource source(out.fds[0]);
    Bytes buf(4096);
    for (;;) {
      auto n = source.Read(buf);
      CHECK(n);  // not REQUIRE: it would throw on this thread
      if (!n || *n == 0) break;
      ct.insert(ct.end(), buf.begin(), buf.begin() + *n);
    }
  });
  FdSource plain_source(in.fds[0]);
  FdSink ct_sink(out.fds[1]);
  auto total = ChunkedEncryptStream(KeyView(key), plain_source, ct_sink, ChunkedOptions{2, {}});
  out.CloseWrite();
  producer.join();
  consumer.join();
  REQUIRE(total);
  CHECK(*total == plain.size());
  CHECK(ct.size() == *ChunkedCiphertextSize(plain.size()));
  auto back = ChunkedDecrypt(KeyView(key), ct);
  REQUIRE(back);
  CHECK(*back == plain);
}

}  // namespace
}  // namespace envelope
