// fuzz target message_header: the ESDK header codec (lib/message/header).
//
// Input: the bytes of a message (a header, then anything). Properties:
//  - ParseHeader never reads past the span or the header limit: a header it
//    accepts ends within both, and the same header parses from exactly its
//    own bytes, while one byte less is `truncated`;
//  - every DecodeLimits bound holds for an accepted header, and accepting
//    under tight limits implies accepting under the default ones;
//  - serializing an accepted header gives back its bytes exactly (body and
//    whole header), as age's format tests and BoringSSL fuzz/pkcs8.cc check.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_util.h"
#include "message/context_codec.h"
#include "message/header.h"

namespace {

using envelope::DecodeLimits;
using envelope::ErrorCode;
namespace msg = envelope::message;

void CheckAccepted(std::span<const uint8_t> in, const msg::ParsedHeader& p,
                   const DecodeLimits& limits) {
  const msg::Header& h = p.header;
  FUZZ_CHECK(p.body_size < p.total_size);
  FUZZ_CHECK(p.total_size <= in.size());
  FUZZ_CHECK(p.total_size <= limits.max_header_bytes);
  FUZZ_CHECK(!h.encrypted_data_keys.empty());
  FUZZ_CHECK(h.encrypted_data_keys.size() <= limits.max_encrypted_data_keys);
  FUZZ_CHECK(h.frame_length <= limits.max_frame_length);
  auto context = msg::SerializeContext(h.context);
  FUZZ_CHECK(context.has_value());
  FUZZ_CHECK(context->size() <= limits.max_context_bytes);

  // Round trip: the header and its body serialize to the input bytes.
  auto whole = msg::SerializeHeader(h);
  FUZZ_CHECK(whole.has_value());
  FUZZ_CHECK(whole->size() == p.total_size);
  FUZZ_CHECK(std::equal(whole->begin(), whole->end(), in.begin()));
  auto body = msg::SerializeHeaderBody(h);
  FUZZ_CHECK(body.has_value());
  FUZZ_CHECK(body->size() == p.body_size);
  FUZZ_CHECK(std::equal(body->begin(), body->end(), in.begin()));

  // The header needs exactly its own bytes.
  auto exact = msg::ParseHeader(in.first(p.total_size), limits);
  FUZZ_CHECK(exact.has_value() && exact->total_size == p.total_size);
  auto shorter = msg::ParseHeader(in.first(p.total_size - 1), limits);
  FUZZ_CHECK(!shorter.has_value() && shorter.error().code() == ErrorCode::truncated);

  auto info = msg::ToHeaderInfo(p);
  FUZZ_CHECK(info.header_size == p.total_size);
  FUZZ_CHECK(info.message_id.size() == h.suite->message_id_size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  const DecodeLimits defaults;
  // Tight limits, so the fuzzer reaches every limit check with short inputs.
  DecodeLimits tight;
  tight.max_header_bytes = 600;
  tight.max_encrypted_data_keys = 3;
  tight.max_frame_length = 4096;
  tight.max_context_bytes = 100;

  auto loose = msg::ParseHeader(in, defaults);
  if (loose) CheckAccepted(in, *loose, defaults);
  auto strict = msg::ParseHeader(in, tight);
  if (strict) {
    CheckAccepted(in, *strict, tight);
    FUZZ_CHECK(loose.has_value() && loose->total_size == strict->total_size);
  } else if (strict.error().code() == ErrorCode::truncated) {
    // `truncated` promises that more input could help: never at the limit.
    FUZZ_CHECK(in.size() < tight.max_header_bytes);
  }
  if (!loose && loose.error().code() == ErrorCode::truncated) {
    FUZZ_CHECK(in.size() < defaults.max_header_bytes);
  }
  return 0;
}
