// Everything a decryptor must refuse: every flipped bit, every truncation,
// reordered, repeated and dropped frames, trailing bytes, an unsigned
// message carrying a public key, legacy suites under the default policy, and
// for signed messages any release before the signature verifies.
#include <doctest/doctest.h>

#include <algorithm>
#include <string_view>

#include "crypto/aes_gcm.h"
#include "message/header.h"
#include "message/suite.h"
#include "message_test_util.h"
#include "support/vectors.h"

namespace envelope::testing {
namespace {

constexpr uint32_t kFrame = 16;
constexpr size_t kRegular = 4 + 12 + kFrame + 16;  // 48 bytes per regular frame

struct Small {
  FixedCmm cmm;
  std::vector<uint8_t> plaintext = Pattern(40);  // frames of 16, 16, then a final 8
  std::vector<uint8_t> message;
  size_t header_size = 0;
  explicit Small(AlgorithmSuiteId suite = kUnsigned) {
    EncryptParams p;
    p.suite = suite;
    p.frame_length = kFrame;
    p.context = {{"k", "v"}};
    message = EncryptWith(cmm, plaintext, p);
    header_size = message::ParseHeader(message, {})->total_size;
  }
  std::vector<uint8_t> Frame(size_t i) const {
    auto begin = message.begin() + header_size + i * kRegular;
    return {begin, begin + kRegular};
  }
};

// IsInputError: the codes of an input that is not a message we accept.
bool IsInputError(ErrorCode code) {
  return code == ErrorCode::auth_failed || code == ErrorCode::truncated ||
         code == ErrorCode::malformed || code == ErrorCode::limit_exceeded;
}

TEST_CASE("Decrypt: every single-bit flip of a small message is rejected") {
  // A streaming decryptor may release frames that authenticated before the
  // damaged one (unsigned suites only): what reaches the sink must be an
  // authentic prefix of the plaintext. Signed suites release nothing.
  for (auto suite : {kUnsigned, kSigned}) {
    Small s(suite);
    std::vector<uint8_t> out;
    REQUIRE(DecryptWith(s.cmm, s.message, out));
    REQUIRE(out == s.plaintext);
    size_t rejected = 0;
    for (size_t bit = 0; bit < s.message.size() * 8; ++bit) {
      auto m = s.message;
      m[bit / 8] ^= uint8_t(1u << (bit % 8));
      const auto r = DecryptWith(s.cmm, m, out);
      const bool failed = !r;
      CAPTURE(bit);
      CHECK(failed);
      // A damaged input says so (the tools' exit 3); invalid_argument or
      // unsupported would blame the caller.
      if (failed) {
        const std::string error = r.error().ToString();
        CAPTURE(error);
        CHECK(IsInputError(r.error().code()));
      }
      if (suite == kSigned) {
        CHECK(out.empty());
      } else {
        CHECK(out.size() <= s.plaintext.size());
        CHECK(std::equal(out.begin(), out.end(), s.plaintext.begin()));
      }
      rejected += failed;
    }
    CHECK(rejected == s.message.size() * 8);
  }
}

TEST_CASE("Decrypt: every truncation fails; at frame boundaries as truncated") {
  Small s;
  std::vector<uint8_t> out;
  for (size_t n = 0; n < s.message.size(); ++n) {
    CAPTURE(n);
    auto r = DecryptWith(s.cmm, std::span(s.message).first(n), out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::truncated);
  }
  for (size_t frames = 0; frames < 3; ++frames) {
    const size_t n = s.header_size + frames * kRegular;
    auto r = DecryptWith(s.cmm, std::span(s.message).first(n), out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::truncated);
  }
  // Streaming: frames 1 and 2 are released as they verify, but the missing
  // final frame still fails the decryption at Finish.
  auto r = DecryptWith(s.cmm, std::span(s.message).first(s.header_size + 2 * kRegular), out, {},
                       kRegular);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::truncated);
}

TEST_CASE("Decrypt: reordered, repeated and dropped frames fail authentication") {
  Small s;
  const auto header = std::vector(s.message.begin(), s.message.begin() + s.header_size);
  const auto f1 = s.Frame(0), f2 = s.Frame(1);
  const auto final_frame =
      std::vector(s.message.begin() + s.header_size + 2 * kRegular, s.message.end());
  auto join = [&](std::initializer_list<const std::vector<uint8_t>*> parts) {
    std::vector<uint8_t> m = header;
    for (const auto* p : parts) m.insert(m.end(), p->begin(), p->end());
    return m;
  };
  std::vector<uint8_t> out;
  REQUIRE(DecryptWith(s.cmm, join({&f1, &f2, &final_frame}), out));
  for (const auto& bad : {join({&f2, &f1, &final_frame}), join({&f1, &f1, &f2, &final_frame}),
                          join({&f1, &final_frame}), join({&f2, &final_frame}),
                          join({&f1, &f2, &f2, &final_frame})}) {
    auto r = DecryptWith(s.cmm, bad, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
    CHECK(r.error().message() == message::kAuthFailedMessage);
    CHECK(out.empty());
  }
}

TEST_CASE("Decrypt: bytes after the end of the message are rejected") {
  for (auto suite : {kUnsigned, kSigned}) {
    Small s(suite);
    for (size_t extra : {1u, 2u, 100u}) {
      auto m = s.message;
      m.insert(m.end(), extra, 0);
      std::vector<uint8_t> out;
      auto r = DecryptWith(s.cmm, m, out);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::malformed);
      // Streaming an unsigned message releases each frame once it verifies,
      // so the (authentic) plaintext may be out before the extra bytes show
      // up; a signed message's is held and dropped.
      CHECK((suite == kSigned ? out.empty() : out == s.plaintext));
      // Also when the extra bytes come in a later piece, after Finish-ready.
      r = DecryptWith(s.cmm, m, out, {}, s.message.size());
      REQUIRE_FALSE(r);
    }
  }
}

// ResealHeader recomputes the header tag after the test edited the header,
// with the data key the FixedCmm hands out.
void ResealHeader(std::vector<uint8_t>& m) {
  auto parsed = message::ParseHeader(m, {});
  REQUIRE(parsed);
  const std::vector<uint8_t> data_key(32, 0x5a);
  auto keys = message::DeriveKeys(*parsed->header.suite, data_key, parsed->header.message_id);
  REQUIRE(keys);
  const uint8_t iv[12] = {0};
  REQUIRE(crypto::AesGcmSeal(keys->encryption_key.span(), iv, std::span(m).first(parsed->body_size),
                             {}, std::span(m).subspan(parsed->body_size, 16)));
}

TEST_CASE("Decrypt: an unsigned message with aws-crypto-public-key in its context fails") {
  FixedCmm cmm;
  EncryptParams p;
  p.context = {{"aws-crypto-public-kez", "AAAA"}};
  auto m = EncryptWith(cmm, Pattern(100), p);
  ResealHeader(m);  // control: resealing an unchanged header keeps it valid
  std::vector<uint8_t> out;
  REQUIRE(DecryptWith(cmm, m, out));
  // Search for the whole key: the random message id may hold a 'z' byte.
  const std::string_view kez = "aws-crypto-public-kez";
  auto at = std::search(m.begin(), m.end(), kez.begin(), kez.end());
  REQUIRE(at != m.end());
  *(at + kez.size() - 1) =
      'y';  // the context key is now aws-crypto-public-key (same length, still sorted)
  ResealHeader(m);
  cmm.calls = 0;
  auto r = DecryptWith(cmm, m, out);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::malformed);
  CHECK(r.error().message().find("aws-crypto-public-key") != std::string::npos);
  CHECK(cmm.calls == 0);  // refused before any key is unwrapped
  CHECK(out.empty());
}

