#include "fuzz_keys.h"

#include <cstdio>
#include <cstdlib>

namespace envelope::fuzz {
namespace {

template <typename T>
T OrDie(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "fuzz setup: %s: %s\n", what, r.error().ToString().c_str());
    std::abort();
  }
  return std::move(*r);
}

}  // namespace

std::shared_ptr<const Keyring> AesKeyring() {
  static const auto keyring =
      OrDie(NewRawAesKeyring(kVectorProvider, "aes-256", kAesKey), "raw AES keyring");
  return keyring;
}

std::shared_ptr<const Keyring> VectorKeyring() {
  static const auto keyring = [] {
    auto rsa = OrDie(NewRawRsaKeyring(kVectorProvider, "rsa-4096-private",
                                      RsaPadding::oaep_sha512, "", kRsaPrivateKeyPem),
                     "raw RSA keyring");
    return OrDie(NewMultiKeyring(AesKeyring(), {rsa}), "multi keyring");
  }();
  return keyring;
}

std::shared_ptr<const CryptoMaterialsManager> VectorCmm() {
  static const auto cmm = OrDie(NewDefaultCmm(VectorKeyring()), "default CMM");
  return cmm;
}

}  // namespace envelope::fuzz
