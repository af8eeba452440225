// lib/secrets: the parameters file, `parameters.json` in the keystore
// folder, and the transaction every ParameterStore operation runs in.
//
//   {"format": "envelope parameters v1",
//    "parameters": {
//      "/app/db": {"type": "SecureString",
//                  "versions": [{"version": 1, "value": "<base64 KMS blob>",
//                                "key_id": "<uuid>", "modified_ms": 1764950000000,
//                                "modified_by": "AKIA...", "description": "",
//                                "labels": ["prod"]}]}}}
//
// String and StringList values are stored as they are (SSM does not treat
// them as secret); SecureString values only as KMS ciphertext blobs. The
// file is written atomically (temporary, fsync, rename, folder fsync) under
// the lock file `parameters.lock`; a reader that finds it damaged refuses
// rather than guesses.
#ifndef ENVELOPE_LIB_SECRETS_PARAMETER_FILE_H_
#define ENVELOPE_LIB_SECRETS_PARAMETER_FILE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/secrets.hpp"

namespace envelope::secrets::internal {

inline constexpr char kParameterFileName[] = "parameters.json";
inline constexpr char kParameterLockName[] = "parameters.lock";
inline constexpr size_t kMaxParameterFile = size_t{64} << 20;

// StoredVersion is one version as the file keeps it.
struct StoredVersion {
  int64_t version = 0;
  std::string value;   // the text, or base64 of the KMS blob (SecureString)
  std::string key_id;  // SecureString only
  int64_t modified_ms = 0;
  std::string modified_by;
  std::string description;
  std::vector<std::string> labels;
};

// StoredParameter is a parameter and its kept versions, oldest first.
struct StoredParameter {
  ParameterType type = ParameterType::string;
  std::vector<StoredVersion> versions;
};

// ParameterTable is the whole file, by name.
using ParameterTable = std::map<std::string, StoredParameter>;

// EncodeParameterTable returns the file's bytes. Every text in it must be
// UTF-8 (callers check before they store).
[[nodiscard]] Result<std::string> EncodeParameterTable(const ParameterTable& table);
// DecodeParameterTable parses the file's bytes; `malformed` for anything
// that is not a file this version wrote.
[[nodiscard]] Result<ParameterTable> DecodeParameterTable(std::string_view bytes);

// ReadParameterTable reads the table of keystore folder `dir` (empty when
// there is no file yet), without the lock: the file is only ever replaced
// by rename, so a reader sees one whole version.
[[nodiscard]] Result<ParameterTable> ReadParameterTable(const std::string& dir);

// UpdateParameterTable takes the lock, reads the table, runs `body` on it
// and, when `body` succeeds and says it changed the table, writes it back.
// A failed body changes nothing on disk.
[[nodiscard]] Result<void> UpdateParameterTable(
    const std::string& dir, const std::function<Result<bool>(ParameterTable&)>& body);

}  // namespace envelope::secrets::internal

#endif  // ENVELOPE_LIB_SECRETS_PARAMETER_FILE_H_
