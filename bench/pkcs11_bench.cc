// PKCS#11 keyring cost: messages per second for 1 KiB messages with the
// PKCS#11 keyring (SoftHSM2) with and without data-key caching, against a
// raw AES keyring and the local KMS keyring; and 64 MiB under the HSM key
// against a local key (one wrap per message, so they should cost the same).
//
// The benchmark makes its own SoftHSM2 token in a temporary folder (as the
// tests do) and needs /usr/lib/softhsm/libsofthsm2.so (apt-get install
// softhsm2).
//
//   ninja -C build bench/pkcs11_bench && ./build/bench/pkcs11_bench
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "envelope/caching_cmm.hpp"
#include "envelope/keyring.hpp"
#include "envelope/kms.hpp"
#include "envelope/message.hpp"
#include "envelope/pkcs11.hpp"
#include "keyring/pkcs11_module.h"

namespace envelope {
namespace {

constexpr char kModule[] = "/usr/lib/softhsm/libsofthsm2.so";
constexpr char kToken[] = "bench";
constexpr char kSoPin[] = "bench-so";
constexpr char kPin[] = "bench-user";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "pkcs11_bench: error: %s\n", what.c_str());
  std::exit(1);
}

void Ok(CK_RV rv, const char* what) {
  if (rv != CKR_OK) Die(std::string(what) + ": " + keyring::pkcs11::RvName(rv));
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r) Die(std::string(what) + ": " + r.error().ToString());
  return std::move(*r);
}

SecretBytes Pin() {
  return Must(
      SecretBytes::CopyFrom(std::span(reinterpret_cast<const uint8_t*>(kPin), std::strlen(kPin))),
      "pin");
}

// Env is the token (one AES-256 key) and a local KMS, made once.
struct Env {
  std::filesystem::path dir;
  std::shared_ptr<keyring::pkcs11::Module> module;
  std::shared_ptr<const Keyring> hsm, raw, kms;

  Env() {
    if (!std::filesystem::exists(kModule)) Die("SoftHSM2 is missing: apt-get install softhsm2");
    char tmpl[] = "/tmp/envelope-pkcs11-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) Die("mkdtemp failed");
    dir = tmpl;
    std::filesystem::create_directory(dir / "tokens");
    std::ofstream(dir / "softhsm2.conf") << "directories.tokendir = " << (dir / "tokens").string()
                                         << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
    module = Must(keyring::pkcs11::Module::Load(kModule), "load softhsm2");
    MakeToken();
    Pkcs11KeyringOptions options{
        .module_path = kModule, .token_label = kToken, .key_label = "wrap"};
    hsm = Must(NewPkcs11Keyring(options, Pin()), "pkcs11 keyring");
    raw = Must(NewRawAesKeyring("bench", "local", KeyView(std::vector<uint8_t>(32, 9))),
               "raw keyring");
    kms::KmsOptions kms_options;
    kms_options.directory = (dir / "keystore").string();
    auto service = std::make_shared<kms::Kms>(Must(kms::Kms::Open(kms_options), "kms open"));
    auto key = Must(service->CreateKey(), "kms create key");
    kms = Must(NewKmsKeyring(kms::NewKmsClient(service), key.key_id), "kms keyring");
  }
  ~Env() {
    hsm.reset();
    module.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  void MakeToken() {
    CK_FUNCTION_LIST* f = module->f();
    CK_SLOT_ID slot;
    CK_ULONG count = 1;
    Ok(f->C_GetSlotList(CK_TRUE, &slot, &count), "C_GetSlotList");
    std::vector<CK_UTF8CHAR> label(32, ' ');
    std::memcpy(label.data(), kToken, std::strlen(kToken));
    auto so = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(kSoPin));
    auto user = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(kPin));
    Ok(f->C_InitToken(slot, so, std::strlen(kSoPin), label.data()), "C_InitToken");
    slot = Must(module->FindToken(kToken), "find token");
    CK_SESSION_HANDLE s;
    Ok(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s), "open");
    Ok(f->C_Login(s, CKU_SO, so, std::strlen(kSoPin)), "C_Login(SO)");
    Ok(f->C_InitPIN(s, user, std::strlen(kPin)), "C_InitPIN");
    Ok(f->C_Logout(s), "C_Logout");
    Ok(f->C_Login(s, CKU_USER, user, std::strlen(kPin)), "C_Login");
    CK_MECHANISM mech{CKM_AES_KEY_GEN, nullptr, 0};
    CK_BBOOL yes = CK_TRUE;
    CK_ULONG len = 32;
    char name[] = "wrap";
    CK_ATTRIBUTE t[] = {{CKA_TOKEN, &yes, 1},     {CKA_PRIVATE, &yes, 1},
                        {CKA_SENSITIVE, &yes, 1}, {CKA_ENCRYPT, &yes, 1},
                        {CKA_DECRYPT, &yes, 1},   {CKA_WRAP, &yes, 1},
                        {CKA_UNWRAP, &yes, 1},    {CKA_VALUE_LEN, &len, sizeof len},
                        {CKA_LABEL, name, 4}};
    CK_OBJECT_HANDLE key;
    Ok(f->C_GenerateKey(s, &mech, t, std::size(t), &key), "C_GenerateKey");
    Ok(f->C_Logout(s), "C_Logout");
    Ok(f->C_CloseSession(s), "C_CloseSession");
  }
};

