#include "kms/ciphertext_blob.h"

#include <algorithm>
#include <string>

#include "crypto/aes_gcm.h"
#include "crypto/random.h"

namespace envelope::kms::internal {
namespace {

constexpr size_t kIvOffset = 23;
constexpr char kInvalid[] = "InvalidCiphertextException: ";

void PutU16(std::vector<uint8_t>& out, size_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

Result<std::vector<uint8_t>> Aad(std::span<const uint8_t> header,
                                 const EncryptionContext& context) {
  auto ctx = SerializeContext(context);
  if (!ctx) return ctx;
  std::vector<uint8_t> aad(header.begin(), header.end());
  aad.insert(aad.end(), ctx->begin(), ctx->end());
  return aad;
}

}  // namespace

Result<BlobView> ParseBlob(std::span<const uint8_t> blob) {
  if (blob.size() < 3) {
    return MakeError(ErrorCode::truncated,
                     std::string(kInvalid) + "blob is " + std::to_string(blob.size()) + " bytes");
  }
  if (blob[0] != kBlobMagic[0] || blob[1] != kBlobMagic[1]) {
    return MakeError(ErrorCode::malformed,
                     std::string(kInvalid) + "not a KMS ciphertext blob (bad magic)");
  }
  if (blob[2] != kBlobVersion) {
    // A future format and a flipped byte look the same: malformed input.
    return MakeError(ErrorCode::malformed, std::string(kInvalid) + "blob format version " +
                                               std::to_string(blob[2]) + " is not supported");
  }
  if (blob.size() < kBlobMinSize) {
    return MakeError(ErrorCode::truncated, std::string(kInvalid) + "blob is " +
                                               std::to_string(blob.size()) +
                                               " bytes, shorter than the smallest (" +
                                               std::to_string(kBlobMinSize) + ")");
  }
  if (blob.size() > kBlobMaxSize) {
    return MakeError(ErrorCode::malformed, std::string(kInvalid) +
                                               "blob is longer than any KMS blob (" +
                                               std::to_string(kBlobMaxSize) + " bytes)");
  }
  BlobView view;
  std::copy_n(blob.begin() + 3, 16, view.key_id.begin());
  view.key_version = uint32_t{blob[19]} << 24 | uint32_t{blob[20]} << 16 | uint32_t{blob[21]} << 8 |
                     uint32_t{blob[22]};
  if (view.key_version == 0) {
    return MakeError(ErrorCode::malformed, std::string(kInvalid) + "key version 0");
  }
  view.header = blob.first(kBlobHeaderSize);
  view.iv = blob.subspan(kIvOffset, crypto::kGcmIvSize);
  view.ciphertext = blob.subspan(kBlobHeaderSize, blob.size() - kBlobHeaderSize - kBlobTagSize);
  view.tag = blob.last(kBlobTagSize);
  return view;
}

Result<std::vector<uint8_t>> SerializeContext(const EncryptionContext& context) {
  std::vector<uint8_t> out;
  if (context.size() > 0xffff) {
    return MakeError(ErrorCode::invalid_argument, "encryption context has too many pairs");
  }
  PutU16(out, context.size());
  // std::map orders std::string keys bytewise (char_traits compare as
  // unsigned char), which is the canonical order.
  for (const auto& [key, value] : context) {
    if (key.empty()) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: encryption context keys must not be empty");
    }
    if (out.size() + 4 + key.size() + value.size() > kMaxContextSize) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: encryption context is larger than " +
                           std::to_string(kMaxContextSize) + " bytes");
    }
    PutU16(out, key.size());
    out.insert(out.end(), key.begin(), key.end());
    PutU16(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
  }
  return out;
}

Result<std::vector<uint8_t>> SealBlob(const KeyIdBytes& key_id, uint32_t key_version,
                                      std::span<const uint8_t> material,
                                      std::span<const uint8_t> plaintext,
                                      const EncryptionContext& context) {
  if (plaintext.empty() || plaintext.size() > kMaxPlaintextSize) {
    return MakeError(ErrorCode::invalid_argument,
                     "ValidationException: plaintext must be 1 to 4096 bytes, got " +
                         std::to_string(plaintext.size()));
  }
  std::vector<uint8_t> blob(kBlobHeaderSize + plaintext.size() + kBlobTagSize);
  blob[0] = kBlobMagic[0];
  blob[1] = kBlobMagic[1];
  blob[2] = kBlobVersion;
  std::copy(key_id.begin(), key_id.end(), blob.begin() + 3);
  for (int i = 0; i < 4; ++i) blob[19 + i] = static_cast<uint8_t>(key_version >> (24 - 8 * i));
  const std::span<uint8_t> all(blob);
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(all.subspan(kIvOffset, crypto::kGcmIvSize)));
  auto aad = Aad(all.first(kBlobHeaderSize), context);
  ENVELOPE_RETURN_IF_ERROR(aad);
  auto gcm = crypto::AesGcm::New(material);
  ENVELOPE_RETURN_IF_ERROR(gcm);
  if (auto r = gcm->Seal(all.subspan(kIvOffset, crypto::kGcmIvSize), *aad, plaintext,
                         all.subspan(kBlobHeaderSize, plaintext.size()), all.last(kBlobTagSize));
      !r) {
    return tl::unexpected(r.error());
  }
  return blob;
}

Result<SecretBytes> OpenBlob(const BlobView& blob, std::span<const uint8_t> material,
                             const EncryptionContext& context) {
  auto aad = Aad(blob.header, context);
  ENVELOPE_RETURN_IF_ERROR(aad);
  auto out = SecretBytes::Allocate(blob.ciphertext.size());
  if (!out) return out;
  auto gcm = crypto::AesGcm::New(material);
  ENVELOPE_RETURN_IF_ERROR(gcm);
  if (auto r = gcm->Open(blob.iv, *aad, blob.ciphertext, blob.tag, out->span()); !r) {
    if (r.error().code() != ErrorCode::auth_failed) return tl::unexpected(r.error());
    return MakeError(ErrorCode::auth_failed,
                     std::string(kInvalid) +
                         "the ciphertext blob or its encryption context does not verify: it "
                         "was modified, or the context differs from the one used to encrypt");
  }
  return out;
}

}  // namespace envelope::kms::internal
