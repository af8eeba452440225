#include "crypto/aes_gcm_ipsec_mb.h"

#ifdef ENVELOPE_HAVE_IPSEC_MB

#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

// The library is built with LINUX defined, which gives its key structure the
// 64-byte alignment its code was written for.
#ifndef LINUX
#define LINUX
#endif
#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

namespace envelope::crypto::ipsec_mb {
namespace {

constexpr size_t kAlign = 64;
constexpr size_t kKeyBytes = sizeof(gcm_key_data);
constexpr size_t kStateBytes = kKeyBytes + sizeof(gcm_context_data);
static_assert(kKeyBytes % kAlign == 0, "gcm_context_data must stay 64-byte aligned");

// The process's manager: built once, then only read (its GCM members are
// function pointers for the detected CPU).
struct Manager {
  IMB_MGR* mgr = nullptr;
  IMB_ARCH arch = IMB_ARCH_NONE;
  std::string description;
};

const char* ArchName(IMB_ARCH arch) {
  switch (arch) {
    case IMB_ARCH_NOAESNI:
      return "no aes-ni";
    case IMB_ARCH_SSE:
      return "sse";
    case IMB_ARCH_AVX:
      return "avx";
    case IMB_ARCH_AVX2:
      return "avx2";
    case IMB_ARCH_AVX512:
      return "avx512";
    default:
      return "unknown";
  }
}

const Manager& TheManager() {
  static const Manager m = [] {
    Manager out;
    out.mgr = alloc_mb_mgr(0);
    if (out.mgr != nullptr) init_mb_mgr_auto(out.mgr, &out.arch);
    out.description = std::string("ipsec-mb ") + imb_get_version_str() + " (" +
                      (out.mgr != nullptr ? ArchName(out.arch) : "no manager");
    const uint64_t wide = IMB_FEATURE_VAES | IMB_FEATURE_VPCLMULQDQ;
    if (out.mgr != nullptr && out.arch == IMB_ARCH_AVX512 && (out.mgr->features & wide) == wide) {
      out.description += ", vaes";
    }
    out.description += ")";
    return out;
  }();
  return m;
}

// Functions of one key size.
struct Functions {
  aes_gcm_pre_t pre;
  aes_gcm_enc_dec_t enc;
  aes_gcm_enc_dec_t dec;
};

Functions For(const IMB_MGR* mgr, size_t key_size) {
  switch (key_size) {
    case 16:
      return {mgr->gcm128_pre, mgr->gcm128_enc, mgr->gcm128_dec};
    case 24:
      return {mgr->gcm192_pre, mgr->gcm192_enc, mgr->gcm192_dec};
    default:
      return {mgr->gcm256_pre, mgr->gcm256_enc, mgr->gcm256_dec};
  }
}

uint8_t* Aligned(const SecretBytes& state) {
  const auto p = reinterpret_cast<uintptr_t>(state.data());
  return reinterpret_cast<uint8_t*>((p + kAlign - 1) & ~uintptr_t{kAlign - 1});
}
gcm_key_data* Key(const SecretBytes& state) {
  return reinterpret_cast<gcm_key_data*>(Aligned(state));
}
gcm_context_data* Context(const SecretBytes& state) {
  return reinterpret_cast<gcm_context_data*>(Aligned(state) + kKeyBytes);
}

// The library's parameter checks refuse a null pointer even with a zero
// length; an empty span may have one.
const uint8_t kEmpty[1] = {0};
const uint8_t* Ptr(std::span<const uint8_t> s) { return s.empty() ? kEmpty : s.data(); }
uint8_t* Ptr(std::span<uint8_t> s, uint8_t* scratch) { return s.empty() ? scratch : s.data(); }

// Pool keeps wiped state buffers for reuse. A fresh buffer of secret memory
// is an mmap with guard pages and an mlock, about 100 times the cost of
// expanding the key; one-shot users (a keyring's data key, a KMS blob, a
// message header's tag) would pay it on every call. Buffers come back wiped
// (ReleaseState) and stay in secret memory. Never destroyed, so an AesGcm
// destroyed during static destruction or thread exit still finds it.
class Pool {
 public:
  static Pool& Get() {
    static Pool* const pool = new Pool;
    return *pool;
  }

