// envelope/armor.hpp: base64 armor in pieces of any size.
#include "envelope/armor.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace envelope {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string Armor(const std::vector<uint8_t>& data, size_t piece) {
  std::vector<uint8_t> out;
  MemorySink sink(out);
  ArmorSink armor(sink);
  for (size_t i = 0; i < data.size(); i += piece) {
    const size_t n = std::min(piece, data.size() - i);
    REQUIRE(armor.Write(std::span(data).subspan(i, n)));
  }
  REQUIRE(armor.Close());
  return {out.begin(), out.end()};
}

Result<std::vector<uint8_t>> Dearmor(std::string_view text, size_t piece) {
  ArmorDecoder decoder;
  std::vector<uint8_t> out;
  const auto bytes = Bytes(text);
  for (size_t i = 0; i < bytes.size(); i += piece) {
    const size_t n = std::min(piece, bytes.size() - i);
    ENVELOPE_RETURN_IF_ERROR(decoder.Decode(std::span(bytes).subspan(i, n), out));
  }
  ENVELOPE_RETURN_IF_ERROR(decoder.Finish());
  return out;
}

TEST_CASE("Armor: RFC 4648 test vectors, one line each") {
  CHECK(Armor(Bytes(""), 1) == "");
  CHECK(Armor(Bytes("f"), 1) == "Zg==\n");
  CHECK(Armor(Bytes("fo"), 1) == "Zm8=\n");
  CHECK(Armor(Bytes("foo"), 2) == "Zm9v\n");
  CHECK(Armor(Bytes("foobar"), 4) == "Zm9vYmFy\n");
  CHECK(Base64(Bytes("foob")) == "Zm9vYg==");
}

TEST_CASE("Armor: 76-character lines; any piece sizes round trip") {
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 37 + 11);
  for (size_t piece : {1, 2, 3, 5, 57, 1000}) {
    CAPTURE(piece);
    const std::string text = Armor(data, piece);
    size_t start = 0;
    while (start < text.size()) {
      const size_t nl = text.find('\n', start);
      REQUIRE(nl != std::string::npos);
      CHECK(nl - start <= ArmorSink::kLineLength);
      start = nl + 1;
    }
    CHECK(text == Armor(data, 1000));
    for (size_t dpiece : {1, 3, 4, 77, 5000}) {
      auto back = Dearmor(text, dpiece);
      REQUIRE(back);
      CHECK(*back == data);
    }
  }
}

TEST_CASE("ArmorDecoder: whitespace ignored, everything else refused") {
  auto spaced = Dearmor(" Zm9v\r\nYmE=\n\t", 1);
  REQUIRE(spaced);
  CHECK(*spaced == Bytes("fooba"));
  for (std::string bad :
       {"Zm9v*", "Zm9=v", "Z===", "Zg==Zg==", "Zm9", "Zh==", "Zm9vY", "Zg===", "=Zg="}) {
    CAPTURE(bad);
    auto r = Dearmor(bad, 1);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::malformed);
  }
}

TEST_CASE("LooksArmored: the version byte of a binary message is not base64") {
  const uint8_t binary[] = {0x02, 0x04, 0x78};
  const uint8_t legacy[] = {0x01, 0x80};
  CHECK_FALSE(LooksArmored(binary));
  CHECK_FALSE(LooksArmored(legacy));
  CHECK(LooksArmored(Bytes("AgR4")));
  CHECK(LooksArmored(Bytes("\n  AgR4")));
  CHECK_FALSE(LooksArmored(Bytes("")));
}

}  // namespace
}  // namespace envelope
