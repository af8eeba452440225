// fuzz/make_corpus: the message seeds (message_decrypt, message_header):
// messages the library writes, ESDK vector ciphertexts, and v1 non-framed
// messages assembled here (the library only reads those).
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "crypto/aes_gcm.h"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "fuzz_keys.h"
#include "make_corpus.h"
#include "message/frame.h"
#include "message/header.h"
#include "message/suite.h"

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#error "make_corpus needs the deterministic RNG of -Dfuzzing=enabled"
#endif

namespace envelope::fuzz::corpus {
namespace {

// VectorName is a unique, still readable seed name: the set's first five
// characters, the vector's name with its UUID cut to 8 hex digits (the
// first 13 characters alone repeat within a suite).
std::string VectorName(const std::string& set, const std::string& name) {
  std::string n = name;
  if (n.size() > 36 && n[n.size() - 37] == '-') n = n.substr(0, n.size() - 28);
  return "esdk-" + set.substr(0, 5) + "-" + n;
}

// RawKeysOnly says whether every master key of a vector is a raw key the
// harnesses hold (fuzz_keys.h): the AWS KMS-wrapped vectors never decrypt
// there.
bool RawKeysOnly(const nlohmann::json& test) {
  if (!test.contains("master-keys") || test["master-keys"].empty()) return false;
  for (const auto& k : test["master-keys"]) {
    if (k.value("type", "") != "raw") return false;
  }
  return true;
}

}  // namespace

void Messages(Corpus& c) {
  auto cmm = Must(NewDefaultCmm(fuzz::AesKeyring()), "cmm");
  auto second =
      Must(NewRawAesKeyring("fuzz-other", "other-key", KeyView(Pattern(32, 9))), "keyring");
  auto multi = Must(NewMultiKeyring(fuzz::AesKeyring(), {second}), "multi");
  auto multi_cmm = Must(NewDefaultCmm(multi), "multi cmm");
  struct Case {
    const char* name;
    AlgorithmSuiteId suite;
    uint32_t frame;
    size_t size;
    EncryptionContext context;
    bool two_keys;
  };
  const AlgorithmSuiteId v2 = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  const Case cases[] = {
      {"v2-empty", v2, 4096, 0, {}, false},
      {"v2-one-byte", v2, 4096, 1, {{"purpose", "fuzz"}}, false},
      {"v2-frame1-5", v2, 1, 5, {}, false},
      {"v2-frame7-21", v2, 7, 21, {{"a", "1"}, {"b", "2"}}, false},
      {"v2-frame64-200", v2, 64, 200, {{"bucket", "b"}, {"object", "o/\xc3\xa9"}}, true},
      {"v2-frame4096-5000", v2, 4096, 5000, {}, true},
      {"v2-frame13-130", v2, 13, 130, {{"k", "v"}}, false},
  };
  for (const Case& k : cases) {
    EncryptOptions o;
    o.suite = k.suite;
    o.frame_length = k.frame;
    o.context = k.context;
    const Bytes plain = Pattern(k.size, static_cast<uint8_t>(k.size));
    Bytes m = Must(Encrypt(plain, k.two_keys ? *multi_cmm : *cmm, o), k.name);
    c["message_decrypt"][std::string("gen-") + k.name] = m;
    auto parsed = Must(message::ParseHeader(m, {}), k.name);
    c["message_header"][std::string("gen-") + k.name] =
        Bytes(m.begin(), m.begin() + parsed.total_size);
  }
}

void Vectors(Corpus& c, const fs::path& vectors) {
  // Per set and suite, the first ciphertext in name order of each kind of
  // master keys (raw AES; raw RSA; two raw RSA EDKs), with a context when
  // the set has one: every suite, signed and not, one and two data keys.
  // v4 keeps the RSA kinds for a few suites only (RSA-4096 decryption is
  // what makes message_decrypt slow) and only the default CMM's vectors
  // (the required-context CMM's need their context back, which the harness
  // does not give; the valid set has only those, kept as rejected inputs).
  struct Set {
    const char* name;
    bool all_kinds;
  };
  const Set sets[] = {
      {"v4-Net-4.0.1", true}, {"valid-Net-4.0.0", false}, {"invalid-Net-4.0.0", false}};
  const std::set<std::string> rsa_suites = {"0014", "0214", "0346", "0578"};
  for (const Set& set : sets) {
    const fs::path dir = vectors / "esdk" / set.name;
    if (!fs::is_directory(dir / "ciphertexts")) {
      std::fprintf(stderr, "make_corpus: %s not found\n", (dir / "ciphertexts").c_str());
      std::exit(1);
    }
    std::ifstream manifest_in(dir / "manifest.json");
    const auto manifest = nlohmann::json::parse(manifest_in, nullptr, false);
    if (manifest.is_discarded() || !manifest.contains("tests")) {
      std::fprintf(stderr, "make_corpus: %s/manifest.json unreadable\n", dir.c_str());
      std::exit(1);
    }
    // Candidates in name order; a context (ec_len_2) first.
    std::map<std::string, const nlohmann::json*> tests;
    for (const auto& [name, test] : manifest["tests"].items()) tests[name] = &test;
    std::set<std::string> taken;  // suite/kind
    for (const char* want_context : {"ec_len_2", "ec_len_0"}) {
      for (const auto& [name, test] : tests) {
        if (name.size() < 14 || name.find(want_context) != 5 || !RawKeysOnly(*test) ||
            (set.all_kinds && name.find("cmm_Default") == std::string::npos)) {
          continue;
        }
        const std::string suite = name.substr(0, 4);
        const auto& keys = (*test)["master-keys"];
        const std::string kind =
            keys.size() > 1 ? "multi" : keys[0].value("encryption-algorithm", "");
        if (kind != "aes" && !(set.all_kinds && rsa_suites.count(suite))) continue;
        if (!taken.insert(suite + "/" + kind).second) continue;
        const Bytes m = ReadFile(dir / "ciphertexts" / name);
        const std::string seed = VectorName(set.name, name);
        c["message_decrypt"][seed] = m;
        if (auto h = message::ParseHeader(m, {}); h) {
          c["message_header"][seed] = Bytes(m.begin(), m.begin() + h->total_size);
        }
      }
    }
  }
}

namespace {

// Legacy writes v1 messages with a non-framed body (content type 1), which
// the library only reads: the header and body are assembled here, the data
// key wrapped by the harnesses' raw AES keyring (fuzz_keys.h), so they
// decrypt in message_decrypt.
Bytes Legacy(uint16_t suite_id, size_t size, const EncryptionContext& context, uint8_t salt) {
  using namespace envelope::message;
  const SuiteInfo* suite = FindSuite(suite_id);
  if (suite == nullptr || suite->message_version != 1) std::exit(1);
  EncryptionMaterials m;
  m.suite = suite->id;
  m.context = context;
  m.data_key = Must(SecretBytes::CopyFrom(Pattern(suite->key_size, salt)), "data key");
  Must(fuzz::AesKeyring()->OnEncrypt(m), "wrap");
  Header h;
  h.suite = suite;
  h.message_id = Pattern(16, static_cast<uint8_t>(salt + 1));
  h.context = context;
  h.encrypted_data_keys = m.encrypted_data_keys;
  h.content_type = ContentType::non_framed;
  h.frame_length = 0;
  h.iv = Pattern(kHeaderIvSize, static_cast<uint8_t>(salt + 2));
  const auto keys = Must(DeriveKeys(*suite, m.data_key.span(), h.message_id), "derive");
  Bytes out = Must(SerializeHeaderBody(h), "header");
  uint8_t tag[kHeaderTagSize];
  Must(crypto::AesGcmSeal(keys.encryption_key.span(), h.iv, out, {}, tag), "header tag");
  out.insert(out.end(), h.iv.begin(), h.iv.end());
  out.insert(out.end(), tag, tag + kHeaderTagSize);
  // Body: IV | content length (8) | ciphertext | tag.
  const Bytes iv = Pattern(kFrameIvSize, static_cast<uint8_t>(salt + 3));
  const Bytes plain = Pattern(size, static_cast<uint8_t>(salt + 4));
  Bytes sealed(size + kFrameTagSize);
  Must(crypto::AesGcmSeal(keys.encryption_key.span(), iv,
                          BodyAad(h.message_id, kSingleBlockString, 1, size), plain, sealed),
       "body");
  out.insert(out.end(), iv.begin(), iv.end());
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(uint64_t{size} >> (8 * i)));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

}  // namespace

// LargeMessages writes messages with the largest contexts the default
// limits allow (one pair filling max_context_bytes exactly; many small
// pairs) and with several data keys (the harnesses' key last, so every EDK
// before it is tried), plus the non-framed legacy messages.
void LargeMessages(Corpus& c) {
  const DecodeLimits limits;
  auto add = [&](const std::string& name, const Bytes& m) {
    c["message_decrypt"]["gen-" + name] = m;
    auto parsed = Must(message::ParseHeader(m, {}), name);
    c["message_header"]["gen-" + name] = Bytes(m.begin(), m.begin() + parsed.total_size);
  };
  auto cmm = Must(NewDefaultCmm(fuzz::AesKeyring()), "cmm");
  EncryptOptions o;
  o.frame_length = 512;
  // Serialized: count (2) | key length (2) | "big" | value length (2) | value.
  o.context = {{"big", std::string(limits.max_context_bytes - 9, 'v')}};
  add("v2-context-at-limit", Must(Encrypt(Pattern(700, 1), *cmm, o), "context at limit"));
  o.context.clear();
  for (int i = 0; i < 300; ++i) o.context["k" + std::to_string(i)] = std::to_string(i * 7);
  add("v2-context-300-pairs", Must(Encrypt(Pattern(33, 2), *cmm, o), "300 pairs"));

  std::vector<std::shared_ptr<const Keyring>> children;
  for (int i = 1; i <= 3; ++i) {
    children.push_back(
        Must(NewRawAesKeyring("fuzz-other-" + std::to_string(i), "key",
                              KeyView(Pattern(16 + 8 * (i % 3), static_cast<uint8_t>(20 + i)))),
             "keyring"));
  }
  children.push_back(fuzz::AesKeyring());
  auto generator =
      Must(NewRawAesKeyring("fuzz-generator", "gen", KeyView(Pattern(32, 30))), "keyring");
  auto multi = Must(NewMultiKeyring(generator, children), "multi");
  auto multi_cmm = Must(NewDefaultCmm(multi), "multi cmm");
  o.context = {{"edks", "5"}};
  o.frame_length = 100;
  add("v2-5-edks", Must(Encrypt(Pattern(250, 3), *multi_cmm, o), "5 edks"));

  add("v1-nonframed-0014-empty", Legacy(0x0014, 0, {}, 40));
  add("v1-nonframed-0078-1", Legacy(0x0078, 1, {{"a", "b"}}, 50));
  add("v1-nonframed-0178-300", Legacy(0x0178, 300, {{"purpose", "legacy"}}, 60));
  add("v1-nonframed-0146-4096", Legacy(0x0146, 4096, {}, 70));
}

}  // namespace envelope::fuzz::corpus
