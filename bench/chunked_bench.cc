// Benchmarks of C2SP chunked encryption against a bare OpenSSL EVP loop over
// the same 16 KiB chunks (same buffers, same ciphertext layout), and of
// random-access reads of a 1 GiB ciphertext file.
//
//   ninja -C build bench/chunked_bench && build/bench/chunked_bench
//   build/bench/chunked_bench --benchmark_filter=Bare\|OneShot  # a subset
//
// Targets: one thread >= 0.95 x the bare loop; all threads >= 1.8 x one
// thread; a 4 KiB random read reads about one chunk (bytes_read counter).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "envelope/chunked.hpp"
#include "envelope/io.hpp"
#include "process_usage.h"
#ifdef ENVELOPE_HAVE_IPSEC_MB
#include "ipsec_mb_bare.h"
#endif

namespace {

using Bytes = std::vector<uint8_t>;
using envelope::ChunkedOptions;

constexpr size_t kMessage = size_t{256} << 20;
constexpr size_t kChunk = envelope::kChunkedChunkSize;
constexpr size_t kSlot = kChunk + 16;
constexpr uint64_t kFileSize = uint64_t{1} << 30;
const Bytes kKey(32, 0x5c);

const Bytes& Plaintext() {
  static const Bytes plain = [] {
    Bytes p(kMessage);
    std::mt19937_64 rng(42);
    for (size_t i = 0; i < p.size(); i += 8) {
      const uint64_t x = rng();
      std::memcpy(p.data() + i, &x, 8);
    }
    return p;
  }();
  return plain;
}

// Output buffers are allocated and touched once per process: a fresh
// 256 MiB buffer costs about 0.7 s of page faults on the bench machine,
// which the first repetition of a benchmark would otherwise carry.
std::span<uint8_t> Output(size_t size) {
  static Bytes out(kMessage / kChunk * kSlot + 4096);
  return std::span(out).first(size);
}

// BareNonce writes the nonce of chunk k in the bare open loops: four zero
// bytes, then k (little-endian).
void BareNonce(size_t k, uint8_t nonce[12]) {
  std::memset(nonce, 0, 12);
  const uint64_t index = k;
  std::memcpy(nonce + 4, &index, 8);
}

// EvpSealChunks seals chunks [first, end) of `plain` into their slots of
// `out` (BareNonce, no AAD, each tag after its chunk) with a context keyed for
// encryption: the bare OpenSSL loop, one call per chunk. False if OpenSSL
// failed.
bool EvpSealChunks(EVP_CIPHER_CTX* ctx, const Bytes& plain, size_t first, size_t end,
                   std::span<uint8_t> out) {
  bool ok = true;
  for (size_t k = first; k < end; ++k) {
    uint8_t nonce[12];
    BareNonce(k, nonce);
    int len = 0;
    uint8_t* slot = out.data() + k * kSlot;
    ok = EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) == 1 &&
         EVP_EncryptUpdate(ctx, slot, &len, plain.data() + k * kChunk, kChunk) == 1 &&
         EVP_EncryptFinal_ex(ctx, slot + kChunk, &len) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, slot + kChunk) == 1 && ok;
  }
  return ok;
}

// EvpOpenChunks opens chunks [first, end) of `sealed` into `out` with a
// context keyed for decryption and returns how many tags did not verify.
size_t EvpOpenChunks(EVP_CIPHER_CTX* ctx, const Bytes& sealed, size_t first, size_t end,
                     std::span<uint8_t> out) {
  size_t failed = 0;
  for (size_t k = first; k < end; ++k) {
    int len = 0;
    uint8_t nonce[12];
    BareNonce(k, nonce);
    const uint8_t* slot = sealed.data() + k * kSlot;
    EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, const_cast<uint8_t*>(slot) + kChunk);
    EVP_DecryptUpdate(ctx, out.data() + k * kChunk, &len, slot, kChunk);
    failed += EVP_DecryptFinal_ex(ctx, out.data() + k * kChunk + len, &len) != 1;
  }
  return failed;
}

