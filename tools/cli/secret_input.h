// tools/cli: reading keys and passphrases from a file, a file descriptor or
// an environment variable — never from a literal command-line argument,
// which other users can read in /proc and which lands in shell history.
#ifndef ENVELOPE_TOOLS_CLI_SECRET_INPUT_H_
#define ENVELOPE_TOOLS_CLI_SECRET_INPUT_H_

#include <cstddef>
#include <string>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::cli {

// SecretSource names where a secret comes from.
struct SecretSource {
  enum class Kind { file, fd, env };
  Kind kind = Kind::file;
  std::string value;  // path, descriptor number, or variable name

  // Describe returns e.g. `file "k.bin"` for messages (never the secret).
  std::string Describe() const;
};

// ReadSecret reads at most `max_size` bytes from `source` straight into
// secret memory. Fails with invalid_argument when the source holds more, is
// empty, or names a bad descriptor or unset variable; io when unreadable.
[[nodiscard]] Result<SecretBytes> ReadSecret(const SecretSource& source, size_t max_size);

// ParseKey256 accepts a 256-bit key as 32 raw bytes, 64 hex digits or 44
// characters of standard base64 (the S3 SSE-C header form), each optionally
// followed by one newline. Anything else is invalid_argument.
[[nodiscard]] Result<SecretBytes> ParseKey256(const SecretBytes& text);

// TrimNewline drops one trailing "\n" or "\r\n" (passphrase files).
[[nodiscard]] Result<SecretBytes> TrimNewline(const SecretBytes& text);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_CLI_SECRET_INPUT_H_