  Result<SecretBytes> Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        SecretBytes out = std::move(free_.back());
        free_.pop_back();
        return out;
      }
    }
    return SecretBytes::Allocate(kStateBytes + kAlign);
  }

  void Release(SecretBytes state) noexcept {
    SecureZero(state.span());
    std::lock_guard<std::mutex> lock(mu_);
    // Past kMaxFree, or if the vector cannot grow, `state` is freed here.
    if (free_.size() < kMaxFree && free_.size() < free_.capacity()) {
      free_.push_back(std::move(state));
    }
  }

 private:
  static constexpr size_t kMaxFree = 64;
  Pool() { free_.reserve(kMaxFree); }

  std::mutex mu_;
  std::vector<SecretBytes> free_;
};

}  // namespace

bool Available() noexcept {
  const Manager& m = TheManager();
  return m.mgr != nullptr && m.arch >= IMB_ARCH_AVX2 && m.arch < IMB_ARCH_NUM;
}

const char* Description() noexcept { return TheManager().description.c_str(); }

Result<SecretBytes> NewState(std::span<const uint8_t> key) {
  if (!Available()) {
    return MakeError(ErrorCode::unsupported, "aes-gcm: ipsec-mb backend unavailable");
  }
  auto state = Pool::Get().Acquire();
  if (!state) return state;
  For(TheManager().mgr, key.size()).pre(key.data(), Key(*state));
  return state;
}

Result<SecretBytes> CloneState(const SecretBytes& state) {
  auto copy = Pool::Get().Acquire();
  if (!copy) return copy;
  // The two buffers may sit at different offsets from a 64-byte boundary:
  // copy the aligned regions, not the buffers.
  std::memcpy(Aligned(*copy), Aligned(state), kStateBytes);
  return copy;
}

void ReleaseState(SecretBytes state) noexcept {
  if (!state.empty()) Pool::Get().Release(std::move(state));
}

void Seal(SecretBytes& state, size_t key_size, std::span<const uint8_t> iv,
          std::span<const uint8_t> aad, std::span<const uint8_t> in, std::span<uint8_t> out,
          std::span<uint8_t, 16> tag) noexcept {
  uint8_t scratch[1];
  For(TheManager().mgr, key_size)
      .enc(Key(state), Context(state), Ptr(out, scratch), Ptr(in), in.size(), iv.data(), Ptr(aad),
           aad.size(), tag.data(), tag.size());
}

bool Open(SecretBytes& state, size_t key_size, std::span<const uint8_t> iv,
          std::span<const uint8_t> aad, std::span<const uint8_t> in,
          std::span<const uint8_t, 16> tag, std::span<uint8_t> out) noexcept {
  // `tag` is read after the decryption (AesGcm::Open passes a copy when
  // `out` overlaps it).
  uint8_t got[16];
  uint8_t scratch[1];
  For(TheManager().mgr, key_size)
      .dec(Key(state), Context(state), Ptr(out, scratch), Ptr(in), in.size(), iv.data(), Ptr(aad),
           aad.size(), got, sizeof got);
  const bool ok = CRYPTO_memcmp(got, tag.data(), sizeof got) == 0;
  // Wipe the computed tag without a library call (this is the per-message
  // path): the empty asm that reads the array keeps the stores.
  std::memset(got, 0, sizeof got);
  __asm__ __volatile__("" : : "r"(got) : "memory");
  return ok;
}

}  // namespace envelope::crypto::ipsec_mb

#else  // !ENVELOPE_HAVE_IPSEC_MB

#include <cstdlib>

namespace envelope::crypto::ipsec_mb {

bool Available() noexcept { return false; }

const char* Description() noexcept { return "ipsec-mb (not built in)"; }

Result<SecretBytes> NewState(std::span<const uint8_t> /*key*/) {
  return MakeError(ErrorCode::unsupported, "aes-gcm: ipsec-mb backend not built in");
}

Result<SecretBytes> CloneState(const SecretBytes& /*state*/) {
  return MakeError(ErrorCode::unsupported, "aes-gcm: ipsec-mb backend not built in");
}

void ReleaseState(SecretBytes /*state*/) noexcept {}

// Never reached: without the library NewState fails, so no AesGcm holds an
// ipsec-mb state. Fail closed rather than return unencrypted output.
void Seal(SecretBytes&, size_t, std::span<const uint8_t>, std::span<const uint8_t>,
          std::span<const uint8_t>, std::span<uint8_t>, std::span<uint8_t, 16>) noexcept {
  std::abort();
}
bool Open(SecretBytes&, size_t, std::span<const uint8_t>, std::span<const uint8_t>,
          std::span<const uint8_t>, std::span<const uint8_t, 16>, std::span<uint8_t>) noexcept {
  std::abort();
}

}  // namespace envelope::crypto::ipsec_mb

#endif  // ENVELOPE_HAVE_IPSEC_MB