// The chunks the bare open loops open: Plaintext() sealed chunk by chunk
// (BareNonce, no AAD, each tag after its chunk), so that every tag verifies
// and the loops do the engine's whole work: decrypt real ciphertext and
// accept the tag. (They used to open an all-zero buffer whose tags all
// failed; on the bench VM that ran at the same speed, within the noise, but
// a baseline that rejects every chunk proves less than one that accepts.)
const Bytes& BareSealed() {
  static const Bytes sealed = [] {
    const Bytes& plain = Plaintext();
    Bytes out(kMessage / kChunk * kSlot);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_CIPHER* aes = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    const bool ok = ctx != nullptr && aes != nullptr &&
                    EVP_EncryptInit_ex(ctx, aes, nullptr, kKey.data(), nullptr) == 1 &&
                    EvpSealChunks(ctx, plain, 0, kMessage / kChunk, out);
    EVP_CIPHER_free(aes);
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) std::abort();
    return out;
  }();
  return sealed;
}

const Bytes& Ciphertext() {
  static const Bytes ct = [] {
    auto r = envelope::ChunkedEncrypt(envelope::KeyView(kKey), Plaintext());
    if (!r) std::abort();
    return *r;
  }();
  return ct;
}

void SetThroughput(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kMessage);
}

// The bare loop: one EVP context, per chunk set the nonce (base XOR counter),
// encrypt into the chunk's slot, write the tag after it. What the engine
// does minus the format, the threads and the error handling.
void BM_BareEvpSeal(benchmark::State& state) {
  const Bytes& plain = Plaintext();
  const auto out = Output(kMessage / kChunk * kSlot + 16);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_CIPHER* aes = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  EVP_EncryptInit_ex(ctx, aes, nullptr, kKey.data(), nullptr);
  bool ok = true;
  for (auto _ : state) {
    ok = EvpSealChunks(ctx, plain, 0, kMessage / kChunk, out) && ok;
    benchmark::DoNotOptimize(out.data());
  }
  if (!ok) state.SkipWithError("openssl failed");
  SetThroughput(state);
  EVP_CIPHER_free(aes);
  EVP_CIPHER_CTX_free(ctx);
}
BENCHMARK(BM_BareEvpSeal)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BareEvpOpen(benchmark::State& state) {
  const Bytes& sealed = BareSealed();
  const auto out = Output(kMessage);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_CIPHER* aes = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  EVP_DecryptInit_ex(ctx, aes, nullptr, kKey.data(), nullptr);
  size_t failed = 0;
  for (auto _ : state) {
    failed += EvpOpenChunks(ctx, sealed, 0, kMessage / kChunk, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (failed != 0) state.SkipWithError("bare open: a tag did not verify");
  SetThroughput(state);
  EVP_CIPHER_free(aes);
  EVP_CIPHER_CTX_free(ctx);
}
BENCHMARK(BM_BareEvpOpen)->Unit(benchmark::kMillisecond)->UseRealTime();

#ifdef ENVELOPE_HAVE_IPSEC_MB
// The same bare loops on Intel's ipsec-mb (direct API, one call per chunk):
// the baseline of the engine on its default backend where the CPU allows.
// ImbSealChunks seals chunks [first, end) of Plaintext() into their slots of
// `out` (BareNonce, no AAD, each tag after its chunk): the bare ipsec-mb
// loop, one call per chunk.
void ImbSealChunks(envelope_bench::BareImb& bare, size_t first, size_t end,
                   std::span<uint8_t> out) {
  const Bytes& plain = Plaintext();
  for (size_t k = first; k < end; ++k) {
    uint8_t nonce[12];
    BareNonce(k, nonce);
    uint8_t* slot = out.data() + k * kSlot;
    bare.Seal(nonce, nonce, 0, plain.data() + k * kChunk, slot, kChunk, slot + kChunk);
  }
}

// ImbOpenChunks opens chunks [first, end) of BareSealed() into `out` and
// returns how many tags did not verify.
size_t ImbOpenChunks(envelope_bench::BareImb& bare, size_t first, size_t end,
                     std::span<uint8_t> out) {
  const Bytes& sealed = BareSealed();
  size_t failed = 0;
  for (size_t k = first; k < end; ++k) {
    uint8_t nonce[12];
    BareNonce(k, nonce);
    const uint8_t* slot = sealed.data() + k * kSlot;
    failed += !bare.Open(nonce, nonce, 0, slot, out.data() + k * kChunk, kChunk, slot + kChunk);
  }
  return failed;
}

void BM_BareImbSeal(benchmark::State& state) {
  Plaintext();  // built once, outside the timing
  const auto out = Output(kMessage / kChunk * kSlot + 16);
  auto bare = std::make_unique<envelope_bench::BareImb>(kKey.data());
  if (!bare->ok()) return state.SkipWithError("ipsec-mb: no AVX2 code path");
  for (auto _ : state) {
    ImbSealChunks(*bare, 0, kMessage / kChunk, out);
    benchmark::DoNotOptimize(out.data());
  }
  SetThroughput(state);
}
BENCHMARK(BM_BareImbSeal)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BareImbOpen(benchmark::State& state) {
  BareSealed();  // built once, outside the timing
  const auto out = Output(kMessage);
  auto bare = std::make_unique<envelope_bench::BareImb>(kKey.data());
  if (!bare->ok()) return state.SkipWithError("ipsec-mb: no AVX2 code path");
  size_t failed = 0;
  for (auto _ : state) {
    failed += ImbOpenChunks(*bare, 0, kMessage / kChunk, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (failed != 0) state.SkipWithError("bare open: a tag did not verify");
  SetThroughput(state);
}
BENCHMARK(BM_BareImbOpen)->Unit(benchmark::kMillisecond)->UseRealTime();
#endif

// The bare loops on every core: each thread runs the bare loop above, with
// its own context, over its own contiguous share of the chunks. No format,
// no engine, no hand-off: the ceiling of what all threads can give on this
// machine (or on this virtual machine at this moment: its vCPUs may share
// physical cores with other guests), against which the engine's scaling is
// judged. OnEveryCore runs share(t, threads) on every core, t = 0 on the
// calling thread, once per iteration.
template <typename Share>
void OnEveryCore(benchmark::State& state, Share share) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(share, t, threads);
    share(0, threads);
    for (auto& th : pool) th.join();
  }
  state.counters["threads"] = threads;
  SetThroughput(state);
}

template <bool kSeal>
void BareEvpThreads(benchmark::State& state) {
  const Bytes& plain = Plaintext();
  const Bytes& sealed = BareSealed();
  const auto out = Output(kSeal ? sealed.size() : kMessage);
  const size_t chunks = kMessage / kChunk;
  std::atomic<size_t> failed{0};
  OnEveryCore(state, [&](unsigned t, unsigned threads) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_CIPHER* aes = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    EVP_CipherInit_ex(ctx, aes, nullptr, kKey.data(), nullptr, kSeal ? 1 : 0);
    const size_t first = chunks * t / threads;
    const size_t end = chunks * (t + 1) / threads;
    if (kSeal) {
      failed += !EvpSealChunks(ctx, plain, first, end, out);
    } else {
      failed += EvpOpenChunks(ctx, sealed, first, end, out);
    }
    EVP_CIPHER_free(aes);
    EVP_CIPHER_CTX_free(ctx);
  });
  if (failed != 0)
    state.SkipWithError(kSeal ? "openssl failed" : "bare open: a tag did not verify");
}
void BM_BareEvpSealAllThreads(benchmark::State& state) { BareEvpThreads<true>(state); }
void BM_BareEvpOpenAllThreads(benchmark::State& state) { BareEvpThreads<false>(state); }
BENCHMARK(BM_BareEvpSealAllThreads)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BareEvpOpenAllThreads)->Unit(benchmark::kMillisecond)->UseRealTime();

