// fuzz target customer_key: the SSE-C keyring (lib/keyring/
// customer_key_keyring.cc): key parsing, the key-MD5 check, and its EDKs
// (parse, salted fingerprint check, unwrap).
//
// Input: mode byte, then by mode (mode % 4):
//  0: key file contents for ParseCustomerKey. Accepted: 32 raw bytes (the
//     same bytes), or 44 characters of base64 (then one optional "\n" or
//     "\r\n") that encode the key exactly; refused: `invalid_argument`, with
//     a message that does not change with the bytes (only their number);
//  1: a 32-byte key then a key MD5: NewCustomerKeyKeyring accepts exactly an
//     empty MD5 or CustomerKeyMd5(key), else `invalid_argument`;
//  2: suite, context and EDKs (edk_input.h) decrypted with the harness's key:
//     `not_found` exactly when no EDK has the SSE-C shape (provider id,
//     77-byte info of version 1, key size + 16 bytes of ciphertext), else
//     success or `auth_failed`; a data key found has the suite's size;
//  3: suite, context, then a change (flip a bit of the EDK at an offset, or
//     of the key, or of the context) applied to an EDK the keyring wrote
//     itself: unchanged, it unwraps to the data key; a changed salt,
//     fingerprint or key gives the mismatch message; a changed IV,
//     ciphertext or context the fixed authentication failure; a changed
//     version or provider id `not_found`; and the rules of keyring_rules.h
//     for materials that already hold a data key.
#include "envelope/customer_key.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "edk_input.h"
#include "fuzz_util.h"
#include "keyring_rules.h"
#include "message/base64.h"

