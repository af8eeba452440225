// envelope: rewrap, moving an existing message to another key without
// decrypting or rewriting its body (AWS KMS ReEncrypt, for whole messages).
//
// The data key of a message stays the same; only who can unwrap it
// changes. So rewrap rewrites the header alone: new EDKs, a new header tag,
// the same message id, commit key and body bytes:
//
//   old:  | header (EDKs for the old key) | frames ...................... |
//   new:  | header (EDKs for the new key) | frames (the same bytes) ..... |
//
// The output appears atomically: it is written to a temporary file in the
// output's folder, flushed, renamed over the output and the folder flushed,
// so an interrupted or failed rewrap leaves the old file (or no file)
// behind, never a mix. In-place rewrap (output == input) is the usual case.
// The body is copied by the kernel (a block clone where the filesystem
// shares extents), with no decryption, so the cost does not grow with the
// plaintext beyond that copy.
//
// What rewrap verifies: the header, fully (the old keyring must unwrap the
// data key, the commit key and the header tag must verify), because it
// needs the data key to write the new header tag. It does not decrypt or
// authenticate the frames of an unsigned message (that would cost a full
// pass): it checks their layout (size and final frame header) only, and a
// damaged frame still fails at decrypt, as it did before.
//
// Signed messages (suite 0x0578) are the exception the format forces: the
// footer signature covers the header, and the signing key was ephemeral and
// is gone, so rewrap signs again with a new key pair (a new
// aws-crypto-public-key in the context, which the new EDKs bind). That takes
// one hashing pass over the body, still without decryption. In the same
// pass it verifies the OLD signature over the old header and the body, and
// refuses (`auth_failed`) to sign a message whose old signature fails: the
// new signature vouches only for bytes the old one vouched for. It cannot
// vouch for more: whoever rewraps holds the data key, so the new signature
// says "unchanged since the original sender signed it, then rewrapped by a
// holder of the data key", not who the original sender was.
//
// Version 1 messages (legacy, non-committing suites) are refused with
// `unsupported`: decrypt and encrypt them again to move to a committing
// suite rather than extending their life.
//
// Every entry point also comes for streams (a Source in, a Sink out, as
// io.hpp defines them): the message is read once, front to back, and every
// frame header is checked on the way (a stream has no size to check the
// layout against), so the cost is one pass over the body, still without
// decryption. A sink cannot take back what it was given: when a stream
// rewrap fails, the sink may hold the start of the new message, and the
// caller discards it (the path forms do that themselves).
#ifndef ENVELOPE_REWRAP_HPP_
#define ENVELOPE_REWRAP_HPP_

#include <cstdint>
#include <memory>
#include <string>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/io.hpp"
#include "envelope/keyring.hpp"
#include "envelope/kms_keyring.hpp"
#include "envelope/materials.hpp"
#include "envelope/message.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// RewrapOptions configures one rewrap.
struct RewrapOptions {
  // reproduced_context is the context a decrypt of the message would need
  // (DecryptOptions::reproduced_context); required keys stay required.
  EncryptionContext reproduced_context;
  // limits bound the old header, and the new header must fit them too (so
  // the output decrypts with the same limits).
  DecodeLimits limits;
  // overwrite allows replacing an existing output file that is not the
  // input. Off: such an output is refused and left alone. (Paths only.)
  bool overwrite = false;
};

// RewrapResult describes the rewritten message.
struct RewrapResult {
  HeaderInfo header;        // the new header
  uint64_t body_bytes = 0;  // body bytes carried over unchanged
  bool resigned = false;    // a signed message got a new signature
};

// RewrapMessage rewrites the message at `input_path` into `output_path`
// (which may be the same file) so that its data key is wrapped by
// `new_keyring` only: the old EDKs are dropped, so the old key no longer
// opens the new file. `decrypt_cmm` must unwrap the data key from the old
// header. Nothing is written unless everything succeeds. Fails with the
// decrypt errors of the CMM and keyring (`auth_failed`, `not_found`,
// `key_state`, ...), `unsupported` for a version 1 message,
// `invalid_argument` for a malformed message or an existing output without
// `overwrite`, `truncated`, `limit_exceeded`, and `io`.
[[nodiscard]] Result<RewrapResult> RewrapMessage(const std::string& input_path,
                                                 const std::string& output_path,
                                                 const CryptoMaterialsManager& decrypt_cmm,
                                                 const Keyring& new_keyring,
                                                 const RewrapOptions& options = {});

// RewrapMessage with a decrypting keyring uses it through a default CMM.
[[nodiscard]] Result<RewrapResult> RewrapMessage(const std::string& input_path,
                                                 const std::string& output_path,
                                                 const Keyring& decrypt_keyring,
                                                 const Keyring& new_keyring,
                                                 const RewrapOptions& options = {});

// RewrapToNewestKeyVersion re-encrypts every `envelope-kms` EDK of the
// message under the newest version of the same KMS key with the KMS's
// ReEncrypt (the blob's plaintext never leaves the KMS there; the data key
// is still unwrapped once by Decrypt, since the new header tag needs it).
// EDKs of other keyrings are kept as they are, except in a signed message,
// whose new public key changes the context they are bound to: such a
// message is refused (`unsupported`; rewrap it with RewrapMessage and a
// multi-keyring instead). Fails with `not_found` when the message has no
// KMS EDK, and otherwise as RewrapMessage.
[[nodiscard]] Result<RewrapResult> RewrapToNewestKeyVersion(const std::string& input_path,
                                                            const std::string& output_path,
                                                            std::shared_ptr<KmsClient> client,
                                                            const RewrapOptions& options = {});

// RewrapMessage (streams) reads the message from `input` and writes it,
// rewrapped as the path form does, to `output`; both are borrowed for the
// call. Fails as the path form, with `input`'s and `output`'s errors, and
// `invalid_argument` also for bytes after the end of the message. After a
// failure `output` may hold a prefix of the new message: discard it.
[[nodiscard]] Result<RewrapResult> RewrapMessage(Source& input, Sink& output,
                                                 const CryptoMaterialsManager& decrypt_cmm,
                                                 const Keyring& new_keyring,
                                                 const RewrapOptions& options = {});

// RewrapMessage (streams) with a decrypting keyring uses it through a
// default CMM.
[[nodiscard]] Result<RewrapResult> RewrapMessage(Source& input, Sink& output,
                                                 const Keyring& decrypt_keyring,
                                                 const Keyring& new_keyring,
                                                 const RewrapOptions& options = {});

// RewrapToNewestKeyVersion (streams) is the path form's KMS rotation from
// `input` to `output`, with the stream form's failures of RewrapMessage.
[[nodiscard]] Result<RewrapResult> RewrapToNewestKeyVersion(Source& input, Sink& output,
                                                            std::shared_ptr<KmsClient> client,
                                                            const RewrapOptions& options = {});

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_REWRAP_HPP_