#ifdef ENVELOPE_HAVE_IPSEC_MB
// The bare ipsec-mb loops on every core: the ceiling of the engine on its
// default backend (push, pull and one-shot, all threads, are judged against
// it as well as against one thread).
template <bool kSeal>
void BareImbThreads(benchmark::State& state) {
  Plaintext();  // both built once, outside the timing
  const Bytes& sealed = BareSealed();
  const auto out = Output(kSeal ? sealed.size() : kMessage);
  const size_t chunks = kMessage / kChunk;
  if (!envelope_bench::BareImb(kKey.data()).ok()) {
    return state.SkipWithError("ipsec-mb: no AVX2 code path");
  }
  std::atomic<size_t> failed{0};
  OnEveryCore(state, [&](unsigned t, unsigned threads) {
    auto bare = std::make_unique<envelope_bench::BareImb>(kKey.data());
    const size_t first = chunks * t / threads;
    const size_t end = chunks * (t + 1) / threads;
    if (kSeal) {
      ImbSealChunks(*bare, first, end, out);
    } else {
      failed += ImbOpenChunks(*bare, first, end, out);
    }
  });
  if (failed != 0) state.SkipWithError("bare open: a tag did not verify");
}
void BM_BareImbSealAllThreads(benchmark::State& state) { BareImbThreads<true>(state); }
void BM_BareImbOpenAllThreads(benchmark::State& state) { BareImbThreads<false>(state); }
BENCHMARK(BM_BareImbSealAllThreads)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BareImbOpenAllThreads)->Unit(benchmark::kMillisecond)->UseRealTime();
#endif

