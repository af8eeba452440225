#include "keyring/rewrap_core.h"

#include <algorithm>
#include <functional>

#include "crypto/aes_gcm.h"
#include "keyring/rewrap_file.h"
#include "message/base64.h"
#include "message/context_codec.h"
#include "message/decryptor.h"
#include "message/frame.h"
#include "message/header.h"
#include "message/signature.h"
#include "message/wire.h"

namespace envelope::keyring {
namespace {

constexpr size_t kHashPiece = size_t{4} << 20;
constexpr size_t kFinalFrameHeader = 4 + 4 + message::kFrameIvSize + 4;

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "rewrap: " + std::move(what));
}

template <typename T>
tl::unexpected<Error> Fail(const Result<T>& r) {
  return tl::unexpected(r.error());
}

// CapturingCmm forwards to the caller's CMM and keeps the decryption
// materials, whose data key the new header tag and EDKs need.
class CapturingCmm final : public CryptoMaterialsManager {
 public:
  explicit CapturingCmm(const CryptoMaterialsManager& inner) : inner_(inner) {}
  Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest&) const override {
    return MakeError(ErrorCode::internal, "rewrap: no encryption materials are asked for");
  }
  Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const override {
    auto m = inner_.DecryptMaterials(request);
    if (!m) return m;
    auto key = m->data_key.Clone();
    if (!key) return Fail(key);
    captured_.suite = m->suite;
    captured_.context = m->context;
    captured_.required_context_keys = m->required_context_keys;
    captured_.data_key = std::move(*key);
    return m;
  }
  const DecryptionMaterials& captured() const { return captured_; }

 private:
  const CryptoMaterialsManager& inner_;
  mutable DecryptionMaterials captured_;
};

// BodyLayout locates the frames and the footer signature (signed only).
struct BodyLayout {
  uint64_t start = 0, frames_end = 0;
  std::vector<uint8_t> signature;
};

// CheckUnsigned checks the body's size against the frame length and reads
// the final frame header: O(1), so truncation and extension are caught
// without reading the body.
Result<BodyLayout> CheckUnsigned(const InputFile& in, const message::Header& h, uint64_t start) {
  message::FrameLayout layout;
  if (in.size() < start ||
      !message::ComputeFrameLayout(in.size() - start, h.frame_length, &layout)) {
    return Bad("the body is not a whole number of frames: the message was truncated or extended");
  }
  uint8_t head[kFinalFrameHeader];
  const uint64_t at = start + layout.regular_frames * (uint64_t{h.frame_length} + 32);
  if (auto r = in.ReadAt(at, head); !r) return Fail(r);
  message::Reader r(head);
  const uint32_t marker = *r.U32(), seq = *r.U32();
  (void)r.Bytes(message::kFrameIvSize);
  const uint32_t length = *r.U32();
  if (marker != message::kFinalFrameMarker || seq != layout.regular_frames + 1 ||
      length != layout.final_content) {
    return Bad("the final frame header is damaged: the message was truncated or altered");
  }
  return BodyLayout{start, in.size(), {}};
}

