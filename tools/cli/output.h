// tools/cli: where a tool's output goes, so that a failure never leaves a
// partial file behind.
//
// A regular file (new, or existing with --force) is written to a temporary
// file beside it (same folder, so rename is atomic), fsync'ed, renamed over
// the target and the folder fsync'ed: the target is either untouched or
// complete. Standard output, a pipe or a device such as /dev/null cannot be
// replaced atomically: bytes go straight through, and the tool exits
// non-zero after the last authenticated byte if anything fails.
#ifndef ENVELOPE_TOOLS_CLI_OUTPUT_H_
#define ENVELOPE_TOOLS_CLI_OUTPUT_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "envelope/error.hpp"

namespace envelope::cli {

struct OutputOptions {
  bool force = false;          // overwrite an existing regular file
  bool binary = false;         // refuse a terminal (ciphertext is binary)
  std::optional<mode_t> mode;  // permissions of a new file; default 0666 & ~umask
};

// Output is a move-only handle on the destination.
class Output {
 public:
  // Open prepares `path` ("-" is standard output). Fails with
  // invalid_argument when the file exists without `force` ("... exists"), or
  // when binary output would go to a terminal ("... terminal"); io when the
  // folder is not writable. The caller adds the hints (--force, --armor).
  [[nodiscard]] static Result<Output> Open(const std::string& path, const OutputOptions& options);

  Output(Output&& other) noexcept;
  Output& operator=(Output&&) = delete;
  Output(const Output&) = delete;
  ~Output();  // discards the temporary file unless Commit succeeded

  // Write appends `bytes`, retrying short writes and EINTR.
  [[nodiscard]] Result<void> Write(std::span<const uint8_t> bytes);

  // Commit makes the output durable and visible (rename for files, fsync
  // for nothing else: devices and pipes have no durability to ask for).
  [[nodiscard]] Result<void> Commit();

  // Discard removes the temporary file; the target is left as it was.
  void Discard() noexcept;

  // atomic reports whether a failure leaves the target untouched.
  bool atomic() const noexcept { return !temp_path_.empty(); }
  const std::string& path() const noexcept { return path_; }
  uint64_t bytes_written() const noexcept { return written_; }

 private:
  Output(int fd, std::string path, std::string temp_path) noexcept
      : fd_(fd), path_(std::move(path)), temp_path_(std::move(temp_path)) {}

  int fd_ = -1;
  std::string path_;       // the target as the user named it
  std::string temp_path_;  // empty when writing straight through
  uint64_t written_ = 0;
  bool done_ = false;
};

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_CLI_OUTPUT_H_
