// fuzz target roundtrip: ESDK messages with a fuzzer-chosen suite, frame
// length, encryption context, thread count, chunking and plaintext.
//
// Input layout (short inputs read as zeros):
//   suite (1) | frame length (4) | flags (1) | pair count (1) |
//   pairs: key (len 1 + bytes), value (len 1 + bytes) | plaintext (rest)
// flags: bit 0 RSA-wrapped data key too, bit 1 encrypt with 3 threads,
// bit 2 encrypt through MessageEncryptor pushed in pieces, bit 3 (with bit
// 2) push some pieces with UpdateFrom from a positioned source instead,
// bit 4 a signing key of the caller's (a CMM of ours hands it out for the
// signed suite) that misbehaves as bits 5-6 say: 0 fails with `io`, 1
// returns no signature, 2 one of 105 bytes (over the DER maximum), 3 a
// well-formed signature of another digest.
// Properties:
//  - encryption succeeds exactly when the request is valid (a committing
//    suite: legacy ones are decrypt-only; frame length from 1 to the
//    decoding limit (encrypt refuses what decrypt would); context keys
//    not reserved, well-formed) and, for the signed suite, the signing key
//    gives a signature of 1 to 104 bytes; a failing key's error is
//    returned as it is (`io`), a signature of no or too many bytes is
//    refused as `internal`;
//  - the signature of another digest makes a message that decryption
//    refuses (`auth_failed`);
//  - what it writes decrypts (with and without the reproduced context) to
//    the same plaintext, with the suite, frame length and context asked for;
//  - decryption with a different reproduced context (an extra key, or
//    another value for a key the context has) fails;
//  - a failing encryption says nothing of the plaintext: its error is the
//    same with every plaintext byte changed.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "envelope/io.hpp"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "message/context_codec.h"
#include "message/suite.h"

namespace {

using namespace envelope;

constexpr AlgorithmSuiteId kSuites[] = {
    AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key,
    AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384,
    AlgorithmSuiteId::aes_128_gcm_iv12_tag16_no_kdf,
    AlgorithmSuiteId::aes_192_gcm_iv12_tag16_no_kdf,
    AlgorithmSuiteId::aes_256_gcm_iv12_tag16_no_kdf,
    AlgorithmSuiteId::aes_128_gcm_iv12_tag16_hkdf_sha256,
    AlgorithmSuiteId::aes_192_gcm_iv12_tag16_hkdf_sha256,
    AlgorithmSuiteId::aes_256_gcm_iv12_tag16_hkdf_sha256,
    AlgorithmSuiteId::aes_128_gcm_iv12_tag16_hkdf_sha256_ecdsa_p256,
    AlgorithmSuiteId::aes_192_gcm_iv12_tag16_hkdf_sha384_ecdsa_p384,
    AlgorithmSuiteId::aes_256_gcm_iv12_tag16_hkdf_sha384_ecdsa_p384,
};

const CryptoMaterialsManager& Cmm(bool rsa) {
  static const auto aes = NewDefaultCmm(fuzz::AesKeyring());
  FUZZ_CHECK(aes.has_value());
  return rsa ? *fuzz::VectorCmm() : **aes;
}

// MisbehavingKey has the public key of `key` but signs as `mode` says:
// fails (0), returns no signature (1), 105 bytes (2), or a signature of
// another digest (3).
class MisbehavingKey final : public SigningKey {
 public:
  MisbehavingKey(std::shared_ptr<const SigningKey> key, int mode)
      : key_(std::move(key)), mode_(mode) {}
  Result<std::vector<uint8_t>> SignDigest(std::span<const uint8_t> digest) const override {
    switch (mode_) {
      case 0:
        return MakeError(ErrorCode::io, "fuzz: the signing key fails");
      case 1:
        return std::vector<uint8_t>{};
      case 2:
        return std::vector<uint8_t>(105, 0x30);
      default: {
        std::vector<uint8_t> other(digest.begin(), digest.end());
        other[0] ^= 1;
        return key_->SignDigest(other);
      }
    }
  }
  std::vector<uint8_t> PublicKey() const override { return key_->PublicKey(); }

 private:
  std::shared_ptr<const SigningKey> key_;
  int mode_;
};

// MisbehavingKeyCmm is `inner` with its signing keys wrapped in a
// MisbehavingKey of `mode`.
class MisbehavingKeyCmm final : public CryptoMaterialsManager {
 public:
  MisbehavingKeyCmm(const CryptoMaterialsManager& inner, int mode) : inner_(inner), mode_(mode) {}
  Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest& request) const override {
    auto materials = inner_.GetEncryptionMaterials(request);
    if (materials && materials->signing_key) {
      materials->signing_key = std::make_shared<MisbehavingKey>(materials->signing_key, mode_);
    }
    return materials;
  }
  Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const override {
    return inner_.DecryptMaterials(request);
  }

 private:
  const CryptoMaterialsManager& inner_;
  int mode_;
};

