// Round trips through Encryptor and Decryptor: both suites, frame lengths
// 1 .. 1 MiB, plaintext sizes around the frame length, pieces of any size,
// byte-identical output on 1, 2 and 8 threads.
#include <doctest/doctest.h>

#include "envelope/message.hpp"
#include "message_test_util.h"

namespace envelope::testing {
namespace {

uint64_t ExpectedFrames(size_t size, uint32_t frame) {
  return size == 0 ? 1 : (size + frame - 1) / frame;
}

TEST_CASE("Message: round trip of both suites over frame lengths and plaintext sizes") {
  FixedCmm cmm;
  for (auto suite : {kUnsigned, kSigned}) {
    for (uint32_t frame : {1u, 4096u, 65536u, 1u << 20}) {
      std::vector<size_t> sizes = {0, 1, frame - 1u, frame, frame + 1u, 3u * frame};
      // 10 MiB with one-byte frames would be 10 million frames: the small
      // sizes cover that frame length.
      if (frame > 1) sizes.push_back(10u << 20);
      for (size_t size : sizes) {
        CAPTURE(static_cast<int>(suite));
        CAPTURE(frame);
        CAPTURE(size);
        const auto plaintext = Pattern(size);
        EncryptParams p;
        p.suite = suite;
        p.frame_length = frame;
        p.context = {{"purpose", "round trip"}, {"\xe2\x82\xac-key", "\xf0\x9f\x94\x91"}};
        const auto message = EncryptWith(cmm, plaintext, p);
        std::vector<uint8_t> out;
        REQUIRE(DecryptWith(cmm, message, out));
        CHECK(out == plaintext);
        // Every frame but the last is full, and the last holds 1..frame bytes.
        MemorySource source(message);
        auto info = InspectMessage(source);
        REQUIRE(info);
        CHECK(info->frame_count == ExpectedFrames(size, frame));
        CHECK(info->plaintext_size == size);
        CHECK(info->header.context.contains("\xe2\x82\xac-key"));
        CHECK(info->header.frame_length == frame);
        CHECK((info->footer_size > 0) == (suite == kSigned));
        CHECK(info->header.header_size + info->body_size + info->footer_size == message.size());
      }
    }
  }
}

TEST_CASE("Message: 1, 2 and 8 threads give byte-identical messages (fixed id and key)") {
  FixedCmm cmm;
  const std::vector<uint8_t> id(32, 0x11);
  for (uint32_t frame : {4096u, 65536u}) {
    for (size_t size : {size_t{0}, size_t{5000}, size_t{10} << 20}) {
      CAPTURE(frame);
      CAPTURE(size);
      const auto plaintext = Pattern(size);
      std::vector<std::vector<uint8_t>> messages;
      for (unsigned threads : {1u, 2u, 8u}) {
        EncryptParams p;
        p.frame_length = frame;
        p.threads = threads;
        p.message_id = id;
        messages.push_back(EncryptWith(cmm, plaintext, p));
      }
      CHECK(messages[0] == messages[1]);
      CHECK(messages[0] == messages[2]);
      std::vector<uint8_t> out;
      DecryptOptions options;
      options.threads = 8;
      REQUIRE(DecryptWith(cmm, messages[0], out, options));
      CHECK(out == plaintext);
    }
  }
  // Without the hook the message id is fresh per message.
  const auto a = EncryptWith(cmm, Pattern(10)), b = EncryptWith(cmm, Pattern(10));
  CHECK(std::vector(a.begin() + 3, a.begin() + 35) != std::vector(b.begin() + 3, b.begin() + 35));
}

TEST_CASE("Message: pushing in pieces of any size gives the same message and plaintext") {
  // 300000 bytes is several batches of 4096-byte frames: one Update seals
  // straight from the input, small pieces go through the pending buffer,
  // and a piece of enough whole frames (one with one thread, 4 per thread
  // otherwise) is sealed in one batch with the frame held back before it.
  FixedCmm cmm;
  const auto plaintext = Pattern(300000);
  EncryptParams p;
  p.message_id = std::vector<uint8_t>(32, 3);
  const auto whole = EncryptWith(cmm, plaintext, p);
  for (unsigned threads : {1u, 2u, 8u}) {
    p.threads = threads;
    for (size_t piece : {1u, 7u, 4095u, 4096u, 4097u, 8191u, 30000u, 32768u, 32769u, 65536u, 65537u,
                         131073u, 200000u}) {
      CAPTURE(threads);
      CAPTURE(piece);
      p.piece = piece;
      CHECK(EncryptWith(cmm, plaintext, p) == whole);
      if (threads == 1) {
        std::vector<uint8_t> out;
        REQUIRE(DecryptWith(cmm, whole, out, {}, piece));
        CHECK(out == plaintext);
      }
    }
  }
  p.threads = 1;
  // A signed message decrypts in pieces too.
  EncryptParams s;
  s.suite = kSigned;
  const auto signed_message = EncryptWith(cmm, plaintext, s);
  std::vector<uint8_t> out;
  REQUIRE(DecryptWith(cmm, signed_message, out, {}, 1000));
  CHECK(out == plaintext);
}

TEST_CASE("Message: encrypt refuses what it must not write") {
  FixedCmm cmm;
  std::vector<uint8_t> out;
  MemorySink sink(out);
  auto materials = [&](AlgorithmSuiteId suite, EncryptionContext ctx = {}) {
    EncryptionMaterialsRequest request;
    request.suite = suite;
    request.context = std::move(ctx);
    return std::move(*cmm.GetEncryptionMaterials(request));
  };
  message::EncryptorConfig config;
  config.frame_length = 0;
  CHECK(message::Encryptor::New(materials(kUnsigned), config, sink).error().code() ==
        ErrorCode::invalid_argument);
  config.frame_length = 4096;
  config.commitment_policy = CommitmentPolicy::forbid_encrypt_allow_decrypt;
  CHECK_FALSE(message::Encryptor::New(materials(kUnsigned), config, sink));
  config.commitment_policy = CommitmentPolicy::require_encrypt_require_decrypt;
  // A legacy suite, an unsigned suite with a public key, a missing EDK.
  CHECK_FALSE(message::Encryptor::New(
      materials(AlgorithmSuiteId::aes_256_gcm_iv12_tag16_hkdf_sha256), config, sink));
  CHECK_FALSE(message::Encryptor::New(
      materials(kUnsigned, {{std::string(kPublicKeyContextKey), "AAAA"}}), config, sink));
  auto no_edk = materials(kUnsigned);
  no_edk.encrypted_data_keys.clear();
  CHECK_FALSE(message::Encryptor::New(std::move(no_edk), config, sink));
  // A signed suite whose published key is not the signing key's.
  auto mismatched = materials(kSigned);
  mismatched.signing_key = *NewSigningKey();
  CHECK_FALSE(message::Encryptor::New(std::move(mismatched), config, sink));
  CHECK(out.empty());
}

TEST_CASE(
    "Message: a signed message is hashed while the next batch seals, in order, on any threads") {
  // Several batches: each one is hashed and written while the next seals,
  // the last one by Finish. The frames must not depend on the threads or
  // the pieces (the header does: a fresh signing key per message), and the
  // signature must verify.
  FixedCmm cmm;
  const std::vector<uint8_t> id(32, 0x21);
  for (size_t size : {size_t{0}, size_t{5000}, size_t{6} << 20}) {
    const auto plaintext = Pattern(size);
    std::vector<uint8_t> reference;
    for (unsigned threads : {1u, 2u, 8u}) {
      for (size_t piece : {size_t{0}, size_t{1} << 20, size_t{70001}}) {
        CAPTURE(size);
        CAPTURE(threads);
        CAPTURE(piece);
        EncryptParams p;
        p.suite = kSigned;
        p.threads = threads;
        p.message_id = id;
        p.piece = piece;
        const auto message = EncryptWith(cmm, plaintext, p);
        MemorySource source(message);
        auto info = InspectMessage(source);
        REQUIRE(info);
        REQUIRE(info->footer_size > 0);
        const auto frames = std::span(message).subspan(info->header.header_size, info->body_size);
        const std::vector<uint8_t> body(frames.begin(), frames.end());
        if (reference.empty()) reference = body;
        CHECK(body == reference);
        std::vector<uint8_t> out;
        DecryptOptions options;
        options.threads = threads;
        REQUIRE(DecryptWith(cmm, message, out, options));
        CHECK(out == plaintext);
      }
    }
  }
}

}  // namespace
}  // namespace envelope::testing
