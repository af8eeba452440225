// fuzz target kms_keyring: the KMS keyring's data keys (lib/keyring/
// kms_keyring.cc): which EDKs it tries, what it asks the KMS, how it treats
// the KMS's answers (errors, a blob of another key, a lying KMS).
//
// The KMS is a model (FakeKms below) with three keys (two 8-4-4-4-12 ids,
// one multi-Region "mrk-" id) and an alias, whose "blobs" are plain records
// (magic, key, context digest, plaintext): the keyring is what is under
// test, and the model lets the fuzzer write blobs that open. Errors follow
// the local KMS: `not_found` for an unknown key, `invalid_argument`
// "IncorrectKeyException: ..." for a blob of another key than the expected
// one, `auth_failed` for a blob that does not open.
//
// Input: keyring selector (1: key 1, key 1 in capitals, the alias, key 2,
// discovery), fault (1: none, or every Decrypt fails with key_state,
// not_found or io, or answers with another key id or a short plaintext),
// then mode (1):
//  even: suite, context and EDKs (edk_input.h; a ciphertext starting with
//     "FK" is a blob; an EDK info whose first byte is below 0x80 becomes
//     the first or second key's id, 0x80-0x8f the multi-Region key's id);
//     the keyring's answer (data key or error code) is the one the
//     documented rule gives: only `envelope-kms` EDKs whose info is
//     a key id (and, for a keyring on a key id, that id) are tried, in
//     order; a blob of another key is skipped; the first other KMS error
//     wins over `auth_failed`; a blob that opens with another key id or
//     size than the EDK and suite say is `auth_failed`; none tried is
//     `not_found`;
//  odd: suite, context, then the keyring wraps a data key (generated, or
//     given) and the EDK is checked the same way after an optional one-bit
//     change (position 2, bit 1); unchanged and without fault it opens to
//     the data key. The byte after those three spoils the KMS's answer to
//     the wrap when it is 1, 2 or 3 (an alias for the key id, an empty blob,
//     a blob over 65535 bytes): the keyring refuses it (`internal`) and
//     leaves the materials as they were (no EDK, no generated data key).
// Naming no key (NewKmsKeyring with "") is refused once, at the first input.
#include "envelope/kms_keyring.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "edk_input.h"
#include "fuzz_util.h"
#include "message/context_codec.h"

namespace {

using namespace envelope;

constexpr int kKeyCount = 3;
const std::string kKeys[kKeyCount] = {"1234abcd-12ab-34cd-56ef-1234567890ab",
                                      "0bad0bad-0000-4000-8000-00000000beef",
                                      "mrk-5e1f0c0a9b8d4e7fa0b1c2d3e4f50617"};
constexpr char kAlias[] = "alias/fuzz";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// IsKeyIdText is the rule of kms_keyring.h: 8-4-4-4-12 hex digits of either
// case, or "mrk-" and 32 lowercase hex digits.
bool IsKeyIdText(std::string_view t) {
  if (t.size() != 36) return false;
  if (t.starts_with("mrk-")) {
    return std::all_of(t.begin() + 4, t.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  }
  for (size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? t[i] != '-' : !std::isxdigit(static_cast<unsigned char>(t[i]))) return false;
  }
  return true;
}

uint64_t Digest(const EncryptionContext& context) {
  auto block = message::SerializeContext(context);
  FUZZ_CHECK(block.has_value());
  return fuzz::Mix(*block);
}

enum class Fault : uint8_t { none, key_state, not_found, io, other_key, short_key };

// BadAnswer is what a faulty KMS answers to GenerateDataKey and Encrypt.
enum class BadAnswer : uint8_t { none, alias_for_id, empty_blob, long_blob };

// Opened is the model's answer to Decrypt.
struct Opened {
  std::optional<Error> error;
  std::vector<uint8_t> plaintext;
  std::string key_id;
};

class FakeKms final : public KmsClient {
 public:
  Fault fault = Fault::none;
  BadAnswer bad_answer = BadAnswer::none;

