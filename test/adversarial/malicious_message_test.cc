// Hand-built malicious ESDK messages: huge length fields, 65535 EDKs, frame
// length 2^32-1, zero-length everything, context count vs length
// mismatches, empty nested fields. Each must be refused (or, for the
// legitimately huge header, handled) within kMemoryBound of memory, and the
// decision must come from a bounded prefix of the input: the parser gives
// the same answer on that prefix, and a streaming decryptor fails before
// it was fed more than 1.5 times the prefix plus one piece. Times are
// printed, not asserted.
#include <doctest/doctest.h>

#include <span>

#include "adversarial_util.h"
#include "envelope/message.hpp"
#include "message/header.h"

namespace envelope::testing {
namespace {

constexpr size_t kPiece = 4096;

// HeaderV2 lays out a v2 header field by field; each case breaks one.
struct HeaderV2 {
  uint16_t suite = 0x0478;
  Bytes context;         // the AAD field as stored
  int64_t aad_len = -1;  // -1: context.size()
  uint16_t edk_count = 1;
  Bytes edks = {0, 1, 'p', 0, 1, 'i', 0, 1, 'c'};
  uint8_t content_type = 2;
  uint32_t frame_length = 4096;

  Bytes Build() const {
    Bytes out = {2};
    Put(out, suite, 2);
    Append(out, Bytes(32, 0x11));  // message id
    Put(out, aad_len < 0 ? context.size() : static_cast<uint64_t>(aad_len), 2);
    Append(out, context);
    Put(out, edk_count, 2);
    Append(out, edks);
    out.push_back(content_type);
    Put(out, frame_length, 4);
    Append(out, Bytes(32 + 16, 0x22));  // commit key, tag
    return out;
  }
  // PrefixToEdks is where the EDK count field ends.
  size_t PrefixToEdks() const { return 1 + 2 + 32 + 2 + context.size() + 2; }
};

// FedUntilFailure pushes `in` in kPiece pieces into a MessageDecryptor and
// returns how many bytes it had been given when a call failed (or
// in.size() + 1 when nothing failed, Finish included).
size_t FedUntilFailure(std::span<const uint8_t> in, const DecryptOptions& options,
                       ErrorCode* code) {
  auto cmm = NewDefaultCmm(TestKeyring());
  REQUIRE(cmm.has_value());
  Bytes out;
  MemorySink sink(out);
  auto dec = MessageDecryptor::New(**cmm, options, sink);
  REQUIRE(dec.has_value());
  size_t fed = 0;
  while (fed < in.size()) {
    const size_t n = std::min(kPiece, in.size() - fed);
    fed += n;
    if (auto r = (*dec)->Update(in.subspan(fed - n, n)); !r) {
      *code = r.error().code();
      CHECK(out.empty());
      return fed;
    }
  }
  if (auto r = (*dec)->Finish(); !r) {
    *code = r.error().code();
    CHECK(out.empty());
    return fed;
  }
  return in.size() + 1;
}

// ExpectRefused checks that `in` is refused with `code` by the header parser
// from its first `prefix` bytes alone, by the streaming decryptor before
// more than prefix + kPiece bytes, and by one-shot decryption, all within
// the memory bound.
void ExpectRefused(const std::string& name, const Bytes& in, size_t prefix, ErrorCode code,
                   DecodeLimits limits = {}) {
  CAPTURE(name);
  REQUIRE(prefix <= in.size());
  Bounded(name, [&] {
    auto whole = message::ParseHeader(in, limits);
    REQUIRE_FALSE(whole.has_value());
    CHECK(whole.error().code() == code);
    auto head = message::ParseHeader(std::span(in).first(prefix), limits);
    REQUIRE_FALSE(head.has_value());
    CHECK(head.error().code() == code);

    DecryptOptions options;
    options.limits = limits;
    ErrorCode streamed = ErrorCode::internal;
    const size_t fed = FedUntilFailure(in, options, &streamed);
    // The streaming decryptor re-parses a truncated header only once its
    // input grew by half (so small pieces cost no quadratic time): it may
    // take up to half the prefix again before it decides.
    CHECK(fed <= prefix + prefix / 2 + kPiece);
    CHECK(streamed == code);

    auto cmm = NewDefaultCmm(TestKeyring());
    REQUIRE(cmm.has_value());
    auto one = Decrypt(in, **cmm, options);
    REQUIRE_FALSE(one.has_value());
    CHECK(one.error().code() == code);
  });
}

TEST_CASE("Adversarial: header length fields far past the data") {
  SUBCASE("encryption context length 65535 over the context limit") {
    HeaderV2 h;
    h.aad_len = 0xffff;
    h.context = {0, 1, 0, 1, 'k', 0, 1, 'v'};
    ExpectRefused("aad length 65535", h.Build(), 1 + 2 + 32 + 2, ErrorCode::limit_exceeded);
  }
  SUBCASE("encryption context length 65535 allowed, 8 bytes present") {
    HeaderV2 h;
    h.aad_len = 0xffff;
    h.context = {0, 1, 0, 1, 'k', 0, 1, 'v'};
    DecodeLimits limits;
    limits.max_context_bytes = 0xffff;
    // Not enough bytes: the parser says `truncated`, never reads past.
    ExpectRefused("aad length 65535, 8 present", h.Build(), h.Build().size(), ErrorCode::truncated,
                  limits);
  }
  SUBCASE("EDK provider id, info and ciphertext lengths 65535") {
    for (int field = 0; field < 3; ++field) {
      HeaderV2 h;
      h.edks = {0, 1, 'p', 0, 1, 'i', 0, 1, 'c'};
      h.edks[field * 3] = 0xff;
      h.edks[field * 3 + 1] = 0xff;
      ExpectRefused("EDK field length 65535 #" + std::to_string(field), h.Build(), h.Build().size(),
                    ErrorCode::truncated);
    }
  }
  SUBCASE("64 EDKs claiming 3 x 65535 bytes each: over the header limit") {
    HeaderV2 h;
    h.edk_count = 64;
    h.edks.clear();
    Bytes big(2 * 1024 * 1024, 0x33);  // 2 MiB of claimed EDK bytes
    for (int i = 0; i < 32; ++i) {
      Put(h.edks, 0xffff, 2);
      h.edks.insert(h.edks.end(), big.begin(), big.begin() + 0xffff);
    }
    DecodeLimits limits;
    ExpectRefused("header over 1 MiB", h.Build(), limits.max_header_bytes,
                  ErrorCode::limit_exceeded);
  }
}

TEST_CASE("Adversarial: 65535 encrypted data keys") {
  HeaderV2 h;
  h.edk_count = 0xffff;
  SUBCASE("refused from the count field under the default limit of 64") {
    ExpectRefused("65535 EDKs, default limits", h.Build(), h.PrefixToEdks(),
                  ErrorCode::limit_exceeded);
  }
  SUBCASE("all present and allowed: parsed, then refused by the keyring") {
    h.edks.clear();
    // Each for another key (provider info i): identical ones would stop at
    // the materials manager's limit of 4 EDKs per key.
    for (int i = 0; i < 0xffff; ++i) {
      Append(h.edks, {0, 1, 'x', 0, 2, uint8_t(i >> 8), uint8_t(i), 0, 0});
    }
    const Bytes in = h.Build();
    DecodeLimits limits;
    limits.max_encrypted_data_keys = 0xffff;
    Bounded("65535 EDKs present", [&] {
      auto parsed = message::ParseHeader(in, limits);
      REQUIRE(parsed.has_value());
      CHECK(parsed->header.encrypted_data_keys.size() == 0xffff);
      CHECK(parsed->total_size == in.size());
      DecryptOptions options;
      options.limits = limits;
      ErrorCode code = ErrorCode::internal;
      CHECK(FedUntilFailure(in, options, &code) <= in.size());
      CHECK(code == ErrorCode::not_found);  // no EDK is for our keyring
    });
  }
}

TEST_CASE("Adversarial: frame length 2^32-1") {
  HeaderV2 h;
  h.frame_length = 0xffffffff;
  const size_t prefix = h.Build().size() - 48;  // up to the frame length field
  ExpectRefused("frame length 2^32-1", h.Build(), prefix, ErrorCode::limit_exceeded);
  h.frame_length = 0;
  ExpectRefused("frame length 0", h.Build(), prefix, ErrorCode::malformed);
  h.content_type = 1;  // non-framed with a frame length
  h.frame_length = 0xffffffff;
  ExpectRefused("non-framed with frame length", h.Build(), prefix, ErrorCode::malformed);
}

TEST_CASE("Adversarial: zero-length everything") {
  SUBCASE("empty input") {
    Bounded("empty input", [] {
      auto parsed = message::ParseHeader({}, {});
      REQUIRE_FALSE(parsed.has_value());
      CHECK(parsed.error().code() == ErrorCode::truncated);
      auto cmm = NewDefaultCmm(TestKeyring());
      REQUIRE(cmm.has_value());
      auto one = Decrypt(Bytes{}, **cmm);
      REQUIRE_FALSE(one.has_value());
      CHECK(one.error().code() == ErrorCode::truncated);
    });
  }
  SUBCASE("no context, no EDKs") {
    HeaderV2 h;
    h.edk_count = 0;
    h.edks.clear();
    ExpectRefused("zero EDKs", h.Build(), h.PrefixToEdks(), ErrorCode::malformed);
  }
  SUBCASE("one EDK of three empty fields, empty body") {
    HeaderV2 h;
    h.edks = {0, 0, 0, 0, 0, 0};
    const Bytes in = h.Build();
    Bounded("empty EDK", [&] {
      auto parsed = message::ParseHeader(in, {});
      REQUIRE(parsed.has_value());  // well-formed; nobody can open it
      ErrorCode code = ErrorCode::internal;
      CHECK(FedUntilFailure(in, {}, &code) <= in.size());
      CHECK(code == ErrorCode::not_found);
    });
  }
}

TEST_CASE("Adversarial: encryption context count against length") {
  struct Case {
    const char* name;
    Bytes context;
  };
  const Case cases[] = {
      {"count 5, two bytes", {0, 5}},
      {"count 0 in a non-empty field", {0, 0}},
      {"count 65535, one pair", {0xff, 0xff, 0, 1, 'k', 0, 1, 'v'}},
      {"pair longer than the field", {0, 1, 0, 9, 'k', 0, 1, 'v'}},
      {"value length past the field", {0, 1, 0, 1, 'k', 0xff, 0xff}},
      {"one byte", {7}},
      {"nested nothing: one pair, empty key and value", {0, 1, 0, 0, 0, 0}},
      {"two equal pairs", {0, 2, 0, 1, 'k', 0, 1, 'v', 0, 1, 'k', 0, 1, 'v'}},
      {"unsorted pairs", {0, 2, 0, 1, 'z', 0, 0, 0, 1, 'a', 0, 0}},
      {"trailing byte after the pairs", {0, 1, 0, 1, 'k', 0, 1, 'v', 0}},
  };
  for (const Case& c : cases) {
    HeaderV2 h;
    h.context = c.context;
    ExpectRefused(c.name, h.Build(), 1 + 2 + 32 + 2 + c.context.size(), ErrorCode::malformed);
  }
}

TEST_CASE("Adversarial: hostile frames after an authentic header") {
  auto cmm = NewDefaultCmm(TestKeyring());
  REQUIRE(cmm.has_value());
  EncryptOptions eo;
  eo.frame_length = 4096;
  auto message = Encrypt(Bytes(10000, 'p'), **cmm, eo);
  REQUIRE(message.has_value());
  auto parsed = message::ParseHeader(*message, {});
  REQUIRE(parsed.has_value());
  const Bytes header(message->begin(), message->begin() + parsed->total_size);
  const size_t frame = 4 + 12 + 4096 + 16;

  auto with = [&](const Bytes& body) {
    Bytes m = header;
    Append(m, body);
    return m;
  };
  Bytes iv1(12, 0);
  iv1[11] = 1;  // the deterministic IV of frame 1

  struct Case {
    const char* name;
    Bytes body;
    ErrorCode code;
  };
  Bytes seq0 = {0, 0, 0, 0};
  Append(seq0, Bytes(frame, 0));
  Bytes seq_max = {0xff, 0xff, 0xff, 0xfe};
  Append(seq_max, Bytes(frame, 0));
  Bytes final_huge = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1};
  Append(final_huge, iv1);
  Put(final_huge, 0xffffffff, 4);
  Append(final_huge, Bytes(64, 0));
  Bytes bad_tag = {0, 0, 0, 1};
  Append(bad_tag, iv1);
  Append(bad_tag, Bytes(4096 + 16 + frame, 0x5a));
  Bytes zero_final = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1};
  Append(zero_final, iv1);
  Put(zero_final, 0, 4);
  Append(zero_final, Bytes(16, 0));
  const Case cases[] = {
      {"sequence number 0", seq0, ErrorCode::auth_failed},
      {"sequence number 2^32-2", seq_max, ErrorCode::auth_failed},
      {"final frame length 2^32-1", final_huge, ErrorCode::malformed},
      {"first frame with a bad tag", bad_tag, ErrorCode::auth_failed},
      {"empty final frame with a zero tag", zero_final, ErrorCode::auth_failed},
      {"no frames at all", {}, ErrorCode::truncated},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const Bytes in = with(c.body);
    Bounded(c.name, [&] {
      ErrorCode code = ErrorCode::internal;
      const size_t fed = FedUntilFailure(in, {}, &code);
      CHECK(code == c.code);
      // Refused at the first frame: at most the header, one frame and one
      // piece were fed.
      CHECK(fed <= header.size() + frame + kPiece);
    });
  }
}

