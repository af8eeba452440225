#include "crypto/password_hash.h"

#include <sodium.h>

#include <string>

#include "crypto/init.h"

namespace envelope::crypto {

Result<void> ValidateArgon2idParams(const Argon2idParams& params) {
  if (params.ops < kArgon2idMinOps || params.ops > kArgon2idMaxOps) {
    return MakeError(
        ErrorCode::invalid_argument,
        "argon2id: passes must be between 1 and 64, got " + std::to_string(params.ops));
  }
  if (params.mem_kib < kArgon2idMinMemKiB || params.mem_kib > kArgon2idMaxMemKiB) {
    return MakeError(ErrorCode::invalid_argument,
                     "argon2id: memory must be between 8 KiB and 4 GiB, got " +
                         std::to_string(params.mem_kib) + " KiB");
  }
  return {};
}

Result<SecretBytes> Argon2idDeriveKey(std::span<const uint8_t> password,
                                      std::span<const uint8_t> salt, const Argon2idParams& params,
                                      size_t out_size) {
  ENVELOPE_RETURN_IF_ERROR(EnsureInitialized());
  if (salt.size() != crypto_pwhash_argon2id_SALTBYTES) {
    return MakeError(ErrorCode::invalid_argument,
                     "argon2id: salt must be 16 bytes, got " + std::to_string(salt.size()));
  }
  if (out_size < crypto_pwhash_argon2id_BYTES_MIN || out_size > 1024) {
    return MakeError(ErrorCode::invalid_argument,
                     "argon2id: output must be 16 to 1024 bytes, got " + std::to_string(out_size));
  }
  if (password.size() > crypto_pwhash_argon2id_PASSWD_MAX) {
    return MakeError(ErrorCode::invalid_argument, "argon2id: password too long");
  }
  ENVELOPE_RETURN_IF_ERROR(ValidateArgon2idParams(params));
  auto out = SecretBytes::Allocate(out_size);
  if (!out) return out;
  // An empty password still needs a valid pointer.
  static const char kEmpty[1] = {0};
  const char* pw = password.empty() ? kEmpty : reinterpret_cast<const char*>(password.data());
  const int rc = crypto_pwhash_argon2id(out->data(), out->size(), pw, password.size(), salt.data(),
                                        params.ops, static_cast<size_t>(params.mem_kib) * 1024,
                                        crypto_pwhash_argon2id_ALG_ARGON2ID13);
  if (rc != 0) {
    return MakeError(ErrorCode::internal, "argon2id: derivation failed (not enough memory for " +
                                              std::to_string(params.mem_kib) + " KiB?)");
  }
  return out;
}

}  // namespace envelope::crypto