// WalkSigned follows the frame headers to the footer, which must end the
// file exactly.
Result<BodyLayout> WalkSigned(const InputFile& in, const message::Header& h, uint64_t start) {
  uint64_t pos = start;
  for (uint64_t seq = 1;; ++seq) {
    if (seq > message::kMaxSequenceNumber) return Bad("too many frames");
    uint8_t head[kFinalFrameHeader];
    if (auto r = in.ReadAt(pos, std::span(head, 4)); !r) return Fail(r);
    message::Reader r(head);
    const uint32_t first = *r.U32();
    if (first != message::kFinalFrameMarker) {
      if (first != seq) return Bad("frames are out of order");
      pos += 4 + message::kFrameIvSize + h.frame_length + message::kFrameTagSize;
      continue;
    }
    if (auto rr = in.ReadAt(pos, head); !rr) return Fail(rr);
    (void)r.U32();
    (void)r.Bytes(message::kFrameIvSize);
    const uint32_t length = *r.U32();
    if (*message::Reader(std::span(head).subspan(4)).U32() != seq || length > h.frame_length) {
      return Bad("the final frame header is damaged");
    }
    pos += kFinalFrameHeader + length + message::kFrameTagSize;
    break;
  }
  uint8_t len_bytes[2];
  if (auto r = in.ReadAt(pos, len_bytes); !r) return Fail(r);
  const size_t length = size_t{len_bytes[0]} << 8 | len_bytes[1];
  if (length == 0 || length > message::kMaxSignatureSize || pos + 2 + length != in.size()) {
    return Bad("the footer is damaged, or bytes follow it");
  }
  BodyLayout layout{start, pos, std::vector<uint8_t>(length)};
  if (auto r = in.ReadAt(pos + 2, layout.signature); !r) return Fail(r);
  return layout;
}

// NewHeaderBytes serializes `h` with a header tag computed like the
// encryptor's: AAD = header body || the required pairs it does not store.
Result<std::vector<uint8_t>> NewHeaderBytes(message::Header& h, const EncryptionContext& context,
                                            const std::vector<std::string>& required,
                                            const SecretBytes& encryption_key) {
  auto body = message::SerializeHeaderBody(h);
  if (!body) return body;
  std::vector<std::string> not_stored;
  for (const std::string& key : required) {
    if (!h.context.contains(key)) not_stored.push_back(key);
  }
  auto extra = message::SerializeContext(message::SubContext(context, not_stored));
  if (!extra) return extra;
  std::vector<uint8_t> aad = *body;
  message::AppendBytes(aad, *extra);
  uint8_t tag[message::kHeaderTagSize];
  const uint8_t zero_iv[message::kHeaderIvSize] = {0};
  if (auto r = crypto::AesGcmSeal(encryption_key.span(), zero_iv, aad, {}, tag); !r) return Fail(r);
  h.auth_tag.assign(tag, tag + sizeof(tag));
  message::AppendBytes(*body, h.auth_tag);
  return body;
}

}  // namespace

