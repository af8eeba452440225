#include "cli/secret_input.h"

#include <string>

#include "envelope/customer_key.hpp"

namespace envelope::cli {
namespace {

int Nibble(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<SecretBytes> TrimNewline(const SecretBytes& text) {
  size_t n = text.size();
  if (n > 0 && text.data()[n - 1] == '\n') --n;
  if (n > 0 && text.data()[n - 1] == '\r') --n;
  return SecretBytes::CopyFrom(text.span().first(n));
}

Result<SecretBytes> ParseKey256(const SecretBytes& raw) {
  // 32 raw bytes or their standard base64: the library's customer-key
  // parser. 64 hex digits are the tools' addition.
  if (auto key = ParseCustomerKey(raw.span())) return key;
  auto trimmed = TrimNewline(raw);
  if (!trimmed) return trimmed;
  if (trimmed->size() == 64) {
    auto key = SecretBytes::Allocate(32);
    if (!key) return key;
    const uint8_t* t = trimmed->data();
    int bad = 0;
    for (size_t i = 0; i < 32; ++i) {
      const int hi = Nibble(t[2 * i]), lo = Nibble(t[2 * i + 1]);
      bad |= (hi | lo) < 0;
      key->data()[i] = static_cast<uint8_t>((hi << 4) | (lo & 15));
    }
    if (!bad) return key;
  }
  return MakeError(ErrorCode::invalid_argument,
                   "a customer key must be 32 bytes: raw, 64 hex digits, or 44 characters of "
                   "base64 (got " +
                       std::to_string(raw.size()) + " bytes)");
}

}  // namespace envelope::cli
