// tools/commands: inputs and the plan of which input goes where.
#ifndef ENVELOPE_TOOLS_COMMANDS_FILES_H_
#define ENVELOPE_TOOLS_COMMANDS_FILES_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cli/output.h"
#include "envelope/error.hpp"
#include "envelope/io.hpp"

namespace envelope::cli {

// InputFile is an open input ("-" is standard input) read with large reads.
class InputFile final : public Source {
 public:
  // Open fails with io (the reason from the OS) when `path` cannot be
  // opened for reading, and invalid_argument when it is a folder.
  [[nodiscard]] static Result<InputFile> Open(const std::string& path);
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;
  ~InputFile() override;

  [[nodiscard]] Result<size_t> Read(std::span<uint8_t> out) override;
  // size is the file size for regular files, 0 when unknown (pipes).
  uint64_t size() const noexcept { return size_; }
  // fd is the open descriptor (owned by the InputFile).
  int fd() const noexcept { return fd_; }
  // Position returns the descriptor's file offset (where Read goes on);
  // SeekTo moves it. Both fail with io on a pipe or terminal.
  [[nodiscard]] Result<uint64_t> Position() const;
  [[nodiscard]] Result<void> SeekTo(uint64_t offset);
  // mode is the permission bits (0777: no setuid, setgid or sticky) of a
  // regular file; nullopt for anything else.
  std::optional<mode_t> mode() const noexcept { return mode_; }
  const std::string& path() const noexcept { return path_; }

 private:
  InputFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0;
  std::optional<mode_t> mode_;
};

// OutputSink adapts an Output to the Sink the message API writes to.
class OutputSink final : public Sink {
 public:
  explicit OutputSink(Output& out) : out_(out) {}
  [[nodiscard]] Result<void> Write(std::span<const uint8_t> data) override {
    return out_.Write(data);
  }

 private:
  Output& out_;
};

// Job is one input and where its result goes.
struct Job {
  std::string input;           // "-": standard input
  std::string output;          // "-": standard output
  bool create_parent = false;  // --recursive into an -o folder: make subfolders
};

// PlanJobs expands the inputs (folders with `recursive`) into jobs. An input
// file's output is -o when there is one input, else beside it (or under the
// -o folder) with `suffix` added (encrypt) or stripped (decrypt; ".decrypted"
// is added when the name lacks the suffix). Standard input goes to -o or
// standard output. Fails with invalid_argument for a folder without
// --recursive, several inputs with an -o that is not a folder, or "-" among
// several inputs; io when a folder cannot be listed.
[[nodiscard]] Result<std::vector<Job>> PlanJobs(const std::vector<std::string>& inputs,
                                                const std::string& output, bool encrypt,
                                                bool recursive, const std::string& suffix);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_FILES_H_