// Arg: threads (0 = all cores).
void BM_ChunkedOneShotEncrypt(benchmark::State& state) {
  const ChunkedOptions options{static_cast<unsigned>(state.range(0)), {}};
  const auto out = Output(*envelope::ChunkedCiphertextSize(kMessage));
  Plaintext();  // built once, outside the timing
  const envelope_bench::ProcessUsage usage;
  for (auto _ : state) {
    if (!envelope::ChunkedEncrypt(envelope::KeyView(kKey), Plaintext(), out, options))
      state.SkipWithError("failed");
    benchmark::DoNotOptimize(out.data());
  }
  usage.Report(state);
  SetThroughput(state);
}
BENCHMARK(BM_ChunkedOneShotEncrypt)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ChunkedOneShotDecrypt(benchmark::State& state) {
  const ChunkedOptions options{static_cast<unsigned>(state.range(0)), {}};
  const auto out = Output(kMessage);
  Ciphertext();  // built once, outside the timing
  const envelope_bench::ProcessUsage usage;
  for (auto _ : state) {
    if (!envelope::ChunkedDecrypt(envelope::KeyView(kKey), Ciphertext(), out, options))
      state.SkipWithError("failed");
    benchmark::DoNotOptimize(out.data());
  }
  usage.Report(state);
  SetThroughput(state);
}
BENCHMARK(BM_ChunkedOneShotDecrypt)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

