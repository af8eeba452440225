// lib/message: reading a message (v1 or v2, framed or not) pushed in pieces.
//
//   Update(bytes) -> header: parse (bounded by DecodeLimits), check the
//                    commitment policy and the reserved public key, ask the
//                    CryptoMaterialsManager for the data key, derive keys,
//                    compare the commit key (constant time), check the tag
//                 -> frames: parse each frame header (sequence number in
//                    order, deterministic IV, final length <= frame length),
//                    open a batch through the chunk engine, then release
//                 -> footer (signed suites): verify the signature
//   Finish()      -> the message must be complete and nothing may follow;
//                    plaintext held for a signed message is released now.
//
// Nothing is released before the frame holding it authenticates; for signed
// suites nothing is released before the signature verifies, unless the
// caller chose allow_unverified_streaming. Any failure is sticky and wipes
// held plaintext; every authentication failure has kAuthFailedMessage.
#ifndef ENVELOPE_LIB_MESSAGE_DECRYPTOR_H_
#define ENVELOPE_LIB_MESSAGE_DECRYPTOR_H_

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

// kAuthFailedMessage is the one message of every authentication failure.
inline constexpr char kAuthFailedMessage[] =
    "failed to decrypt and authenticate the message: it is corrupted or was tampered with, "
    "or the key or encryption context is wrong";

// AuthFailed returns the failure side of a Result with kAuthFailedMessage.
inline tl::unexpected<Error> AuthFailed() {
  return MakeError(ErrorCode::auth_failed, kAuthFailedMessage);
}

// HeaderKeys is what an authenticated header yields: the header, the
// per-message encryption key and the materials' verification key.
struct HeaderKeys {
  ParsedHeader parsed;
  SecretBytes encryption_key;
  std::vector<uint8_t> verification_key;  // signed suites only
};

// AuthenticateHeader runs the header steps shared by streaming and random
// access decryption on a header parsed from the front of `header_bytes`:
// the commitment policy, the reserved public key rule, the CMM call, key
// derivation, the commit key and the header tag.
[[nodiscard]] Result<HeaderKeys> AuthenticateHeader(ParsedHeader parsed,
                                                    std::span<const uint8_t> header_bytes,
                                                    const CryptoMaterialsManager& cmm,
                                                    const DecryptOptions& options);

// Decryptor reads one message. `cmm` and `sink` must outlive it.
class Decryptor final : public MessageDecryptor {
 public:
  Decryptor(const CryptoMaterialsManager& cmm, DecryptOptions options, Sink& sink);
  ~Decryptor() override;
  Result<void> Update(std::span<const uint8_t> ciphertext) override;
  // UpdateFrom (decryptor_at.cc) has the engine's threads read the regular
  // frames of an unsigned framed message; the rest goes through Update.
  Result<void> UpdateFrom(PositionedSource& source, uint64_t offset, uint64_t length) override;
  Result<void> Finish() override;
  const HeaderInfo* header() const override { return info_ ? &*info_ : nullptr; }

 private:
  enum class State { header, frames, unframed, footer, done };

  // Consume processes what it can of `data`, returning the bytes used.
  Result<size_t> Consume(std::span<const uint8_t> data, bool at_end);
  Result<size_t> ConsumeHeader(std::span<const uint8_t> data, bool at_end);
  Result<size_t> ConsumeFrames(std::span<const uint8_t> data);
  Result<size_t> ConsumeUnframed(std::span<const uint8_t> data);
  Result<size_t> ConsumeFooter(std::span<const uint8_t> data);
  // OpenFramesAt opens `count` regular frames of `source` starting at
  // `offset`, read by the engine's threads, and releases their plaintext.
  Result<void> OpenFramesAt(PositionedSource& source, uint64_t offset, size_t count);
  Result<void> Release(std::span<const uint8_t> plaintext);
  Result<void> Fail(Error error);

  const CryptoMaterialsManager& cmm_;
  DecryptOptions options_;
  Sink& sink_;
  State state_ = State::header;
  std::vector<uint8_t> pending_;  // input not yet consumed
  size_t header_retry_at_ = 0;
  std::optional<HeaderInfo> info_;
  std::vector<uint8_t> message_id_;
  uint32_t frame_length_ = 0;
  SecretBytes key_;
  std::unique_ptr<FrameSchedule> schedule_;
  std::unique_ptr<stream::ChunkEngine> engine_;
  std::optional<MessageVerifier> verifier_;
  bool hold_ = false;           // signed and not streaming unverified
  std::vector<uint8_t> held_;   // plaintext awaiting the signature
  std::vector<uint8_t> plain_;  // one batch of opened frames
  std::vector<stream::ChunkJob> jobs_;
  std::vector<uint8_t> piece_;  // UpdateFrom: input read on the calling thread
  std::vector<uint8_t> heads_;  // UpdateFrom: sequence numbers and IVs of a batch
  std::vector<uint8_t> tags_;   // UpdateFrom: tags of a batch
  size_t batch_frames_ = 0;
  uint64_t next_seq_ = 1;
  std::optional<Error> error_;
};

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_DECRYPTOR_H_
