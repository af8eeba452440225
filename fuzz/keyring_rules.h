// fuzz: rules every keyring of the single-keyring harnesses (customer_key,
// passphrase_edk) must follow for materials that already hold a data key.
// Header-only: each harness links only its own layers.
#ifndef ENVELOPE_FUZZ_KEYRING_RULES_H_
#define ENVELOPE_FUZZ_KEYRING_RULES_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "envelope/keyring.hpp"
#include "envelope/materials.hpp"
#include "fuzz_util.h"

namespace envelope::fuzz {

// CheckGivenDataKey checks, for `keyring` and a data key `written` of
// `suite`'s size that it wrote as `edk` under `context`:
//  - encrypting materials that already hold a data key wraps that key (one
//    new EDK, the key unchanged), and the new EDK unwraps to it;
//  - a given data key of another size (`wrong_size`, made non-zero and
//    different) is refused with `invalid_argument`, adding no EDK and
//    keeping the key;
//  - decrypting materials that already hold a data key are left alone
//    (success, the key unchanged, with its EDK or none at all).
inline void CheckGivenDataKey(const Keyring& keyring, AlgorithmSuiteId suite,
                              const EncryptionContext& context, const SecretBytes& written,
                              const EncryptedDataKey& edk, size_t wrong_size) {
  EncryptionMaterials given;
  given.suite = suite;
  given.context = context;
  auto copy = written.Clone();
  FUZZ_CHECK(copy.has_value());
  given.data_key = std::move(*copy);
  FUZZ_CHECK(keyring.OnEncrypt(given).has_value());
  FUZZ_CHECK(given.data_key.Equals(written) && given.encrypted_data_keys.size() == 1);
  DecryptionMaterials back;
  back.suite = suite;
  back.context = context;
  FUZZ_CHECK(keyring.OnDecrypt(back, given.encrypted_data_keys).has_value());
  FUZZ_CHECK(back.data_key.Equals(written));

  // (An empty data key is no given key: the keyring generates one.)
  if (wrong_size == 0 || wrong_size == written.size()) ++wrong_size;
  EncryptionMaterials wrong;
  wrong.suite = suite;
  wrong.context = context;
  auto bad = SecretBytes::Allocate(wrong_size);
  FUZZ_CHECK(bad.has_value());
  wrong.data_key = std::move(*bad);
  auto refused = keyring.OnEncrypt(wrong);
  FUZZ_CHECK(!refused.has_value() && refused.error().code() == ErrorCode::invalid_argument);
  FUZZ_CHECK(wrong.encrypted_data_keys.empty() && wrong.data_key.size() == wrong_size);

  DecryptionMaterials found;
  found.suite = suite;
  found.context = context;
  auto again = written.Clone();
  FUZZ_CHECK(again.has_value());
  found.data_key = std::move(*again);
  FUZZ_CHECK(keyring.OnDecrypt(found, std::span(&edk, 1)).has_value());
  FUZZ_CHECK(found.data_key.Equals(written));
  FUZZ_CHECK(keyring.OnDecrypt(found, {}).has_value());  // nothing to try, nothing tried
  FUZZ_CHECK(found.data_key.Equals(written));
}

}  // namespace envelope::fuzz

#endif  // ENVELOPE_FUZZ_KEYRING_RULES_H_
