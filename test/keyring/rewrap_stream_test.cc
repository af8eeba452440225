// Message rewrap on streams (a Source in, a Sink out): the same message the
// path form writes, sources that hand out a few bytes at a time, and every
// frame header checked on the way: reordered, truncated, extended and
// re-signed bodies refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "envelope/customer_key.hpp"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "envelope/rewrap.hpp"

namespace envelope {
namespace {

// PieceSource hands out `bytes` at most `piece` bytes per Read.
class PieceSource final : public Source {
 public:
  PieceSource(std::span<const uint8_t> bytes, size_t piece) : bytes_(bytes), piece_(piece) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    const size_t n = std::min({out.size(), piece_, bytes_.size() - pos_});
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out.begin());
    pos_ += n;
    return n;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t piece_;
  size_t pos_ = 0;
};

// Collect appends what is written to it.
class Collect final : public Sink {
 public:
  Result<void> Write(std::span<const uint8_t> data) override {
    bytes.insert(bytes.end(), data.begin(), data.end());
    return {};
  }
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + (i >> 9));
  return v;
}

std::shared_ptr<const Keyring> Aes(std::string name, uint8_t fill) {
  const std::vector<uint8_t> key(32, fill);
  return *NewRawAesKeyring("ns", name, KeyView(key));
}

constexpr auto kSigned = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
constexpr auto kUnsigned = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
constexpr uint32_t kFrame = 4096;

struct Message {
  std::vector<uint8_t> bytes;
  size_t header_size = 0;
};

Message Make(const Keyring& keyring, AlgorithmSuiteId suite, std::span<const uint8_t> plain) {
  auto bytes = Encrypt(plain, keyring,
                       {.suite = suite, .context = {{"tenant", "t1"}}, .frame_length = kFrame});
  REQUIRE(bytes);
  auto info = Decrypt(*bytes, keyring);
  REQUIRE(info);
  return {*bytes, static_cast<size_t>(info->header.header_size)};
}

Result<RewrapResult> Rewrap(std::span<const uint8_t> in, Collect& out, const Keyring& old_key,
                            const Keyring& new_key, size_t piece = 1 << 16) {
  PieceSource source(in, piece);
  return RewrapMessage(source, out, old_key, new_key);
}

TEST_CASE("Rewrap streams: the frames carried over, the new key in, the old one out") {
  const auto plain = Pattern(50 * 1024 + 3);
  auto old_key = Aes("old", 1);
  const std::vector<uint8_t> customer_key(32, 2);
  auto new_key = *NewCustomerKeyKeyring(KeyView(customer_key));
  for (auto suite : {kUnsigned, kSigned}) {
    for (size_t piece : {size_t{7}, size_t{4099}, size_t{1} << 20}) {
      const auto suite_id = static_cast<int>(suite);
      CAPTURE(suite_id);
      CAPTURE(piece);
      const Message in = Make(*old_key, suite, plain);
      Collect out;
      auto result = Rewrap(in.bytes, out, *old_key, *new_key, piece);
      REQUIRE(result);
      CHECK(result->resigned == (suite == kSigned));
      const size_t new_header = result->header.header_size;
      REQUIRE(out.bytes.size() >= new_header + result->body_bytes);
      CHECK(std::equal(in.bytes.begin() + static_cast<std::ptrdiff_t>(in.header_size),
                       in.bytes.begin() + static_cast<std::ptrdiff_t>(in.header_size) +
                           static_cast<std::ptrdiff_t>(result->body_bytes),
                       out.bytes.begin() + static_cast<std::ptrdiff_t>(new_header)));
      if (suite == kUnsigned) {
        CHECK(out.bytes.size() - new_header == in.bytes.size() - in.header_size);
      }
      auto decrypted = Decrypt(out.bytes, *new_key);
      REQUIRE(decrypted);
      CHECK(decrypted->plaintext == plain);
      CHECK(Decrypt(out.bytes, *old_key).error().code() == ErrorCode::not_found);
    }
  }
}

TEST_CASE("Rewrap streams: an empty plaintext (one final frame, no content)") {
  auto old_key = Aes("old", 1);
  auto new_key = Aes("new", 2);
  for (auto suite : {kUnsigned, kSigned}) {
    const Message in = Make(*old_key, suite, {});
    Collect out;
    REQUIRE(Rewrap(in.bytes, out, *old_key, *new_key));
    auto decrypted = Decrypt(out.bytes, *new_key);
    REQUIRE(decrypted);
    CHECK(decrypted->plaintext.empty());
  }
}

TEST_CASE("Rewrap streams: damaged bodies are refused") {
  auto old_key = Aes("old", 1);
  auto new_key = Aes("new", 2);
  const auto plain = Pattern(3 * kFrame + 100);  // frames 1..3 regular, 4 final
  const size_t regular = kFrame + 32;
  for (auto suite : {kUnsigned, kSigned}) {
    const auto suite_id = static_cast<int>(suite);
    CAPTURE(suite_id);
    const Message in = Make(*old_key, suite, plain);
    const size_t body = in.header_size;
    SUBCASE("truncated") {
      Collect out;
      auto r = Rewrap(std::span(in.bytes).first(in.bytes.size() - 1), out, *old_key, *new_key);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::truncated);
    }
    SUBCASE("a byte after the end") {
      auto longer = in.bytes;
      longer.push_back(0);
      Collect out;
      auto r = Rewrap(longer, out, *old_key, *new_key);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::invalid_argument);
    }
    SUBCASE("two frames swapped") {
      auto swapped = in.bytes;
      std::swap_ranges(swapped.begin() + static_cast<std::ptrdiff_t>(body),
                       swapped.begin() + static_cast<std::ptrdiff_t>(body + regular),
                       swapped.begin() + static_cast<std::ptrdiff_t>(body + regular));
      Collect out;
      auto r = Rewrap(swapped, out, *old_key, *new_key);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::invalid_argument);
    }
    SUBCASE("final frame longer than the frame length") {
      auto longer = in.bytes;
      // The final frame's content length: marker, sequence number, IV.
      longer[body + 3 * regular + 4 + 4 + 12] = 0xFF;
      Collect out;
      auto r = Rewrap(longer, out, *old_key, *new_key);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::invalid_argument);
    }
    if (suite == kSigned) {
      SUBCASE("a ciphertext byte changed: the old signature fails, nothing is re-signed") {
        auto altered = in.bytes;
        altered[body + 100] ^= 1;
        Collect out;
        auto r = Rewrap(altered, out, *old_key, *new_key);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == ErrorCode::auth_failed);
      }
    }
  }
}

TEST_CASE("Rewrap streams: a null kms client is refused") {
  const std::vector<uint8_t> none;
  PieceSource source(none, 1);
  Collect out;
  auto r = RewrapToNewestKeyVersion(source, out, nullptr);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::invalid_argument);
  CHECK(out.bytes.empty());
}

}  // namespace
}  // namespace envelope
