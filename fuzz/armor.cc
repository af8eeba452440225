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
//  - ArmorSink over a sink that fails from its n-th write on (n from the
//    input's hash, up to the number of writes the encoding takes) returns
//    the sink's `io` error from the Write or Close that reaches it, having
//    passed on a prefix of the text it writes otherwise;
//  - a failure is `malformed`;
//  - accepted text is the canonical base64 of its bytes (Base64) once its
//    whitespace is gone;
//  - LooksArmored accepts text only if its first 64 bytes are whitespace,
//    base64 digits and '=', at least one a digit, and accepts every text
//    that decodes and has a digit among them.
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

// Collect keeps what it is given until its `fail_at`-th Write (0: the
// first), from which on every Write fails with `io`; it counts the writes.
class Collect final : public Sink {
 public:
  explicit Collect(size_t fail_at = SIZE_MAX) : fail_at_(fail_at) {}
  Result<void> Write(std::span<const uint8_t> data) override {
    if (writes_++ >= fail_at_) return MakeError(ErrorCode::io, "fuzz: the sink fails");
    text_.insert(text_.end(), data.begin(), data.end());
    return {};
  }
  const std::vector<uint8_t> &text() const { return text_; }
  size_t writes() const { return writes_; }

 private:
  size_t fail_at_;
  size_t writes_ = 0;
  std::vector<uint8_t> text_;
};

// Armor encodes `bytes` with ArmorSink into `sink` in pieces chosen by
// `cuts`, stopping at the first error, which it returns.
Result<void> Armor(std::span<const uint8_t> bytes, uint64_t cuts, Collect &sink) {
  ArmorSink armor(sink);
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t n = std::min<size_t>(bytes.size() - pos, 1 + (cuts & 127));
    cuts = cuts >> 7 | cuts << 57;
    ENVELOPE_RETURN_IF_ERROR(armor.Write(bytes.subspan(pos, n)));
    pos += n;
  }
  return armor.Close();
}

bool IsSpace(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
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

  bool head_digit = false;
  bool head_other = false;
  for (const uint8_t c : text.first(std::min<size_t>(text.size(), 64))) {
    if (message::Base64Value(c) >= 0) {
      head_digit = true;
    } else if (!IsSpace(c) && c != '=') {
      head_other = true;
    }
  }
  const bool looks = LooksArmored(text);
  if (looks) FUZZ_CHECK(head_digit && !head_other);
  if (!whole.ok) return 0;
  if (head_digit) FUZZ_CHECK(looks);
  FUZZ_CHECK(whole.bytes == pieces.bytes);
  FUZZ_CHECK(*strict == whole.bytes);
  FUZZ_CHECK(Base64(whole.bytes) == compact);

  Collect sink;
  FUZZ_CHECK(Armor(whole.bytes, cuts, sink).has_value());
  const std::vector<uint8_t> &again = sink.text();
  // The same encoding into a sink that fails at one of its writes.
  const size_t fail_at = (cuts >> 13) % (sink.writes() + 1);
  Collect failing(fail_at);
  const auto failed = Armor(whole.bytes, cuts, failing);
  FUZZ_CHECK(failed.has_value() == (fail_at == sink.writes()));
  if (!failed) {
    FUZZ_CHECK(failed.error().code() == ErrorCode::io && failing.writes() == fail_at + 1);
  }
  FUZZ_CHECK(failing.text().size() <= again.size() &&
             std::equal(failing.text().begin(), failing.text().end(), again.begin()));
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
