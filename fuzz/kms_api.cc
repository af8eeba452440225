// fuzz target kms_api: the public KMS API (include/envelope/kms.hpp) with
// arbitrary text and bytes, against a fresh scratch keystore per input.
//
// Input: a sequence of operations, each one opcode byte followed by its
// arguments (FuzzInput: strings are a length byte then raw bytes, so keys,
// aliases, descriptions, tags and encryption contexts are often not UTF-8).
// A key argument is one selector byte: a key made earlier in this input, an
// "alias/" + string, or a raw string. Operations: CreateKey (description,
// up to three tags), Create/Update/DeleteAlias, Encrypt, Decrypt (of the
// last blob or of raw bytes), GenerateDataKey (with and without plaintext),
// ReEncrypt, DescribeKey, ListKeys, ListAliases, Enable/DisableKey,
// rotation and deletion calls, VerifyAuditLog. Properties:
//  - nothing throws or aborts (an exception escaping the API is a crash);
//  - an operation given text that is not UTF-8 fails with
//    `invalid_argument`, and no error message is ever invalid UTF-8 (bad
//    bytes are named, never echoed);
//  - an Encrypt that succeeds decrypts again to the same plaintext with the
//    same context;
//  - afterwards the keystore opens again from disk with the same keys and
//    aliases, its audit log verifies, and every audit line is UTF-8 JSON.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "crypto/utf8.h"
#include "envelope/kms.hpp"
#include "fuzz_util.h"
#include "scratch.h"

