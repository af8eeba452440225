#include "commands/value_source.h"

#include "commands/crypt_options.h"
#include "commands/keys.h"
#include "envelope/io.hpp"

namespace envelope::cli {

void AddValueOptions(CLI::App& app, ValueSource& v) {
  AddSecretSourceOptions(app, "--value", "the value", "the value from a file", v.file, v.fd, v.env,
                         "Value (default: asked on the terminal)");
}

Result<SecretBytes> ReadValue(const ValueSource& v, const std::string& what, size_t max_size) {
  const int given = !v.file.empty() + (v.fd >= 0) + !v.env.empty();
  if (given > 1) {
    return MakeError(ErrorCode::invalid_argument,
                     "give one of --value-file, --value-fd or --value-env");
  }
  if (given == 0) return PromptSecret(what, true);
  SecretSource source;
  if (!v.file.empty()) source = {SecretSource::Kind::file, v.file};
  if (v.fd >= 0) source = {SecretSource::Kind::fd, std::to_string(v.fd)};
  if (!v.env.empty()) source = {SecretSource::Kind::env, v.env};
  return ReadSecret(source, max_size);
}

}  // namespace envelope::cli
