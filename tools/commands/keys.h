// tools/commands: turning key options into the keyring a message is
// encrypted or decrypted with, and the keystore they may need.
#ifndef ENVELOPE_TOOLS_COMMANDS_KEYS_H_
#define ENVELOPE_TOOLS_COMMANDS_KEYS_H_

#include <memory>
#include <optional>
#include <string>

#include "commands/crypt_options.h"
#include "envelope/error.hpp"
#include "envelope/keyring.hpp"
#include "envelope/kms.hpp"
#include "envelope/secret.hpp"

namespace envelope::cli {

// Keystore opens the local KMS on first use, so commands that only use raw
// or customer keys never touch (or create) it.
class Keystore {
 public:
  // `dir` is --keystore; empty means $ENVELOPE_HOME, else the XDG default.
  explicit Keystore(std::string dir) : dir_(std::move(dir)) {}
  // Get opens the keystore (creating it on first use). Errors are the KMS's:
  // io for a folder readable by others, auth_failed for a wrong root key.
  [[nodiscard]] Result<kms::Kms*> Get();
  // Shared returns the same keystore for keyrings that keep it.
  [[nodiscard]] Result<std::shared_ptr<kms::Kms>> Shared();
  // SetArnScope places the keys in `region` and `account` (KmsOptions) when
  // the keystore is opened; `kms serve --region/--account` call it.
  void SetArnScope(std::string region, std::string account) {
    region_ = std::move(region);
    account_ = std::move(account);
  }
  // SetAuditRotateBytes sets KmsOptions::audit_log_rotate_bytes for when the
  // keystore is opened (`kms serve --audit-rotate-mib`).
  void SetAuditRotateBytes(uint64_t bytes) { audit_rotate_bytes_ = bytes; }

 private:
  std::string dir_;
  std::string region_;
  std::string account_;
  std::optional<uint64_t> audit_rotate_bytes_;
  std::shared_ptr<kms::Kms> kms_;
};

// BuildKeyring returns the keyring for `options`: every key named (KMS
// keys, a customer key, a passphrase, raw wrapping keys, AWS KMS keys,
// PKCS#11 keys)
// joins one multi keyring, the first generating the data key. With no key
// named, encrypt uses the managed default key and decrypt any key of the
// local keystore. Fails with invalid_argument for conflicting or malformed
// key options. PKCS#11 keys open through `pkcs11`, which reads the PIN once
// for every key the caller opens with it.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> BuildKeyring(const CryptOptions& options,
                                                                  Keystore& keystore,
                                                                  Pkcs11Keys& pkcs11);
[[nodiscard]] Result<std::shared_ptr<const Keyring>> BuildKeyring(const CryptOptions& options,
                                                                  Keystore& keystore);
// This BuildKeyring takes the customer key already read (ReadCustomerKey;
// nullptr: none), for callers that need its bytes too (C2SP files).
[[nodiscard]] Result<std::shared_ptr<const Keyring>> BuildKeyring(const CryptOptions& options,
                                                                  Keystore& keystore,
                                                                  Pkcs11Keys& pkcs11,
                                                                  const SecretBytes* customer_key);

// WrappingKeyKeyring parses one --wrapping-key SPEC and reads its key file.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> WrappingKeyKeyring(const std::string& spec);

// ReadCustomerKey reads the --customer-key-* source, if any, and parses the
// 256-bit key (raw, hex or base64). Fails with invalid_argument for two
// sources or a malformed key; io when the source cannot be read.
[[nodiscard]] Result<std::optional<SecretBytes>> ReadCustomerKey(const CryptOptions& options);

// ReadPassphrase reads the --passphrase* source, if any (asking on the
// terminal for --passphrase, twice when encrypting). One trailing newline
// of a file, descriptor or variable is dropped.
[[nodiscard]] Result<std::optional<SecretBytes>> ReadPassphrase(const CryptOptions& options);

// PromptPassphrase asks on the controlling terminal with echo off (twice
// when `confirm`). Fails with invalid_argument when there is no terminal,
// the answer is empty, or the two answers differ.
[[nodiscard]] Result<SecretBytes> PromptPassphrase(bool confirm);
// PromptSecret is PromptPassphrase for another secret ("parameter value"):
// it asks "Enter <what>: " (and "Confirm <what>: ").
[[nodiscard]] Result<SecretBytes> PromptSecret(const std::string& what, bool confirm);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_KEYS_H_
