// fuzz target aes_gcm_diff: AES-GCM on ipsec-mb against OpenSSL.
//
// Input layout (short inputs read as zeros):
//   key size (1) | key (16/24/32) | IV (12) | AAD length (2) | AAD |
//   flip (4) | offset (1) | message (rest)
// Properties, for every input:
//  - both backends seal to the same ciphertext and tag (out of place, and in
//    place at a misalignment of `offset` % 64 bytes);
//  - each backend opens the other's output to the message;
//  - flipping bit `flip` of (IV || AAD || ciphertext || tag) is rejected by
//    both with auth_failed and an all-zero output;
//  - the fuzzer's own (IV, AAD, message-as-ciphertext, tag from the input)
//    gets the same verdict from both, and an accepted one the same
//    plaintext.
// Without ipsec-mb (not built in, or a CPU without AVX2) the target checks
// only OpenSSL's round trip and rejections.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/aes_gcm.h"
#include "fuzz_util.h"

namespace {

using namespace envelope;
using crypto::AesGcm;
using crypto::GcmBackend;
using Bytes = std::vector<uint8_t>;

bool AllZero(std::span<const uint8_t> b) {
  return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

// OpenResult is what one backend made of one ciphertext.
struct OpenResult {
  bool ok = false;
  Bytes plain;
};

OpenResult Open(AesGcm& gcm, std::span<const uint8_t> iv, std::span<const uint8_t> aad,
                std::span<const uint8_t> ct, std::span<const uint8_t> tag) {
  OpenResult r;
  r.plain.assign(ct.size(), 0xa5);
  auto opened = gcm.Open(iv, aad, ct, tag, r.plain);
  r.ok = opened.has_value();
  if (!r.ok) {
    FUZZ_CHECK(opened.error().code() == ErrorCode::auth_failed);
    FUZZ_CHECK(AllZero(r.plain));
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput input(data, size);
  static constexpr size_t kKeySizes[] = {32, 16, 24};
  const size_t key_size = kKeySizes[input.U8() % 3];
  Bytes key(key_size), iv(crypto::kGcmIvSize);
  auto k = input.Bytes(key_size);
  std::copy(k.begin(), k.end(), key.begin());
  auto v = input.Bytes(iv.size());
  std::copy(v.begin(), v.end(), iv.begin());
  const auto aad_span = input.Bytes(input.U16() % 4096);
  const Bytes aad(aad_span.begin(), aad_span.end());
  const uint32_t flip = input.U32();
  const size_t offset = input.U8() % 64;
  const auto rest = input.Rest();
  const Bytes msg(rest.begin(), rest.end());

  const bool both = crypto::GcmBackendAvailable(GcmBackend::ipsec_mb);
  auto ossl = AesGcm::New(key, GcmBackend::openssl);
  FUZZ_CHECK(ossl.has_value());
  auto imb = AesGcm::New(key, both ? GcmBackend::ipsec_mb : GcmBackend::openssl);
  FUZZ_CHECK(imb.has_value());

  Bytes ct1(msg.size()), tag1(16), ct2(msg.size()), tag2(16);
  FUZZ_CHECK(ossl->Seal(iv, aad, msg, ct1, tag1).has_value());
  FUZZ_CHECK(imb->Seal(iv, aad, msg, ct2, tag2).has_value());
  FUZZ_CHECK(ct1 == ct2 && tag1 == tag2);

  // In place, misaligned.
  Bytes big(msg.size() + 64), tag3(16);
  const std::span<uint8_t> buf = std::span(big).subspan(offset, msg.size());
  std::copy(msg.begin(), msg.end(), buf.begin());
  FUZZ_CHECK(imb->Seal(iv, aad, buf, buf, tag3).has_value());
  FUZZ_CHECK(std::equal(buf.begin(), buf.end(), ct1.begin(), ct1.end()) && tag3 == tag1);

  // Crosswise opens.
  const OpenResult a = Open(*ossl, iv, aad, ct2, tag2);
  const OpenResult b = Open(*imb, iv, aad, ct1, tag1);
  FUZZ_CHECK(a.ok && b.ok && a.plain == msg && b.plain == msg);

  // One flipped bit anywhere the tag covers.
  const size_t bits = (iv.size() + aad.size() + ct1.size() + tag1.size()) * 8;
  size_t bit = flip % bits;
  Bytes iv2 = iv, aad2 = aad, ct3 = ct1, tag4 = tag1;
  auto toggle = [](Bytes& bytes, size_t i) { bytes[i / 8] ^= uint8_t(1u << (i % 8)); };
  if (bit < iv.size() * 8) {
    toggle(iv2, bit);
  } else if ((bit -= iv.size() * 8) < aad.size() * 8) {
    toggle(aad2, bit);
  } else if ((bit -= aad.size() * 8) < ct1.size() * 8) {
    toggle(ct3, bit);
  } else {
    toggle(tag4, bit - ct1.size() * 8);
  }
  FUZZ_CHECK(!Open(*ossl, iv2, aad2, ct3, tag4).ok);
  FUZZ_CHECK(!Open(*imb, iv2, aad2, ct3, tag4).ok);

  // The input's own bytes as a ciphertext with a forged tag (the key bytes
  // reused): both backends give the same verdict and plaintext.
  const std::span<const uint8_t> forged_tag = std::span(key).first(16);
  const OpenResult c = Open(*ossl, iv, aad, msg, forged_tag);
  const OpenResult d = Open(*imb, iv, aad, msg, forged_tag);
  FUZZ_CHECK(c.ok == d.ok && c.plain == d.plain);
  return 0;
}
