// fuzz: the structure-aware message mutator (message_mutator.h).
#include "message_mutator.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "crypto/aes_gcm.h"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "fuzz_keys.h"
#include "message/base64.h"
#include "message/frame.h"
#include "message/header.h"
#include "message/signature.h"
#include "message/suite.h"

// libFuzzer's byte mutator; weak, so builds with another engine (or the
// replay main) link, and the mutator then only does its own changes.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size)
    __attribute__((weak));

namespace envelope::fuzz {
namespace {

using Bytes = std::vector<uint8_t>;
namespace msg = envelope::message;

constexpr uint16_t kSuites[] = {0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178,
                                0x0214, 0x0346, 0x0378, 0x0478, 0x0578};

struct Frame {
  uint32_t seq = 1;
  bool final = false;
  Bytes plaintext;
};

// Message is a decoded message: what Seal needs to write it again.
struct Message {
  msg::Header header;
  Bytes data_key;
  std::vector<Frame> frames;  // framed, or one frame holding a non-framed body
  Bytes footer;               // signature field as read (unsigned: empty)
  Bytes trailing;             // bytes after the message
  // bad_public_key, when set, is written as the signed suite's
  // aws-crypto-public-key instead of the signer's key.
  std::optional<std::string> bad_public_key;
};

size_t ByteMutate(uint8_t* data, size_t size, size_t max_size) {
  return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max_size) : size;
}

uint64_t ReadUint(std::span<const uint8_t> b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | b[at + i];
  return v;
}

void PutUint(Bytes& out, uint64_t v, size_t n) {
  for (size_t i = n; i-- > 0;) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Decode reads what it can; frames whose tag fails keep their ciphertext as
// plaintext (they are sealed properly on the way out).
std::optional<Message> Decode(std::span<const uint8_t> in) {
  auto parsed = msg::ParseHeader(in, {});
  if (!parsed) return std::nullopt;
  Message m;
  m.header = parsed->header;
  const msg::SuiteInfo& suite = *m.header.suite;
  DecryptionMaterials materials;
  materials.suite = suite.id;
  materials.context = m.header.context;
  if (AesKeyring()->OnDecrypt(materials, m.header.encrypted_data_keys)) {
    m.data_key.assign(materials.data_key.span().begin(), materials.data_key.span().end());
  } else {
    m.data_key.assign(suite.key_size, 0x42);
  }
  auto keys = msg::DeriveKeys(suite, m.data_key, m.header.message_id);
  if (!keys) return std::nullopt;
  auto gcm = crypto::AesGcm::New(keys->encryption_key.span());
  if (!gcm) return std::nullopt;
  std::span<const uint8_t> rest = in.subspan(parsed->total_size);
  auto open = [&](std::span<const uint8_t> iv, const Bytes& aad, std::span<const uint8_t> ct,
                  std::span<const uint8_t> tag) {
    Bytes out(ct.size());
    if (!gcm->Open(iv, aad, ct, tag, out)) out.assign(ct.begin(), ct.end());
    return out;
  };
  if (m.header.content_type == msg::ContentType::non_framed) {
    if (rest.size() < 20) return m;
    const uint64_t len = ReadUint(rest, 12, 8);
    if (len > rest.size() - 20 || rest.size() - 20 - len < 16) return m;
    const Bytes aad = msg::BodyAad(m.header.message_id, msg::kSingleBlockString, 1, len);
    m.frames.push_back(
        {1, true, open(rest.first(12), aad, rest.subspan(20, len), rest.subspan(20 + len, 16))});
    rest = rest.subspan(36 + len);
  } else {
    const uint32_t fl = m.header.frame_length;
    while (rest.size() >= 4) {
      const bool final = ReadUint(rest, 0, 4) == msg::kFinalFrameMarker;
      const size_t head = final ? 24 : 16;
      if (rest.size() < head) break;
      const uint32_t seq = static_cast<uint32_t>(ReadUint(rest, final ? 4 : 0, 4));
      const uint64_t len = final ? ReadUint(rest, 20, 4) : fl;
      if (len > rest.size() - head || rest.size() - head - len < 16) break;
      const Bytes aad = msg::BodyAad(m.header.message_id,
                                     final ? msg::kFinalFrameString : msg::kFrameString, seq, len);
      m.frames.push_back({seq, final,
                          open(rest.subspan(final ? 8 : 4, 12), aad, rest.subspan(head, len),
                               rest.subspan(head + len, 16))});
      rest = rest.subspan(head + len + 16);
      if (final) break;
    }
  }
  if (suite.signed_suite() && rest.size() >= 2) {
    const size_t len = std::min<size_t>(ReadUint(rest, 0, 2), rest.size() - 2);
    m.footer.assign(rest.begin(), rest.begin() + 2 + len);
    rest = rest.subspan(2 + len);
  }
  m.trailing.assign(rest.begin(), rest.end());
  return m;
}

// Reframe cuts `plain` into regular frames of `fl` bytes and a final one.
void Reframe(Message& m, const Bytes& plain, uint32_t fl) {
  m.header.frame_length = fl;
  m.frames.clear();
  size_t pos = 0;
  uint32_t seq = 1;
  while (plain.size() - pos > fl) {
    m.frames.push_back({seq++, false, Bytes(plain.begin() + pos, plain.begin() + pos + fl)});
    pos += fl;
  }
  m.frames.push_back({seq, true, Bytes(plain.begin() + pos, plain.end())});
}

Bytes Plaintext(const Message& m) {
  Bytes all;
  for (const auto& f : m.frames) all.insert(all.end(), f.plaintext.begin(), f.plaintext.end());
  return all;
}

// Change applies one structural change.
void Change(Message& m, std::minstd_rand& rng) {
  auto pick = [&rng](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  msg::Header& h = m.header;
  const bool framed = h.content_type == msg::ContentType::framed;
  switch (pick(12)) {
    case 0: {  // plaintext bytes of one frame (a regular frame keeps its size)
      if (m.frames.empty()) break;
      Frame& f = m.frames[pick(m.frames.size())];
      const size_t old = f.plaintext.size();
      f.plaintext.resize(old + 64);
      const size_t n = ByteMutate(f.plaintext.data(), old, f.plaintext.size());
      f.plaintext.resize(f.final || !framed ? n : old);
      break;
    }
    case 1: {  // another frame length
      if (!framed) break;
      const uint32_t choices[] = {
          1, 2, 3, 7, 16, 100, 4096, h.frame_length + 1, std::max<uint32_t>(h.frame_length, 2) - 1};
      Reframe(m, Plaintext(m), choices[pick(std::size(choices))]);
      break;
    }
    case 2: {  // another suite (a v1 message id is 16 bytes, a v2 one 32)
      const msg::SuiteInfo* s = msg::FindSuite(kSuites[pick(std::size(kSuites))]);
      h.suite = s;
      h.message_id.resize(s->message_id_size(), 0x11);
      m.data_key.resize(s->key_size, 0x42);
      if (s->message_version == 1 && h.iv.size() != msg::kHeaderIvSize) h.iv.assign(12, 0);
      if (s->message_version == 2) {
        h.iv.clear();
        if (!framed) Reframe(m, Plaintext(m), 4096);
        h.content_type = msg::ContentType::framed;
      }
      h.context.erase(std::string(kPublicKeyContextKey));
      m.footer.clear();
      break;
    }
    case 3: {  // the context: add, change or remove a pair
      const std::string key = "k" + std::to_string(pick(4));
      if (h.context.contains(key) && rng() % 2) {
        h.context.erase(key);
      } else {
        h.context[key] = std::string(pick(40), static_cast<char>('a' + pick(26)));
      }
      break;
    }
    case 4: {  // frame order: swap, repeat or drop
      if (m.frames.size() < 1) break;
      const size_t a = pick(m.frames.size()), b = pick(m.frames.size());
      switch (pick(3)) {
        case 0:
          std::swap(m.frames[a], m.frames[b]);
          break;
        case 1:
          m.frames.insert(m.frames.begin() + a, m.frames[b]);
          break;
        default:
          m.frames.erase(m.frames.begin() + a);
          break;
      }
      break;
    }
    case 5: {  // a sequence number
      if (m.frames.empty()) break;
      const uint32_t seqs[] = {0, 1, 2, 0xfffffffe, 0xffffffff};
      Frame& f = m.frames[pick(m.frames.size())];
      f.seq = rng() % 2 ? seqs[pick(std::size(seqs))] : f.seq + 1;
      break;
    }
    case 6: {  // final or not: a frame becomes final, or the final one regular
      if (!framed || m.frames.empty()) break;
      Frame& f = m.frames[pick(m.frames.size())];
      f.final = !f.final;
      if (!f.final) f.plaintext.resize(h.frame_length, 0);
      break;
    }
    case 7: {  // body kind (v1 only): framed <-> non-framed
      if (h.version() != 1) break;
      const Bytes all = Plaintext(m);
      if (framed) {
        h.content_type = msg::ContentType::non_framed;
        h.frame_length = 0;
        m.frames = {{1, true, all}};
      } else {
        h.content_type = msg::ContentType::framed;
        Reframe(m, all, 1 + pick(64));
      }
      break;
    }
    case 8: {  // EDKs: one more that is not ours, before or after
      EncryptedDataKey junk;
      junk.provider_id = rng() % 2 ? "fuzz-other" : std::string(kVectorProvider);
      junk.provider_info.assign(pick(40), static_cast<uint8_t>(rng()));
      junk.ciphertext.assign(pick(64), static_cast<uint8_t>(rng()));
      auto& edks = h.encrypted_data_keys;
      edks.insert(rng() % 2 ? edks.begin() : edks.end(), junk);
      break;
    }
    case 9: {  // trailing bytes, or the footer changed
      if (rng() % 2) {
        m.trailing.push_back(static_cast<uint8_t>(rng()));
      } else {
        m.footer.clear();
      }
      break;
    }
    case 10: {  // a signed suite's public key that is no key of its curve
      if (!h.suite->signed_suite()) break;
      // 33 bytes (P-256's size); 49 bytes with no point prefix; 0x02 with
      // x >= p; 0x03 with x = 0.
      Bytes p256_size(33, 0x02), no_prefix(49, 0xff), too_big(49, 0xff), zero(49, 0x00);
      too_big[0] = 0x02;
      zero[0] = 0x03;
      const std::string choices[] = {"",
                                     "not base64!",
                                     msg::Base64Encode(p256_size),
                                     msg::Base64Encode(no_prefix),
                                     msg::Base64Encode(too_big),
                                     msg::Base64Encode(zero)};
      m.bad_public_key = choices[pick(std::size(choices))];
      break;
    }
    default: {  // the message id
      if (!h.message_id.empty()) h.message_id[pick(h.message_id.size())] ^= 1;
      break;
    }
  }
}

std::shared_ptr<const SigningKey> HarnessSigningKey() {
  static const auto key = [] {
    auto k = NewSigningKey();
    return k ? *k : nullptr;
  }();
  return key;
}

// Seal writes `m` with a fresh EDK of ours (others kept), valid tags and,
// for the P-384 suites, a valid signature.
std::optional<Bytes> Seal(Message& m) {
  msg::Header& h = m.header;
  const msg::SuiteInfo& suite = *h.suite;
  const bool p384 = suite.signature == msg::SignatureAlg::ecdsa_p384_sha384;
  std::shared_ptr<const SigningKey> signer = p384 ? HarnessSigningKey() : nullptr;
  if (signer) h.context[std::string(kPublicKeyContextKey)] = msg::Base64Encode(signer->PublicKey());
  if (m.bad_public_key) h.context[std::string(kPublicKeyContextKey)] = *m.bad_public_key;
  EncryptionMaterials e;
  e.suite = suite.id;
  e.context = h.context;
  auto data_key = SecretBytes::CopyFrom(m.data_key);
  if (!data_key) return std::nullopt;
  e.data_key = std::move(*data_key);
  if (!AesKeyring()->OnEncrypt(e)) return std::nullopt;
  std::erase_if(h.encrypted_data_keys, [](const EncryptedDataKey& k) {
    return k.provider_id == kVectorProvider && k.provider_info.size() > 7 &&
           std::equal(k.provider_info.begin(), k.provider_info.begin() + 7, "aes-256");
  });
  h.encrypted_data_keys.push_back(e.encrypted_data_keys.back());
  if (h.encrypted_data_keys.size() > 8) h.encrypted_data_keys.erase(h.encrypted_data_keys.begin());
  auto keys = msg::DeriveKeys(suite, m.data_key, h.message_id);
  if (!keys) return std::nullopt;
  h.suite_data.assign(keys->commit_key.span().begin(), keys->commit_key.span().end());
  auto body = msg::SerializeHeaderBody(h);
  if (!body) return std::nullopt;
  static const uint8_t kZeroIv[msg::kHeaderIvSize] = {};
  const std::span<const uint8_t> header_iv = suite.message_version == 1
                                                 ? std::span<const uint8_t>(h.iv)
                                                 : std::span<const uint8_t>(kZeroIv);
  h.auth_tag.assign(msg::kHeaderTagSize, 0);
  if (!crypto::AesGcmSeal(keys->encryption_key.span(), header_iv, *body, {}, h.auth_tag)) {
    return std::nullopt;
  }
  auto out = msg::SerializeHeader(h);
  if (!out) return std::nullopt;
  auto gcm = crypto::AesGcm::New(keys->encryption_key.span());
  if (!gcm) return std::nullopt;
  auto seal = [&](std::span<const uint8_t> iv, const Bytes& aad, const Bytes& plain) {
    Bytes ct(plain.size()), tag(msg::kFrameTagSize);
    if (!gcm->Seal(iv, aad, plain, ct, tag)) return false;
    out->insert(out->end(), ct.begin(), ct.end());
    out->insert(out->end(), tag.begin(), tag.end());
    return true;
  };
  for (const Frame& f : m.frames) {
    uint8_t iv[msg::kFrameIvSize];
    msg::FrameIv(f.seq, iv);
    const uint64_t len = f.plaintext.size();
    if (h.content_type == msg::ContentType::non_framed) {
      out->insert(out->end(), iv, iv + sizeof iv);
      PutUint(*out, len, 8);
      if (!seal(iv, msg::BodyAad(h.message_id, msg::kSingleBlockString, 1, len), f.plaintext)) {
        return std::nullopt;
      }
      break;
    }
    if (f.final) PutUint(*out, msg::kFinalFrameMarker, 4);
    PutUint(*out, f.seq, 4);
    out->insert(out->end(), iv, iv + sizeof iv);
    if (f.final) PutUint(*out, len, 4);
    const auto kind = f.final ? msg::kFinalFrameString : msg::kFrameString;
    if (!seal(iv, msg::BodyAad(h.message_id, kind, f.seq, len), f.plaintext)) return std::nullopt;
  }
  if (signer && !m.footer.empty()) {
    auto s = msg::MessageSigner::New(signer);
    if (!s || !s->Update(*out)) return std::nullopt;
    auto footer = s->Footer();
    if (!footer) return std::nullopt;
    out->insert(out->end(), footer->begin(), footer->end());
  } else {
    out->insert(out->end(), m.footer.begin(), m.footer.end());
  }
  out->insert(out->end(), m.trailing.begin(), m.trailing.end());
  return std::move(*out);
}

}  // namespace

size_t MutateMessage(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  std::minstd_rand rng(seed);
  if (rng() % 2 == 0) return ByteMutate(data, size, max_size);
  auto m = Decode({data, size});
  if (!m) return ByteMutate(data, size, max_size);
  // A message that had a footer keeps one (re-signed for P-384 suites).
  const int changes = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < changes; ++i) Change(*m, rng);
  auto out = Seal(*m);
  if (!out || out->size() > max_size) return ByteMutate(data, size, max_size);
  std::memcpy(data, out->data(), out->size());
  return out->size();
}

}  // namespace envelope::fuzz
