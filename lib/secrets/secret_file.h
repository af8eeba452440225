// lib/secrets: the secrets file, `secrets.json` in the keystore folder, and
// the sealing of secret values.
//
//   {"format": "envelope secrets v1",
//    "secrets": {"app/db": {"arn": "arn:aws:secretsmanager:...:secret:app/db-AbCdEf",
//      "description": "", "key_id": "<uuid>", "created_ms": ..., "changed_ms": ...,
//      "rotated_ms": 0, "deletion_ms": 0, "rotation_command": "", "rotation_days": 0,
//      "next_rotation_ms": 0,
//      "versions": [{"id": "<uuid>", "stages": ["AWSCURRENT"], "created_ms": ...,
//                    "binary": false, "sealed": "<base64>"}]}}}
//
// A sealed value (base64 in the file):
//
//   +-----------+------------------+-------------+-----------------------+
//   | n (u16 BE)| KMS blob (n)     | IV (12)     | AES-256-GCM(value)+tag|
//   +-----------+------------------+-------------+-----------------------+
//
// The blob is a data key from Kms::GenerateDataKey with the context
// {"SecretARN": arn, "SecretVersionId": id}; the GCM AAD is arn + "\n" + id.
// The file is replaced atomically under `secrets.lock`.
#ifndef ENVELOPE_LIB_SECRETS_SECRET_FILE_H_
#define ENVELOPE_LIB_SECRETS_SECRET_FILE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/secrets.hpp"

namespace envelope::secrets::internal {

// StoredSecretVersion is one version as the file keeps it.
struct StoredSecretVersion {
  std::string id;
  std::vector<std::string> stages;
  int64_t created_ms = 0;
  bool binary = false;
  std::string sealed;  // base64
};

// StoredSecret is one secret as the file keeps it (times in ms; 0: unset).
struct StoredSecret {
  std::string arn, description, key_id;
  int64_t created_ms = 0, changed_ms = 0, rotated_ms = 0, deletion_ms = 0;
  std::string rotation_command;
  int rotation_days = 0;
  int64_t next_rotation_ms = 0;
  std::vector<StoredSecretVersion> versions;
};

// SecretTable is the whole file, by name.
using SecretTable = std::map<std::string, StoredSecret>;

// ReadSecretTable reads the table of `dir` (empty without a file); a file
// that does not parse is `malformed`.
[[nodiscard]] Result<SecretTable> ReadSecretTable(const std::string& dir);

// UpdateSecretTable takes the lock, reads, runs `body` and writes the table
// back when `body` succeeds and says it changed it.
[[nodiscard]] Result<void> UpdateSecretTable(const std::string& dir,
                                             const std::function<Result<bool>(SecretTable&)>& body);

// SealSecretValue encrypts `value` for version `id` of secret `arn` under
// KMS key `key` and returns the base64 text and the key id used.
[[nodiscard]] Result<std::pair<std::string, std::string>> SealSecretValue(kms::Kms& kms,
                                                                          std::string_view key,
                                                                          const std::string& arn,
                                                                          const std::string& id,
                                                                          const SecretBytes& value);

// OpenSecretValue decrypts what SealSecretValue made (a KMS Decrypt).
[[nodiscard]] Result<SecretBytes> OpenSecretValue(kms::Kms& kms, const std::string& arn,
                                                  const std::string& id, std::string_view sealed);

}  // namespace envelope::secrets::internal

#endif  // ENVELOPE_LIB_SECRETS_SECRET_FILE_H_
