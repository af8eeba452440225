// fuzz target armor: the armor decoder of include/envelope/armor.hpp
// (lib/message/armor.cc), which reads what `decrypt` and `inspect` are given
// when it looks like text.
//
// Input: the text, as is. Properties:
//  - decoding it whole and in pieces cut where the input's hash says gives
//    the same decision and, when accepted, the same bytes;
//  - the decision and the bytes are those of the strict one-shot decoder
//    (Base64Decode of lib/message/base64.h) on the text without its
//    whitespace: the streaming decoder is only the strict one plus line
//    breaks;
//  - ArmorSink encodes the accepted bytes, in pieces, into lines of at most
//    76 characters ending in a newline that LooksArmored recognises and that
//    decode back to the same bytes;
//  - a failure is `malformed`.
#include "envelope/armor.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "message/base64.h"

namespace {

using namespace envelope;

// Decoded is the result of decoding a text in pieces.
struct Decoded {
  bool ok = false;
  ErrorCode code = ErrorCode::internal;
  std::vector<uint8_t> bytes;
};

// DecodePieces decodes `text` in pieces of 1 to 32 bytes chosen by `cuts`
// (5 bits a piece, then the rest at once), or whole for cuts == 0.
Decoded DecodePieces(std::span<const uint8_t> text, uint64_t cuts) {
  ArmorDecoder decoder;
  Decoded out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t n =
        cuts == 0 ? text.size() - pos : std::min<size_t>(text.size() - pos, 1 + (cuts & 31));
    cuts >>= 5;
    if (auto r = decoder.Decode(text.subspan(pos, n), out.bytes); !r) {
      out.code = r.error().code();
      return out;
    }
    pos += n;
  }
  auto end = decoder.Finish();
  out.ok = end.has_value();
  if (!end) out.code = end.error().code();
  return out;
}

// Armor encodes `bytes` with ArmorSink in pieces chosen by `cuts`.
std::vector<uint8_t> Armor(std::span<const uint8_t> bytes, uint64_t cuts) {
  std::vector<uint8_t> text;
  class Collect final : public Sink {
   public:
    explicit Collect(std::vector<uint8_t>& out) : out_(out) {}
    Result<void> Write(std::span<const uint8_t> data) override {
      out_.insert(out_.end(), data.begin(), data.end());
      return {};
    }

   private:
    std::vector<uint8_t>& out_;
  } sink(text);
  ArmorSink armor(sink);
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t n = std::min<size_t>(bytes.size() - pos, 1 + (cuts & 127));
    cuts = cuts >> 7 | cuts << 57;
    FUZZ_CHECK(armor.Write(bytes.subspan(pos, n)).has_value());
    pos += n;
  }
  FUZZ_CHECK(armor.Close().has_value());
  return text;
}

bool IsSpace(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> text(data, size);
  const uint64_t cuts = fuzz::Mix(text) | 1;
  const Decoded whole = DecodePieces(text, 0);
  const Decoded pieces = DecodePieces(text, cuts);
  FUZZ_CHECK(whole.ok == pieces.ok);
  if (!whole.ok) {
    FUZZ_CHECK(whole.code == ErrorCode::malformed && pieces.code == ErrorCode::malformed);
  }

  std::string compact;
  for (const uint8_t c : text) {
    if (!IsSpace(c)) compact.push_back(static_cast<char>(c));
  }
  const auto strict = message::Base64Decode(compact);
  FUZZ_CHECK(strict.has_value() == whole.ok);
  if (!whole.ok) return 0;
  FUZZ_CHECK(whole.bytes == pieces.bytes);
  FUZZ_CHECK(*strict == whole.bytes);

  const std::vector<uint8_t> again = Armor(whole.bytes, cuts);
  if (whole.bytes.empty()) {
    FUZZ_CHECK(again.empty());
    return 0;
  }
  FUZZ_CHECK(LooksArmored(again));
  FUZZ_CHECK(again.back() == '\n');
  size_t column = 0;
  for (const uint8_t c : again) {
    column = c == '\n' ? 0 : column + 1;
    FUZZ_CHECK(column <= ArmorSink::kLineLength);
  }
  const Decoded back = DecodePieces(again, cuts);
  FUZZ_CHECK(back.ok && back.bytes == whole.bytes);
  return 0;
}
