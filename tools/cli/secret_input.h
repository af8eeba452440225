// tools/cli: reading keys and passphrases from a file, a file descriptor or
// an environment variable — never from a literal command-line argument,
// which other users can read in /proc and which lands in shell history.
#ifndef ENVELOPE_TOOLS_CLI_SECRET_INPUT_H_
#define ENVELOPE_TOOLS_CLI_SECRET_INPUT_H_

#include "envelope/error.hpp"
#include "envelope/io.hpp"
#include "envelope/secret.hpp"

namespace envelope::cli {

// SecretSource and ReadSecret, the one reader of secrets from a file, a
// descriptor or an environment variable, are the library's
// (envelope/io.hpp); what is here parses what they read.

// ParseKey256 accepts a 256-bit key as 32 raw bytes, 64 hex digits or 44
// characters of standard base64 (the S3 SSE-C header form), each optionally
// followed by one newline. Anything else is invalid_argument.
[[nodiscard]] Result<SecretBytes> ParseKey256(const SecretBytes& text);

// TrimNewline drops one trailing "\n" or "\r\n" (passphrase files).
[[nodiscard]] Result<SecretBytes> TrimNewline(const SecretBytes& text);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_CLI_SECRET_INPUT_H_