Result<RewrapResult> Rewrap(const std::string& input_path, const std::string& output_path,
                            const CryptoMaterialsManager& cmm, const RewrapOptions& options,
                            const EdkMaker& make_edks) {
  auto in = InputFile::Open(input_path);
  if (!in) return Fail(in);
  if (!SameFile(output_path, *in) && Exists(output_path) && !options.overwrite) {
    return Bad("the output " + output_path + " exists; hint: set overwrite to replace it");
  }
  std::vector<uint8_t> head(std::min<uint64_t>(in->size(), options.limits.max_header_bytes));
  if (auto r = in->ReadAt(0, head); !r) return Fail(r);
  auto parsed = message::ParseHeader(head, options.limits);
  if (!parsed) return tl::unexpected(parsed.error().WithContext("rewrap"));
  if (parsed->header.version() != 2) {
    return MakeError(ErrorCode::unsupported,
                     "rewrap: version 1 (legacy, non-committing) messages are not rewrapped; "
                     "hint: decrypt and encrypt again to move to a committing suite");
  }
  const size_t old_header_size = parsed->total_size;
  DecryptOptions decrypt_options;
  decrypt_options.reproduced_context = options.reproduced_context;
  decrypt_options.limits = options.limits;
  CapturingCmm capture(cmm);
  auto keys = message::AuthenticateHeader(std::move(*parsed), head, capture, decrypt_options);
  if (!keys) return Fail(keys);
  const message::Header& old = keys->parsed.header;
  const DecryptionMaterials& materials = capture.captured();
  const bool is_signed = old.suite->signed_suite();
  auto layout =
      is_signed ? WalkSigned(*in, old, old_header_size) : CheckUnsigned(*in, old, old_header_size);
  if (!layout) return Fail(layout);

  message::Header h = old;
  EncryptionContext new_context = materials.context;
  std::shared_ptr<const SigningKey> signing_key;
  if (is_signed) {
    auto key = NewSigningKey();
    if (!key) return Fail(key);
    signing_key = std::move(*key);
    const std::string public_key = message::Base64Encode(signing_key->PublicKey());
    h.context[std::string(kPublicKeyContextKey)] = public_key;
    new_context[std::string(kPublicKeyContextKey)] = public_key;
  }
  auto edks = make_edks({old, materials.context, new_context, materials.required_context_keys,
                         materials.data_key, is_signed});
  if (!edks) return tl::unexpected(edks.error().WithContext("rewrap"));
  if (edks->empty()) return MakeError(ErrorCode::internal, "rewrap: no encrypted data key made");
  if (edks->size() > options.limits.max_encrypted_data_keys) {
    return MakeError(ErrorCode::limit_exceeded,
                     "rewrap: the new header has more encrypted data "
                     "keys than limits.max_encrypted_data_keys");
  }
  h.encrypted_data_keys = std::move(*edks);
  auto header =
      NewHeaderBytes(h, new_context, materials.required_context_keys, keys->encryption_key);
  if (!header) return tl::unexpected(header.error().WithContext("rewrap"));
  if (header->size() > options.limits.max_header_bytes) {
    return MakeError(ErrorCode::limit_exceeded, "rewrap: the new header is over the header limit");
  }

  // The input's permission bits, no special ones; in place (or with
  // overwrite) the file at output_path is replaced, else it must not appear.
  auto out =
      AtomicFile::Create(output_path, {.replace = options.overwrite || SameFile(output_path, *in),
                                       .mode = in->stat().st_mode & 0777,
                                       .apply_umask = false});
  if (!out) return Fail(out);
  if (auto r = out->Write(*header); !r) return Fail(r);
  if (!is_signed) {
    if (auto r = CopyRange(*in, layout->start, layout->frames_end - layout->start, *out); !r) {
      return Fail(r);
    }
  } else {
    // One pass: the old signature's hash over the old header and the
    // frames, the new one over the new header and the same frames, and the
    // copy, all from the same buffer, so what is signed is what is written.
    auto verifier = message::MessageVerifier::New(*old.suite, keys->verification_key);
    if (!verifier) return Fail(verifier);
    auto signer = message::MessageSigner::New(signing_key);
    if (!signer) return Fail(signer);
    if (auto r = verifier->Update(std::span(head).first(old_header_size)); !r) return Fail(r);
    if (auto r = signer->Update(*header); !r) return Fail(r);
    std::vector<uint8_t> buffer(std::min<uint64_t>(kHashPiece, layout->frames_end - layout->start));
    for (uint64_t pos = layout->start; pos < layout->frames_end;) {
      const auto piece =
          std::span(buffer).first(std::min<uint64_t>(buffer.size(), layout->frames_end - pos));
      if (auto r = in->ReadAt(pos, piece); !r) return Fail(r);
      if (auto r = verifier->Update(piece); !r) return Fail(r);
      if (auto r = signer->Update(piece); !r) return Fail(r);
      if (auto r = out->Write(piece); !r) return Fail(r);
      pos += piece.size();
    }
    if (!verifier->Verify(layout->signature)) {
      return MakeError(ErrorCode::auth_failed,
                       "rewrap: the message's signature does not verify, so it was altered after "
                       "it was signed; refusing to sign it again");
    }
    auto footer = signer->Footer();
    if (!footer) return Fail(footer);
    if (auto r = out->Write(*footer); !r) return Fail(r);
  }
  if (auto r = out->Commit(); !r) return Fail(r);
  const message::ParsedHeader written{h, header->size() - message::kHeaderTagSize, header->size()};
  return RewrapResult{message::ToHeaderInfo(written), layout->frames_end - layout->start,
                      is_signed};
}

}  // namespace envelope::keyring
