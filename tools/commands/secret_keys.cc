// The customer key (SSE-C) and passphrase options: at most one source
// each, read from a file, a descriptor, an environment variable or (for the
// passphrase) the terminal, never from the command line.
#include "cli/secret_input.h"
#include "commands/keys.h"

namespace envelope::cli {
namespace {

constexpr size_t kMaxKeyText = 4096;
constexpr size_t kMaxPassphraseBytes = 1024;

// OneSource picks the single source given among file/fd/env, or none.
Result<std::optional<SecretSource>> OneSource(const std::string& what, const std::string& file,
                                              int fd, const std::string& env, bool prompt) {
  const int given = !file.empty() + (fd >= 0) + !env.empty() + prompt;
  if (given > 1) {
    return MakeError(ErrorCode::invalid_argument, "give the " + what + " only once");
  }
  if (!file.empty()) return SecretSource{SecretSource::Kind::file, file};
  if (fd >= 0) return SecretSource{SecretSource::Kind::fd, std::to_string(fd)};
  if (!env.empty()) return SecretSource{SecretSource::Kind::env, env};
  return std::optional<SecretSource>();
}

}  // namespace

Result<std::optional<SecretBytes>> ReadCustomerKey(const CryptOptions& o) {
  auto source =
      OneSource("customer key", o.customer_key_file, o.customer_key_fd, o.customer_key_env, false);
  ENVELOPE_RETURN_IF_ERROR(source);
  if (!*source) return std::optional<SecretBytes>();
  auto text = ReadSecret(**source, kMaxKeyText);
  ENVELOPE_RETURN_IF_ERROR(text);
  auto key = ParseKey256(*text);
  if (!key) return tl::unexpected(key.error().WithContext((*source)->Describe()));
  return std::optional<SecretBytes>(std::move(*key));
}

Result<std::optional<SecretBytes>> ReadPassphrase(const CryptOptions& o) {
  auto source = OneSource("passphrase", o.passphrase_file, o.passphrase_fd, o.passphrase_env,
                          o.passphrase_prompt);
  ENVELOPE_RETURN_IF_ERROR(source);
  if (o.passphrase_prompt) {
    auto typed = PromptPassphrase(o.direction == Direction::encrypt);
    ENVELOPE_RETURN_IF_ERROR(typed);
    return std::optional<SecretBytes>(std::move(*typed));
  }
  if (!*source) return std::optional<SecretBytes>();
  auto text = ReadSecret(**source, kMaxPassphraseBytes + 2);
  ENVELOPE_RETURN_IF_ERROR(text);
  // A passphrase file usually ends with a newline that is not part of it.
  auto trimmed = TrimNewline(*text);
  ENVELOPE_RETURN_IF_ERROR(trimmed);
  if (trimmed->empty()) {
    return MakeError(ErrorCode::invalid_argument, (*source)->Describe() + ": empty passphrase");
  }
  return std::optional<SecretBytes>(std::move(*trimmed));
}

}  // namespace envelope::cli
