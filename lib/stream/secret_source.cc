// ReadSecret and ReadSecretFd of envelope/io.hpp: the one reader of keys,
// passphrases and PINs. Bytes go from the kernel straight into secret memory
// (a buffer one byte larger than allowed, to tell "exactly max_size" from
// "more"), then the used part is copied into a right-sized SecretBytes; both
// are wiped when freed. No stack buffer and no std::string ever holds them.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "envelope/io.hpp"

namespace envelope {
namespace {

tl::unexpected<Error> Invalid(const SecretSource& s, const std::string& why) {
  return MakeError(ErrorCode::invalid_argument, s.Describe() + ": " + why);
}

// ReadBounded reads `fd` to its end into `buf` (max_size + 1 bytes) and
// returns the byte count; more than max_size is `invalid_argument`.
Result<size_t> ReadBounded(int fd, SecretBytes& buf, const std::string& what) {
  auto n = ReadFd(fd, buf.span(), what);
  ENVELOPE_RETURN_IF_ERROR(n);
  if (*n == buf.size()) {
    return MakeError(ErrorCode::invalid_argument,
                     what + ": holds more than " + std::to_string(buf.size() - 1) + " bytes");
  }
  return *n;
}

}  // namespace

std::string SecretSource::Describe() const {
  switch (kind) {
    case Kind::file:
      return "key file \"" + value + "\"";
    case Kind::fd:
      return "file descriptor " + value;
    case Kind::env:
      return "environment variable " + value;
  }
  return "secret";
}

Result<SecretBytes> ReadSecretFd(int fd, size_t max_size) {
  auto buf = SecretBytes::Allocate(max_size + 1);
  if (!buf) return buf;
  auto n = ReadBounded(fd, *buf, "descriptor " + std::to_string(fd));
  ENVELOPE_RETURN_IF_ERROR(n);
  return SecretBytes::CopyFrom(buf->span().first(*n));
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
      const char* end = source.value.data() + source.value.size();
      const auto parsed = std::from_chars(source.value.data(), end, fd);
      if (parsed.ec != std::errc() || parsed.ptr != end || fd < 0) {
        return Invalid(source, "is not a descriptor");
      }
      auto n = ReadBounded(fd, *buf, source.Describe());
      ENVELOPE_RETURN_IF_ERROR(n);
      size = *n;
      break;
    }
    case SecretSource::Kind::file: {
      const int fd = ::open(source.value.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        return MakeError(errno == ENOENT ? ErrorCode::not_found : ErrorCode::io,
                         source.Describe() + ": " + std::strerror(errno));
      }
      auto n = ReadBounded(fd, *buf, source.Describe());
      ::close(fd);
      ENVELOPE_RETURN_IF_ERROR(n);
      size = *n;
      break;
    }
  }
  if (size == 0) return Invalid(source, "is empty");
  return SecretBytes::CopyFrom(buf->span().first(size));
}

}  // namespace envelope