#ifdef ENVELOPE_HAVE_IPSEC_MB
// The one-thread target (the engine at least 0.95x the bare loop) as one
// number that the VM's drift does not swamp: each iteration runs one pass
// of the bare ipsec-mb loop and one of the engine's one-shot call, one
// after the other (the order alternating), and the counters are quartiles
// of bare time / engine time over the pairs. Runs minutes apart, or even
// the repetitions of two benchmarks interleaved, differ by 5-10 % on the
// bench VM; two passes 30 ms apart mostly do not.
template <typename Bare, typename Engine>
void PairedAgainstBare(benchmark::State& state, Bare bare, Engine engine) {
  using Clock = std::chrono::steady_clock;
  auto timed = [](auto& pass) {
    const auto start = Clock::now();
    pass();
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  std::vector<double> ratios;
  for (auto _ : state) {
    double bare_s = 0;
    double engine_s = 0;
    if (ratios.size() % 2 == 0) {
      bare_s = timed(bare);
      engine_s = timed(engine);
    } else {
      engine_s = timed(engine);
      bare_s = timed(bare);
    }
    ratios.push_back(bare_s / engine_s);
  }
  std::sort(ratios.begin(), ratios.end());
  auto quantile = [&](double q) {
    return ratios.empty() ? 0.0 : ratios[static_cast<size_t>(q * (ratios.size() - 1) + 0.5)];
  };
  state.counters["ratio_p25"] = quantile(0.25);
  state.counters["ratio_median"] = quantile(0.5);
  state.counters["ratio_p75"] = quantile(0.75);
  state.counters["pairs"] = static_cast<double>(ratios.size());
}

void BM_PairedOneThreadSeal(benchmark::State& state) {
  const Bytes& plain = Plaintext();
  const auto out = Output(*envelope::ChunkedCiphertextSize(kMessage));
  auto imb = std::make_unique<envelope_bench::BareImb>(kKey.data());
  if (!imb->ok()) return state.SkipWithError("ipsec-mb: no AVX2 code path");
  bool ok = true;
  PairedAgainstBare(
      state,
      [&] {
        ImbSealChunks(*imb, 0, kMessage / kChunk, out);
        benchmark::DoNotOptimize(out.data());
      },
      [&] {
        ok = ok &&
             envelope::ChunkedEncrypt(envelope::KeyView(kKey), plain, out, ChunkedOptions{1, {}})
                 .has_value();
        benchmark::DoNotOptimize(out.data());
      });
  if (!ok) state.SkipWithError("failed");
}
BENCHMARK(BM_PairedOneThreadSeal)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PairedOneThreadOpen(benchmark::State& state) {
  BareSealed();  // built once, outside the timing
  const Bytes& ciphertext = Ciphertext();
  const auto out = Output(kMessage);
  auto imb = std::make_unique<envelope_bench::BareImb>(kKey.data());
  if (!imb->ok()) return state.SkipWithError("ipsec-mb: no AVX2 code path");
  bool ok = true;
  PairedAgainstBare(
      state,
      [&] {
        ok = ImbOpenChunks(*imb, 0, kMessage / kChunk, out) == 0 && ok;
        benchmark::DoNotOptimize(out.data());
      },
      [&] {
        ok = ok && envelope::ChunkedDecrypt(envelope::KeyView(kKey), ciphertext, out,
                                            ChunkedOptions{1, {}})
                       .has_value();
        benchmark::DoNotOptimize(out.data());
      });
  if (!ok) state.SkipWithError("failed");
}
BENCHMARK(BM_PairedOneThreadOpen)->Unit(benchmark::kMillisecond)->UseRealTime();
#endif

// A sink that keeps nothing: the streaming cost without a memory copy.
class NullSink final : public envelope::Sink {
 public:
  envelope::Result<void> Write(std::span<const uint8_t> data) override {
    bytes += data.size();
    return {};
  }
  uint64_t bytes = 0;
};

// Push-style encryption, 1 MiB writes.
void BM_ChunkedPushEncrypt(benchmark::State& state) {
  const ChunkedOptions options{static_cast<unsigned>(state.range(0)), {}};
  const Bytes& plain = Plaintext();
  const envelope_bench::ProcessUsage usage;
  for (auto _ : state) {
    NullSink sink;
    auto enc = envelope::ChunkedEncryptor::New(envelope::KeyView(kKey), sink, options);
    if (!enc) state.SkipWithError("new failed");
    for (size_t off = 0; off < plain.size(); off += size_t{1} << 20) {
      if (!(*enc)->Write(std::span(plain).subspan(off, size_t{1} << 20))) {
        state.SkipWithError("write failed");
      }
    }
    if (!(*enc)->Finish()) state.SkipWithError("finish failed");
  }
  usage.Report(state);
  SetThroughput(state);
}
BENCHMARK(BM_ChunkedPushEncrypt)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// The engine's hand-off alone: push encryption in 128 KiB writes, one
// batch of 8 chunks per write (about 7 us of AES per thread on two
// threads), 2048 batches per iteration. All threads against one says what
// handing a batch to the workers and waiting for them costs; see
// ctx_switches for how often a thread parked.
void BM_ChunkedPushEncryptSmallWrites(benchmark::State& state) {
  const ChunkedOptions options{static_cast<unsigned>(state.range(0)), {}};
  const Bytes& plain = Plaintext();
  constexpr size_t kWrite = size_t{128} << 10;
  const envelope_bench::ProcessUsage usage;
  for (auto _ : state) {
    NullSink sink;
    auto enc = envelope::ChunkedEncryptor::New(envelope::KeyView(kKey), sink, options);
    if (!enc) state.SkipWithError("new failed");
    for (size_t off = 0; off < plain.size(); off += kWrite) {
      if (!(*enc)->Write(std::span(plain).subspan(off, kWrite))) {
        state.SkipWithError("write failed");
      }
    }
    if (!(*enc)->Finish()) state.SkipWithError("finish failed");
  }
  usage.Report(state);
  SetThroughput(state);
}
BENCHMARK(BM_ChunkedPushEncryptSmallWrites)
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Pull-style decryption into a 1 MiB buffer.
void BM_ChunkedPullDecrypt(benchmark::State& state) {
  const ChunkedOptions options{static_cast<unsigned>(state.range(0)), {}};
  Bytes buf(size_t{1} << 20);
  Ciphertext();  // built once, outside the timing
  const envelope_bench::ProcessUsage usage;
  for (auto _ : state) {
    envelope::MemorySource source(Ciphertext());
    auto reader = envelope::ChunkedDecryptingReader::New(envelope::KeyView(kKey), source, options);
    if (!reader) state.SkipWithError("new failed");
    for (;;) {
      auto n = (*reader)->Read(buf);
      if (!n) state.SkipWithError("read failed");
      if (!n || *n == 0) break;
    }
  }
  usage.Report(state);
  SetThroughput(state);
}
BENCHMARK(BM_ChunkedPullDecrypt)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// CountingSource counts the ciphertext bytes a read pulls from the file.
class CountingSource final : public envelope::PositionedSource {
 public:
  explicit CountingSource(envelope::PositionedSource& inner) : inner_(inner) {}
  envelope::Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    auto n = inner_.ReadAt(offset, out);
    if (n) bytes += *n;
    return n;
  }
  envelope::Result<uint64_t> Size() override { return inner_.Size(); }
  uint64_t bytes = 0;

 private:
  envelope::PositionedSource& inner_;
};

