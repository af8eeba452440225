#include "message/context_codec.h"

#include <string>

#include "crypto/utf8.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "encryption context: " + std::move(what));
}

}  // namespace

Result<std::vector<uint8_t>> SerializeContext(const EncryptionContext& context) {
  std::vector<uint8_t> out;
  if (context.empty()) return out;
  if (context.size() > 0xffff) return Bad("more than 65535 pairs");
  ENVELOPE_RETURN_IF_ERROR(crypto::CheckUtf8Map(context, "encryption context"));
  AppendUint(out, context.size(), 2);
  for (const auto& [key, value] : context) {
    if (key.empty()) return Bad("empty key");
    if (key.size() > 0xffff || value.size() > 0xffff) return Bad("key or value over 65535 bytes");
    AppendUint(out, key.size(), 2);
    AppendBytes(out, AsBytes(key));
    AppendUint(out, value.size(), 2);
    AppendBytes(out, AsBytes(value));
    if (out.size() > kMaxContextBytes) return Bad("serialized context over 65535 bytes");
  }
  return out;
}

Result<EncryptionContext> ParseContext(std::span<const uint8_t> block) {
  EncryptionContext context;
  if (block.empty()) return context;
  Reader r(block);
  auto count = r.U16();
  if (!count) return Bad("block too short");
  if (*count == 0) return Bad("count is 0 but the block is not empty");
  const std::string* previous = nullptr;
  for (size_t i = 0; i < *count; ++i) {
    std::string kv[2];
    for (auto& s : kv) {
      auto len = r.U16();
      if (!len) return Bad("pair runs past the end of the block");
      auto bytes = r.Bytes(*len);
      if (!bytes) return Bad("pair runs past the end of the block");
      s.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
      if (!IsValidUtf8(s)) return Bad("a key or value is not UTF-8");
    }
    if (kv[0].empty()) return Bad("empty key");
    if (previous != nullptr && !(*previous < kv[0])) {
      return Bad("keys are not sorted or repeat");
    }
    auto [it, inserted] = context.emplace(std::move(kv[0]), std::move(kv[1]));
    previous = &it->first;
  }
  if (r.remaining() != 0) return Bad("bytes left after the last pair");
  return context;
}

EncryptionContext SubContext(const EncryptionContext& context, std::span<const std::string> keys) {
  EncryptionContext out;
  for (const std::string& k : keys) {
    auto it = context.find(k);
    if (it != context.end()) out.insert(*it);
  }
  return out;
}

}  // namespace envelope::message
