// AES-256-GCM seal and open through envelope::crypto::AesGcm, against a bare
// OpenSSL EVP loop doing the same work in the same binary, so the ratio
// between the two is the cost of the wrapper (argument checks, the Result)
// on this machine. compare.py prints those ratios. BM_SealWrapper and
// BM_OpenWrapper run AesGcm on its OpenSSL backend; BM_SealImbWrapper and
// BM_OpenImbWrapper on its ipsec-mb backend, against a bare ipsec-mb loop
// (BM_*ImbBare, bench/ipsec_mb_bare.h) when meson found the library.
//
// Both sides: one AES-256-GCM context keyed once; per message: set the IV
// (the key schedule is kept), absorb a 16-byte AAD, transform the message,
// finish and get (seal) or set (open) the 16-byte tag. The IV changes every
// message, as it must in real use.
//
// bench/ is the one place outside lib/crypto allowed to include OpenSSL: the
// bare loop is the baseline.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "crypto/aes_gcm.h"
#ifdef ENVELOPE_HAVE_IPSEC_MB
#include "ipsec_mb_bare.h"
#endif

namespace {

constexpr size_t kAadSize = 16;

// Inputs is the data shared by every benchmark: a fixed key, AAD and message.
struct Inputs {
  explicit Inputs(size_t size) : msg(size), out(size), back(size) {
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 13 + 1);
    for (size_t i = 0; i < aad.size(); ++i) aad[i] = static_cast<uint8_t>(i);
    for (size_t i = 0; i < size; ++i) msg[i] = static_cast<uint8_t>(i * 31);
  }
  // NextIv writes a fresh 96-bit IV: a 64-bit message counter in the low bytes.
  void NextIv() {
    ++counter;
    std::memcpy(iv.data() + 4, &counter, sizeof counter);
  }
  std::vector<uint8_t> key = std::vector<uint8_t>(32);
  std::vector<uint8_t> iv = std::vector<uint8_t>(12);
  std::vector<uint8_t> aad = std::vector<uint8_t>(kAadSize);
  std::vector<uint8_t> msg, out, back;
  std::vector<uint8_t> tag = std::vector<uint8_t>(16);
  uint64_t counter = 0;
};

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// NewBareCtx keys an EVP context for AES-256-GCM once, as AesGcm::New does.
Ctx NewBareCtx(const Inputs& in, bool encrypt) {
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, in.key.data(), nullptr,
                                encrypt ? 1 : 0) != 1) {
    return nullptr;
  }
  return ctx;
}

// BareSeal is the baseline: IV-only reset, AAD, update, final, get tag.
bool BareSeal(EVP_CIPHER_CTX* ctx, Inputs& in) {
  int len = 0;
  return EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, in.iv.data()) == 1 &&
         EVP_EncryptUpdate(ctx, nullptr, &len, in.aad.data(), static_cast<int>(kAadSize)) == 1 &&
         EVP_EncryptUpdate(ctx, in.out.data(), &len, in.msg.data(),
                           static_cast<int>(in.msg.size())) == 1 &&
         EVP_EncryptFinal_ex(ctx, in.out.data() + len, &len) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, in.tag.data()) == 1;
}

// BareOpen is the baseline: IV-only reset, set tag, AAD, update, final.
bool BareOpen(EVP_CIPHER_CTX* ctx, Inputs& in) {
  int len = 0;
  return EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, in.iv.data()) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, in.tag.data()) == 1 &&
         EVP_DecryptUpdate(ctx, nullptr, &len, in.aad.data(), static_cast<int>(kAadSize)) == 1 &&
         EVP_DecryptUpdate(ctx, in.back.data(), &len, in.out.data(),
                           static_cast<int>(in.out.size())) == 1 &&
         EVP_DecryptFinal_ex(ctx, in.back.data() + len, &len) == 1;
}

