// fuzz target inspect: InspectMessage (lib/message/inspect.cc), the keyless
// walk over a message's header, frames and footer that `envelope inspect`
// shows.
//
// Input: a message, as is (the message_decrypt seeds fit). Properties:
//  - the answer does not depend on how the source hands out the bytes (all
//    at once, or in pieces of 1..997 bytes chosen from a hash of the input);
//  - an accepted message is exactly header + body + footer bytes; its header
//    is what ParseHeader gives; a framed body is its frames' plaintext plus
//    32 bytes per regular frame and 40 for the final one, with every regular
//    frame full and the final one at most a frame; a non-framed body is the
//    plaintext plus 36 bytes; a footer exactly for signed suites;
//  - a message that Decrypt accepts (the raw AES key of fuzz_keys.h) is
//    accepted, with Decrypt's header and plaintext size.
#include <cstddef>
#include <cstdint>
#include <span>

#include "envelope/io.hpp"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "message/header.h"
#include "message/suite.h"

namespace {

using namespace envelope;

// PieceSource hands out at most `piece` bytes per Read.
class PieceSource final : public Source {
 public:
  PieceSource(std::span<const uint8_t> data, size_t piece) : data_(data), piece_(piece) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    const size_t n = std::min({out.size(), data_.size(), piece_});
    std::copy_n(data_.begin(), n, out.begin());
    data_ = data_.subspan(n);
    return n;
  }

 private:
  std::span<const uint8_t> data_;
  size_t piece_;
};

bool SameHeader(const HeaderInfo& a, const HeaderInfo& b) {
  return a.version == b.version && a.suite == b.suite && a.message_id == b.message_id &&
         a.context == b.context && a.encrypted_data_keys == b.encrypted_data_keys &&
         a.framed == b.framed && a.frame_length == b.frame_length && a.header_size == b.header_size;
}

bool SameInfo(const MessageInfo& a, const MessageInfo& b) {
  return SameHeader(a.header, b.header) && a.body_size == b.body_size &&
         a.frame_count == b.frame_count && a.footer_size == b.footer_size &&
         a.plaintext_size == b.plaintext_size;
}

void CheckAccepted(std::span<const uint8_t> in, const MessageInfo& info) {
  const HeaderInfo& h = info.header;
  FUZZ_CHECK(h.header_size + info.body_size + info.footer_size == in.size());
  auto parsed = message::ParseHeader(in, {});
  FUZZ_CHECK(parsed.has_value());
  FUZZ_CHECK(SameHeader(message::ToHeaderInfo(*parsed), h));
  if (h.framed) {
    FUZZ_CHECK(info.frame_count >= 1);
    const uint64_t regular = info.frame_count - 1;
    FUZZ_CHECK(info.body_size == info.plaintext_size + 32 * regular + 40);
    FUZZ_CHECK(info.plaintext_size >= regular * h.frame_length);
    FUZZ_CHECK(info.plaintext_size <= info.frame_count * uint64_t{h.frame_length});
  } else {
    FUZZ_CHECK(info.frame_count == 0);
    FUZZ_CHECK(info.body_size == info.plaintext_size + 36);
  }
  const auto* suite = message::FindSuite(static_cast<uint16_t>(h.suite));
  FUZZ_CHECK(suite != nullptr);
  FUZZ_CHECK((info.footer_size > 0) == suite->signed_suite());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto cmm = [] {
    auto c = NewDefaultCmm(fuzz::AesKeyring());
    FUZZ_CHECK(c.has_value());
    return *c;
  }();
  const std::span<const uint8_t> in(data, size);
  MemorySource whole(in);
  auto info = InspectMessage(whole);
  PieceSource pieces(in, 1 + fuzz::Mix(in) % 997);
  auto again = InspectMessage(pieces);
  FUZZ_CHECK(info.has_value() == again.has_value());
  if (info) {
    FUZZ_CHECK(SameInfo(*info, *again));
    CheckAccepted(in, *info);
  } else {
    FUZZ_CHECK(info.error().code() == again.error().code());
    FUZZ_CHECK(info.error().code() == ErrorCode::malformed ||
               info.error().code() == ErrorCode::truncated ||
               info.error().code() == ErrorCode::limit_exceeded);
  }

  DecryptOptions options;
  options.commitment_policy = CommitmentPolicy::forbid_encrypt_allow_decrypt;
  auto plain = Decrypt(in, *cmm, options);
  if (plain) {
    FUZZ_CHECK(info.has_value());
    FUZZ_CHECK(SameHeader(plain->header, info->header));
    FUZZ_CHECK(plain->plaintext.size() == info->plaintext_size);
  }
  return 0;
}
