// Known-answer self tests, run by `envelope selftest` the way FIPS modules
// run their power-on tests. The answers come from the algorithms'
// specifications (GCM spec test cases, RFC 3394, RFC 5649) and, for
// HKDF-SHA-512, from an independent HMAC-based computation of RFC 5869 with
// the RFC's test case 1 inputs.
#include "envelope/selftest.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/aes_gcm.h"
#include "crypto/hex.h"
#include "crypto/hkdf.h"
#include "crypto/key_wrap.h"
#include "envelope/secret.hpp"

namespace envelope {
namespace {

using crypto::FromHex;

SelfTestResult Check(std::string name, bool ok, std::string detail = {}) {
  return {std::move(name), ok, ok ? std::string() : std::move(detail)};
}

SelfTestResult FromError(std::string name, const Error& e) {
  return {std::move(name), false, e.ToString()};
}

struct GcmCase {
  const char* name;
  const char* key;
  const char* iv;
  const char* aad;
  const char* pt;
  const char* ct;
  const char* tag;
};

// GCM specification (McGrew & Viega), test cases 2, 9 and 16.
constexpr GcmCase kGcmCases[] = {
    {"aes-128-gcm", "00000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"aes-192-gcm", "000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "cd33b28ac773f74ba00ed1f312572435"},
    {"aes-256-gcm", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

// GcmTests runs the known answers on `backend`; `suffix` marks the results
// of a backend other than the active one.
void GcmTests(std::vector<SelfTestResult>& out, crypto::GcmBackend backend,
              const std::string& suffix) {
  for (const GcmCase& c : kGcmCases) {
    const auto key = FromHex(c.key), iv = FromHex(c.iv), aad = FromHex(c.aad), pt = FromHex(c.pt),
               ct = FromHex(c.ct), tag = FromHex(c.tag);
    const std::string name = c.name;
    auto gcm = crypto::AesGcm::New(key, backend);
    if (!gcm) {
      out.push_back(FromError(name + " seal" + suffix, gcm.error()));
      continue;
    }
    std::vector<uint8_t> got(pt.size()), got_tag(16);
    auto sealed = gcm->Seal(iv, aad, pt, got, got_tag);
    out.push_back(Check(name + " seal" + suffix, sealed && got == ct && got_tag == tag,
                        "ciphertext or tag differs from the known answer"));
    std::vector<uint8_t> back(ct.size());
    auto opened = gcm->Open(iv, aad, ct, tag, back);
    out.push_back(Check(name + " open" + suffix, opened && back == pt,
                        "plaintext differs from the known answer"));
    auto bad_tag = tag;
    bad_tag[0] ^= 1;
    auto rejected = gcm->Open(iv, aad, ct, bad_tag, back);
    out.push_back(Check(name + " rejects a modified tag" + suffix,
                        !rejected && rejected.error().code() == ErrorCode::auth_failed,
                        "a modified tag was accepted"));
  }
}

// GcmBackendTests says which AES-GCM implementation runs (and checks that
// AesGcm::New really builds on it), then runs the known answers on it and on
// every other backend this machine can run.
void GcmBackendTests(std::vector<SelfTestResult>& out) {
  const crypto::GcmBackend active = crypto::ActiveGcmBackend();
  auto probe = crypto::AesGcm::New(std::vector<uint8_t>(32, 0));
  out.push_back(Check(std::string("aes-gcm backend: ") + crypto::GcmBackendDescription(active),
                      probe && probe->backend() == active,
                      "contexts are not built on the chosen backend"));
  GcmTests(out, active, "");
  for (auto other : {crypto::GcmBackend::openssl, crypto::GcmBackend::ipsec_mb}) {
    if (other == active || !crypto::GcmBackendAvailable(other)) continue;
    GcmTests(
        out, other,
        std::string(" [") + (other == crypto::GcmBackend::openssl ? "openssl" : "ipsec-mb") + "]");
  }
}

void HkdfTest(std::vector<SelfTestResult>& out) {
  // RFC 5869 test case 1 inputs, with SHA-512.
  const auto ikm = FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const auto salt = FromHex("000102030405060708090a0b0c");
  const auto info = FromHex("f0f1f2f3f4f5f6f7f8f9");
  const auto want_prk = FromHex(
      "665799823737ded04a88e47e54a5890bb2c3d247c7a4254a8e61350723590a26"
      "c36238127d8661b88cf80ef802d57e2f7cebcf1e00e083848be19929c61b4237");
  const auto want_okm = FromHex(
      "832390086cda71fb47625bb5ceb168e4c8e26a1a16ed34d9fc7fe92c14815793"
      "38da362cb8d9f925d7cb");
  auto prk = crypto::HkdfSha512Extract(salt, ikm);
  if (!prk) {
    out.push_back(FromError("hkdf-sha512 extract", prk.error()));
    return;
  }
  out.push_back(Check("hkdf-sha512 extract", ConstantTimeEqual(prk->span(), want_prk),
                      "prk differs from the known answer"));
  std::vector<uint8_t> okm(want_okm.size());
  auto expanded = crypto::HkdfSha512Expand(prk->span(), info, okm);
  out.push_back(Check("hkdf-sha512 expand", expanded && okm == want_okm,
                      "okm differs from the known answer"));
}

void KeyWrapTests(std::vector<SelfTestResult>& out) {
  // RFC 3394 section 4.6: 256-bit key data under a 256-bit KEK.
  const auto kek = FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const auto key = FromHex("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f");
  const auto want = FromHex(
      "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43b"
      "fb988b9b7a02dd21");
  auto wrapped = crypto::AesKeyWrap(kek, key);
  out.push_back(Check("aes-kw wrap", wrapped && *wrapped == want,
                      "wrapped key differs from the known answer"));
  auto unwrapped = crypto::AesKeyUnwrap(kek, want);
  out.push_back(Check("aes-kw unwrap", unwrapped && ConstantTimeEqual(unwrapped->span(), key),
                      "unwrapped key differs from the known answer"));
  auto tampered = want;
  tampered[5] ^= 0x80;
  auto rejected = crypto::AesKeyUnwrap(kek, tampered);
  out.push_back(Check("aes-kw rejects a modified wrap",
                      !rejected && rejected.error().code() == ErrorCode::auth_failed,
                      "a modified wrapped key was accepted"));

  // RFC 5649 section 6: 20-octet and 7-octet keys under a 192-bit KEK.
  const auto kek192 = FromHex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
  const auto key20 = FromHex("c37b7e6492584340bed12207808941155068f738");
  const auto want20 = FromHex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
  const auto key7 = FromHex("466f7250617369");
  const auto want7 = FromHex("afbeb0f07dfbf5419200f2ccb50bb24f");
  auto w20 = crypto::AesKeyWrapPad(kek192, key20);
  auto w7 = crypto::AesKeyWrapPad(kek192, key7);
  out.push_back(Check("aes-kwp wrap", w20 && w7 && *w20 == want20 && *w7 == want7,
                      "wrapped key differs from the known answer"));
  auto u20 = crypto::AesKeyUnwrapPad(kek192, want20);
  auto u7 = crypto::AesKeyUnwrapPad(kek192, want7);
  out.push_back(Check(
      "aes-kwp unwrap",
      u20 && u7 && ConstantTimeEqual(u20->span(), key20) && ConstantTimeEqual(u7->span(), key7),
      "unwrapped key differs from the known answer"));
}

void MemoryTests(std::vector<SelfTestResult>& out) {
  auto a = SecretBytes::Random(32);
  auto b = SecretBytes::Random(32);
  if (!a || !b) {
    out.push_back(FromError("rng", (!a ? a : b).error()));
    return;
  }
  // Two fresh 256-bit draws are equal with probability 2^-256: equality
  // means the generator is stuck.
  out.push_back(Check("rng produces distinct keys", !a->Equals(*b), "two draws were equal"));
  auto c = a->Clone();
  out.push_back(Check("secret memory clone and constant-time compare",
                      c && c->Equals(*a) && c->data() != a->data(),
                      "clone differs from its source"));
}

}  // namespace

std::vector<SelfTestResult> RunSelfTests() {
  std::vector<SelfTestResult> results;
  GcmBackendTests(results);
  HkdfTest(results);
  KeyWrapTests(results);
  MemoryTests(results);
  return results;
}

}  // namespace envelope
