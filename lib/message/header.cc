#include "message/header.h"

#include <string>

#include "message/context_codec.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

constexpr uint8_t kV1Type = 0x80;

// Malformed is a header field whose value the format forbids (or a version
// or suite we do not know: indistinguishable from a flipped byte).
tl::unexpected<Error> Malformed(std::string what) {
  return MakeError(ErrorCode::malformed, "header: " + std::move(what));
}

// Bad is a header the caller asked us to write that the format cannot hold.
tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "header: " + std::move(what));
}

tl::unexpected<Error> Limit(std::string what) {
  return MakeError(ErrorCode::limit_exceeded, "header: " + std::move(what));
}

// Field wraps a Reader call: a short read is `truncated` (retry with more).
#define ENVELOPE_READ(var, expr) \
  auto var = (expr);             \
  if (!var) return tl::unexpected(var.error())

Result<EncryptedDataKey> ParseEdk(Reader& r) {
  EncryptedDataKey edk;
  ENVELOPE_READ(id_len, r.U16());
  ENVELOPE_READ(id, r.Bytes(*id_len));
  edk.provider_id.assign(reinterpret_cast<const char*>(id->data()), id->size());
  ENVELOPE_READ(info_len, r.U16());
  ENVELOPE_READ(info, r.Bytes(*info_len));
  edk.provider_info.assign(info->begin(), info->end());
  ENVELOPE_READ(ct_len, r.U16());
  ENVELOPE_READ(ct, r.Bytes(*ct_len));
  edk.ciphertext.assign(ct->begin(), ct->end());
  if (!IsValidUtf8(edk.provider_id)) return Malformed("an EDK provider id is not UTF-8");
  return edk;
}

Result<ParsedHeader> Parse(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  Reader r(bytes);
  ParsedHeader out;
  Header& h = out.header;
  ENVELOPE_READ(version, r.U8());
  if (*version != 1 && *version != 2) {
    return Malformed("version " + std::to_string(*version) + " is not 1 or 2");
  }
  if (*version == 1) {
    ENVELOPE_READ(type, r.U8());
    if (*type != kV1Type) return Malformed("v1 message type is not 0x80");
  }
  ENVELOPE_READ(suite_id, r.U16());
  h.suite = FindSuite(*suite_id);
  if (h.suite == nullptr) {
    return Malformed("unknown algorithm suite " + std::to_string(*suite_id));
  }
  if (h.suite->message_version != *version) {
    return Malformed("suite does not belong to message version " + std::to_string(*version));
  }
  ENVELOPE_READ(message_id, r.Bytes(h.suite->message_id_size()));
  h.message_id.assign(message_id->begin(), message_id->end());

  ENVELOPE_READ(aad_len, r.U16());
  if (auto over = ContextOverLimit(*aad_len, limits)) return Limit(*over);
  ENVELOPE_READ(aad, r.Bytes(*aad_len));
  auto context = ParseContext(*aad);
  // The codec says invalid_argument (it also checks contexts callers pass);
  // read from a message, a bad block is malformed input.
  if (!context) return Malformed(context.error().message());
  h.context = std::move(*context);

  ENVELOPE_READ(edk_count, r.U16());
  if (*edk_count == 0) return Malformed("no encrypted data keys");
  if (auto over = EdkCountOverLimit(*edk_count, limits)) return Limit(*over);
  for (size_t i = 0; i < *edk_count; ++i) {
    auto edk = ParseEdk(r);
    ENVELOPE_RETURN_IF_ERROR(edk);
    h.encrypted_data_keys.push_back(std::move(*edk));
  }

  ENVELOPE_READ(content_type, r.U8());
  if (*content_type != 1 && *content_type != 2) return Malformed("unknown content type");
  h.content_type = static_cast<ContentType>(*content_type);
  if (*version == 1) {
    ENVELOPE_READ(reserved, r.U32());
    if (*reserved != 0) return Malformed("reserved field is not zero");
    ENVELOPE_READ(iv_len, r.U8());
    if (*iv_len != kHeaderIvSize) return Malformed("IV length is not 12");
  }
  ENVELOPE_READ(frame_length, r.U32());
  h.frame_length = *frame_length;
  if (h.content_type == ContentType::framed) {
    if (h.frame_length == 0) return Malformed("frame length is 0");
    if (auto over = FrameLengthOverLimit(h.frame_length, limits)) return Limit(*over);
  } else if (h.frame_length != 0) {
    return Malformed("non-framed message with a frame length");
  }
  if (*version == 2) {
    ENVELOPE_READ(suite_data, r.Bytes(kCommitKeySize));
    h.suite_data.assign(suite_data->begin(), suite_data->end());
  }
  out.body_size = r.position();
  if (*version == 1) {
    ENVELOPE_READ(iv, r.Bytes(kHeaderIvSize));
    h.iv.assign(iv->begin(), iv->end());
  }
  ENVELOPE_READ(tag, r.Bytes(kHeaderTagSize));
  h.auth_tag.assign(tag->begin(), tag->end());
  out.total_size = r.position();
  return out;
}

