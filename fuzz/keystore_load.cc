// fuzz target keystore_load: loading a keystore file (lib/kms keystore_file
// and keystore_state): header parse, decryption under the root key, payload
// decode.
//
// Input: one mode byte, then bytes. Mode even: the bytes are a keystore file,
// opened with the fixed managed root key of kms_fuzz_keys.h. Mode odd: the
// bytes are a payload (what the file decrypts to), decoded directly, so the
// fuzzer reaches the JSON decoder without forging AES-GCM tags (the decoder
// must reject anything out of shape, authenticated or not). Properties:
//  - ParseKeystoreHeader accepts only a file of exactly header + payload +
//    tag bytes, with managed mode free of passphrase parameters;
//  - a payload that decodes is canonical after one encode: encode(decode(
//    encode(decode(p)))) == encode(decode(p)), with the same keys, versions,
//    aliases and material;
//  - a file that opens round-trips: sealed again under the same root key it
//    opens to the same payload;
//  - no error message contains the root key (raw or hex), and a payload's
//    error message does not depend on its key material table at all.
// Half of the mutations change a file's payload or header and seal it again
// under the root key (fuzz/keystore_mutator.h), so these hold for authentic
// files whose contents are wrong.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_util.h"
#include "keystore_mutator.h"
#include "kms/keystore_file.h"
#include "kms/keystore_state.h"
#include "kms_fuzz_keys.h"

namespace {

using namespace envelope;
namespace kmsi = envelope::kms::internal;

const SecretBytes& RootKey() {
  static const SecretBytes key = [] {
    auto k = SecretBytes::CopyFrom(fuzz::kKeystoreRootKey);
    FUZZ_CHECK(k.has_value());
    return std::move(*k);
  }();
  return key;
}

bool Leaks(const std::string& m, std::span<const uint8_t> secret) {
  return fuzz::Contains(m, secret) || m.find(fuzz::Hex(secret)) != std::string::npos;
}

// g_input is the current input and g_payload what its file decrypted to: a
// message may quote either (a JSON parse error does), so a secret the
// fuzzer itself wrote into them is public. (The structure-aware mutator
// seals payloads, so the fuzzer writes the root key's hex into a payload
// that the input holds only encrypted.)
std::string_view g_input;
std::string g_payload;

// CheckMessage: no root key in `m`, raw or in hex, unless the input or the
// payload has it.
void CheckMessage(const std::string& m) {
  if (Leaks(std::string(g_input), fuzz::kKeystoreRootKey)) return;
  if (Leaks(g_payload, fuzz::kKeystoreRootKey)) return;
  FUZZ_CHECK(!Leaks(m, fuzz::kKeystoreRootKey));
}

// CheckDecodeError: the error for `payload` must not depend on its key
// material table: with every table byte changed, the message is the same.
// (Looking for the rows inside the message instead would flag rows that
// merely spell public text, such as the message itself.)
void CheckDecodeError(const std::string& m, std::span<const uint8_t> payload) {
  CheckMessage(m);
  if (payload.size() < 4) return;
  const size_t json_size = size_t{payload[0]} << 24 | size_t{payload[1]} << 16 |
                           size_t{payload[2]} << 8 | size_t{payload[3]};
  if (json_size > payload.size() - 4) return;
  std::vector<uint8_t> other(payload.begin(), payload.end());
  for (size_t i = 4 + json_size; i < other.size(); ++i) other[i] ^= 0xa5;
  auto again = kmsi::DecodePayload(other);
  FUZZ_CHECK(!again.has_value() && again.error().message() == m);
}

void CheckState(const kmsi::KeystoreState& a, const kmsi::KeystoreState& b) {
  FUZZ_CHECK(a.generation == b.generation);
  FUZZ_CHECK(a.keys.size() == b.keys.size());
  for (const auto& [id, k] : a.keys) {
    auto it = b.keys.find(id);
    FUZZ_CHECK(it != b.keys.end());
    FUZZ_CHECK(it->second.versions.size() == k.versions.size());
    for (size_t i = 0; i < k.versions.size(); ++i) {
      const auto x = k.versions[i].material(), y = it->second.versions[i].material();
      FUZZ_CHECK(x.size() == kmsi::kKeyMaterialSize && std::equal(x.begin(), x.end(), y.begin()));
    }
    FUZZ_CHECK(it->second.state == k.state && it->second.description == k.description);
  }
  FUZZ_CHECK(a.aliases.size() == b.aliases.size());
  FUZZ_CHECK(a.deleted == b.deleted);
}

void DecodeAndCheck(std::span<const uint8_t> payload) {
  auto state = kmsi::DecodePayload(payload);
  if (!state) {
    FUZZ_CHECK(state.error().code() == ErrorCode::invalid_argument);
    CheckDecodeError(state.error().message(), payload);
    return;
  }
  auto once = kmsi::EncodePayload(*state);
  FUZZ_CHECK(once.has_value());
  auto decoded = kmsi::DecodePayload(once->span());
  FUZZ_CHECK(decoded.has_value());
  CheckState(*state, *decoded);
  auto twice = kmsi::EncodePayload(*decoded);
  FUZZ_CHECK(twice.has_value() && twice->Equals(*once));
}

void LoadFile(std::span<const uint8_t> file) {
  auto header = kmsi::ParseKeystoreHeader(file);
  if (header) {
    FUZZ_CHECK(file.size() == kmsi::kKeystoreHeaderSize + size_t{header->payload_size} + 16);
    FUZZ_CHECK(header->payload_size <= kmsi::kKeystoreMaxPayload);
    if (header->mode == kmsi::RootKeyMode::managed) {
      FUZZ_CHECK(header->argon2id.ops == 0 && header->argon2id.mem_kib == 0);
    }
  } else {
    CheckMessage(header.error().message());
  }
  auto payload = kmsi::OpenKeystore(file, RootKey());
  FUZZ_CHECK(payload.has_value() <= header.has_value());
  if (!payload) {
    CheckMessage(payload.error().message());
    return;
  }
  FUZZ_CHECK(payload->size() == header->payload_size);
  g_payload.assign(payload->span().begin(), payload->span().end());
  DecodeAndCheck(payload->span());

  auto resealed = kmsi::SealKeystore(*header, RootKey(), payload->span());
  FUZZ_CHECK(resealed.has_value() && resealed->size() == file.size());
  auto reopened = kmsi::OpenKeystore(*resealed, RootKey());
  FUZZ_CHECK(reopened.has_value() && reopened->Equals(*payload));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  g_input = {reinterpret_cast<const char*>(data), size};
  g_payload.clear();
  fuzz::FuzzInput input(data, size);
  const uint8_t mode = input.U8();
  const auto rest = input.Rest();
  if (mode & 1) {
    DecodeAndCheck(rest);
  } else {
    LoadFile(rest);
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return envelope::fuzz::MutateKeystore(data, size, max_size, seed);
}