TEST_CASE("Decrypt: a signed message releases nothing before its signature verifies") {
  Small s(kSigned);
  MemorySource source(s.message);
  auto info = InspectMessage(source);
  REQUIRE(info);
  const size_t body_end = s.message.size() - info->footer_size;
  std::vector<uint8_t> out;
  MemorySink sink(out);
  {
    message::Decryptor d(s.cmm, {}, sink);
    REQUIRE(d.Update(std::span(s.message).first(body_end)));
    CHECK(out.empty());  // every frame verified, but the signature has not
    auto bad_footer = std::vector(s.message.begin() + body_end, s.message.end());
    bad_footer.back() ^= 1;
    CHECK_FALSE(d.Update(bad_footer));
    CHECK_FALSE(d.Finish());
    CHECK(out.empty());
  }
  {
    message::Decryptor d(s.cmm, {}, sink);
    REQUIRE(d.Update(s.message));
    CHECK(out.empty());  // verified, but trailing bytes could still come
    REQUIRE(d.Finish());
    CHECK(out == s.plaintext);
  }
  out.clear();
  {
    DecryptOptions unverified;
    unverified.allow_unverified_streaming = true;
    message::Decryptor d(s.cmm, unverified, sink);
    REQUIRE(d.Update(std::span(s.message).first(body_end)));
    CHECK(out == s.plaintext);  // released early, as the caller asked
    REQUIRE(d.Update(std::span(s.message).subspan(body_end)));
    REQUIRE(d.Finish());
  }
  out.clear();
  {
    DecryptOptions small_buffer;
    small_buffer.max_buffered_plaintext = 20;
    message::Decryptor d(s.cmm, small_buffer, sink);
    auto r = d.Update(s.message);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::limit_exceeded);
    CHECK(out.empty());
  }
}

TEST_CASE("Decrypt: legacy suites need a commitment policy that allows them") {
  const auto dir = VectorPath("esdk/v4-Net-4.0.1/ciphertexts");
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto m = ReadFile(entry.path());
    if (m[0] != 1) continue;
    FixedCmm cmm;
    std::vector<uint8_t> out;
    auto r = DecryptWith(cmm, m, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::unsupported);
    CHECK(cmm.calls == 0);
    ++checked;
  }
  CHECK(checked > 0);
}

TEST_CASE("Decrypt: errors are sticky") {
  Small s;
  std::vector<uint8_t> out;
  MemorySink sink(out);
  message::Decryptor d(s.cmm, {}, sink);
  auto m = s.message;
  m[s.header_size + 20] ^= 1;
  auto first = d.Update(m);
  REQUIRE_FALSE(first);
  CHECK(d.Update(s.message).error() == first.error());
  CHECK(d.Finish().error() == first.error());
}

}  // namespace
}  // namespace envelope::testing
