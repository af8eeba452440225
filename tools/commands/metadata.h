// tools/commands: --metadata-output, the ESDK CLI's per-file JSON record.
#ifndef ENVELOPE_TOOLS_COMMANDS_METADATA_H_
#define ENVELOPE_TOOLS_COMMANDS_METADATA_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "envelope/error.hpp"
#include "envelope/message.hpp"

namespace envelope::cli {

// MetadataRecord is what one job reports: where from and to, the header
// (envelope messages; none for C2SP files) and the byte counts.
struct MetadataRecord {
  std::string mode;    // "encrypt" or "decrypt"
  std::string format;  // "esdk" or "c2sp"
  std::string input;   // "-": standard input
  std::string output;  // "-": standard output
  std::optional<HeaderInfo> header;
  uint64_t bytes_read = 0;                             // of the input (ciphertext read for --range)
  uint64_t bytes_written = 0;                          // to the output
  std::optional<std::pair<uint64_t, uint64_t>> range;  // offset, length written
};

// MetadataJson is the record as one JSON object: "mode", "format", "input"
// and "output" (absolute paths, "<stdin>", "<stdout>"), "header" with
// "version", "algorithm" (suite id), "signed", "message_id", "encryption_context"
// (without the signature key), "encrypted_data_keys" (each "key_provider":
// "provider_id", "key_info", and the size), "frame_length"; "bytes_read",
// "bytes_written" and "range". Never key material or plaintext.
nlohmann::json MetadataJson(const MetadataRecord& record);

// MetadataOutput appends one line of JSON per job to --metadata-output.
class MetadataOutput {
 public:
  // Open opens `path` for appending ("-": standard output; empty: no
  // metadata, Write does nothing). Fails with io when it cannot be opened.
  [[nodiscard]] static Result<MetadataOutput> Open(const std::string& path);
  MetadataOutput(MetadataOutput&& other) noexcept;
  MetadataOutput& operator=(MetadataOutput&&) = delete;
  ~MetadataOutput();
  // Write appends the record as one line. Fails with io.
  [[nodiscard]] Result<void> Write(const MetadataRecord& record);
  bool enabled() const { return fd_ >= 0; }

 private:
  MetadataOutput(int fd, bool owned, std::string path)
      : fd_(fd), owned_(owned), path_(std::move(path)) {}
  int fd_ = -1;
  bool owned_ = false;
  std::string path_;
};

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_METADATA_H_