  static std::optional<int> Resolve(std::string_view key) {
    if (key == kAlias) return 0;
    const std::string lower = Lower(std::string(key));
    for (int i = 0; i < kKeyCount; ++i) {
      if (lower == kKeys[i]) return i;
    }
    return std::nullopt;
  }
  static std::vector<uint8_t> Blob(int key, const EncryptionContext& context,
                                   std::span<const uint8_t> plaintext) {
    std::vector<uint8_t> b = {'F', 'K', static_cast<uint8_t>(key)};
    const uint64_t d = Digest(context);
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(d >> (8 * i)));
    b.insert(b.end(), plaintext.begin(), plaintext.end());
    return b;
  }
  // Model is Decrypt's answer, also used by the oracle.
  Opened Model(std::span<const uint8_t> blob, const EncryptionContext& context,
               std::string_view expected) const {
    auto err = [](ErrorCode c, const char* m) { return Opened{Error(c, m), {}, {}}; };
    if (fault == Fault::key_state) return err(ErrorCode::key_state, "KMSInvalidStateException");
    if (fault == Fault::not_found) return err(ErrorCode::not_found, "NotFoundException");
    if (fault == Fault::io) return err(ErrorCode::io, "the kms is unreachable");
    if (blob.size() < 11 || blob[0] != 'F' || blob[1] != 'K' || blob[2] >= kKeyCount) {
      return err(ErrorCode::auth_failed, "InvalidCiphertextException");
    }
    if (!expected.empty()) {
      auto want = Resolve(expected);
      if (!want) return err(ErrorCode::not_found, "NotFoundException");
      if (*want != blob[2]) {
        return err(ErrorCode::invalid_argument, "IncorrectKeyException: another key");
      }
    }
    uint64_t d = 0;
    for (int i = 0; i < 8; ++i) d |= uint64_t{blob[3 + i]} << (8 * i);
    if (d != Digest(context)) return err(ErrorCode::auth_failed, "InvalidCiphertextException");
    Opened o{std::nullopt, {blob.begin() + 11, blob.end()}, kKeys[blob[2]]};
    if (fault == Fault::other_key) o.key_id = kKeys[(blob[2] + 1) % kKeyCount];
    if (fault == Fault::short_key && !o.plaintext.empty()) o.plaintext.pop_back();
    return o;
  }

  Result<KmsDataKey> GenerateDataKey(std::string_view key,
                                     const EncryptionContext& context) override {
    auto k = Resolve(key);
    if (!k) return MakeError(ErrorCode::not_found, "NotFoundException");
    std::vector<uint8_t> plain(32);
    for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<uint8_t>(i * 7 + 1);
    auto secret = SecretBytes::CopyFrom(plain);
    FUZZ_CHECK(secret.has_value());
    auto [blob, id] = Answer(*k, context, plain);
    return KmsDataKey{std::move(*secret), std::move(blob), std::move(id)};
  }
  Result<KmsWrapped> Encrypt(std::string_view key, std::span<const uint8_t> plaintext,
                             const EncryptionContext& context) override {
    auto k = Resolve(key);
    if (!k) return MakeError(ErrorCode::not_found, "NotFoundException");
    auto [blob, id] = Answer(*k, context, plaintext);
    return KmsWrapped{std::move(blob), std::move(id)};
  }
  // Answer is the blob and key id a wrap answers with, spoiled by bad_answer.
  std::pair<std::vector<uint8_t>, std::string> Answer(int key, const EncryptionContext& context,
                                                      std::span<const uint8_t> plaintext) const {
    std::vector<uint8_t> blob = Blob(key, context, plaintext);
    std::string id = kKeys[key];
    if (bad_answer == BadAnswer::alias_for_id) id = kAlias;
    if (bad_answer == BadAnswer::empty_blob) blob.clear();
    if (bad_answer == BadAnswer::long_blob) blob.resize(0x10000, 0);
    return {std::move(blob), std::move(id)};
  }
  Result<KmsUnwrapped> Decrypt(std::span<const uint8_t> blob, const EncryptionContext& context,
                               std::string_view expected_key) override {
    Opened o = Model(blob, context, expected_key);
    if (o.error) return tl::unexpected(*o.error);
    auto secret = SecretBytes::CopyFrom(o.plaintext);
    FUZZ_CHECK(secret.has_value());
    return KmsUnwrapped{std::move(*secret), o.key_id};
  }
  Result<KmsWrapped> ReEncrypt(std::span<const uint8_t>, const EncryptionContext&, std::string_view,
                               const EncryptionContext&) override {
    return MakeError(ErrorCode::unsupported, "not in the model");
  }
};

