// fuzz target cli_args: the command-line parsing of encrypt and decrypt
// (tools/commands/crypt_options). The --armor decoder is the `armor`
// target's (lib/message/armor.cc).
//
// Input: one selector byte (bit 0: encrypt or decrypt options), then the
// arguments separated by NUL bytes (at most 64). Properties:
//  - the literal-secret screen refuses exactly the arguments an independent
//    oracle names (--customer-key, --passphrase=..., --pkcs11-pin, a pkcs11:
//    URI with pin-value=, ...), and
//    runs before CLI11 sees anything;
//  - CLI11 parsing of the real option set either succeeds or throws a
//    CLI::Error; nothing else escapes;
//  - ParseContext accepts exactly the lists of KEY=VALUE with non-empty,
//    distinct keys, and each accepted pair is the key, "=", and the value;
//  - ParseCommitmentPolicy accepts only the three ESDK CLI spellings.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/crypt_options.h"
#include "fuzz_util.h"

namespace {

using namespace envelope;
using namespace envelope::cli;

// OracleRefuses says what the screen must refuse, written down independently of
// crypt_options.cc: the option names that would carry a key, a passphrase or
// a PIN as their value, and (issue 18) a parameter's or secret's value.
bool OracleRefuses(std::string_view arg) {
  static constexpr std::string_view kExact[] = {
      "--customer-key", "--password",         "--key-material", "--wrapping-key-material", "--pin",
      "--pkcs11-pin",   "--pkcs11-pin-value", "--value",        "--secret-string"};
  if (arg.find("pkcs11:") != std::string_view::npos &&
      arg.find("pin-value=") != std::string_view::npos) {
    return true;  // a PIN inside a PKCS#11 URI
  }
  for (std::string_view name : kExact) {
    if (arg == name ||
        (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=')) {
      return true;
    }
  }
  return arg.starts_with("--passphrase=");
}

std::vector<std::string> SplitArgs(std::span<const uint8_t> bytes) {
  std::vector<std::string> args;
  std::string current;
  for (uint8_t b : bytes) {
    if (b == 0) {
      args.push_back(current);
      current.clear();
      if (args.size() == 64) return args;
    } else {
      current.push_back(static_cast<char>(b));
    }
  }
  if (!current.empty()) args.push_back(current);
  return args;
}

void CheckScreen(const std::string& tool, const std::vector<std::string>& args) {
  std::vector<std::string> storage{tool};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const bool refused =
      RefuseLiteralSecrets(tool, static_cast<int>(storage.size()), argv.data()).has_value();
  bool expected = false;
  for (const std::string& a : args) {
    if (a == "--") break;
    if (OracleRefuses(a)) {
      expected = true;
      break;
    }
  }
  FUZZ_CHECK(refused == expected);
}

void CheckContext(const std::vector<std::string>& pairs) {
  auto context = ParseContext(pairs, "--context");
  std::vector<std::string> keys;
  bool well_formed = true;
  for (const std::string& p : pairs) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      well_formed = false;
      break;
    }
    const std::string key = p.substr(0, eq);
    for (const std::string& k : keys) well_formed = well_formed && k != key;
    keys.push_back(key);
  }
  FUZZ_CHECK(context.has_value() == well_formed);
  if (!context) {
    FUZZ_CHECK(context.error().code() == ErrorCode::invalid_argument);
    return;
  }
  FUZZ_CHECK(context->size() == pairs.size());
  for (const std::string& p : pairs) {
    const size_t eq = p.find('=');
    auto it = context->find(p.substr(0, eq));
    FUZZ_CHECK(it != context->end() && it->second == p.substr(eq + 1));
  }
}

void CheckParse(Direction direction, const std::string& tool,
                const std::vector<std::string>& args) {
  CLI::App app(tool);
  CryptOptions options;
  AddCryptOptions(app, options, direction, tool);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::Error&) {
    return;  // --help, --version and every parse error land here
  }
  CheckContext(options.context);
  CheckContext(options.require_context);
  const auto& p = options.commitment_policy;
  const bool known = p == "require-encrypt-require-decrypt" ||
                     p == "require-encrypt-allow-decrypt" || p == "forbid-encrypt-allow-decrypt";
  FUZZ_CHECK(ParseCommitmentPolicy(p).has_value() == known);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool encrypt = (data[0] & 1) == 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  const std::string tool = encrypt ? "encrypt" : "decrypt";
  const auto args = SplitArgs(rest);

  CheckScreen(tool, args);
  CheckParse(encrypt ? Direction::encrypt : Direction::decrypt, tool, args);
  // Every argument as a context pair list too, so the context parser sees
  // more than what reaches it through -c.
  CheckContext(args);
  return 0;
}