namespace {

using namespace envelope;
using kms::EncryptionContext;

constexpr size_t kMaxOps = 24;
constexpr size_t kMaxText = 48;

kms::KmsOptions Options(const std::string& dir) {
  kms::KmsOptions o;
  o.directory = dir;
  // A fixed clock: the same input runs the same way every time.
  o.clock = [] { return kms::TimePoint(std::chrono::seconds(1'750'000'000)); };
  return o;
}

bool Utf8(const EncryptionContext& map) {
  for (const auto& [k, v] : map) {
    if (!crypto::IsValidUtf8(k) || !crypto::IsValidUtf8(v)) return false;
  }
  return true;
}

// Session runs the operations of one input against one Kms.
class Session {
 public:
  Session(kms::Kms& kms, fuzz::FuzzInput& in) : kms_(kms), in_(in) {}

  void Step() {
    switch (in_.U8() % 16) {
      case 0:
        return CreateKey();
      case 1:
        return Alias(0);
      case 2:
        return Alias(1);
      case 3:
        return Alias(2);
      case 4:
        return Encrypt();
      case 5:
        return Decrypt();
      case 6:
        return DataKey(true);
      case 7:
        return DataKey(false);
      case 8:
        return ReEncrypt();
      case 9:
        return KeyOp();
      case 10: {
        auto r = kms_.ListKeys();
        FUZZ_CHECK(r.has_value());
        return;
      }
      case 11: {
        const std::string key = in_.U8() & 1 ? Key() : std::string();
        return Expect(kms_.ListAliases(key), {key});
      }
      case 12: {
        auto report = kms_.VerifyAuditLog();
        FUZZ_CHECK(report.has_value() && report->intact);
        return;
      }
      default: {
        const std::string key = Key();
        return Expect(kms_.DescribeKey(key), {key});
      }
    }
  }

  size_t keys() const { return keys_.size(); }

 private:
  std::string Text() { return in_.String(kMaxText); }

  // Key picks a key reference: a key made by this input, an alias or raw text.
  std::string Key() {
    const uint8_t sel = in_.U8();
    if (sel < 0x80 && !keys_.empty()) return keys_[sel % keys_.size()];
    if (sel < 0xc0) return "alias/" + Text();
    return Text();
  }

  EncryptionContext Context() {
    EncryptionContext c;
    const size_t n = in_.U8() % 4;
    for (size_t i = 0; i < n; ++i) c[Text()] = Text();
    return c;
  }

  // Expect checks the outcome of an operation given `texts` and `contexts`.
  template <typename R>
  void Expect(const R& r, std::initializer_list<std::string_view> texts,
              std::initializer_list<const EncryptionContext*> contexts = {}) {
    bool valid = true;
    for (std::string_view t : texts) valid = valid && crypto::IsValidUtf8(t);
    for (const EncryptionContext* c : contexts) valid = valid && Utf8(*c);
    if (r) {
      FUZZ_CHECK(valid);
      return;
    }
    FUZZ_CHECK(crypto::IsValidUtf8(r.error().message()));
    if (!valid) FUZZ_CHECK(r.error().code() == ErrorCode::invalid_argument);
  }

  void CreateKey() {
    kms::CreateKeyRequest req;
    req.description = Text();
    const size_t n = in_.U8() % 4;
    for (size_t i = 0; i < n; ++i) req.tags[Text()] = Text();
    auto r = kms_.CreateKey(req);
    Expect(r, {req.description}, {&req.tags});
    if (r) keys_.push_back(r->key_id);
  }

  void Alias(int which) {
    const std::string alias = in_.U8() & 1 ? "alias/" + Text() : Text();
    if (which == 2) return Expect(kms_.DeleteAlias(alias), {alias});
    const std::string target = Key();
    if (which == 0) return Expect(kms_.CreateAlias(alias, target), {alias, target});
    Expect(kms_.UpdateAlias(alias, target), {alias, target});
  }

  void Encrypt() {
    const std::string key = Key();
    const EncryptionContext context = Context();
    const auto plaintext = in_.Bytes(in_.U8() % 65);
    auto r = kms_.Encrypt(key, plaintext, context);
    Expect(r, {key}, {&context});
    if (!r) return;
    blob_ = r->blob;
    context_ = context;
    auto back = kms_.Decrypt(r->blob, context);
    FUZZ_CHECK(back.has_value() && back->key_id == r->key_id);
    FUZZ_CHECK(std::equal(back->plaintext.span().begin(), back->plaintext.span().end(),
                          plaintext.begin(), plaintext.end()));
  }

  void Decrypt() {
    const uint8_t how = in_.U8();
    const EncryptionContext context = how & 1 ? context_ : Context();
    std::vector<uint8_t> blob = blob_;
    if (how & 2) {
      const auto raw = in_.Bytes(in_.U8());
      blob.assign(raw.begin(), raw.end());
    }
    const std::string expected = how & 4 ? Key() : std::string();
    Expect(kms_.Decrypt(blob, context, expected), {expected}, {&context});
  }

  void DataKey(bool with_plaintext) {
    const std::string key = Key();
    const EncryptionContext context = Context();
    if (with_plaintext) {
      auto r = kms_.GenerateDataKey(key, context);
      Expect(r, {key}, {&context});
      if (r) FUZZ_CHECK(r->plaintext.size() == kms::kDataKeySize);
    } else {
      Expect(kms_.GenerateDataKeyWithoutPlaintext(key, context), {key}, {&context});
    }
  }

  void ReEncrypt() {
    const EncryptionContext source = in_.U8() & 1 ? context_ : Context();
    const std::string key = Key();
    const EncryptionContext destination = Context();
    Expect(kms_.ReEncrypt(blob_, source, key, destination), {key}, {&source, &destination});
  }

  void KeyOp() {
    const uint8_t which = in_.U8();
    const std::string key = Key();
    switch (which % 9) {
      case 0:
        return Expect(kms_.EnableKey(key), {key});
      case 1:
        return Expect(kms_.DisableKey(key), {key});
      case 2:
        return Expect(kms_.ScheduleKeyDeletion(key, 7 + which % 30), {key});
      case 3:
        return Expect(kms_.CancelKeyDeletion(key), {key});
      case 4:
        return Expect(kms_.EnableKeyRotation(key, 90 + which), {key});
      case 5:
        return Expect(kms_.DisableKeyRotation(key), {key});
      case 6:
        return Expect(kms_.GetKeyRotationStatus(key), {key});
      case 7:
        return Expect(kms_.RotateKeyOnDemand(key), {key});
      default:
        return Expect(kms_.ListKeyRotations(key), {key});
    }
  }

  kms::Kms& kms_;
  fuzz::FuzzInput& in_;
  std::vector<std::string> keys_;
  std::vector<uint8_t> blob_;
  EncryptionContext context_;
};

// CheckAuditLines: every line of the log is UTF-8 and a JSON object, as
// `envelope audit` reads it.
void CheckAuditLines(const std::string& dir) {
  std::ifstream in(dir + "/audit.log", std::ios::binary);
  FUZZ_CHECK(static_cast<bool>(in));
  for (std::string line; std::getline(in, line);) {
    FUZZ_CHECK(crypto::IsValidUtf8(line));
    const auto j = nlohmann::json::parse(line, nullptr, false);
    FUZZ_CHECK(j.is_object() && j.contains("eventName") && j.contains("userIdentity"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string dir = fuzz::ScratchRoot() + "/ks";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  FUZZ_CHECK(!ec);

  fuzz::FuzzInput input(data, size);
  size_t keys = 0;
  std::vector<kms::AliasEntry> aliases;
  {
    auto kms = kms::Kms::Open(Options(dir));
    FUZZ_CHECK(kms.has_value());
    Session session(*kms, input);
    for (size_t i = 0; i < kMaxOps && input.remaining() > 0; ++i) session.Step();
    auto listed = kms->ListKeys();
    FUZZ_CHECK(listed.has_value());
    keys = listed->size();
    FUZZ_CHECK(keys >= session.keys());
    auto all = kms->ListAliases();
    FUZZ_CHECK(all.has_value());
    aliases = std::move(*all);
  }
  // The keystore on disk is whole: it opens, holds what the API said, and
  // its audit chain verifies.
  auto again = kms::Kms::Open(Options(dir));
  FUZZ_CHECK(again.has_value());
  auto listed = again->ListKeys();
  FUZZ_CHECK(listed.has_value() && listed->size() == keys);
  auto all = again->ListAliases();
  FUZZ_CHECK(all.has_value() && all->size() == aliases.size());
  for (size_t i = 0; i < aliases.size(); ++i) {
    FUZZ_CHECK((*all)[i].alias_name == aliases[i].alias_name &&
               (*all)[i].target_key_id == aliases[i].target_key_id);
  }
  auto report = again->VerifyAuditLog();
  FUZZ_CHECK(report.has_value() && report->intact);
  CheckAuditLines(dir);
  return 0;
}