// CiphertextFile returns a descriptor of /tmp/envelope_chunked_bench_1g.bin:
// the real C2SP ciphertext of 1 GiB of pseudo-random plaintext under kKey,
// written once and reused while its header still opens under kKey.
int CiphertextFile() {
  static const int fd = [] {
    const char* path = "/tmp/envelope_chunked_bench_1g.bin";
    const uint64_t size = *envelope::ChunkedCiphertextSize(kFileSize);
    int f = open(path, O_RDONLY);
    if (f >= 0) {
      envelope::FdPositionedSource source(f);
      auto ok = source.Size();
      if (ok && *ok == size &&
          envelope::ChunkedRandomAccessReader::New(envelope::KeyView(kKey), source))
        return f;
      close(f);
    }
    std::fprintf(stderr, "writing %s (1 GiB of ciphertext, once)\n", path);
    const std::string tmp = std::string(path) + ".tmp";
    f = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (f < 0) std::abort();
    // Plaintext: the 256 MiB buffer four times over, through the streaming API.
    class Repeat final : public envelope::Source {
     public:
      envelope::Result<size_t> Read(std::span<uint8_t> out) override {
        if (done_ == kFileSize) return 0;
        const Bytes& p = Plaintext();
        const size_t at = done_ % p.size();
        const size_t n = std::min({out.size(), p.size() - at, size_t(kFileSize - done_)});
        std::memcpy(out.data(), p.data() + at, n);
        done_ += n;
        return n;
      }

     private:
      uint64_t done_ = 0;
    } plain;
    envelope::FdSink sink(f);
    if (!envelope::ChunkedEncryptStream(envelope::KeyView(kKey), plain, sink)) std::abort();
    close(f);
    if (rename(tmp.c_str(), path) != 0) std::abort();
    return open(path, O_RDONLY);
  }();
  return fd;
}

void BM_RandomAccessRead4K(benchmark::State& state) {
  envelope::FdPositionedSource file(CiphertextFile());
  CountingSource counting(file);
  auto reader =
      envelope::ChunkedRandomAccessReader::New(envelope::KeyView(kKey), counting, {1, {}});
  if (!reader) {
    state.SkipWithError("cannot open the ciphertext file");
    return;
  }
  std::mt19937_64 rng(7);
  Bytes out(4096);
  counting.bytes = 0;
  for (auto _ : state) {
    const uint64_t offset = rng() % (kFileSize - out.size());
    auto n = (*reader)->ReadAt(offset, out);
    if (!n || *n != out.size()) state.SkipWithError("read failed");
  }
  state.counters["bytes_read"] =
      benchmark::Counter(static_cast<double>(counting.bytes), benchmark::Counter::kAvgIterations);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 4096);
}
BENCHMARK(BM_RandomAccessRead4K)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
