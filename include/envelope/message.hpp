// envelope: encrypting and decrypting envelope messages (AWS Encryption SDK
// message format).
//
// A message is a header (suite, random message id, encryption context, the
// data key wrapped for each recipient, frame length, key commitment, header
// tag), a body of AES-256-GCM frames and, for signed suites, an ECDSA P-384
// footer. Ways to use it:
//   - one shot:  Encrypt / Decrypt on spans (or text) in memory;
//   - streams:   EncryptStream / DecryptStream from a Source to a Sink, like
//                ChunkedEncryptStream / ChunkedDecryptStream (chunked.hpp);
//   - push:      MessageEncryptor / MessageDecryptor, Update() then Finish(),
//                output written to a Sink as frames complete;
//   - pull:      EncryptingReader / DecryptingReader, Read() from a Source;
//   - random access: RandomAccessDecryptor reads any plaintext range of an
//                unsigned v2 message from a PositionedSource.
// Sources and sinks are those of io.hpp. The materials come from a
// CryptoMaterialsManager (materials.hpp); for a keyring, wrap it with
// NewDefaultCmm or use the keyring overloads (keyring.hpp).
//
// In a function that returns a Result (error.hpp has the macro):
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto message,
//       envelope::Encrypt("attack at dawn", *cmm, {.context = {{"app", "demo"}}}));
//   ENVELOPE_ASSIGN_OR_RETURN(auto result, envelope::Decrypt(message, *cmm));
//
// Thread safety: the encryptor, decryptor, readers and random-access
// decryptor are not thread-safe (one object per thread); the free functions
// may run in several threads at once over a shared CMM.
#ifndef ENVELOPE_MESSAGE_HPP_
#define ENVELOPE_MESSAGE_HPP_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/io.hpp"
#include "envelope/materials.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// kDefaultFrameLength is the plaintext bytes per frame we write: 64 KiB (the
// ESDK's 4 KiB default costs throughput in per-frame overhead).
inline constexpr uint32_t kDefaultFrameLength = 64 * 1024;

// DecodeLimits bounds what a decoder accepts and buffers, so a hostile
// header cannot make it allocate or loop without end. Exceeding one fails
// with `limit_exceeded` before anything is decrypted.
struct DecodeLimits {
  // max_header_bytes bounds the whole header. Default 1 MiB.
  size_t max_header_bytes = size_t{1} << 20;
  // max_encrypted_data_keys bounds the EDK count (the format allows 65535,
  // each costing a keyring attempt). Default 64.
  size_t max_encrypted_data_keys = 64;
  // max_frame_length bounds the frame length (the plaintext buffered per
  // frame) and the content of a non-framed legacy message. Default 16 MiB.
  uint32_t max_frame_length = uint32_t{16} << 20;
  // max_context_bytes bounds the serialized encryption context (the format
  // allows 65535). Default 16 KiB.
  size_t max_context_bytes = 16 * 1024;
};

// EncryptOptions configures one encryption.
struct EncryptOptions {
  // suite: 0x0478 (default) or 0x0578 (adds an ECDSA P-384 signature, for
  // readers that must not be able to forge messages).
  AlgorithmSuiteId suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  EncryptionContext context;
  uint32_t frame_length = kDefaultFrameLength;  // 1 .. 2^32-1
  // threads that seal frames (1, the default: the calling thread only; 0: one
  // per core the process may run on, as in ChunkedOptions). The output is
  // byte-identical for any value. The default is the same as
  // ChunkedOptions::threads (chunked.hpp says why).
  unsigned threads = 1;
  CommitmentPolicy commitment_policy = CommitmentPolicy::require_encrypt_require_decrypt;
  // limits are what the message's readers accept (their DecodeLimits):
  // encryption fails with `invalid_argument`, before anything is written,
  // for a context, EDK count, frame length or header they would refuse.
  DecodeLimits limits;
};

// DecryptOptions configures one decryption.
struct DecryptOptions {
  CommitmentPolicy commitment_policy = CommitmentPolicy::require_encrypt_require_decrypt;
  // reproduced_context is the context the caller expects: every pair must
  // match the header's, and keys the header does not store (required keys)
  // are authenticated by the header tag. Empty: accept the stored context.
  // A context that does not match fails with `auth_failed`, as a wrong key
  // does (and as in the chunked and KMS APIs).
  EncryptionContext reproduced_context;
  DecodeLimits limits;
  unsigned threads = 1;  // as in EncryptOptions
  // allow_unverified_streaming releases plaintext of SIGNED messages as soon
  // as each frame authenticates, before the signature at the end verifies.
  // Each frame is still authenticated under the data key, but anyone who can
  // unwrap that key (every recipient) can forge such frames: until Finish()
  // succeeds, the released plaintext may come from a recipient rather than
  // the sender, or be a prefix of a message whose signature then fails. Only
  // set it when the output goes somewhere the caller discards on failure.
  // Off (default): a signed message's plaintext is held in memory, at most
  // max_buffered_plaintext bytes (else `limit_exceeded`), until it verifies.
  bool allow_unverified_streaming = false;
  size_t max_buffered_plaintext = size_t{256} << 20;
};