// Expected is the documented rule's answer for `edks` under keyring key
// `key` (empty: discovery).
struct Expected {
  std::optional<ErrorCode> error;
  std::vector<uint8_t> data_key;
};

Expected Rule(const FakeKms& kms, const std::string& key, std::span<const EncryptedDataKey> edks,
              AlgorithmSuiteId suite, const EncryptionContext& context) {
  bool auth = false;
  std::optional<ErrorCode> kms_error;
  for (const auto& edk : edks) {
    const std::string info(edk.provider_info.begin(), edk.provider_info.end());
    if (edk.provider_id != kKmsProviderId || !IsKeyIdText(info)) continue;
    if (!key.empty() && IsKeyIdText(key) && Lower(key) != info) continue;
    Opened o = kms.Model(edk.ciphertext, context, key.empty() ? info : key);
    if (o.error) {
      if (o.error->code() == ErrorCode::invalid_argument &&
          o.error->message().starts_with("IncorrectKeyException")) {
        continue;
      }
      if (o.error->code() == ErrorCode::auth_failed) {
        auth = true;
      } else if (!kms_error) {
        kms_error = o.error->code();
      }
      continue;
    }
    if (Lower(o.key_id) != info || o.plaintext.size() != fuzz::SuiteKeyBytes(suite)) {
      auth = true;
      continue;
    }
    return {std::nullopt, o.plaintext};
  }
  if (kms_error) return {kms_error, {}};
  return {auth ? ErrorCode::auth_failed : ErrorCode::not_found, {}};
}

