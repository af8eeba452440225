#include "cli/secret_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "envelope/customer_key.hpp"

namespace envelope::cli {
namespace {

tl::unexpected<Error> Invalid(const SecretSource& s, const std::string& why) {
  return MakeError(ErrorCode::invalid_argument, s.Describe() + ": " + why);
}

// ReadAll reads `fd` until EOF into `buf`, failing if it holds more than
// buf.size() - 1 bytes; returns the byte count.
Result<size_t> ReadAll(int fd, SecretBytes& buf, const SecretSource& s) {
  size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = read(fd, buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::io, s.Describe() + ": " + std::strerror(errno));
    }
    if (n == 0) return got;
    got += static_cast<size_t>(n);
  }
  return Invalid(s, "holds more than " + std::to_string(buf.size() - 1) + " bytes");
}

int Nibble(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string SecretSource::Describe() const {
  switch (kind) {
    case Kind::file: return "key file \"" + value + "\"";
    case Kind::fd: return "file descriptor " + value;
    case Kind::env: return "environment variable " + value;
  }
  return "secret";
}

Result<SecretBytes> ReadSecret(const SecretSource& source, size_t max_size) {
  auto buf = SecretBytes::Allocate(max_size + 1);
  if (!buf) return buf;
  size_t size = 0;
  switch (source.kind) {
    case SecretSource::Kind::env: {
      const char* v = std::getenv(source.value.c_str());
      if (v == nullptr) return Invalid(source, "is not set");
      size = std::strlen(v);
      if (size > max_size) return Invalid(source, "is longer than " + std::to_string(max_size));
      std::memcpy(buf->data(), v, size);
      break;
    }
    case SecretSource::Kind::fd: {
      int fd = -1;
      const auto* end = source.value.data() + source.value.size();
      auto [p, ec] = std::from_chars(source.value.data(), end, fd);
      if (ec != std::errc() || p != end || fd < 0) return Invalid(source, "is not a descriptor");
      auto n = ReadAll(fd, *buf, source);
      if (!n) return tl::unexpected(n.error());
      size = *n;
      break;
    }
    case SecretSource::Kind::file: {
      const int fd = open(source.value.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        return MakeError(errno == ENOENT ? ErrorCode::not_found : ErrorCode::io,
                         source.Describe() + ": " + std::strerror(errno));
      }
      auto n = ReadAll(fd, *buf, source);
      close(fd);
      if (!n) return tl::unexpected(n.error());
      size = *n;
      break;
    }
  }
  if (size == 0) return Invalid(source, "is empty");
  return SecretBytes::CopyFrom(buf->span().first(size));
}

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
                   "base64 (got " + std::to_string(raw.size()) + " bytes)");
}

}  // namespace envelope::cli
