// Envelope message throughput: encrypt and decrypt of 256 MiB in memory,
// suites 0x0478 and 0x0578, 64 KiB and 1 MiB frames, one thread and all
// threads, against the bare AES-256-GCM loop over frames of the same size
// (the ceiling: no framing, hashing or copies).
//
//   ninja -C build bench/message_bench && ./build/bench/message_bench
#include <benchmark/benchmark.h>

#include <vector>

#include "crypto/aes_gcm.h"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"

namespace envelope {
namespace {

constexpr size_t kSize = size_t{256} << 20;

const std::vector<uint8_t>& Plaintext() {
  static const std::vector<uint8_t> data = [] {
    std::vector<uint8_t> v(kSize);
    for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(i * 131);
    return v;
  }();
  return data;
}

std::shared_ptr<const CryptoMaterialsManager> BenchCmm() {
  static auto cmm = *NewDefaultCmm(*NewRawAesKeyring("bench", "key", std::vector<uint8_t>(32, 9)));
  return cmm;
}

EncryptOptions Options(const benchmark::State& state) {
  EncryptOptions o;
  o.suite = state.range(0) == 0x0578
                ? AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384
                : AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  o.frame_length = static_cast<uint32_t>(state.range(1));
  o.threads = static_cast<unsigned>(state.range(2));
  return o;
}

void BM_Encrypt(benchmark::State& state) {
  const auto options = Options(state);
  for (auto _ : state) {
    auto message = Encrypt(Plaintext(), *BenchCmm(), options);
    if (!message) state.SkipWithError(message.error().ToString().c_str());
    benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kSize));
}

void BM_Decrypt(benchmark::State& state) {
  const auto options = Options(state);
  auto message = Encrypt(Plaintext(), *BenchCmm(), options);
  if (!message) {
    state.SkipWithError(message.error().ToString().c_str());
    return;
  }
  DecryptOptions d;
  d.threads = options.threads;
  for (auto _ : state) {
    auto result = Decrypt(*message, *BenchCmm(), d);
    if (!result) state.SkipWithError(result.error().ToString().c_str());
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kSize));
}

// BM_BareGcmSeal is AES-256-GCM over the same frames with one reused
// context, one thread, output into a preallocated buffer.
void BM_BareGcmSeal(benchmark::State& state) {
  const size_t frame = static_cast<size_t>(state.range(1));
  auto gcm = crypto::AesGcm::New(std::vector<uint8_t>(32, 9));
  std::vector<uint8_t> out(kSize), tags(kSize / frame * 16 + 16);
  const uint8_t iv[12] = {0}, aad[32] = {0};
  for (auto _ : state) {
    for (size_t off = 0, i = 0; off < kSize; off += frame, ++i) {
      const size_t n = std::min(frame, kSize - off);
      auto r = gcm->Seal(iv, aad, std::span(Plaintext()).subspan(off, n),
                         std::span(out).subspan(off, n), std::span(tags).subspan(i * 16, 16));
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kSize));
}

void Args(benchmark::internal::Benchmark* b) {
  for (int64_t suite : {0x0478, 0x0578}) {
    for (int64_t frame : {int64_t{64} << 10, int64_t{1} << 20}) {
      for (int64_t threads : {1, 0}) b->Args({suite, frame, threads});
    }
  }
  b->ArgNames({"suite", "frame", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_Encrypt)->Apply(Args);
BENCHMARK(BM_Decrypt)->Apply(Args);
BENCHMARK(BM_BareGcmSeal)
    ->Args({0, int64_t{64} << 10, 1})
    ->Args({0, int64_t{1} << 20, 1})
    ->ArgNames({"suite", "frame", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace envelope

BENCHMARK_MAIN();