void Check(const Keyring& keyring, const FakeKms& kms, const std::string& key,
           std::span<const EncryptedDataKey> edks, AlgorithmSuiteId suite,
           const EncryptionContext& context) {
  DecryptionMaterials m;
  m.suite = suite;
  m.context = context;
  auto r = keyring.OnDecrypt(m, edks);
  const Expected want = Rule(kms, key, edks, suite, context);
  if (want.error) {
    FUZZ_CHECK(!r && r.error().code() == *want.error);
    FUZZ_CHECK(m.data_key.empty());
  } else {
    FUZZ_CHECK(r.has_value());
    FUZZ_CHECK(m.data_key.size() == want.data_key.size());
    FUZZ_CHECK(std::equal(want.data_key.begin(), want.data_key.end(), m.data_key.span().begin()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto kms = std::make_shared<FakeKms>();
  static const bool kNoKeyRefused = [] {
    auto none = NewKmsKeyring(kms, "");
    return !none && none.error().code() == ErrorCode::invalid_argument;
  }();
  FUZZ_CHECK(kNoKeyRefused);
  fuzz::FuzzInput in(data, size);
  const std::string keys[] = {kKeys[0], "1234ABCD-12AB-34CD-56EF-1234567890AB", kAlias, kKeys[1],
                              ""};
  const std::string key = keys[in.U8() % 5];
  auto made = key.empty() ? NewKmsDiscoveryKeyring(kms) : NewKmsKeyring(kms, key);
  FUZZ_CHECK(made.has_value());
  const Keyring& keyring = **made;
  kms->fault = static_cast<Fault>(in.U8() % 6);

  if (in.U8() % 2 == 0) {
    auto k = fuzz::ReadKeyringInput(in, kKmsProviderId);
    // Key ids as info for most EDKs, and blobs the model opens.
    for (auto& edk : k.edks) {
      if (edk.provider_info.empty() || edk.provider_info[0] >= 0x90) continue;
      const uint8_t b = edk.provider_info[0];
      const std::string& id = b < 0x80 ? kKeys[b % 2] : kKeys[2];
      edk.provider_info.assign(id.begin(), id.end());
    }
    Check(keyring, *kms, key, k.edks, k.suite, k.context);
    return 0;
  }
  EncryptionMaterials e;
  e.suite = fuzz::ReadSuite(in);
  e.context = fuzz::ReadContext(in);
  if (in.U8() % 2 == 1) {
    std::vector<uint8_t> given(fuzz::SuiteKeyBytes(e.suite), 0x5a);
    auto secret = SecretBytes::CopyFrom(given);
    FUZZ_CHECK(secret.has_value());
    e.data_key = std::move(*secret);
  }
  const bool given = !e.data_key.empty();
  // Read before the wrap (the same bytes as when read after it), so that the
  // byte after them can choose the KMS's answer.
  const uint16_t at = in.U16();
  const uint8_t bit = in.U8();
  // Bytes 1 to 3 spoil the answer (rarely a byte left over in older inputs).
  const uint8_t answer = in.U8();
  kms->bad_answer = answer <= 3 ? static_cast<BadAnswer>(answer) : BadAnswer::none;
  auto wrapped = keyring.OnEncrypt(e);
  if (key.empty()) {
    FUZZ_CHECK(!wrapped && wrapped.error().code() == ErrorCode::invalid_argument);
    return 0;
  }
  if (!wrapped) {
    FUZZ_CHECK(e.encrypted_data_keys.empty());
    // A given data key is kept as it was; a generated one is not kept.
    FUZZ_CHECK(e.data_key.empty() != given);
    FUZZ_CHECK(std::all_of(e.data_key.span().begin(), e.data_key.span().end(),
                           [](uint8_t x) { return x == 0x5a; }));
    if (wrapped.error().code() == ErrorCode::internal) {
      FUZZ_CHECK(kms->bad_answer != BadAnswer::none);
      return 0;
    }
    // The model's keys are 32 bytes: a generated key for a smaller suite.
    FUZZ_CHECK(wrapped.error().code() == ErrorCode::unsupported);
    FUZZ_CHECK(!given && fuzz::SuiteKeyBytes(e.suite) != 32);
    return 0;
  }
  FUZZ_CHECK(kms->bad_answer == BadAnswer::none);
  FUZZ_CHECK(e.encrypted_data_keys.size() == 1);
  EncryptedDataKey edk = e.encrypted_data_keys[0];
  FUZZ_CHECK(IsKeyIdText(std::string(edk.provider_info.begin(), edk.provider_info.end())));
  if (bit != 0) {
    const size_t p = edk.provider_id.size(), i = edk.provider_info.size();
    const size_t pos = at % (p + i + edk.ciphertext.size());
    if (pos < p) {
      edk.provider_id[pos] = static_cast<char>(edk.provider_id[pos] ^ bit);
    } else if (pos < p + i) {
      edk.provider_info[pos - p] ^= bit;
    } else {
      edk.ciphertext[pos - p - i] ^= bit;
    }
  }
  Check(keyring, *kms, key, std::span(&edk, 1), e.suite, e.context);
  if (bit == 0 && kms->fault == Fault::none) {
    DecryptionMaterials d;
    d.suite = e.suite;
    d.context = e.context;
    FUZZ_CHECK(keyring.OnDecrypt(d, std::span(&edk, 1)).has_value());
    FUZZ_CHECK(std::equal(d.data_key.span().begin(), d.data_key.span().end(),
                          e.data_key.span().begin(), e.data_key.span().end()));
  }
  return 0;
}
