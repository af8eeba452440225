#include "stream/c2sp_schedule.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "crypto/hkdf.h"

namespace envelope::stream {
namespace {

constexpr std::string_view kInfoPrefix = "c2sp.org/chunked-encryption@v1+";
constexpr std::string_view kAeadName = "AEAD_AES_256_GCM";
constexpr size_t kDerivedSize = kC2spKeySize + kNonceSize + kC2spCommitmentSize;  // 76
constexpr size_t kInfoFixedSize = kInfoPrefix.size() + kAeadName.size() + 1 + kC2spSaltSize;

// WipeOnExit zeroes a stack buffer of secrets when it goes out of scope.
struct WipeOnExit {
  std::span<uint8_t> bytes;
  ~WipeOnExit() { SecureZero(bytes); }
};

}  // namespace

C2spSchedule::C2spSchedule(std::span<const uint8_t, kNonceSize> base_nonce) noexcept {
  std::copy(base_nonce.begin(), base_nonce.end(), base_nonce_.begin());
}

size_t C2spSchedule::Params(uint64_t index, bool /*final*/, size_t /*plaintext_size*/,
                            std::span<uint8_t, kNonceSize> nonce,
                            std::span<uint8_t> /*aad*/) const noexcept {
  std::copy(base_nonce_.begin(), base_nonce_.end(), nonce.begin());
  // The counter is XORed into the last 8 bytes as a big-endian integer (it
  // stays below 2^38, so the first 4 bytes are never touched).
  for (size_t i = 0; i < 8; ++i) {
    nonce[kNonceSize - 1 - i] ^= static_cast<uint8_t>(index >> (8 * i));
  }
  return 0;
}

Result<void> CheckC2spKey(std::span<const uint8_t> input_key, std::span<const uint8_t> context) {
  if (input_key.size() != kC2spKeySize) {
    return MakeError(ErrorCode::invalid_argument, "chunked: key must be 32 bytes (AES-256), got " +
                                                      std::to_string(input_key.size()));
  }
  if (context.size() > kC2spMaxContextSize) {
    return MakeError(
        ErrorCode::invalid_argument,
        "chunked: context must be at most 1024 bytes, got " + std::to_string(context.size()));
  }
  return {};
}

Result<C2spKeys> DeriveC2sp(std::span<const uint8_t> input_key,
                            std::span<const uint8_t, kC2spSaltSize> salt,
                            std::span<const uint8_t> context) {
  ENVELOPE_RETURN_IF_ERROR(CheckC2spKey(input_key, context));
  // The PRK and the HKDF output are stack copies wiped on every path; only
  // the message key goes to secret memory (one guarded allocation per
  // message: they cost several system calls each).
  uint8_t prk[crypto::kSha512Size] = {};
  uint8_t derived[kDerivedSize];
  WipeOnExit wipe_prk{prk}, wipe_derived{derived};
  // C2SP uses the 32-byte input key as the PRK; lib/crypto asks for at least
  // HashLen (64) bytes, as RFC 5869 does. HMAC zero-pads keys shorter than its
  // 128-byte block, so input key || 32 zero bytes is the same HMAC key and
  // gives the same output.
  std::memcpy(prk, input_key.data(), input_key.size());

  uint8_t info[kInfoFixedSize + kC2spMaxContextSize];
  size_t n = 0;
  std::memcpy(info + n, kInfoPrefix.data(), kInfoPrefix.size());
  n += kInfoPrefix.size();
  std::memcpy(info + n, kAeadName.data(), kAeadName.size());
  n += kAeadName.size();
  info[n++] = 0x00;
  std::memcpy(info + n, salt.data(), salt.size());
  n += salt.size();
  if (!context.empty()) std::memcpy(info + n, context.data(), context.size());
  n += context.size();

  ENVELOPE_RETURN_IF_ERROR(crypto::HkdfSha512Expand(prk, std::span(info, n), derived));
  auto key = SecretBytes::CopyFrom(std::span(derived).first(kC2spKeySize));
  ENVELOPE_RETURN_IF_ERROR(key);
  C2spKeys out;
  out.aead_key = std::move(*key);
  std::memcpy(out.base_nonce.data(), derived + kC2spKeySize, kNonceSize);
  std::memcpy(out.commitment.data(), derived + kC2spKeySize + kNonceSize, kC2spCommitmentSize);
  return out;
}

Result<uint64_t> C2spSealedSize(uint64_t plaintext_size, size_t header_size) {
  const uint64_t chunks = plaintext_size / kC2spChunkSize + 1;
  if (chunks > kC2spMaxChunks) {
    return MakeError(ErrorCode::limit_exceeded, "chunked: message longer than 2^38 chunks (4 PiB)");
  }
  return header_size + plaintext_size + chunks * kTagSize;
}

Result<uint64_t> C2spOpenedSize(uint64_t ciphertext_size, size_t header_size) {
  if (ciphertext_size < header_size) {
    return MakeError(ErrorCode::truncated, "chunked: ciphertext shorter than its 56-byte header");
  }
  const uint64_t body = ciphertext_size - header_size;
  const uint64_t full = body / kC2spSealedChunkSize;
  const uint64_t rest = body % kC2spSealedChunkSize;
  if (rest < kTagSize) {
    return MakeError(ErrorCode::truncated,
                     "chunked: ciphertext truncated (it does not end with a short final chunk)");
  }
  if (full + 1 > kC2spMaxChunks) {
    return MakeError(ErrorCode::limit_exceeded, "chunked: message longer than 2^38 chunks (4 PiB)");
  }
  return full * kC2spChunkSize + (rest - kTagSize);
}

}  // namespace envelope::stream