TEST_CASE("Adversarial: a frame at the frame length limit is buffered within bounds") {
  // 16 MiB frames (the default limit): a body that stops one byte short of
  // the first frame's tag, and one whose tag is wrong.
  auto cmm = NewDefaultCmm(TestKeyring());
  REQUIRE(cmm.has_value());
  EncryptOptions eo;
  eo.frame_length = 16u << 20;
  auto message = Encrypt(Bytes(10, 'p'), **cmm, eo);
  REQUIRE(message.has_value());
  auto parsed = message::ParseHeader(*message, {});
  REQUIRE(parsed.has_value());
  Bytes in(message->begin(), message->begin() + parsed->total_size);
  Put(in, 1, 4);
  Bytes iv1(12, 0);
  iv1[11] = 1;
  Append(in, iv1);
  in.resize(in.size() + (16u << 20) + 16 - 1, 0x77);
  Bounded("16 MiB frame, one byte short", [&] {
    ErrorCode code = ErrorCode::internal;
    CHECK(FedUntilFailure(in, {}, &code) == in.size());
    CHECK(code == ErrorCode::truncated);
  });
  in.push_back(0x77);
  Bounded("16 MiB frame, wrong tag", [&] {
    ErrorCode code = ErrorCode::internal;
    CHECK(FedUntilFailure(in, {}, &code) == in.size());
    CHECK(code == ErrorCode::auth_failed);
  });
}

TEST_CASE("Adversarial: signature length 65535 on a signed message") {
  auto cmm = NewDefaultCmm(TestKeyring());
  REQUIRE(cmm.has_value());
  EncryptOptions eo;
  eo.suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
  auto message = Encrypt(Bytes(100, 'p'), **cmm, eo);
  REQUIRE(message.has_value());
  // The footer is a 2-byte length and the DER signature at the end.
  Bytes in = *message;
  // Find the footer: the last 2 + n bytes where the length field says n.
  size_t footer = 0;
  for (size_t n = 64; n <= 110; ++n) {
    const size_t at = in.size() - n - 2;
    if ((size_t{in[at]} << 8 | in[at + 1]) == n) footer = at;
  }
  REQUIRE(footer != 0);
  in[footer] = 0xff;
  in[footer + 1] = 0xff;
  Bounded("signature length 65535", [&] {
    ErrorCode code = ErrorCode::internal;
    CHECK(FedUntilFailure(in, {}, &code) == in.size());
    CHECK(code == ErrorCode::auth_failed);
  });
}

}  // namespace
}  // namespace envelope::testing
