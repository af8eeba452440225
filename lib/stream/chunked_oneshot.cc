// Chunked encryption of whole buffers: the engine seals or opens straight
// from the caller's input into the caller's output, batch after batch, with
// no staging copy. Decryption is all or nothing.
#include <cstring>

#include "stream/chunked_streams.h"

namespace envelope::stream {
namespace {

bool Overlap(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.empty() || b.empty()) return false;
  return a.data() < b.data() + b.size() && b.data() < a.data() + a.size();
}

}  // namespace

Result<void> SealChunkedMessage(const ChunkedKeying& keying, std::span<const uint8_t> plaintext,
                                std::span<uint8_t> out) {
  auto size = C2spSealedSize(plaintext.size(), keying.header_size());
  ENVELOPE_RETURN_IF_ERROR(size);
  if (out.size() != *size) {
    return MakeError(ErrorCode::invalid_argument, "chunked: ciphertext buffer must be " +
                                                      std::to_string(*size) + " bytes, got " +
                                                      std::to_string(out.size()));
  }
  if (Overlap(plaintext, out)) {
    return MakeError(ErrorCode::invalid_argument, "chunked: plaintext and ciphertext overlap");
  }
  const uint64_t chunks = plaintext.size() / kC2spChunkSize + 1;
  auto cipher = ChunkedCipher::ForSealing(keying, out.first(keying.header_size()), chunks);
  ENVELOPE_RETURN_IF_ERROR(cipher);
  (*cipher)->InMemory(chunks);
  auto r = (*cipher)->Seal(0, plaintext, true, out.subspan(keying.header_size()));
  if (!r) SecureZero(out);  // never leave a half-written ciphertext behind
  return r;
}

Result<void> OpenChunkedMessage(const ChunkedKeying& keying, std::span<const uint8_t> ciphertext,
                                std::span<uint8_t> out) {
  auto size = C2spOpenedSize(ciphertext.size(), keying.header_size());
  ENVELOPE_RETURN_IF_ERROR(size);
  if (out.size() != *size) {
    return MakeError(ErrorCode::invalid_argument, "chunked: plaintext buffer must be " +
                                                      std::to_string(*size) + " bytes, got " +
                                                      std::to_string(out.size()));
  }
  if (Overlap(ciphertext, out)) {
    return MakeError(ErrorCode::invalid_argument, "chunked: ciphertext and plaintext overlap");
  }
  const uint64_t chunks = *size / kC2spChunkSize + 1;
  auto cipher = ChunkedCipher::ForOpening(keying, ciphertext.first(keying.header_size()), chunks);
  if (!cipher) {
    SecureZero(out);  // all or nothing, whatever the caller left there
    return tl::unexpected(cipher.error());
  }
  (*cipher)->InMemory(chunks);
  // Open zeroes `out` on failure.
  return (*cipher)->Open(0, ciphertext.subspan(keying.header_size()), true, out);
}

}  // namespace envelope::stream

namespace envelope {

using stream::MakeC2spKeying;

Result<uint64_t> ChunkedCiphertextSize(uint64_t plaintext_size) {
  return stream::C2spSealedSize(plaintext_size, kChunkedHeaderSize);
}

Result<uint64_t> ChunkedPlaintextSize(uint64_t ciphertext_size) {
  return stream::C2spOpenedSize(ciphertext_size, kChunkedHeaderSize);
}

Result<void> ChunkedEncrypt(KeyView key, std::span<const uint8_t> plaintext,
                            std::span<uint8_t> ciphertext, const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::SealChunkedMessage(*keying, plaintext, ciphertext);
}

Result<std::vector<uint8_t>> ChunkedEncrypt(KeyView key, std::span<const uint8_t> plaintext,
                                            const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  auto size = ChunkedCiphertextSize(plaintext.size());
  ENVELOPE_RETURN_IF_ERROR(size);
  std::vector<uint8_t> out(*size);
  ENVELOPE_RETURN_IF_ERROR(stream::SealChunkedMessage(*keying, plaintext, out));
  return out;
}

Result<void> ChunkedDecrypt(KeyView key, std::span<const uint8_t> ciphertext,
                            std::span<uint8_t> plaintext, const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::OpenChunkedMessage(*keying, ciphertext, plaintext);
}

Result<std::vector<uint8_t>> ChunkedDecrypt(KeyView key, std::span<const uint8_t> ciphertext,
                                            const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);  // a bad key fails before anything is read
  ENVELOPE_RETURN_IF_ERROR(keying);
  auto size = ChunkedPlaintextSize(ciphertext.size());
  ENVELOPE_RETURN_IF_ERROR(size);
  std::vector<uint8_t> out(*size);
  ENVELOPE_RETURN_IF_ERROR(stream::OpenChunkedMessage(*keying, ciphertext, out));
  return out;
}

}  // namespace envelope