namespace {

using namespace envelope;

constexpr uint8_t kKey[kCustomerKeySize] = {'e', 'n', 'v', 'e', 'l', 'o', 'p', 'e', '-', 'f', 'u',
                                            'z', 'z', '-', 's', 's', 'e', '-', 'c', '-', 'k', 'e',
                                            'y', '-', '0', '1', '2', '3', '4', '5', '6', '7'};
constexpr size_t kInfoSize = 1 + 32 + 32 + 12;

std::string AsString(std::span<const uint8_t> b) { return {b.begin(), b.end()}; }

void ParseKey(std::span<const uint8_t> text) {
  auto key = ParseCustomerKey(text);
  if (!key) {
    FUZZ_CHECK(key.error().code() == ErrorCode::invalid_argument);
    // The message does not depend on the bytes (it never quotes them): the
    // same number of other bytes, if refused too, gets the same message.
    // (Searching the message for the input is no test: the fuzzer copies
    // the message's own words into the input.)
    std::vector<uint8_t> other(text.begin(), text.end());
    for (uint8_t& b : other) b ^= 0x5a;
    auto again = ParseCustomerKey(other);
    if (!again) FUZZ_CHECK(again.error().ToString() == key.error().ToString());
    return;
  }
  FUZZ_CHECK(key->size() == kCustomerKeySize);
  if (text.size() == kCustomerKeySize) {
    FUZZ_CHECK(std::equal(text.begin(), text.end(), key->span().begin()));
    return;
  }
  std::string s = AsString(text);
  if (s.ends_with("\r\n")) {
    s.resize(s.size() - 2);
  } else if (s.ends_with('\n')) {
    s.pop_back();
  }
  FUZZ_CHECK(s.size() == 44);
  FUZZ_CHECK(message::Base64Encode(key->span()) == s);
}

void KeyMd5(fuzz::FuzzInput& in) {
  const auto key = in.Bytes(kCustomerKeySize);
  CustomerKeyOptions options;
  options.key_md5 = AsString(in.Rest());
  auto keyring = NewCustomerKeyKeyring(KeyView(key), options);
  if (key.size() != kCustomerKeySize) {
    FUZZ_CHECK(!keyring && keyring.error().code() == ErrorCode::invalid_argument);
    return;
  }
  auto md5 = CustomerKeyMd5(KeyView(key));
  FUZZ_CHECK(md5.has_value());
  const bool good = options.key_md5.empty() || options.key_md5 == *md5;
  FUZZ_CHECK(keyring.has_value() == good);
  if (!keyring) FUZZ_CHECK(keyring.error().code() == ErrorCode::invalid_argument);
}

bool Addressed(const EncryptedDataKey& edk, AlgorithmSuiteId suite) {
  return edk.provider_id == kCustomerKeyProviderId && edk.provider_info.size() == kInfoSize &&
         edk.provider_info[0] == 1 && edk.ciphertext.size() == fuzz::SuiteKeyBytes(suite) + 16;
}

void RawEdks(fuzz::FuzzInput& in, const Keyring& keyring) {
  auto k = fuzz::ReadKeyringInput(in, kCustomerKeyProviderId);
  DecryptionMaterials m;
  m.suite = k.suite;
  m.context = k.context;
  auto r = keyring.OnDecrypt(m, k.edks);
  bool addressed = false;
  for (const auto& edk : k.edks) addressed = addressed || Addressed(edk, k.suite);
  if (r) {
    FUZZ_CHECK(addressed);
    FUZZ_CHECK(m.data_key.size() == fuzz::SuiteKeyBytes(k.suite));
    return;
  }
  FUZZ_CHECK(m.data_key.empty());
  FUZZ_CHECK(r.error().code() == (addressed ? ErrorCode::auth_failed : ErrorCode::not_found));
}

void Changed(fuzz::FuzzInput& in, const Keyring& keyring) {
  EncryptionMaterials e;
  e.suite = fuzz::ReadSuite(in);
  e.context = fuzz::ReadContext(in);
  FUZZ_CHECK(keyring.OnEncrypt(e).has_value());
  FUZZ_CHECK(e.encrypted_data_keys.size() == 1);
  FUZZ_CHECK(Addressed(e.encrypted_data_keys[0], e.suite));
  EncryptedDataKey edk = e.encrypted_data_keys[0];
  DecryptionMaterials d;
  d.suite = e.suite;
  d.context = e.context;
  const uint8_t what = in.U8() % 4;
  const uint16_t offset = in.U16();
  const uint8_t bit = static_cast<uint8_t>(1u << (in.U8() % 8));
  // What the keyring must say: ok, the mismatch message, the fixed failure,
  // or not_found.
  enum class Expect { ok, mismatch, failure, not_found } expect = Expect::ok;
  std::shared_ptr<const Keyring> other;
  if (what == 1) {
    // A bit of the EDK: provider id, then info, then ciphertext.
    const size_t p = edk.provider_id.size(), i = edk.provider_info.size();
    const size_t at = offset % (p + i + edk.ciphertext.size());
    if (at < p) {
      edk.provider_id[at] = static_cast<char>(edk.provider_id[at] ^ bit);
      expect = Expect::not_found;
    } else if (at < p + i) {
      edk.provider_info[at - p] ^= bit;
      expect = at == p ? Expect::not_found : at < p + 65 ? Expect::mismatch : Expect::failure;
    } else {
      edk.ciphertext[at - p - i] ^= bit;
      expect = Expect::failure;
    }
  } else if (what == 2) {
    uint8_t key[kCustomerKeySize];
    std::copy(std::begin(kKey), std::end(kKey), key);
    key[offset % kCustomerKeySize] ^= bit;
    auto k = NewCustomerKeyKeyring(KeyView(key));
    FUZZ_CHECK(k.has_value());
    other = *k;
    expect = Expect::mismatch;
  } else if (what == 3) {
    d.context["fuzz-extra-" + std::to_string(offset % 7)] += "x";
    expect = Expect::failure;
  }
  auto r = (other ? *other : keyring).OnDecrypt(d, std::span(&edk, 1));
  switch (expect) {
    case Expect::ok:
      FUZZ_CHECK(r.has_value());
      FUZZ_CHECK(d.data_key.size() == e.data_key.size());
      FUZZ_CHECK(std::equal(d.data_key.span().begin(), d.data_key.span().end(),
                            e.data_key.span().begin()));
      break;
    case Expect::mismatch:
      FUZZ_CHECK(!r && r.error().code() == ErrorCode::auth_failed);
      FUZZ_CHECK(r.error().message() == kCustomerKeyMismatchMessage);
      break;
    case Expect::failure:
      FUZZ_CHECK(!r && r.error().code() == ErrorCode::auth_failed);
      FUZZ_CHECK(r.error().message() != kCustomerKeyMismatchMessage);
      break;
    case Expect::not_found:
      FUZZ_CHECK(!r && r.error().code() == ErrorCode::not_found);
      break;
  }
  if (!r) FUZZ_CHECK(d.data_key.empty());
  fuzz::CheckGivenDataKey(keyring, e.suite, e.context, e.data_key, e.encrypted_data_keys[0],
                          offset % 40);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto keyring = [] {
    auto k = NewCustomerKeyKeyring(KeyView(kKey));
    FUZZ_CHECK(k.has_value());
    return *k;
  }();
  fuzz::FuzzInput in(data, size);
  switch (in.U8() % 4) {
    case 0:
      ParseKey(in.Rest());
      break;
    case 1:
      KeyMd5(in);
      break;
    case 2:
      RawEdks(in, *keyring);
      break;
    default:
      Changed(in, *keyring);
      break;
  }
  return 0;
}
