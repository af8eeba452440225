// fuzz target passphrase_edk: the passphrase keyring's EDKs (lib/keyring/
// passphrase_keyring.cc): their Argon2id parameters, the per-EDK maxima and
// the per-message budget, and the unwrap.
//
// The harness keyring writes EDKs at 1 pass over 8 KiB and accepts at most
// 4 passes, 64 KiB and 128 KiB x passes per message, so no input costs more
// than a few Argon2id runs of 8..64 KiB.
//
// Input: mode byte, then by mode (0xf0 and over: 3; otherwise mode % 3):
//  0: suite, context and EDKs (edk_input.h): with "addressed" an EDK of the
//     passphrase shape (provider id, 37-byte info of version 1, key size +
//     16 bytes of ciphertext) and "within" one whose passes and memory are
//     valid and within the maxima: `limit_exceeded` when the within EDKs
//     cost more than the budget together, or when none is within but some
//     is addressed; `not_found` when none is addressed; else success or
//     `auth_failed` with kWrongPassphraseMessage;
//  1: suite, context, then a one-bit change of an EDK the keyring wrote (or
//     of the passphrase, or of the context): unchanged, it unwraps to the
//     data key; a changed provider id or version is `not_found`; changed
//     parameters are `limit_exceeded` when out of bounds, else (as a changed
//     salt, IV, ciphertext, passphrase or context) the wrong-passphrase
//     failure;
//  2: suite, context, passes (1), memory KiB (2) and a copy count (1): that
//     many copies of a written EDK with those parameters are refused with
//     `limit_exceeded` before any Argon2id run exactly when they are over
//     the maxima or, together, over the budget;
//  1 and 2 also check the rules of keyring_rules.h for materials that
//     already hold a data key;
//  3: a passphrase length (1) and passphrase, passes (1), memory KiB (2),
//     maximum passes (1) and memory (2), budget (4): NewPassphraseKeyring
//     accepts exactly a non-empty passphrase, valid Argon2id costs (1 to 64
//     passes, at least 8 KiB) within the maxima and the budget; then (when
//     it costs at most 256 KiB x passes) suite and context, and an EDK it
//     writes unwraps to the data key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "edk_input.h"
#include "envelope/passphrase.hpp"
#include "fuzz_util.h"
#include "keyring_rules.h"