bool ValidContext(const EncryptionContext& context) {
  for (const auto& [k, v] : context) {
    if (k.starts_with("aws-crypto-")) return false;
  }
  return message::SerializeContext(context).has_value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput input(data, size);
  const AlgorithmSuiteId suite = kSuites[input.U8() % std::size(kSuites)];
  const uint32_t raw_frame = input.U32();
  const uint8_t flags = input.U8();
  // Mostly small frames (many frames per message); sometimes any length.
  const uint32_t frame_length = (raw_frame >> 31) ? raw_frame & 0x7fffffff : raw_frame % 300;
  EncryptionContext context;
  const int pairs = input.U8() % 5;
  for (int i = 0; i < pairs; ++i) {
    std::string key = input.String(24);
    context[key] = input.String(24);
  }
  const auto plaintext = input.Rest();

  const bool committing = message::FindSuite(static_cast<uint16_t>(suite))->committing();
  EncryptOptions eo;
  eo.suite = suite;
  eo.context = context;
  eo.frame_length = frame_length;
  eo.threads = (flags & 2) ? 3 : 1;
  // Legacy suites need the policy that allows them, and must still fail.
  eo.commitment_policy = committing ? CommitmentPolicy::require_encrypt_require_decrypt
                                    : CommitmentPolicy::forbid_encrypt_allow_decrypt;
  const CryptoMaterialsManager& cmm = Cmm(flags & 1);
  const bool bad_signer =
      (flags & 16) && message::FindSuite(static_cast<uint16_t>(suite))->signed_suite();
  const int signer_mode = (flags >> 5) & 3;
  const MisbehavingKeyCmm misbehaving(cmm, signer_mode);
  const CryptoMaterialsManager& encrypt_cmm = flags & 16 ? misbehaving : cmm;

  // Pushed piece sizes come from the plaintext, and stay the same when the
  // plaintext is changed below.
  const uint64_t split_seed = fuzz::Mix(plaintext);
  auto encrypt = [&](std::span<const uint8_t> text) -> Result<std::vector<uint8_t>> {
    if (!(flags & 4)) return Encrypt(text, encrypt_cmm, eo);
    std::vector<uint8_t> out;
    MemorySink sink(out);
    MemorySource positioned(text);
    auto enc = MessageEncryptor::New(encrypt_cmm, eo, sink);
    ENVELOPE_RETURN_IF_ERROR(enc);
    size_t pos = 0;
    uint64_t seed = split_seed;
    Result<void> r;
    while (r && pos < text.size()) {
      const size_t n = std::min<size_t>(text.size() - pos, 1 + seed % 700);
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      const bool from_source = (flags & 8) && ((seed >> 40) & 1);
      r = from_source ? (*enc)->UpdateFrom(positioned, pos, n)
                      : (*enc)->Update(text.subspan(pos, n));
      pos += n;
    }
    if (r) r = (*enc)->Finish();
    ENVELOPE_RETURN_IF_ERROR(r);
    return out;
  };
  const auto message = encrypt(plaintext);

  // Encryption refuses what decryption with the same limits would refuse.
  const bool valid = committing && frame_length >= 1 &&
                     frame_length <= eo.limits.max_frame_length && ValidContext(context);
  FUZZ_CHECK(message.has_value() == (valid && (!bad_signer || signer_mode == 3)));
  if (valid && bad_signer && signer_mode != 3) {
    const ErrorCode code = signer_mode == 0 ? ErrorCode::io : ErrorCode::internal;
    FUZZ_CHECK(message.error().code() == code);
  }
  if (!message) {
    // The error must not depend on the plaintext's bytes: the same request
    // with every byte changed fails with the same words. (Looking for the
    // plaintext inside the message instead reports a plaintext that merely
    // spells part of the error, which the fuzzer finds.)
    std::vector<uint8_t> flipped(plaintext.begin(), plaintext.end());
    for (auto& b : flipped) b ^= 0xff;
    const auto again = encrypt(flipped);
    FUZZ_CHECK(!again.has_value() && again.error().message() == message.error().message());
    return 0;
  }

  DecryptOptions dopt;
  dopt.commitment_policy = eo.commitment_policy;
  dopt.threads = 2;
  dopt.limits.max_frame_length = UINT32_MAX;
  if (bad_signer) {
    auto refused = Decrypt(*message, cmm, dopt);
    FUZZ_CHECK(!refused && refused.error().code() == ErrorCode::auth_failed);
    return 0;
  }
  auto plain = Decrypt(*message, cmm, dopt);
  FUZZ_CHECK(plain.has_value());
  FUZZ_CHECK(std::equal(plain->plaintext.begin(), plain->plaintext.end(), plaintext.begin(),
                        plaintext.end()));
  FUZZ_CHECK(plain->header.suite == suite);
  FUZZ_CHECK(plain->header.frame_length == frame_length);
  for (const auto& [k, v] : context) {
    auto it = plain->header.context.find(k);
    FUZZ_CHECK(it != plain->header.context.end() && it->second == v);
  }

  dopt.reproduced_context = context;
  FUZZ_CHECK(Decrypt(*message, cmm, dopt).has_value());
  // A reproduced context the message does not match: a key it lacks, or,
  // when the fuzzer's context has that key (a campaign found the name),
  // another value for it. (emplace, not operator[] = "x": GCC 12 reports a
  // false -Wrestrict there.)
  auto [extra, added] = dopt.reproduced_context.emplace("fuzz-extra-key", std::string(1, 'x'));
  if (!added) extra->second.push_back('x');
  FUZZ_CHECK(!Decrypt(*message, cmm, dopt).has_value());
  return 0;
}
