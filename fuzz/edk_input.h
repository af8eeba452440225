// fuzz: reading keyring decryption inputs (suite, context, EDKs) from a
// fuzzer input, for the harnesses of single keyrings (customer_key,
// passphrase_edk). Header-only: each harness links only its own layers.
//
// Layout read by ReadKeyringInput:
//   suite selector (1) | pair count (1, at most 3) | pairs (String each) |
//   EDK count (1, at most 4) | EDKs
// Each EDK: provider selector (1: even = the keyring's own provider id,
// odd = a String) | info length (1) | info | ciphertext length (1) | ct.
#ifndef ENVELOPE_FUZZ_EDK_INPUT_H_
#define ENVELOPE_FUZZ_EDK_INPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/materials.hpp"
#include "fuzz_util.h"

namespace envelope::fuzz {

// kSuiteIds are the suites a selector byte picks from (every suite).
inline constexpr uint16_t kSuiteIds[] = {0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178,
                                         0x0214, 0x0346, 0x0378, 0x0478, 0x0578};

// SuiteKeyBytes is the data key size of `suite`.
inline size_t SuiteKeyBytes(AlgorithmSuiteId suite) {
  const uint16_t id = static_cast<uint16_t>(suite);
  return (id & 0xff) == 0x14 ? 16 : (id & 0xff) == 0x46 ? 24 : 32;
}

// KeyringInput is what a keyring's OnDecrypt gets.
struct KeyringInput {
  AlgorithmSuiteId suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  EncryptionContext context;
  std::vector<EncryptedDataKey> edks;
};

// ReadSuite reads a suite selector.
inline AlgorithmSuiteId ReadSuite(FuzzInput& in) {
  return static_cast<AlgorithmSuiteId>(kSuiteIds[in.U8() % std::size(kSuiteIds)]);
}

// ReadContext reads up to 3 pairs, as a parsed header gives them: printable
// ASCII (a byte outside 0x20..0x7e is mapped into it), no empty key, a
// repeated key keeping its first value.
inline EncryptionContext ReadContext(FuzzInput& in) {
  auto printable = [](std::string s) {
    for (char& c : s) {
      const uint8_t b = static_cast<uint8_t>(c);
      if (b < 0x20 || b > 0x7e) c = static_cast<char>(0x20 + b % 95);
    }
    return s;
  };
  EncryptionContext context;
  const int pairs = in.U8() % 4;
  for (int i = 0; i < pairs; ++i) {
    std::string key = printable(in.String(16));
    std::string value = printable(in.String(16));
    if (!key.empty()) context.emplace(std::move(key), std::move(value));
  }
  return context;
}

// ReadKeyringInput reads the layout above; `provider` is the keyring's own
// provider id.
inline KeyringInput ReadKeyringInput(FuzzInput& in, std::string_view provider) {
  KeyringInput k;
  k.suite = ReadSuite(in);
  k.context = ReadContext(in);
  const int count = in.U8() % 5;
  for (int i = 0; i < count; ++i) {
    EncryptedDataKey edk;
    edk.provider_id = in.U8() % 2 == 0 ? std::string(provider) : in.String(24);
    auto info = in.Bytes(in.U8());
    edk.provider_info.assign(info.begin(), info.end());
    auto ct = in.Bytes(in.U8());
    edk.ciphertext.assign(ct.begin(), ct.end());
    k.edks.push_back(std::move(edk));
  }
  return k;
}

}  // namespace envelope::fuzz

#endif  // ENVELOPE_FUZZ_EDK_INPUT_H_
