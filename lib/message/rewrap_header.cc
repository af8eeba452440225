// Rewrap's header steps (rewrap.h): authenticate the old header, make the
// new one.
#include <string>
#include <utility>

#include "crypto/aes_gcm.h"
#include "message/base64.h"
#include "message/context_codec.h"
#include "message/decryptor.h"
#include "message/rewrap.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

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
    ENVELOPE_ASSIGN_OR_RETURN(captured_.data_key, m->data_key.Clone());
    captured_.suite = m->suite;
    captured_.context = m->context;
    captured_.required_context_keys = m->required_context_keys;
    return m;
  }
  DecryptionMaterials& captured() const { return captured_; }

 private:
  const CryptoMaterialsManager& inner_;
  mutable DecryptionMaterials captured_;
};

// NewHeaderBytes serializes `h` with a header tag computed like the
// encryptor's: AAD = header body || the required pairs it does not store.
Result<std::vector<uint8_t>> NewHeaderBytes(Header& h, const EncryptionContext& context,
                                            const std::vector<std::string>& required,
                                            const SecretBytes& encryption_key) {
  ENVELOPE_ASSIGN_OR_RETURN(auto body, SerializeHeaderBody(h));
  std::vector<std::string> not_stored;
  for (const std::string& key : required) {
    if (!h.context.contains(key)) not_stored.push_back(key);
  }
  ENVELOPE_ASSIGN_OR_RETURN(const auto extra, SerializeContext(SubContext(context, not_stored)));
  std::vector<uint8_t> aad = body;
  AppendBytes(aad, extra);
  uint8_t tag[kHeaderTagSize];
  const uint8_t zero_iv[kHeaderIvSize] = {0};
  ENVELOPE_RETURN_IF_ERROR(crypto::AesGcmSeal(encryption_key.span(), zero_iv, aad, {}, tag));
  h.auth_tag.assign(tag, tag + sizeof(tag));
  AppendBytes(body, h.auth_tag);
  return body;
}

}  // namespace

Result<RewrapPlan> AuthenticateForRewrap(std::span<const uint8_t> head,
                                         const CryptoMaterialsManager& cmm,
                                         const RewrapOptions& options) {
  auto parsed = ParseHeader(head, options.limits);
  if (!parsed) return tl::unexpected(parsed.error().WithContext("rewrap"));
  if (parsed->header.version() != 2) {
    return MakeError(ErrorCode::unsupported,
                     "rewrap: version 1 (legacy, non-committing) messages are not rewrapped; "
                     "hint: decrypt and encrypt again to move to a committing suite");
  }
  RewrapPlan plan;
  plan.old_header_size = parsed->total_size;
  DecryptOptions decrypt_options;
  decrypt_options.reproduced_context = options.reproduced_context;
  decrypt_options.limits = options.limits;
  CapturingCmm capture(cmm);
  ENVELOPE_ASSIGN_OR_RETURN(auto keys,
                            AuthenticateHeader(std::move(*parsed), head, capture, decrypt_options));
  plan.old_header = std::move(keys.parsed.header);
  plan.encryption_key = std::move(keys.encryption_key);
  plan.verification_key = std::move(keys.verification_key);
  plan.materials = std::move(capture.captured());
  return plan;
}

Result<void> NewRewrapHeader(RewrapPlan& plan, std::span<const uint8_t> old_header_bytes,
                             const RewrapOptions& options, const EdkMaker& make_edks) {
  const Header& old = plan.old_header;
  const DecryptionMaterials& materials = plan.materials;
  Header h = old;
  EncryptionContext new_context = materials.context;
  std::shared_ptr<const SigningKey> signing_key;
  if (plan.is_signed()) {
    ENVELOPE_ASSIGN_OR_RETURN(signing_key, NewSigningKey());
    const std::string public_key = Base64Encode(signing_key->PublicKey());
    h.context[std::string(kPublicKeyContextKey)] = public_key;
    new_context[std::string(kPublicKeyContextKey)] = public_key;
  }
  auto edks = make_edks({old, materials.context, new_context, materials.required_context_keys,
                         materials.data_key, plan.is_signed()});
  if (!edks) return tl::unexpected(edks.error().WithContext("rewrap"));
  if (edks->empty()) return MakeError(ErrorCode::internal, "rewrap: no encrypted data key made");
  if (edks->size() > options.limits.max_encrypted_data_keys) {
    return MakeError(ErrorCode::limit_exceeded,
                     "rewrap: the new header has more encrypted data "
                     "keys than limits.max_encrypted_data_keys");
  }
  h.encrypted_data_keys = std::move(*edks);
  auto header =
      NewHeaderBytes(h, new_context, materials.required_context_keys, plan.encryption_key);
  if (!header) return tl::unexpected(header.error().WithContext("rewrap"));
  if (header->size() > options.limits.max_header_bytes) {
    return MakeError(ErrorCode::limit_exceeded, "rewrap: the new header is over the header limit");
  }
  plan.header = std::move(h);
  plan.header_bytes = std::move(*header);
  if (plan.is_signed()) {
    ENVELOPE_ASSIGN_OR_RETURN(auto verifier,
                              MessageVerifier::New(*old.suite, plan.verification_key));
    ENVELOPE_RETURN_IF_ERROR(verifier.Update(old_header_bytes.first(plan.old_header_size)));
    ENVELOPE_ASSIGN_OR_RETURN(auto signer, MessageSigner::New(signing_key));
    ENVELOPE_RETURN_IF_ERROR(signer.Update(plan.header_bytes));
    plan.verifier.emplace(std::move(verifier));
    plan.signer.emplace(std::move(signer));
  }
  return {};
}

RewrapResult RewrapResultOf(const RewrapPlan& plan, uint64_t body_bytes) {
  const ParsedHeader written{plan.header, plan.header_bytes.size() - kHeaderTagSize,
                             plan.header_bytes.size()};
  return RewrapResult{ToHeaderInfo(written), body_bytes, plan.is_signed()};
}

}  // namespace envelope::message
