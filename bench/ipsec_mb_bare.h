// bench: a bare AES-256-GCM context on Intel's ipsec-mb, the baseline the
// ipsec-mb backend of envelope::crypto::AesGcm is measured against: its own
// manager (init_mb_mgr_auto), the key expanded once, and per message one
// direct-API call (IMB_AES256_GCM_ENC / _DEC), the open side comparing the
// computed tag with CRYPTO_memcmp as the wrapper does. No argument checks, no
// secret memory, no Result.
//
// bench/ may include crypto libraries directly for baselines only (see
// meson.build); only built when meson found ipsec-mb.
#ifndef ENVELOPE_BENCH_IPSEC_MB_BARE_H_
#define ENVELOPE_BENCH_IPSEC_MB_BARE_H_

#ifndef LINUX
#define LINUX
#endif
#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

#include <cstddef>
#include <cstdint>

namespace envelope_bench {

// BareImb is one keyed AES-256-GCM context; ok() is false when the library
// found no AVX2 (or better) code path.
class BareImb {
 public:
  explicit BareImb(const uint8_t* key32) : mgr_(alloc_mb_mgr(0)) {
    if (mgr_ == nullptr) return;
    IMB_ARCH arch = IMB_ARCH_NONE;
    init_mb_mgr_auto(mgr_, &arch);
    ok_ = arch >= IMB_ARCH_AVX2;
    IMB_AES256_GCM_PRE(mgr_, key32, &key_);
  }
  ~BareImb() {
    if (mgr_ != nullptr) free_mb_mgr(mgr_);
  }
  BareImb(const BareImb&) = delete;
  BareImb& operator=(const BareImb&) = delete;

  bool ok() const { return ok_; }

  void Seal(const uint8_t* iv, const uint8_t* aad, size_t aad_len, const uint8_t* in, uint8_t* out,
            size_t len, uint8_t* tag) {
    IMB_AES256_GCM_ENC(mgr_, &key_, &ctx_, out, in, len, iv, aad, aad_len, tag, 16);
  }

  // Open decrypts and returns whether `tag` matches.
  bool Open(const uint8_t* iv, const uint8_t* aad, size_t aad_len, const uint8_t* in, uint8_t* out,
            size_t len, const uint8_t* tag) {
    uint8_t got[16];
    IMB_AES256_GCM_DEC(mgr_, &key_, &ctx_, out, in, len, iv, aad, aad_len, got, 16);
    return CRYPTO_memcmp(got, tag, 16) == 0;
  }

 private:
  IMB_MGR* mgr_;
  bool ok_ = false;
  gcm_key_data key_;
  gcm_context_data ctx_;
};

}  // namespace envelope_bench

#endif  // ENVELOPE_BENCH_IPSEC_MB_BARE_H_