Env& TheEnv() {
  static Env* env = new Env;  // the token outlives every benchmark
  return *env;
}

enum Which { kRaw, kHsm, kHsmCached, kKms };

std::shared_ptr<const CryptoMaterialsManager> CmmFor(int which) {
  Env& env = TheEnv();
  const auto& keyring = which == kRaw ? env.raw : which == kKms ? env.kms : env.hsm;
  auto cmm = Must(NewDefaultCmm(keyring), "default cmm");
  if (which != kHsmCached) return cmm;
  auto cache = Must(NewMaterialsCache(64), "cache");
  return Must(NewCachingCmm(cmm, cache, {.max_messages = 1000}), "caching cmm");
}

void BM_Messages1KiB(benchmark::State& state) {
  static const char* kNames[] = {"raw-aes", "pkcs11", "pkcs11+cache", "kms-local"};
  // Made once, before any thread of any run reads them (static init is
  // thread-safe).
  static const auto* cmms = new std::shared_ptr<const CryptoMaterialsManager>[4] {
    CmmFor(kRaw), CmmFor(kHsm), CmmFor(kHsmCached), CmmFor(kKms)
  };
  const std::vector<uint8_t> plain(1024, 0x61);
  EncryptOptions options;
  options.context = {{"bench", "1k"}};
  for (auto _ : state) {
    auto message = Encrypt(plain, *cmms[state.range(0)], options);
    if (!message) state.SkipWithError(message.error().ToString().c_str());
    benchmark::DoNotOptimize(message);
  }
  state.SetLabel(kNames[state.range(0)]);
  state.counters["msgs/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Messages1KiB)->DenseRange(0, 3)->UseRealTime();
BENCHMARK(BM_Messages1KiB)->Arg(kHsm)->Threads(4)->UseRealTime();

void BM_Encrypt64MiB(benchmark::State& state) {
  static const std::vector<uint8_t> plain(size_t{64} << 20, 0x62);
  const auto cmm = CmmFor(state.range(0));
  for (auto _ : state) {
    auto message = Encrypt(plain, *cmm);
    if (!message) state.SkipWithError(message.error().ToString().c_str());
    benchmark::DoNotOptimize(message);
  }
  state.SetLabel(state.range(0) == kRaw ? "raw-aes" : "pkcs11");
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(plain.size()));
}
BENCHMARK(BM_Encrypt64MiB)->Arg(kRaw)->Arg(kHsm)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace envelope

BENCHMARK_MAIN();
