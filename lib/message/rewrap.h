// lib/message: the engine of message rewrap (include/envelope/rewrap.hpp):
// the old header authenticated, a new header written, the frames carried
// over unchanged. lib/keyring's public entry points only choose the CMM that
// unwraps the old data key and the EdkMaker that wraps it again.
//
//   header bytes --> ParseHeader (limits) --> v2 only
//     --> AuthenticateHeader through a capturing CMM: data key, context,
//         commit key and header tag verified                 (AuthenticateForRewrap)
//     --> signed: new P-384 key, new aws-crypto-public-key in the context
//     --> EdkMaker: the new EDKs --> new header + tag (same message id,
//         commit key, frame length)                           (NewRewrapHeader)
//     --> the body: a path, unsigned: size and final frame header checked
//         (O(1)), then copied by the kernel (rewrap_file.h);
//         otherwise: every frame header walked, the frames copied, the old
//         signature verified and a new one written in the same pass (CopyBody)
#ifndef ENVELOPE_LIB_MESSAGE_REWRAP_H_
#define ENVELOPE_LIB_MESSAGE_REWRAP_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "envelope/io.hpp"
#include "envelope/rewrap.hpp"
#include "message/header.h"
#include "message/signature.h"

namespace envelope::message {

// EdkRequest is what an EDK maker gets to produce the new header's EDKs.
struct EdkRequest {
  const Header& old_header;
  const EncryptionContext& old_context;  // full context the old EDKs bind
  const EncryptionContext& new_context;  // full context the new EDKs must bind
  const std::vector<std::string>& required_keys;
  const SecretBytes& data_key;
  bool context_changed;  // a signed message's new public key
};

// EdkMaker returns the EDKs of the new header (at least one).
using EdkMaker = std::function<Result<std::vector<EncryptedDataKey>>(const EdkRequest&)>;

// RewrapMessageFile rewraps the message at `input_path` into `output_path`
// (an AtomicFile: nothing appears unless everything succeeded) with `cmm`
// unwrapping the old data key and `make_edks` making the new EDKs. Errors
// as RewrapMessage's.
[[nodiscard]] Result<RewrapResult> RewrapMessageFile(const std::string& input_path,
                                                     const std::string& output_path,
                                                     const CryptoMaterialsManager& cmm,
                                                     const RewrapOptions& options,
                                                     const EdkMaker& make_edks);

// RewrapMessageStream reads the message from `input` and writes the
// rewrapped message to `output`, with every frame header checked on the
// way. Errors as RewrapMessage's; after a failure `output` may hold a
// prefix of the new message, which the caller discards.
[[nodiscard]] Result<RewrapResult> RewrapMessageStream(Source& input, Sink& output,
                                                       const CryptoMaterialsManager& cmm,
                                                       const RewrapOptions& options,
                                                       const EdkMaker& make_edks);

// ---- the steps, shared by the two forms ------------------------------------

// RewrapPlan is an authenticated old header and, after NewRewrapHeader, the
// new one with the signature state for the body.
struct RewrapPlan {
  Header old_header;
  size_t old_header_size = 0;
  SecretBytes encryption_key;               // the message's derived key
  std::vector<uint8_t> verification_key;    // signed suites only
  DecryptionMaterials materials;            // what the old header unwrapped to
  Header header;                            // the new header
  std::vector<uint8_t> header_bytes;        // ... serialized, with its tag
  std::optional<MessageVerifier> verifier;  // signed: the old signature, fed the old header
  std::optional<MessageSigner> signer;      // signed: the new one, fed the new header
  bool is_signed() const { return old_header.suite->signed_suite(); }
};

// AuthenticateForRewrap parses the header at the front of `head` and
// verifies it with `cmm` (see the picture above).
[[nodiscard]] Result<RewrapPlan> AuthenticateForRewrap(std::span<const uint8_t> head,
                                                       const CryptoMaterialsManager& cmm,
                                                       const RewrapOptions& options);

// NewRewrapHeader makes the new EDKs and header of `plan` and, for a signed
// message, the new key pair, the verifier (fed `old_header_bytes`) and the
// signer (fed the new header).
[[nodiscard]] Result<void> NewRewrapHeader(RewrapPlan& plan,
                                           std::span<const uint8_t> old_header_bytes,
                                           const RewrapOptions& options, const EdkMaker& make_edks);

// BodyReader hands out the bytes of `source`, after `first` (bytes already
// read past the header), in pieces or in runs of an exact size.
class BodyReader {
 public:
  BodyReader(Source& source, std::span<const uint8_t> first);
  // Exact returns the next `n` bytes (n <= 1 MiB), or `truncated`.
  [[nodiscard]] Result<std::span<const uint8_t>> Exact(size_t n);
  // Some returns the next 1 to `max` bytes, or `truncated` at the end.
  [[nodiscard]] Result<std::span<const uint8_t>> Some(size_t max);
  // AtEnd reports whether the source has no byte left.
  [[nodiscard]] Result<bool> AtEnd();

 private:
  [[nodiscard]] Result<size_t> Refill();
  Source& source_;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0, end_ = 0;
};

// CopyBody copies the frames of `plan`'s message from `in` to `out`,
// checking each frame header (sequence, final frame) and, for a signed
// message, hashing them for the old and the new signature, then checks the
// footer (signed: verifies the old signature, writes the new footer) and
// that nothing follows. Returns the frame bytes copied. Fails with
// `invalid_argument` for a damaged layout, `truncated`, `auth_failed` for an
// old signature that does not verify, or the sink's error.
[[nodiscard]] Result<uint64_t> CopyBody(BodyReader& in, Sink& out, RewrapPlan& plan);

// RewrapResultOf describes the rewritten message of `plan`.
RewrapResult RewrapResultOf(const RewrapPlan& plan, uint64_t body_bytes);

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_REWRAP_H_
