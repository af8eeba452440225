// AES-GCM backends: which one runs, and a differential test of ipsec-mb
// against OpenSSL (random keys, IVs, AAD and lengths from empty to several
// 16 KiB chunks): identical ciphertext and tag, each opens the other's
// output, and both reject every single-bit change they are shown.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "crypto/aes_gcm.h"

namespace envelope::crypto {
namespace {

using Bytes = std::vector<uint8_t>;

bool ForcedOpenSsl() {
  const char* v = std::getenv("ENVELOPE_AES_BACKEND");
  return v != nullptr && std::string(v) == "openssl";
}

TEST_CASE("AesGcm backend: chosen once, ipsec-mb where it runs unless forced to OpenSSL") {
  const GcmBackend active = ActiveGcmBackend();
  MESSAGE("active aes-gcm backend: " << std::string(GcmBackendDescription(active)));
  CHECK(GcmBackendAvailable(GcmBackend::openssl));
  if (ForcedOpenSsl()) {
    CHECK(active == GcmBackend::openssl);
  } else {
    CHECK(active ==
          (GcmBackendAvailable(GcmBackend::ipsec_mb) ? GcmBackend::ipsec_mb : GcmBackend::openssl));
  }
  CHECK(std::string(GcmBackendDescription(GcmBackend::openssl)).rfind("openssl ", 0) == 0);
  CHECK(std::string(GcmBackendDescription(GcmBackend::ipsec_mb)).rfind("ipsec-mb", 0) == 0);
  auto gcm = AesGcm::New(Bytes(32, 1));
  REQUIRE(gcm);
  CHECK(gcm->backend() == active);
}

TEST_CASE("AesGcm backend: the test switch moves New to the other backend and back") {
  const GcmBackend active = ActiveGcmBackend();
  for (auto b : {GcmBackend::openssl, GcmBackend::ipsec_mb}) {
    auto r = SetGcmBackendForTesting(b);
    if (!GcmBackendAvailable(b)) {
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::unsupported);
      auto gcm = AesGcm::New(Bytes(32, 1), b);
      REQUIRE_FALSE(gcm);
      CHECK(gcm.error().code() == ErrorCode::unsupported);
      continue;
    }
    REQUIRE(r);
    CHECK(ActiveGcmBackend() == b);
    auto gcm = AesGcm::New(Bytes(32, 1));
    REQUIRE(gcm);
    CHECK(gcm->backend() == b);
    auto clone = gcm->Clone();
    REQUIRE(clone);
    CHECK(clone->backend() == b);
  }
  REQUIRE(SetGcmBackendForTesting(active));
}

// Pair holds one context per backend under the same key.
struct Pair {
  AesGcm ossl;
  AesGcm imb;
};

// Rejects checks that `gcm` refuses (iv, aad, ct, tag) with auth_failed and
// leaves `out` all zero.
bool Rejects(AesGcm& gcm, const Bytes& iv, const Bytes& aad, const Bytes& ct, const Bytes& tag) {
  Bytes out(ct.size(), 0xa5);
  auto r = gcm.Open(iv, aad, ct, tag, out);
  return !r && r.error().code() == ErrorCode::auth_failed &&
         std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; });
}

void FlipBit(Bytes& b, size_t bit) { b[bit / 8] ^= uint8_t(1u << (bit % 8)); }

