// lib/message: writing a framed v2 message from prepared materials.
//
//   Update(plaintext) -> [pending: up to one batch of frames]
//                        -> chunk engine seals the batch (1..n threads)
//                        -> sink: header (first time), then the frames
//   UpdateFrom(source, offset, length)
//                     -> the same, but each batch's frames are read from the
//                        source by the engine's threads (ChunkLoader), into
//                        their place in the output, and sealed in place
//   Finish()          -> the final frame, then the footer (signed suites)
//
// A frame is sealed as a regular frame only once at least one more
// plaintext byte is known to follow it, so the final frame holds the last
// 1 .. frame length bytes (frame length when the plaintext is a multiple of
// it, as the specification prefers; empty only for an empty plaintext).
//
// Signed suites hash every byte written (SHA-384, about 0.9 GB/s on one
// core: slower than sealing on one core). There a batch is hashed and
// written while the next batch is sealed: the calling thread does it as the
// engine's side task while the workers seal, so one core hashes while the
// others seal. Each batch goes to the sink one batch later (from the second
// of two buffers), all before Finish returns.
#ifndef ENVELOPE_LIB_MESSAGE_ENCRYPTOR_H_
#define ENVELOPE_LIB_MESSAGE_ENCRYPTOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/materials.hpp"
#include "envelope/message.hpp"
#include "message/frame.h"
#include "message/header.h"
#include "message/signature.h"
#include "stream/chunk_engine.h"

namespace envelope::message {

// EncryptorConfig is how to write the body.
struct EncryptorConfig {
  uint32_t frame_length = kDefaultFrameLength;
  unsigned threads = 1;
  CommitmentPolicy commitment_policy = CommitmentPolicy::require_encrypt_require_decrypt;
  // limits are the readers' DecodeLimits: New refuses a message they would.
  DecodeLimits limits;
  // fixed_message_id is a TEST HOOK: when set (32 bytes) it replaces the
  // random message id so tests can compare outputs byte for byte. Reusing a
  // message id with the same data key repeats (key, IV) pairs: never set it
  // outside tests.
  std::optional<std::vector<uint8_t>> fixed_message_id;
};

// Encryptor writes one message. Errors are sticky.
class Encryptor final : public MessageEncryptor {
 public:
  // New validates `materials` (a committing suite the policy allows, a
  // 32-byte data key, at least one EDK, a signing key exactly for signed
  // suites whose public key is the context's aws-crypto-public-key, required
  // keys present in the context), draws the message id, derives the keys
  // and builds the header. `sink` must outlive the encryptor.
  [[nodiscard]] static Result<std::unique_ptr<Encryptor>> New(EncryptionMaterials materials,
                                                              const EncryptorConfig& config,
                                                              Sink& sink);
  Result<void> Update(std::span<const uint8_t> plaintext) override;
  Result<void> UpdateFrom(PositionedSource& source, uint64_t offset, uint64_t length) override;
  Result<void> Finish() override;
  const HeaderInfo& header() const override { return info_; }

 private:
  Encryptor(Sink& sink) : sink_(sink) {}
  Result<void> WriteHeaderOnce();
  // SealFrames seals `count` frames: the whole frames of `head` (pending_
  // or nothing), then frames from the front of `source` (pending_ or the
  // caller's input), the last one final if `final` (then its size may be
  // below the frame length), and writes them out in one batch. With a
  // `loader` (never for the final frame) `head` and `source` are unused:
  // the engine's threads load each frame's plaintext into its place in the
  // output.
  Result<void> SealFrames(std::span<const uint8_t> head, std::span<const uint8_t> source,
                          size_t count, bool final, stream::ChunkLoader* loader);
  Result<void> Emit(std::span<const uint8_t> bytes);
  // FlushHashed hashes and writes the batch sealed last (signed suites),
  // if any; EmitLater's side task runs it.
  Result<void> FlushHashed();
  Result<void> Fail(Error error);

  Sink& sink_;
  uint32_t frame_length_ = 0;
  std::vector<uint8_t> header_bytes_;
  HeaderInfo info_;
  std::unique_ptr<FrameSchedule> schedule_owner_;
  std::unique_ptr<stream::ChunkEngine> engine_;
  std::optional<MessageSigner> signer_;
  size_t batch_frames_ = 0;
  std::vector<uint8_t> pending_;  // plaintext not yet sealed
  std::vector<uint8_t> out_;      // one batch of sealed frames
  // Signed suites: the batch sealed last, not yet hashed nor written.
  std::vector<uint8_t> sealed_last_;
  size_t sealed_last_size_ = 0;
  std::vector<stream::ChunkJob> jobs_;
  uint64_t next_seq_ = 1;
  bool header_written_ = false;
  bool finished_ = false;
  std::optional<Error> error_;
};

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_ENCRYPTOR_H_
