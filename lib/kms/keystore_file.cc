#include "kms/keystore_file.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "crypto/aes_gcm.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"

namespace envelope::kms::internal {
namespace {

uint32_t GetU32(std::span<const uint8_t> b) {
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
}

void PutU32(std::span<uint8_t> b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

std::span<const uint8_t> Label(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Derive returns the 32-byte encryption key and the 16-byte check value.
Result<SecretBytes> Derive(const SecretBytes& root_key, std::string_view info, size_t size) {
  auto out = SecretBytes::Allocate(size);
  if (!out) return out;
  if (auto r = crypto::HkdfSha512({}, root_key.span(), Label(info), out->span()); !r) {
    return tl::unexpected(r.error());
  }
  return out;
}

void WriteHeader(const KeystoreHeader& h, std::span<uint8_t> out) {
  std::copy(std::begin(kKeystoreMagic), std::end(kKeystoreMagic), out.begin());
  out[8] = 0;
  out[9] = kKeystoreVersion;
  out[10] = static_cast<uint8_t>(h.mode);
  out[11] = 0;
  PutU32(out.subspan(12), h.argon2id.ops);
  PutU32(out.subspan(16), h.argon2id.mem_kib);
  std::copy(h.salt.begin(), h.salt.end(), out.begin() + 20);
  std::copy(h.check.begin(), h.check.end(), out.begin() + 36);
  std::copy(h.iv.begin(), h.iv.end(), out.begin() + 52);
  PutU32(out.subspan(64), h.payload_size);
}

}  // namespace

Result<KeystoreHeader> ParseKeystoreHeader(std::span<const uint8_t> file) {
  const size_t magic_seen = std::min(file.size(), sizeof kKeystoreMagic);
  if (!std::equal(file.begin(), file.begin() + magic_seen, std::begin(kKeystoreMagic))) {
    return MakeError(ErrorCode::invalid_argument,
                     "not an envelope keystore file (bad magic); it was left untouched");
  }
  if (file.size() < kKeystoreHeaderSize + 16) {
    return MakeError(ErrorCode::truncated,
                     "keystore file is truncated (" + std::to_string(file.size()) + " bytes)");
  }
  const uint16_t version = static_cast<uint16_t>(file[8] << 8 | file[9]);
  if (version != kKeystoreVersion) {
    return MakeError(ErrorCode::unsupported,
                     "keystore format version " + std::to_string(version) +
                         " is not supported (this build reads version 1); hint: use a newer "
                         "envelope");
  }
  KeystoreHeader h;
  if (file[10] == 1) {
    h.mode = RootKeyMode::managed;
  } else if (file[10] == 2) {
    h.mode = RootKeyMode::passphrase;
  } else {
    return MakeError(ErrorCode::invalid_argument,
                     "keystore header: unknown root key mode " + std::to_string(file[10]));
  }
  if (file[11] != 0) {
    return MakeError(ErrorCode::invalid_argument, "keystore header: reserved byte is not zero");
  }
  h.argon2id.ops = GetU32(file.subspan(12));
  h.argon2id.mem_kib = GetU32(file.subspan(16));
  std::copy_n(file.begin() + 20, 16, h.salt.begin());
  std::copy_n(file.begin() + 36, 16, h.check.begin());
  std::copy_n(file.begin() + 52, 12, h.iv.begin());
  h.payload_size = GetU32(file.subspan(64));
  if (h.mode == RootKeyMode::passphrase) {
    if (auto ok = crypto::ValidateArgon2idParams(h.argon2id); !ok) {
      return tl::unexpected(ok.error().WithContext("keystore header"));
    }
  } else if (h.argon2id.ops != 0 || h.argon2id.mem_kib != 0 ||
             std::any_of(h.salt.begin(), h.salt.end(), [](uint8_t b) { return b != 0; })) {
    return MakeError(ErrorCode::invalid_argument,
                     "keystore header: managed mode with passphrase parameters");
  }
  if (h.payload_size > kKeystoreMaxPayload) {
    return MakeError(ErrorCode::invalid_argument, "keystore header: payload too large");
  }
  const size_t expected = kKeystoreHeaderSize + size_t{h.payload_size} + 16;
  if (file.size() < expected) {
    return MakeError(ErrorCode::truncated,
                     "keystore file is truncated: " + std::to_string(file.size()) + " of " +
                         std::to_string(expected) + " bytes");
  }
  if (file.size() > expected) {
    return MakeError(ErrorCode::invalid_argument, "keystore file has " +
                                                      std::to_string(file.size() - expected) +
                                                      " stray bytes after its end");
  }
  return h;
}

Result<std::vector<uint8_t>> SealKeystore(const KeystoreHeader& base, const SecretBytes& root_key,
                                          std::span<const uint8_t> payload) {
  if (payload.size() > kKeystoreMaxPayload) {
    return MakeError(ErrorCode::limit_exceeded, "keystore: more than 64 MiB of keys");
  }
  KeystoreHeader h = base;
  h.payload_size = static_cast<uint32_t>(payload.size());
  auto check = Derive(root_key, "envelope keystore v1 check", 16);
  ENVELOPE_RETURN_IF_ERROR(check);
  std::copy(check->span().begin(), check->span().end(), h.check.begin());
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(h.iv));
  auto key = Derive(root_key, "envelope keystore v1 key", 32);
  ENVELOPE_RETURN_IF_ERROR(key);
  std::vector<uint8_t> file(kKeystoreHeaderSize + payload.size() + 16);
  const std::span<uint8_t> all(file);
  WriteHeader(h, all);
  if (auto r = crypto::AesGcmSeal(key->span(), h.iv, all.first(kKeystoreHeaderSize), payload,
                                  all.subspan(kKeystoreHeaderSize));
      !r) {
    return tl::unexpected(r.error());
  }
  return file;
}

Result<SecretBytes> OpenKeystore(std::span<const uint8_t> file, const SecretBytes& root_key) {
  auto h = ParseKeystoreHeader(file);
  ENVELOPE_RETURN_IF_ERROR(h);
  auto check = Derive(root_key, "envelope keystore v1 check", 16);
  ENVELOPE_RETURN_IF_ERROR(check);
  if (!ConstantTimeEqual(check->span(), h->check)) {
    return MakeError(ErrorCode::auth_failed,
                     h->mode == RootKeyMode::passphrase
                         ? "wrong passphrase for this keystore"
                         : "wrong root key for this keystore; hint: the root key file must be "
                           "the one created with the keystore");
  }
  auto key = Derive(root_key, "envelope keystore v1 key", 32);
  ENVELOPE_RETURN_IF_ERROR(key);
  auto payload = SecretBytes::Allocate(h->payload_size);
  if (!payload) return payload;
  if (auto r = crypto::AesGcmOpen(key->span(), h->iv, file.first(kKeystoreHeaderSize),
                                  file.subspan(kKeystoreHeaderSize), payload->span());
      !r) {
    if (r.error().code() != ErrorCode::auth_failed) return tl::unexpected(r.error());
    return MakeError(ErrorCode::auth_failed,
                     "keystore file is corrupt or was tampered with (authentication failed); "
                     "hint: restore it from a backup");
  }
  return payload;
}

}  // namespace envelope::kms::internal
