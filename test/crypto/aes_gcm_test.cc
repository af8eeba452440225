// AES-GCM: Wycheproof aes_gcm_test.json (every group, every vector, on every
// backend this machine runs) plus the negative cases of our own API (on the
// active backend: meson runs this binary once as it is and once with
// ENVELOPE_AES_BACKEND=openssl).
#include "crypto/aes_gcm.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/vectors.h"

namespace envelope::crypto {
namespace {

using testing::Hex;

// Backends lists the backends this machine can run.
std::vector<GcmBackend> Backends() {
  std::vector<GcmBackend> out = {GcmBackend::openssl};
  if (GcmBackendAvailable(GcmBackend::ipsec_mb)) out.push_back(GcmBackend::ipsec_mb);
  return out;
}

TEST_CASE("AesGcm: every Wycheproof aes_gcm vector is accounted for, on every backend") {
  const auto doc = testing::LoadJson(testing::VectorPath("wycheproof/aes_gcm_test.json"));
  for (const GcmBackend backend : Backends()) {
    const std::string backend_name = GcmBackendDescription(backend);
    CAPTURE(backend_name);
    testing::Tally tally;
    for (const auto& group : doc["testGroups"]) {
      const int iv_bits = group["ivSize"];
      const int tag_bits = group["tagSize"];
      for (const auto& t : group["tests"]) {
        CAPTURE(t["tcId"].get<int>());
        const auto key = Hex(t["key"].get<std::string>()), iv = Hex(t["iv"].get<std::string>()),
                   aad = Hex(t["aad"].get<std::string>()), msg = Hex(t["msg"].get<std::string>()),
                   ct = Hex(t["ct"].get<std::string>()), tag = Hex(t["tag"].get<std::string>());
        const std::string result = t["result"];
        const bool supported_shape = iv_bits == 96 && tag_bits == 128;

        auto gcm = AesGcm::New(key, backend);
        REQUIRE(gcm);  // every key size in the file is 128, 192 or 256
        REQUIRE(gcm->backend() == backend);
        std::vector<uint8_t> opened(ct.size());
        auto open = gcm->Open(iv, aad, ct, tag, opened);

        if (!supported_shape) {
          // Outside our API (IV other than 96 bits): must be refused, and
          // refused as unsupported, for valid and invalid vectors alike.
          CHECK_FALSE(open);
          CHECK(open.error().code() == ErrorCode::unsupported);
          std::vector<uint8_t> out(msg.size()), out_tag(16);
          auto seal = gcm->Seal(iv, aad, msg, out, out_tag);
          CHECK_FALSE(seal);
          if (!open && !seal) {
            result == "valid" ? ++tally.unsupported_rejected : ++tally.invalid_rejected;
          } else {
            ++tally.failed;
          }
          continue;
        }
        if (result == "valid") {
          std::vector<uint8_t> sealed(msg.size()), sealed_tag(16);
          auto seal = gcm->Seal(iv, aad, msg, sealed, sealed_tag);
          const bool ok = open && opened == msg && seal && sealed == ct && sealed_tag == tag;
          CHECK(ok);
          ok ? ++tally.valid_passed : ++tally.failed;
        } else if (result == "invalid") {
          const bool rejected =
              !open && open.error().code() == ErrorCode::auth_failed &&
              std::all_of(opened.begin(), opened.end(), [](uint8_t b) { return b == 0; });
          CHECK(rejected);
          rejected ? ++tally.invalid_rejected : ++tally.failed;
        } else {
          ++tally.acceptable;
        }
      }
    }
    tally.Print("aes_gcm_test.json [" + backend_name + "]");
    CHECK(tally.failed == 0);
    CHECK(tally.total() == doc["numberOfTests"].get<int>());
  }
}

TEST_CASE("AesGcm: rejects keys that are not 16, 24 or 32 bytes") {
  for (size_t n : {0, 1, 15, 17, 31, 33, 64}) {
    CAPTURE(n);
    std::vector<uint8_t> key(n);
    auto gcm = AesGcm::New(key);
    REQUIRE_FALSE(gcm);
    CHECK(gcm.error().code() == ErrorCode::invalid_argument);
  }
}

struct Fixture {
  std::vector<uint8_t> key = std::vector<uint8_t>(32, 7);
  std::vector<uint8_t> iv = std::vector<uint8_t>(12, 1);
  std::vector<uint8_t> aad = {1, 2, 3};
  std::vector<uint8_t> msg = std::vector<uint8_t>(100, 0x5a);
  std::vector<uint8_t> ct = std::vector<uint8_t>(100);
  std::vector<uint8_t> tag = std::vector<uint8_t>(16);
  AesGcm gcm = std::move(*AesGcm::New(key));
  Fixture() { REQUIRE(gcm.Seal(iv, aad, msg, ct, tag)); }
  bool Opens(const std::vector<uint8_t>& iv2, const std::vector<uint8_t>& aad2,
             const std::vector<uint8_t>& ct2, const std::vector<uint8_t>& tag2) {
    std::vector<uint8_t> out(ct2.size(), 0xff);
    auto r = gcm.Open(iv2, aad2, ct2, tag2, out);
    if (!r) {
      CHECK(r.error().code() == ErrorCode::auth_failed);
      CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
      CHECK(r.error().message() == "aes-gcm: authentication failed");
    }
    return bool(r);
  }
};

TEST_CASE("AesGcm: round trip, in place") {
  Fixture f;
  CHECK(f.Opens(f.iv, f.aad, f.ct, f.tag));
  std::vector<uint8_t> buf = f.msg, tag(16);
  REQUIRE(f.gcm.Seal(f.iv, f.aad, buf, buf, tag));
  CHECK(buf == f.ct);
  REQUIRE(f.gcm.Open(f.iv, f.aad, buf, tag, buf));
  CHECK(buf == f.msg);
}

TEST_CASE("AesGcm: rejects wrong AAD") {
  Fixture f;
  auto aad = f.aad;
  aad[0] ^= 1;
  CHECK_FALSE(f.Opens(f.iv, aad, f.ct, f.tag));
  CHECK_FALSE(f.Opens(f.iv, {}, f.ct, f.tag));
}

TEST_CASE("AesGcm: rejects a flipped ciphertext, tag or iv bit") {
  Fixture f;
  for (size_t bit = 0; bit < f.ct.size() * 8; bit += 7) {
    auto ct = f.ct;
    ct[bit / 8] ^= uint8_t(1u << (bit % 8));
    CHECK_FALSE(f.Opens(f.iv, f.aad, ct, f.tag));
  }
  for (size_t bit = 0; bit < 128; ++bit) {
    auto tag = f.tag;
    tag[bit / 8] ^= uint8_t(1u << (bit % 8));
    CHECK_FALSE(f.Opens(f.iv, f.aad, f.ct, tag));
  }
  auto iv = f.iv;
  iv[11] ^= 1;
  CHECK_FALSE(f.Opens(iv, f.aad, f.ct, f.tag));
}

TEST_CASE("AesGcm: rejects truncated ciphertext and wrong key") {
  Fixture f;
  std::vector<uint8_t> shorter(f.ct.begin(), f.ct.end() - 1);
  CHECK_FALSE(f.Opens(f.iv, f.aad, shorter, f.tag));
  std::vector<uint8_t> empty;
  CHECK_FALSE(f.Opens(f.iv, f.aad, empty, f.tag));
  std::vector<uint8_t> other_key(32, 8);
  std::vector<uint8_t> out(f.ct.size());
  auto r = AesGcm::New(other_key)->Open(f.iv, f.aad, f.ct, f.tag, out);
  CHECK_FALSE(r);
}

TEST_CASE("AesGcm: one-shot helpers check sizes") {
  std::vector<uint8_t> key(32, 1), iv(12, 2), msg(10, 3), out(26);
  REQUIRE(AesGcmSeal(key, iv, {}, msg, out));
  std::vector<uint8_t> back(10);
  REQUIRE(AesGcmOpen(key, iv, {}, out, back));
  CHECK(back == msg);
  std::vector<uint8_t> wrong(25);
  CHECK(AesGcmSeal(key, iv, {}, msg, wrong).error().code() == ErrorCode::invalid_argument);
  std::vector<uint8_t> tiny(15), none;
  CHECK(AesGcmOpen(key, iv, {}, tiny, none).error().code() == ErrorCode::truncated);
}

TEST_CASE("AesGcm: rejects partially overlapping buffers") {
  std::vector<uint8_t> key(32, 1), iv(12, 2), buf(64), tag(16);
  auto gcm = AesGcm::New(key);
  auto r = gcm->Seal(iv, {}, std::span(buf).first(32), std::span(buf).subspan(1, 32), tag);
  CHECK(r.error().code() == ErrorCode::invalid_argument);
}

// Open reads the expected tag after decrypting unless the output covers it:
// a tag stored where the plaintext goes must still be the one compared.
TEST_CASE("AesGcm: Open with the tag inside the output buffer, on every backend") {
  std::vector<uint8_t> key(32, 7), iv(12, 3), msg(100), ct(100), tag(16);
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<uint8_t>(i * 31);
  for (const GcmBackend backend : Backends()) {
    const std::string backend_name = GcmBackendDescription(backend);
    CAPTURE(backend_name);
    auto gcm = AesGcm::New(key, backend);
    REQUIRE(gcm);
    REQUIRE(gcm->Seal(iv, {}, msg, ct, tag));
    for (const size_t at : {size_t{0}, size_t{40}, size_t{84}, size_t{90}}) {
      CAPTURE(at);
      // The output buffer holds the tag at `at` (past the end when at = 90:
      // 10 of its bytes in the buffer); decryption overwrites it.
      std::vector<uint8_t> out(110);
      std::copy(tag.begin(), tag.end(), out.begin() + static_cast<long>(at));
      const std::span<const uint8_t> stored_tag(out.data() + at, 16);
      REQUIRE(gcm->Open(iv, {}, ct, stored_tag, std::span(out).first(100)));
      CHECK(std::equal(msg.begin(), msg.end(), out.begin()));
      // And a wrong tag there is still refused, the output wiped.
      std::copy(tag.begin(), tag.end(), out.begin() + static_cast<long>(at));
      out[at] ^= 1;
      auto bad = gcm->Open(iv, {}, ct, stored_tag, std::span(out).first(100));
      REQUIRE_FALSE(bad);
      CHECK(bad.error().code() == ErrorCode::auth_failed);
      CHECK(std::all_of(out.begin(), out.begin() + 100, [](uint8_t b) { return b == 0; }));
    }
  }
}

}  // namespace
}  // namespace envelope::crypto