#undef ENVELOPE_READ

}  // namespace

std::optional<std::string> ContextOverLimit(size_t context_bytes, const DecodeLimits& limits) {
  if (context_bytes <= limits.max_context_bytes) return std::nullopt;
  return "encryption context of " + std::to_string(context_bytes) + " bytes is over the limit of " +
         std::to_string(limits.max_context_bytes);
}

std::optional<std::string> EdkCountOverLimit(size_t count, const DecodeLimits& limits) {
  if (count <= limits.max_encrypted_data_keys) return std::nullopt;
  return std::to_string(count) + " encrypted data keys, the limit is " +
         std::to_string(limits.max_encrypted_data_keys);
}

std::optional<std::string> FrameLengthOverLimit(uint64_t frame_length, const DecodeLimits& limits) {
  if (frame_length <= limits.max_frame_length) return std::nullopt;
  return "frame length " + std::to_string(frame_length) + " is over the limit of " +
         std::to_string(limits.max_frame_length);
}

std::optional<std::string> HeaderOverLimit(size_t header_bytes, const DecodeLimits& limits) {
  if (header_bytes <= limits.max_header_bytes) return std::nullopt;
  return "header is larger than the limit of " + std::to_string(limits.max_header_bytes) + " bytes";
}

Result<ParsedHeader> ParseHeader(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  auto parsed = Parse(bytes.first(std::min(bytes.size(), limits.max_header_bytes)), limits);
  if (parsed) return parsed;
  // Running out of bytes at the header size limit means the header is
  // larger than allowed, not that more input would help.
  if (parsed.error().code() == ErrorCode::truncated && bytes.size() >= limits.max_header_bytes) {
    return Limit(*HeaderOverLimit(limits.max_header_bytes + 1, limits));
  }
  return parsed;
}

Result<std::vector<uint8_t>> SerializeHeaderBody(const Header& h) {
  if (h.suite == nullptr || h.message_id.size() != h.suite->message_id_size()) {
    return Bad("suite or message id missing");
  }
  auto context = SerializeContext(h.context);
  ENVELOPE_RETURN_IF_ERROR(context);
  if (h.encrypted_data_keys.empty() || h.encrypted_data_keys.size() > 0xffff) {
    return Bad("a message needs 1 to 65535 encrypted data keys");
  }
  std::vector<uint8_t> out;
  const uint8_t version = h.version();
  out.push_back(version);
  if (version == 1) out.push_back(kV1Type);
  AppendUint(out, static_cast<uint16_t>(h.suite->id), 2);
  AppendBytes(out, h.message_id);
  AppendUint(out, context->size(), 2);
  AppendBytes(out, *context);
  AppendUint(out, h.encrypted_data_keys.size(), 2);
  for (const EncryptedDataKey& edk : h.encrypted_data_keys) {
    if (edk.provider_id.size() > 0xffff || edk.provider_info.size() > 0xffff ||
        edk.ciphertext.size() > 0xffff) {
      return Bad("an EDK field is over 65535 bytes");
    }
    AppendUint(out, edk.provider_id.size(), 2);
    out.insert(out.end(), edk.provider_id.begin(), edk.provider_id.end());
    AppendUint(out, edk.provider_info.size(), 2);
    AppendBytes(out, edk.provider_info);
    AppendUint(out, edk.ciphertext.size(), 2);
    AppendBytes(out, edk.ciphertext);
  }
  out.push_back(static_cast<uint8_t>(h.content_type));
  if (version == 1) {
    AppendUint(out, 0, 4);
    out.push_back(kHeaderIvSize);
  }
  AppendUint(out, h.frame_length, 4);
  if (version == 2) {
    if (h.suite_data.size() != kCommitKeySize) return Bad("suite data must be 32 bytes");
    AppendBytes(out, h.suite_data);
  }
  return out;
}

Result<std::vector<uint8_t>> SerializeHeader(const Header& h) {
  auto out = SerializeHeaderBody(h);
  if (!out) return out;
  if (h.version() == 1) {
    if (h.iv.size() != kHeaderIvSize) return Bad("v1 header IV must be 12 bytes");
    AppendBytes(*out, h.iv);
  }
  if (h.auth_tag.size() != kHeaderTagSize) return Bad("auth tag must be 16 bytes");
  AppendBytes(*out, h.auth_tag);
  return out;
}

HeaderInfo ToHeaderInfo(const ParsedHeader& parsed) {
  const Header& h = parsed.header;
  HeaderInfo info;
  info.version = h.version();
  info.suite = h.suite->id;
  info.message_id = h.message_id;
  info.context = h.context;
  info.encrypted_data_keys = h.encrypted_data_keys;
  info.framed = h.content_type == ContentType::framed;
  info.frame_length = h.frame_length;
  info.header_size = parsed.total_size;
  return info;
}

}  // namespace envelope::message