void SetBytes(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

using envelope::crypto::GcmBackend;

template <GcmBackend kBackend>
void SealWrapper(benchmark::State& state) {
  Inputs in(static_cast<size_t>(state.range(0)));
  auto gcm = envelope::crypto::AesGcm::New(in.key, kBackend);
  if (!gcm) return state.SkipWithError(gcm.error().ToString().c_str());
  for (auto _ : state) {
    in.NextIv();
    auto r = gcm->Seal(in.iv, in.aad, in.msg, in.out, in.tag);
    if (!r) return state.SkipWithError(r.error().ToString().c_str());
    benchmark::DoNotOptimize(in.tag.data());
    benchmark::ClobberMemory();
  }
  SetBytes(state);
}

void BM_SealWrapper(benchmark::State& state) { SealWrapper<GcmBackend::openssl>(state); }

void BM_SealBare(benchmark::State& state) {
  Inputs in(static_cast<size_t>(state.range(0)));
  Ctx ctx = NewBareCtx(in, true);
  if (!ctx) return state.SkipWithError("EVP setup failed");
  for (auto _ : state) {
    in.NextIv();
    if (!BareSeal(ctx.get(), in)) return state.SkipWithError("EVP seal failed");
    benchmark::DoNotOptimize(in.tag.data());
    benchmark::ClobberMemory();
  }
  SetBytes(state);
}

template <GcmBackend kBackend>
void OpenWrapper(benchmark::State& state) {
  Inputs in(static_cast<size_t>(state.range(0)));
  auto gcm = envelope::crypto::AesGcm::New(in.key, kBackend);
  if (!gcm) return state.SkipWithError(gcm.error().ToString().c_str());
  // One sealed message, opened again and again under its own IV.
  in.NextIv();
  if (!gcm->Seal(in.iv, in.aad, in.msg, in.out, in.tag)) return state.SkipWithError("seal failed");
  for (auto _ : state) {
    auto r = gcm->Open(in.iv, in.aad, in.out, in.tag, in.back);
    if (!r) return state.SkipWithError(r.error().ToString().c_str());
    benchmark::DoNotOptimize(in.back.data());
    benchmark::ClobberMemory();
  }
  if (in.back != in.msg) state.SkipWithError("open returned the wrong plaintext");
  SetBytes(state);
}

void BM_OpenWrapper(benchmark::State& state) { OpenWrapper<GcmBackend::openssl>(state); }

void BM_OpenBare(benchmark::State& state) {
  Inputs in(static_cast<size_t>(state.range(0)));
  Ctx enc = NewBareCtx(in, true);
  Ctx dec = NewBareCtx(in, false);
  if (!enc || !dec) return state.SkipWithError("EVP setup failed");
  in.NextIv();
  if (!BareSeal(enc.get(), in)) return state.SkipWithError("EVP seal failed");
  for (auto _ : state) {
    if (!BareOpen(dec.get(), in)) return state.SkipWithError("EVP open failed");
    benchmark::DoNotOptimize(in.back.data());
    benchmark::ClobberMemory();
  }
  if (in.back != in.msg) state.SkipWithError("open returned the wrong plaintext");
  SetBytes(state);
}

#ifdef ENVELOPE_HAVE_IPSEC_MB
void BM_SealImbWrapper(benchmark::State& state) { SealWrapper<GcmBackend::ipsec_mb>(state); }
void BM_OpenImbWrapper(benchmark::State& state) { OpenWrapper<GcmBackend::ipsec_mb>(state); }

void BM_SealImbBare(benchmark::State& state) {
  Inputs in(static_cast<size_t>(state.range(0)));
  auto bare = std::make_unique<envelope_bench::BareImb>(in.key.data());
  if (!bare->ok()) return state.SkipWithError("ipsec-mb: no AVX2 code path");
  for (auto _ : state) {
    in.NextIv();
    bare->Seal(in.iv.data(), in.aad.data(), kAadSize, in.msg.data(), in.out.data(), in.msg.size(),
               in.tag.data());
    benchmark::DoNotOptimize(in.tag.data());
    benchmark::ClobberMemory();
  }
  SetBytes(state);
}

void BM_OpenImbBare(benchmark::State& state) {
  Inputs in(static_cast<size_t>(state.range(0)));
  auto bare = std::make_unique<envelope_bench::BareImb>(in.key.data());
  if (!bare->ok()) return state.SkipWithError("ipsec-mb: no AVX2 code path");
  in.NextIv();
  bare->Seal(in.iv.data(), in.aad.data(), kAadSize, in.msg.data(), in.out.data(), in.msg.size(),
             in.tag.data());
  for (auto _ : state) {
    if (!bare->Open(in.iv.data(), in.aad.data(), kAadSize, in.out.data(), in.back.data(),
                    in.out.size(), in.tag.data())) {
      return state.SkipWithError("ipsec-mb open failed");
    }
    benchmark::DoNotOptimize(in.back.data());
    benchmark::ClobberMemory();
  }
  if (in.back != in.msg) state.SkipWithError("open returned the wrong plaintext");
  SetBytes(state);
}
#endif

// New on each backend (arg 0: OpenSSL, 1: ipsec-mb): what a one-shot call
// (AesGcmSeal, a KMS blob, a keyring's data key) pays before any AES. The
// ipsec-mb state lives in libsodium secret memory (mmap, guard pages, mlock).
void BM_NewContext(benchmark::State& state) {
  const auto backend = state.range(0) == 0 ? GcmBackend::openssl : GcmBackend::ipsec_mb;
  if (!envelope::crypto::GcmBackendAvailable(backend)) {
    return state.SkipWithError("backend unavailable");
  }
  const std::vector<uint8_t> key(32, 7);
  for (auto _ : state) {
    auto gcm = envelope::crypto::AesGcm::New(key, backend);
    if (!gcm) return state.SkipWithError(gcm.error().ToString().c_str());
    benchmark::DoNotOptimize(&*gcm);
  }
}
BENCHMARK(BM_NewContext)->Arg(0)->Arg(1);

// 4 KiB, 16 KiB (one C2SP chunk), 64 KiB and 1 MiB.
void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t size : {4 << 10, 16 << 10, 64 << 10, 1 << 20}) b->Arg(size);
}

BENCHMARK(BM_SealWrapper)->Apply(Sizes);
BENCHMARK(BM_SealBare)->Apply(Sizes);
BENCHMARK(BM_OpenWrapper)->Apply(Sizes);
BENCHMARK(BM_OpenBare)->Apply(Sizes);
#ifdef ENVELOPE_HAVE_IPSEC_MB
BENCHMARK(BM_SealImbWrapper)->Apply(Sizes);
BENCHMARK(BM_SealImbBare)->Apply(Sizes);
BENCHMARK(BM_OpenImbWrapper)->Apply(Sizes);
BENCHMARK(BM_OpenImbBare)->Apply(Sizes);
#endif

}  // namespace

BENCHMARK_MAIN();