// Differ seals (iv, aad, msg) on both backends (out of place, and in place
// at a random misalignment through a clone), compares, opens crosswise, and checks that flipping
// `flips` random bits (one at a time) of the IV, AAD, ciphertext or tag is
// rejected by both. `every_bit` flips every bit instead.
void Differ(Pair& p, std::mt19937_64& rng, const Bytes& iv, const Bytes& aad, const Bytes& msg,
            int flips, bool every_bit) {
  Bytes ct1(msg.size()), tag1(16), ct2(msg.size()), tag2(16);
  REQUIRE(p.ossl.Seal(iv, aad, msg, ct1, tag1));
  REQUIRE(p.imb.Seal(iv, aad, msg, ct2, tag2));
  REQUIRE(ct1 == ct2);
  REQUIRE(tag1 == tag2);

  // In place, at an offset of 0 to 63 bytes from the allocation, through
  // a clone (the vector code has aligned and unaligned paths).
  auto clone = p.imb.Clone();
  REQUIRE(clone);
  Bytes big(msg.size() + 64), tag3(16);
  const std::span<uint8_t> buf = std::span(big).subspan(rng() % 64, msg.size());
  std::copy(msg.begin(), msg.end(), buf.begin());
  REQUIRE(clone->Seal(iv, aad, buf, buf, tag3));
  CHECK(std::equal(buf.begin(), buf.end(), ct1.begin(), ct1.end()));
  CHECK(tag3 == tag1);
  REQUIRE(clone->Open(iv, aad, buf, tag3, buf));
  CHECK(std::equal(buf.begin(), buf.end(), msg.begin(), msg.end()));

  Bytes back1(msg.size()), back2(msg.size());
  REQUIRE(p.ossl.Open(iv, aad, ct2, tag2, back1));
  REQUIRE(p.imb.Open(iv, aad, ct1, tag1, back2));
  CHECK(back1 == msg);
  CHECK(back2 == msg);

  // Bits are numbered across IV, AAD, ciphertext and tag, in that order.
  const size_t total = (iv.size() + aad.size() + ct1.size() + tag1.size()) * 8;
  auto check_flip = [&](size_t bit) {
    Bytes iv2 = iv, aad2 = aad, ct3 = ct1, tag4 = tag1;
    if (bit < iv.size() * 8) {
      FlipBit(iv2, bit);
    } else if ((bit -= iv.size() * 8) < aad.size() * 8) {
      FlipBit(aad2, bit);
    } else if ((bit -= aad.size() * 8) < ct1.size() * 8) {
      FlipBit(ct3, bit);
    } else {
      FlipBit(tag4, bit - ct1.size() * 8);
    }
    CHECK(Rejects(p.ossl, iv2, aad2, ct3, tag4));
    CHECK(Rejects(p.imb, iv2, aad2, ct3, tag4));
  };
  if (every_bit) {
    for (size_t bit = 0; bit < total; ++bit) check_flip(bit);
  } else {
    for (int i = 0; i < flips; ++i) check_flip(rng() % total);
  }
}

Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = uint8_t(rng());
  return b;
}

TEST_CASE("AesGcm backend: ipsec-mb and OpenSSL agree on random inputs and reject bit flips") {
  if (!GcmBackendAvailable(GcmBackend::ipsec_mb)) {
    MESSAGE("ipsec-mb backend not available here: "
            << std::string(GcmBackendDescription(GcmBackend::ipsec_mb)));
    return;
  }
  const uint64_t seed = std::random_device{}();
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  // Lengths around AES blocks, the 4 KiB ESDK frame and the 16 KiB C2SP
  // chunk, up to several chunks, plus random ones.
  std::vector<size_t> lengths = {0,     1,     15,    16,    17,           31,   63,
                                 64,    255,   256,   4095,  4096,         4097, 16383,
                                 16384, 16385, 65536, 65537, 3 * 16384 + 7};
  for (int i = 0; i < 40; ++i) lengths.push_back(rng() % (5 * 16384));
  for (const size_t key_size : {32, 16, 24}) {
    CAPTURE(key_size);
    const Bytes key = RandomBytes(rng, key_size);
    auto ossl = AesGcm::New(key, GcmBackend::openssl);
    auto imb = AesGcm::New(key, GcmBackend::ipsec_mb);
    REQUIRE(ossl);
    REQUIRE(imb);
    Pair p{std::move(*ossl), std::move(*imb)};
    for (const size_t n : lengths) {
      CAPTURE(n);
      const size_t aad_size = rng() % 4 == 0 ? 0 : rng() % (rng() % 8 == 0 ? 2000 : 70);
      CAPTURE(aad_size);
      Differ(p, rng, RandomBytes(rng, 12), RandomBytes(rng, aad_size), RandomBytes(rng, n), 8,
             false);
    }
    // Short messages: every single bit of IV, AAD, ciphertext and tag.
    for (const size_t n : {0, 1, 33}) {
      CAPTURE(n);
      Differ(p, rng, RandomBytes(rng, 12), RandomBytes(rng, 13), RandomBytes(rng, n), 0, true);
    }
  }
}

}  // namespace
}  // namespace envelope::crypto
