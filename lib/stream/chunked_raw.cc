// Raw mode (envelope/hazmat/chunked_raw.hpp): the same stream classes keyed
// with a given AEAD key and base nonce and no header.
#include "envelope/hazmat/chunked_raw.hpp"

#include "stream/chunked_streams.h"

namespace envelope::hazmat {

using stream::MakeRawKeying;

Result<uint64_t> RawChunkedCiphertextSize(uint64_t plaintext_size) {
  return stream::C2spSealedSize(plaintext_size, 0);
}

Result<uint64_t> RawChunkedPlaintextSize(uint64_t ciphertext_size) {
  return stream::C2spOpenedSize(ciphertext_size, 0);
}

Result<std::unique_ptr<ChunkedEncryptor>> NewRawChunkedEncryptor(
    KeyView key, std::span<const uint8_t> base_nonce, Sink& ciphertext, unsigned threads) {
  auto keying = MakeRawKeying(key.bytes(), base_nonce, threads);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedEncryptor(std::move(*keying), ciphertext);
}

Result<std::unique_ptr<ChunkedDecryptor>> NewRawChunkedDecryptor(
    KeyView key, std::span<const uint8_t> base_nonce, Sink& plaintext, unsigned threads) {
  auto keying = MakeRawKeying(key.bytes(), base_nonce, threads);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedDecryptor(std::move(*keying), plaintext);
}

Result<std::unique_ptr<ChunkedEncryptingReader>> NewRawChunkedEncryptingReader(
    KeyView key, std::span<const uint8_t> base_nonce, Source& plaintext, unsigned threads) {
  auto keying = MakeRawKeying(key.bytes(), base_nonce, threads);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedEncryptingReader(std::move(*keying), plaintext);
}

Result<std::unique_ptr<ChunkedDecryptingReader>> NewRawChunkedDecryptingReader(
    KeyView key, std::span<const uint8_t> base_nonce, Source& ciphertext, unsigned threads) {
  auto keying = MakeRawKeying(key.bytes(), base_nonce, threads);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedDecryptingReader(std::move(*keying), ciphertext);
}

Result<std::unique_ptr<ChunkedRandomAccessReader>> NewRawChunkedRandomAccessReader(
    KeyView key, std::span<const uint8_t> base_nonce, PositionedSource& ciphertext,
    unsigned threads) {
  auto keying = MakeRawKeying(key.bytes(), base_nonce, threads);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedRandomAccessReader(std::move(*keying), ciphertext);
}

Result<void> RawChunkedEncrypt(KeyView key, std::span<const uint8_t> base_nonce,
                               std::span<const uint8_t> plaintext, std::span<uint8_t> ciphertext,
                               unsigned threads) {
  auto keying = MakeRawKeying(key.bytes(), base_nonce, threads);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::SealChunkedMessage(*keying, plaintext, ciphertext);
}

Result<void> RawChunkedDecrypt(KeyView key, std::span<const uint8_t> base_nonce,
                               std::span<const uint8_t> ciphertext, std::span<uint8_t> plaintext,
                               unsigned threads) {
  auto keying = MakeRawKeying(key.bytes(), base_nonce, threads);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::OpenChunkedMessage(*keying, ciphertext, plaintext);
}

}  // namespace envelope::hazmat