// HeaderInfo is the parsed header, JSON-ready, without any key material.
struct HeaderInfo {
  uint8_t version = 0;  // 1 or 2
  AlgorithmSuiteId suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
  std::vector<uint8_t> message_id;  // 16 (v1) or 32 (v2) bytes
  EncryptionContext context;        // as stored in the header
  std::vector<EncryptedDataKey> encrypted_data_keys;
  bool framed = true;
  uint32_t frame_length = 0;
  uint64_t header_size = 0;  // bytes, auth tag included
};

// MessageInfo is what InspectMessage reports: the header plus the layout.
struct MessageInfo {
  HeaderInfo header;
  uint64_t body_size = 0;    // frames (or the non-framed body) in bytes
  uint64_t frame_count = 0;  // frames, the final one included (0: non-framed)
  uint64_t footer_size = 0;  // signature length field + signature (0: none)
  uint64_t plaintext_size = 0;
};

// InspectMessage parses `source` without any key: the header, then a walk
// over the frame headers to the footer. Nothing is authenticated, so treat
// every field as a claim. Fails on a malformed or truncated message, or
// trailing bytes.
[[nodiscard]] Result<MessageInfo> InspectMessage(Source& source, const DecodeLimits& limits = {});

// NewSigningKey generates a fresh ECDSA P-384 signing key for 0x0578
// (the default CMM calls it; custom CMMs may too).
[[nodiscard]] Result<std::shared_ptr<const SigningKey>> NewSigningKey();

// MessageEncryptor encrypts one message pushed through it in pieces.
// Output goes to `sink` (which must outlive the encryptor) as frames fill;
// nothing is written before the first Update or Finish. After any failure
// every later call returns the same error.
// Not thread-safe.
class MessageEncryptor {
 public:
  // New obtains materials from `cmm` and prepares the header. Fails if the
  // options break the commitment policy, the frame length is 0, the context
  // uses a reserved key, or the CMM fails.
  [[nodiscard]] static Result<std::unique_ptr<MessageEncryptor>> New(
      const CryptoMaterialsManager& cmm, const EncryptOptions& options, Sink& sink);
  virtual ~MessageEncryptor() = default;
  // Update encrypts `plaintext` (any size; buffered to whole frames).
  [[nodiscard]] virtual Result<void> Update(std::span<const uint8_t> plaintext) = 0;
  // UpdateFrom encrypts the `length` bytes of `source` from `offset` on, as
  // Update would with those bytes, but the threads that seal the frames
  // read them themselves (ReadAtV, concurrently, straight into the output):
  // reading a file is spread over the threads instead of coming first, and
  // each frame is still in its core's cache when AES reads it. `source`
  // must allow concurrent ReadAt/ReadAtV (FdPositionedSource and the memory
  // sources do). Fails with `io` when the source ends before offset + length, and
  // with the source's error when a read fails.
  [[nodiscard]] virtual Result<void> UpdateFrom(PositionedSource& source, uint64_t offset,
                                                uint64_t length) = 0;
  // Finish writes the final frame and, for signed suites, the footer.
  [[nodiscard]] virtual Result<void> Finish() = 0;
  // header returns the message's header (available after New).
  virtual const HeaderInfo& header() const = 0;
};

// MessageDecryptor decrypts one message pushed through it in pieces.
// Plaintext goes to `sink` only after the frame holding it authenticates
// (and, for signed suites, after the signature verifies unless
// allow_unverified_streaming is set). A failure is sticky; an authentication
// failure has one fixed message.
// Not thread-safe.
class MessageDecryptor {
 public:
  // New prepares a decryptor; the CMM is called once the header is parsed.
  // `cmm` and `sink` must outlive the decryptor.
  [[nodiscard]] static Result<std::unique_ptr<MessageDecryptor>> New(
      const CryptoMaterialsManager& cmm, const DecryptOptions& options, Sink& sink);
  virtual ~MessageDecryptor() = default;
  // Update consumes ciphertext. Bytes after the end of the message fail.
  [[nodiscard]] virtual Result<void> Update(std::span<const uint8_t> ciphertext) = 0;
  // UpdateFrom consumes the `length` bytes of `source` from `offset` on, as
  // Update would with those bytes. For an unsigned framed message the
  // threads that open the frames read them themselves (ReadAtV,
  // concurrently, straight into the output), as MessageEncryptor::UpdateFrom
  // does; the rest is read in turn. `source` must allow concurrent
  // ReadAt/ReadAtV. Fails with `io` when the source ends before offset +
  // length, with the source's error when a read fails, and as Update.
  [[nodiscard]] virtual Result<void> UpdateFrom(PositionedSource& source, uint64_t offset,
                                                uint64_t length) = 0;
  // Finish says the input ended: fails with `truncated` if the message is
  // incomplete (no final frame or footer), verifies the signature and
  // releases any held plaintext.
  [[nodiscard]] virtual Result<void> Finish() = 0;
  // header returns the authenticated header, or nullptr before it is.
  virtual const HeaderInfo* header() const = 0;
};

