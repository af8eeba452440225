#include "message/context_codec.h"

#include <string>

#include "message/wire.h"

namespace envelope::message {
namespace {

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "encryption context: " + std::move(what));
}

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0, min = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (p[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

Result<std::vector<uint8_t>> SerializeContext(const EncryptionContext& context) {
  std::vector<uint8_t> out;
  if (context.empty()) return out;
  if (context.size() > 0xffff) return Bad("more than 65535 pairs");
  AppendUint(out, context.size(), 2);
  for (const auto& [key, value] : context) {
    if (key.empty()) return Bad("empty key");
    if (key.size() > 0xffff || value.size() > 0xffff) return Bad("key or value over 65535 bytes");
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) return Bad("keys and values must be UTF-8");
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

EncryptionContext SubContext(const EncryptionContext& context,
                             std::span<const std::string> keys) {
  EncryptionContext out;
  for (const std::string& k : keys) {
    auto it = context.find(k);
    if (it != context.end()) out.insert(*it);
  }
  return out;
}

}  // namespace envelope::message
