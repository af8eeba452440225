// lib/stream: factories of the chunked stream classes from a ChunkedKeying.
//
// The public entry points (envelope/chunked.hpp) and raw mode
// (envelope/hazmat/chunked_raw.hpp) only build a ChunkedKeying and call
// these; tests call them directly to fix the salt or shrink the batches.
#ifndef ENVELOPE_LIB_STREAM_CHUNKED_STREAMS_H_
#define ENVELOPE_LIB_STREAM_CHUNKED_STREAMS_H_

#include <cstdint>
#include <memory>
#include <span>

#include "envelope/chunked.hpp"
#include "envelope/io.hpp"
#include "stream/chunked_cipher.h"

namespace envelope::stream {

// NewChunkedEncryptor: push-style encryption (chunked_writer.cc).
[[nodiscard]] Result<std::unique_ptr<ChunkedEncryptor>> NewChunkedEncryptor(
    const ChunkedKeying& keying, Sink& ciphertext);

// NewChunkedEncryptingReader: pull-style encryption (chunked_writer.cc).
[[nodiscard]] Result<std::unique_ptr<ChunkedEncryptingReader>> NewChunkedEncryptingReader(
    const ChunkedKeying& keying, Source& plaintext);

// PumpChunkedEncrypt: Source to Sink, returns the plaintext size.
[[nodiscard]] Result<uint64_t> PumpChunkedEncrypt(const ChunkedKeying& keying, Source& plaintext,
                                                  Sink& ciphertext);

// NewChunkedDecryptor: push-style decryption (chunked_reader.cc).
[[nodiscard]] Result<std::unique_ptr<ChunkedDecryptor>> NewChunkedDecryptor(ChunkedKeying keying,
                                                                            Sink& plaintext);

// NewChunkedDecryptingReader: pull-style decryption; reads the header now.
[[nodiscard]] Result<std::unique_ptr<ChunkedDecryptingReader>> NewChunkedDecryptingReader(
    const ChunkedKeying& keying, Source& ciphertext);

// PumpChunkedDecrypt: Source to Sink, returns the plaintext size.
[[nodiscard]] Result<uint64_t> PumpChunkedDecrypt(const ChunkedKeying& keying, Source& ciphertext,
                                                  Sink& plaintext);

// NewChunkedRandomAccessReader: positioned decryption
// (chunked_random_access.cc); reads the header now.
[[nodiscard]] Result<std::unique_ptr<ChunkedRandomAccessReader>> NewChunkedRandomAccessReader(
    const ChunkedKeying& keying, PositionedSource& ciphertext);

// SealChunkedMessage / OpenChunkedMessage: the one-shot forms
// (chunked_oneshot.cc); `out` must have the exact size.
[[nodiscard]] Result<void> SealChunkedMessage(const ChunkedKeying& keying,
                                              std::span<const uint8_t> plaintext,
                                              std::span<uint8_t> out);
[[nodiscard]] Result<void> OpenChunkedMessage(const ChunkedKeying& keying,
                                              std::span<const uint8_t> ciphertext,
                                              std::span<uint8_t> out);

}  // namespace envelope::stream

#endif  // ENVELOPE_LIB_STREAM_CHUNKED_STREAMS_H_
