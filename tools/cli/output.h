// tools/cli: where a tool's output goes, so that a failure never leaves a
// partial file behind.
//
// A regular file (new, or existing with --force) is an envelope::AtomicFile
// (envelope/atomic_file.hpp): an unnamed file in the target's folder that
// is linked into place on Commit, which fails without --force if anything
// appeared at the path meanwhile; the target is either untouched or
// complete. A symbolic link at the path is refused without --force and
// replaced (never followed) with it. Standard output, a pipe or a device
// such as /dev/null (also through a link: /dev/stdout) cannot be replaced
// atomically: bytes go straight through, and the tool exits non-zero after
// the last authenticated byte if anything fails.
#ifndef ENVELOPE_TOOLS_CLI_OUTPUT_H_
#define ENVELOPE_TOOLS_CLI_OUTPUT_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "envelope/atomic_file.hpp"
#include "envelope/error.hpp"

namespace envelope::cli {

struct OutputOptions {
  bool force = false;          // overwrite an existing regular file
  bool binary = false;         // refuse a terminal (ciphertext is binary)
  std::optional<mode_t> mode;  // permissions of a new file; default 0666 & ~umask
  bool apply_umask = false;    // mask `mode` with the umask too (decrypted files)
};

// Output is a move-only handle on the destination.
class Output {
 public:
  // Open prepares `path` ("-" is standard output). Fails with
  // invalid_argument when the file exists without `force` ("... exists"),
  // is a symbolic link without `force` ("... is a symbolic link", with its
  // hint), or when binary output would go to a terminal ("... terminal");
  // io when the folder is not writable. The caller adds the hints for the
  // first and the last (--force, --armor). Modes never carry setuid, setgid
  // or sticky bits.
  [[nodiscard]] static Result<Output> Open(const std::string& path, const OutputOptions& options);

  Output(Output&& other) noexcept;
  Output& operator=(Output&&) = delete;
  Output(const Output&) = delete;
  ~Output();  // discards the file unless Commit succeeded

  // Write appends `bytes`, retrying short writes and EINTR.
  [[nodiscard]] Result<void> Write(std::span<const uint8_t> bytes);

  // Commit makes the output durable and visible (link or rename for files,
  // nothing else: devices and pipes have no durability to ask for). Fails
  // with invalid_argument ("... exists", with a hint) when without `force`
  // a file appeared at the path while writing; it is left untouched.
  [[nodiscard]] Result<void> Commit();

  // Discard drops what was written to a file; the target is left as it was.
  void Discard() noexcept;

  // atomic reports whether a failure leaves the target untouched.
  bool atomic() const noexcept { return file_.has_value(); }
  const std::string& path() const noexcept { return path_; }
  uint64_t bytes_written() const noexcept { return written_; }

 private:
  Output(int fd, std::string path) noexcept : fd_(fd), path_(std::move(path)) {}
  Output(AtomicFile file, std::string path) noexcept
      : file_(std::move(file)), path_(std::move(path)) {}

  std::optional<AtomicFile> file_;  // a regular file; else fd_ straight through
  int fd_ = -1;
  std::string path_;  // the target as the user named it
  uint64_t written_ = 0;
  bool done_ = false;
};

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_CLI_OUTPUT_H_
