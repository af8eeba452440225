// Header, EDK and encryption context codec: canonical round trips (on every
// ESDK vector header too), strict rejection of non-canonical input, and the
// DecodeLimits bounds.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "message/base64.h"
#include "message/context_codec.h"
#include "message/header.h"
#include "message/wire.h"
#include "support/vectors.h"

namespace envelope::message {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// A v2 header with `edks` EDKs and the given context.
Header MakeHeader(size_t edks, EncryptionContext context = {}) {
  Header h;
  h.suite = FindSuite(0x0478);
  h.message_id.assign(32, 0xab);
  h.context = std::move(context);
  for (size_t i = 0; i < edks; ++i) {
    h.encrypted_data_keys.push_back({"ns", {'k', uint8_t(i)}, std::vector<uint8_t>(48, 7)});
  }
  h.frame_length = 4096;
  h.suite_data.assign(32, 0xcc);
  h.auth_tag.assign(16, 0xdd);
  return h;
}

TEST_CASE("Header codec: every ESDK vector header parses and re-serializes byte for byte") {
  int headers = 0;
  for (const char* set : {"v4-Net-4.0.1", "valid-Net-4.0.0", "invalid-Net-4.0.0"}) {
    for (const auto& entry : std::filesystem::directory_iterator(
             testing::VectorPath(std::string("esdk/") + set + "/ciphertexts"))) {
      CAPTURE(entry.path().string());
      const auto bytes = testing::ReadFile(entry.path());
      auto parsed = ParseHeader(bytes, DecodeLimits{});
      REQUIRE(parsed);
      auto again = SerializeHeader(parsed->header);
      REQUIRE(again);
      CHECK(*again == std::vector<uint8_t>(bytes.begin(), bytes.begin() + parsed->total_size));
      ++headers;
    }
  }
  CHECK(headers == 132 + 5 + 28);
}

TEST_CASE("Header codec: round trip of v2 headers, and every prefix is truncated") {
  auto h = MakeHeader(3, {{"a", "1"}, {"\xc3\xa9t\xc3\xa9", "summer"}, {"z", ""}});
  auto bytes = SerializeHeader(h);
  REQUIRE(bytes);
  auto parsed = ParseHeader(*bytes, {});
  REQUIRE(parsed);
  CHECK(parsed->total_size == bytes->size());
  CHECK(parsed->body_size == bytes->size() - 16);
  CHECK(parsed->header.context == h.context);
  CHECK(parsed->header.encrypted_data_keys == h.encrypted_data_keys);
  CHECK(*SerializeHeader(parsed->header) == *bytes);
  for (size_t n = 0; n < bytes->size(); ++n) {
    auto short_parse = ParseHeader(std::span(*bytes).first(n), {});
    REQUIRE_FALSE(short_parse);
    CHECK(short_parse.error().code() == ErrorCode::truncated);
  }
}

TEST_CASE("Header codec: rejects malformed fields") {
  const auto good = *SerializeHeader(MakeHeader(1));
  auto mutate = [&](size_t offset, uint8_t value) {
    auto b = good;
    b[offset] = value;
    return ParseHeader(b, {});
  };
  CHECK(mutate(0, 3).error().code() == ErrorCode::malformed);     // version
  CHECK(mutate(2, 0x79).error().code() == ErrorCode::malformed);  // suite 0x0479
  CHECK(mutate(1, 0x00).error().code() == ErrorCode::malformed);  // 0x0078 is a v1 suite
  // EDK count 0 (offset 1+2+32+2 = 37).
  {
    auto b = good;
    b[37] = 0;
    b[38] = 0;
    CHECK(ParseHeader(b, {}).error().code() == ErrorCode::malformed);
  }
  // Content type 3 and frame length 0.
  const size_t content_type = good.size() - 16 - 32 - 4 - 1;
  CHECK(mutate(content_type, 3).error().code() == ErrorCode::malformed);
  {
    auto b = good;
    for (size_t i = 0; i < 4; ++i) b[content_type + 1 + i] = 0;
    CHECK(ParseHeader(b, {}).error().code() == ErrorCode::malformed);
  }
}

TEST_CASE("Header codec: a header of 65535 EDKs is rejected at the count, quickly") {
  // Only the count is written: the parser must refuse before wanting the EDKs.
  auto h = MakeHeader(1);
  auto bytes = *SerializeHeaderBody(h);
  bytes.resize(1 + 2 + 32 + 2);
  AppendUint(bytes, 65535, 2);
  DecodeLimits limits;
  limits.max_encrypted_data_keys = 10;
  const auto start = std::chrono::steady_clock::now();
  auto parsed = ParseHeader(bytes, limits);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code() == ErrorCode::limit_exceeded);
  CHECK(elapsed < std::chrono::milliseconds(50));