// EncryptingReader pulls plaintext from a Source and yields the message.
// Not thread-safe.
class EncryptingReader : public Source {
 public:
  // New keeps references to `cmm` and `plaintext`; both must outlive it.
  [[nodiscard]] static Result<std::unique_ptr<EncryptingReader>> New(
      const CryptoMaterialsManager& cmm, const EncryptOptions& options, Source& plaintext);
};

// DecryptingReader pulls a message from a Source and yields plaintext
// under the same release rules as MessageDecryptor; the end (Read returns
// 0) is only reported once the whole message verified.
// Not thread-safe.
class DecryptingReader : public Source {
 public:
  // New keeps references to `cmm` and `ciphertext`; both must outlive it.
  [[nodiscard]] static Result<std::unique_ptr<DecryptingReader>> New(
      const CryptoMaterialsManager& cmm, const DecryptOptions& options, Source& ciphertext);
  // header returns the authenticated header, or nullptr before it is.
  virtual const HeaderInfo* header() const = 0;
};

// Encrypt encrypts `plaintext` into a new message.
[[nodiscard]] Result<std::vector<uint8_t>> Encrypt(std::span<const uint8_t> plaintext,
                                                   const CryptoMaterialsManager& cmm,
                                                   const EncryptOptions& options = {});

// Encrypt encrypts the bytes of text `plaintext` into a new message.
[[nodiscard]] inline Result<std::vector<uint8_t>> Encrypt(std::string_view plaintext,
                                                          const CryptoMaterialsManager& cmm,
                                                          const EncryptOptions& options = {}) {
  return Encrypt(AsBytes(plaintext), cmm, options);
}

// EncryptStream encrypts everything `plaintext` yields into `ciphertext` as
// one message and returns the number of plaintext bytes, the counterpart of
// ChunkedEncryptStream. Fails like MessageEncryptor::New and Update, or with
// the source's or the sink's error (the sink may then hold part of a
// message, which will not decrypt).
[[nodiscard]] Result<uint64_t> EncryptStream(Source& plaintext, Sink& ciphertext,
                                             const CryptoMaterialsManager& cmm,
                                             const EncryptOptions& options = {});

// DecryptResult is the plaintext and the header it was authenticated with.
struct DecryptResult {
  std::vector<uint8_t> plaintext;
  HeaderInfo header;
};

// Decrypt decrypts a whole message held in memory. Nothing is returned
// unless every frame, the header and the signature verified and no bytes
// follow the message.
[[nodiscard]] Result<DecryptResult> Decrypt(std::span<const uint8_t> message,
                                            const CryptoMaterialsManager& cmm,
                                            const DecryptOptions& options = {});

// DecryptStreamResult is what DecryptStream reports: the plaintext length and
// the header it was authenticated with.
struct DecryptStreamResult {
  uint64_t plaintext_size = 0;
  HeaderInfo header;
};

// DecryptStream decrypts the message `ciphertext` yields into `plaintext`,
// the counterpart of ChunkedDecryptStream, under MessageDecryptor's release
// rules: plaintext goes out frame by frame once authenticated (a signed
// message's is held until its signature verifies, unless
// allow_unverified_streaming). Fails like MessageDecryptor, `truncated` when
// the source ends inside the message, or with the source's or the sink's
// error; on failure the sink may hold an authenticated prefix.
[[nodiscard]] Result<DecryptStreamResult> DecryptStream(Source& ciphertext, Sink& plaintext,
                                                        const CryptoMaterialsManager& cmm,
                                                        const DecryptOptions& options = {});

// RandomAccessDecryptor reads plaintext ranges of an UNSIGNED v2 framed
// message (0x0478) without reading the rest: frame offsets follow from the
// header and the message size. New authenticates the header and the final
// frame (so truncation and extension are detected up front); each ReadAt
// authenticates the frames it touches. Signed messages are refused
// (`unsupported`): a range cannot be checked against the signature.
// It is a PositionedSource of plaintext with the same short-read rule as
// ChunkedRandomAccessReader (and every PositionedSource): ReadAt returns
// fewer bytes than asked only at the end of the message, 0 at or past it, so
// ReadExactAt reads an exact range from either. Not thread-safe.
class RandomAccessDecryptor : public PositionedSource {
 public:
  // New keeps a reference to `source`, which must outlive it.
  [[nodiscard]] static Result<std::unique_ptr<RandomAccessDecryptor>> New(
      PositionedSource& source, const CryptoMaterialsManager& cmm,
      const DecryptOptions& options = {});
  // plaintext_size is the total plaintext length (authenticated by New).
  virtual uint64_t plaintext_size() const = 0;
  // ReadAt decrypts plaintext bytes [offset, offset + out.size()) into `out`
  // and returns how many there were: out.size(), fewer at the end of the
  // message, 0 at or past it. Fails with `auth_failed` when a frame in the
  // range was altered (`out` is then zeroed), or the source's error.
  [[nodiscard]] Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override = 0;
  // Size returns plaintext_size().
  [[nodiscard]] Result<uint64_t> Size() override { return plaintext_size(); }
  // header returns the authenticated header.
  virtual const HeaderInfo& header() const = 0;
};

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_MESSAGE_HPP_
