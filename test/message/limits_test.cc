// One set of limits for both directions: the encryptor refuses, before it
// writes a byte, any message a decryptor with the same DecodeLimits would
// refuse, and what it accepts at the limits decrypts.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "message/header.h"
#include "message_test_util.h"

namespace envelope::testing {
namespace {

// Encrypting returns the encryptor's result and what reached the sink.
Result<std::unique_ptr<message::Encryptor>> New(const FixedCmm& cmm,
                                                const EncryptionContext& context,
                                                const message::EncryptorConfig& config,
                                                MemorySink& sink, size_t extra_edks = 0) {
  EncryptionMaterialsRequest request;
  request.context = context;
  auto materials = cmm.GetEncryptionMaterials(request);
  REQUIRE(materials);
  for (size_t i = 0; i < extra_edks; ++i) {
    materials->encrypted_data_keys.push_back(materials->encrypted_data_keys[0]);
  }
  return message::Encryptor::New(std::move(*materials), config, sink);
}

// ContextOfSize returns a one-pair context that serializes to `bytes`.
EncryptionContext ContextOfSize(size_t bytes) {
  // count (2) + key length (2) + "k" (1) + value length (2) + value
  return {{"k", std::string(bytes - 7, 'v')}};
}

TEST_CASE("Limits: the encryptor refuses what the decryptor would, writing nothing") {
  FixedCmm cmm;
  const DecodeLimits defaults;
  struct Case {
    const char* name;
    EncryptionContext context;
    uint32_t frame_length;
    size_t extra_edks;
  };
  const Case cases[] = {
      {"context one byte over", ContextOfSize(defaults.max_context_bytes + 1), 4096, 0},
      {"frame length one over", {}, defaults.max_frame_length + 1, 0},
      {"one EDK too many", {}, 4096, defaults.max_encrypted_data_keys},
  };
  for (const Case& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    message::EncryptorConfig config;
    config.frame_length = c.frame_length;
    std::vector<uint8_t> out;
    MemorySink sink(out);
    auto e = New(cmm, c.context, config, sink, c.extra_edks);
    REQUIRE_FALSE(e);
    CHECK(e.error().code() == ErrorCode::invalid_argument);
    CHECK(e.error().message().find("decrypt would refuse") != std::string::npos);
    CHECK(out.empty());
  }
  // Raised limits on both sides: the same message is written and read.
  DecodeLimits raised;
  raised.max_context_bytes = defaults.max_context_bytes + 1;
  message::EncryptorConfig config;
  config.limits = raised;
  std::vector<uint8_t> out;
  MemorySink sink(out);
  auto e = New(cmm, ContextOfSize(raised.max_context_bytes), config, sink);
  REQUIRE(e);
  REQUIRE((*e)->Update(Pattern(100)));
  REQUIRE((*e)->Finish());
  std::vector<uint8_t> plain;
  CHECK_FALSE(DecryptWith(cmm, out, plain));  // the default reader refuses it
  DecryptOptions reader;
  reader.limits = raised;
  REQUIRE(DecryptWith(cmm, out, plain, reader));
  CHECK(plain == Pattern(100));
}

TEST_CASE("Limits: at every limit exactly, the message is written and decrypts") {
  FixedCmm cmm;
  const DecodeLimits defaults;
  message::EncryptorConfig config;
  config.frame_length = defaults.max_frame_length;
  std::vector<uint8_t> out;
  MemorySink sink(out);
  auto e = New(cmm, ContextOfSize(defaults.max_context_bytes), config, sink,
               defaults.max_encrypted_data_keys - 1);
  REQUIRE(e);
  REQUIRE((*e)->Update(Pattern(1000)));
  REQUIRE((*e)->Finish());
  std::vector<uint8_t> plain;
  REQUIRE(DecryptWith(cmm, out, plain));
  CHECK(plain == Pattern(1000));
}

TEST_CASE("Limits: one definition, the same reasons both ways") {
  const DecodeLimits l;
  CHECK_FALSE(message::ContextOverLimit(l.max_context_bytes, l));
  CHECK(*message::ContextOverLimit(l.max_context_bytes + 1, l) ==
        "encryption context of 16385 bytes is over the limit of 16384");
  CHECK_FALSE(message::EdkCountOverLimit(l.max_encrypted_data_keys, l));
  CHECK(message::EdkCountOverLimit(l.max_encrypted_data_keys + 1, l));
  CHECK_FALSE(message::FrameLengthOverLimit(l.max_frame_length, l));
  CHECK(message::FrameLengthOverLimit(uint64_t{l.max_frame_length} + 1, l));
  CHECK_FALSE(message::HeaderOverLimit(l.max_header_bytes, l));
  CHECK(message::HeaderOverLimit(l.max_header_bytes + 1, l));
}

}  // namespace
}  // namespace envelope::testing