  // A real 65535-EDK header (about 3.6 MB) is refused under the default
  // limits too, and accepted when both limits allow it.
  auto big = *SerializeHeader(MakeHeader(65535));
  CHECK(ParseHeader(big, {}).error().code() == ErrorCode::limit_exceeded);
  limits.max_encrypted_data_keys = 65535;
  limits.max_header_bytes = big.size();
  auto ok = ParseHeader(big, limits);
  REQUIRE(ok);
  CHECK(ok->header.encrypted_data_keys.size() == 65535);
  limits.max_header_bytes = big.size() - 1;
  CHECK(ParseHeader(big, limits).error().code() == ErrorCode::limit_exceeded);
}

TEST_CASE("Header codec: frame length and context size limits") {
  auto h = MakeHeader(1, {{"k", std::string(1000, 'v')}});
  h.frame_length = 1u << 20;
  const auto bytes = *SerializeHeader(h);
  DecodeLimits limits;
  CHECK(ParseHeader(bytes, limits));
  limits.max_frame_length = (1u << 20) - 1;
  CHECK(ParseHeader(bytes, limits).error().code() == ErrorCode::limit_exceeded);
  limits = {};
  limits.max_context_bytes = 1000;
  CHECK(ParseHeader(bytes, limits).error().code() == ErrorCode::limit_exceeded);
}

TEST_CASE("Context codec: canonical order is by raw UTF-8 bytes") {
  // U+00E9 (c3 a9) sorts after 'z' (7a) by bytes, though locales put it first.
  EncryptionContext ctx{{"z", "1"}, {"\xc3\xa9", "2"}, {"A", "3"}};
  auto bytes = SerializeContext(ctx);
  REQUIRE(bytes);
  const std::vector<uint8_t> expected = {0, 3, 0,   1, 'A', 0,    1,    '3', 0, 1,  'z',
                                         0, 1, '1', 0, 2,   0xc3, 0xa9, 0,   1, '2'};
  CHECK(*bytes == expected);
  CHECK(*ParseContext(*bytes) == ctx);
  CHECK(SerializeContext({})->empty());
  CHECK(ParseContext({})->empty());
}

TEST_CASE("Context codec: rejects unsorted, duplicate, bad UTF-8, zero count, leftovers") {
  const std::vector<uint8_t> unsorted = {0, 2, 0, 1, 'b', 0, 0, 0, 1, 'a', 0, 0};
  const std::vector<uint8_t> duplicate = {0, 2, 0, 1, 'a', 0, 0, 0, 1, 'a', 0, 0};
  const std::vector<uint8_t> bad_utf8 = {0, 1, 0, 1, 0xff, 0, 0};
  const std::vector<uint8_t> overlong = {0, 1, 0, 2, 0xc0, 0xaf, 0, 0};
  const std::vector<uint8_t> zero_count = {0, 0};
  const std::vector<uint8_t> leftover = {0, 1, 0, 1, 'a', 0, 0, 9};
  const std::vector<uint8_t> short_pair = {0, 1, 0, 5, 'a'};
  for (const auto* b :
       {&unsorted, &duplicate, &bad_utf8, &overlong, &zero_count, &leftover, &short_pair}) {
    auto r = ParseContext(*b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
  }
  CHECK_FALSE(SerializeContext({{"k", "\xed\xa0\x80"}}));  // a UTF-16 surrogate
  CHECK_FALSE(SerializeContext({{"", "v"}}));
  CHECK_FALSE(SerializeContext({{"k", std::string(70000, 'v')}}));
}

TEST_CASE("Base64: RFC 4648 answers and strict decoding") {
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    CHECK(Base64Encode(Bytes(plain)) == encoded);
    CHECK(*Base64Decode(encoded) == Bytes(plain));
  }
  for (const char* bad :
       {"Zg=", "Zg", "Zh==", "Zm9=", "Z===", "Zm9v\n", "Zm9v====", "Z=9v", "Zm-v"}) {
    CAPTURE(bad);
    CHECK_FALSE(Base64Decode(bad));
  }
}

}  // namespace
}  // namespace envelope::message