namespace {

using namespace envelope;

constexpr uint8_t kPassphrase[] = {'c', 'o', 'r', 'r', 'e', 'c', 't', ' ', 'h', 'o', 'r', 's', 'e'};
constexpr size_t kInfoSize = 1 + 4 + 4 + 16 + 12;

PassphraseOptions Options() {
  PassphraseOptions o;
  o.passes = 1;
  o.memory_kib = 8;
  o.max_passes = 4;
  o.max_memory_kib = 64;
  o.max_message_cost = 128;
  return o;
}

uint32_t U32At(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

void PutU32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

bool Addressed(const EncryptedDataKey& edk, AlgorithmSuiteId suite) {
  return edk.provider_id == kPassphraseProviderId && edk.provider_info.size() == kInfoSize &&
         edk.provider_info[0] == 1 && edk.ciphertext.size() == fuzz::SuiteKeyBytes(suite) + 16;
}

// Within says whether an addressed EDK's parameters are valid Argon2id and
// within the maxima; `cost` gets its KiB x passes.
bool Within(const EncryptedDataKey& edk, uint64_t& cost) {
  const PassphraseOptions o = Options();
  const uint32_t passes = U32At(edk.provider_info, 1), mem = U32At(edk.provider_info, 5);
  cost = uint64_t{passes} * mem;
  return passes >= 1 && passes <= o.max_passes && mem >= 8 && mem <= o.max_memory_kib;
}

// Oracle is the outcome the rules above give for a set of EDKs: ok_or_auth
// (success or the wrong-passphrase failure), limit, or not_found.
enum class Outcome { ok_or_auth, limit, not_found };

Outcome Oracle(std::span<const EncryptedDataKey> edks, AlgorithmSuiteId suite) {
  bool addressed = false, within = false;
  uint64_t total = 0;
  for (const auto& edk : edks) {
    if (!Addressed(edk, suite)) continue;
    addressed = true;
    uint64_t cost = 0;
    if (Within(edk, cost)) {
      within = true;
      total += cost;
    }
  }
  if (total > Options().max_message_cost) return Outcome::limit;
  if (within) return Outcome::ok_or_auth;
  return addressed ? Outcome::limit : Outcome::not_found;
}

void CheckOutcome(const Result<void>& r, Outcome expect, const DecryptionMaterials& m) {
  if (r) {
    FUZZ_CHECK(expect == Outcome::ok_or_auth);
    return;
  }
  FUZZ_CHECK(m.data_key.empty());
  switch (expect) {
    case Outcome::ok_or_auth:
      FUZZ_CHECK(r.error().code() == ErrorCode::auth_failed);
      FUZZ_CHECK(r.error().message() == kWrongPassphraseMessage);
      break;
    case Outcome::limit:
      FUZZ_CHECK(r.error().code() == ErrorCode::limit_exceeded);
      break;
    case Outcome::not_found:
      FUZZ_CHECK(r.error().code() == ErrorCode::not_found);
      break;
  }
}

void RawEdks(fuzz::FuzzInput& in, const Keyring& keyring) {
  auto k = fuzz::ReadKeyringInput(in, kPassphraseProviderId);
  DecryptionMaterials m;
  m.suite = k.suite;
  m.context = k.context;
  auto r = keyring.OnDecrypt(m, k.edks);
  CheckOutcome(r, Oracle(k.edks, k.suite), m);
  if (r) FUZZ_CHECK(m.data_key.size() == fuzz::SuiteKeyBytes(k.suite));
}

void Changed(fuzz::FuzzInput& in, const Keyring& keyring, int mode) {
  EncryptionMaterials e;
  e.suite = fuzz::ReadSuite(in);
  e.context = fuzz::ReadContext(in);
  FUZZ_CHECK(keyring.OnEncrypt(e).has_value());
  FUZZ_CHECK(e.encrypted_data_keys.size() == 1);
  EncryptedDataKey edk = e.encrypted_data_keys[0];
  FUZZ_CHECK(Addressed(edk, e.suite));
  DecryptionMaterials d;
  d.suite = e.suite;
  d.context = e.context;
  const Keyring* decrypting = &keyring;
  std::shared_ptr<const Keyring> other;
  std::vector<EncryptedDataKey> edks;
  bool changed = false;
  if (mode == 2) {
    PutU32(edk.provider_info, 1, in.U8());
    PutU32(edk.provider_info, 5, in.U16());
    changed = U32At(edk.provider_info, 1) != 1 || U32At(edk.provider_info, 5) != 8;
    edks.assign(1 + in.U8() % 24, edk);
  } else {
    const uint8_t what = in.U8() % 4;
    const uint16_t offset = in.U16();
    const uint8_t bit = static_cast<uint8_t>(1u << (in.U8() % 8));
    if (what == 1) {
      const size_t p = edk.provider_id.size(), i = edk.provider_info.size();
      const size_t at = offset % (p + i + edk.ciphertext.size());
      if (at < p) {
        edk.provider_id[at] = static_cast<char>(edk.provider_id[at] ^ bit);
      } else if (at < p + i) {
        edk.provider_info[at - p] ^= bit;
      } else {
        edk.ciphertext[at - p - i] ^= bit;
      }
      changed = true;
    } else if (what == 2) {
      std::vector<uint8_t> wrong(std::begin(kPassphrase), std::end(kPassphrase));
      wrong[offset % wrong.size()] ^= bit;
      auto k = NewPassphraseKeyring(wrong, Options());
      FUZZ_CHECK(k.has_value());
      other = *k;
      decrypting = other.get();
      changed = true;
    } else if (what == 3) {
      d.context["fuzz-extra-" + std::to_string(offset % 7)] += "x";
      changed = true;
    }
    edks.push_back(edk);
  }
  auto r = decrypting->OnDecrypt(d, edks);
  const Outcome expect = Oracle(edks, e.suite);
  CheckOutcome(r, expect, d);
  // Unchanged (and within the budget), it unwraps; changed, never.
  FUZZ_CHECK(r.has_value() == (!changed && expect == Outcome::ok_or_auth));
  if (r) {
    FUZZ_CHECK(std::equal(d.data_key.span().begin(), d.data_key.span().end(),
                          e.data_key.span().begin(), e.data_key.span().end()));
  }
  fuzz::CheckGivenDataKey(keyring, e.suite, e.context, e.data_key, e.encrypted_data_keys[0],
                          static_cast<uint16_t>(e.suite) % 40);
}

// Configure: NewPassphraseKeyring accepts exactly a non-empty passphrase
// with valid Argon2id costs within its own decrypt maxima and budget (so
// what it writes it can read back); then, when cheap, a written EDK unwraps.
void Configure(fuzz::FuzzInput& in) {
  const auto passphrase = in.Bytes(in.U8() % 24);
  PassphraseOptions o;
  o.passes = in.U8() % 80;
  o.memory_kib = in.U16();
  o.max_passes = in.U8() % 80;
  o.max_memory_kib = in.U16();
  o.max_message_cost = in.U32();
  const uint64_t cost = PassphraseCost(o.passes, o.memory_kib);
  const bool valid = !passphrase.empty() && o.passes >= 1 && o.passes <= 64 && o.memory_kib >= 8 &&
                     o.passes <= o.max_passes && o.memory_kib <= o.max_memory_kib &&
                     cost <= o.max_message_cost;
  auto keyring = NewPassphraseKeyring(passphrase, o);
  FUZZ_CHECK(keyring.has_value() == valid);
  if (!keyring) {
    FUZZ_CHECK(keyring.error().code() == ErrorCode::invalid_argument);
    return;
  }
  if (cost > 256) return;  // keep an input to a few milliseconds
  EncryptionMaterials e;
  e.suite = fuzz::ReadSuite(in);
  e.context = fuzz::ReadContext(in);
  FUZZ_CHECK((*keyring)->OnEncrypt(e).has_value());
  DecryptionMaterials d;
  d.suite = e.suite;
  d.context = e.context;
  FUZZ_CHECK((*keyring)->OnDecrypt(d, e.encrypted_data_keys).has_value());
  FUZZ_CHECK(d.data_key.Equals(e.data_key));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto keyring = [] {
    auto k = NewPassphraseKeyring(kPassphrase, Options());
    FUZZ_CHECK(k.has_value());
    return *k;
  }();
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.U8();
  const int mode = selector % 3;
  if (selector >= 0xf0) {
    Configure(in);
  } else if (mode == 0) {
    RawEdks(in, *keyring);
  } else {
    Changed(in, *keyring, mode);
  }
  return 0;
}
