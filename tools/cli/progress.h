// tools/cli: a progress bar on stderr for large inputs.
//
//   encrypt: [#########.........]  48%  1.2 GiB / 2.5 GiB  412 MiB/s  ETA 0:03
//
// Shown only when stderr is a terminal, the caller did not ask for quiet,
// and the input is large enough to be worth watching; never in pipes.
#ifndef ENVELOPE_TOOLS_CLI_PROGRESS_H_
#define ENVELOPE_TOOLS_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace envelope::cli {

// FormatBytes renders a byte count as "512 B", "1.5 KiB", "2.0 GiB".
std::string FormatBytes(uint64_t bytes);

class Progress {
 public:
  // Inputs smaller than this finish before a bar would help.
  static constexpr uint64_t kMinBytes = uint64_t{64} << 20;

  // `total` is the input size in bytes, or 0 when unknown (a pipe): then the
  // bar shows bytes and rate only. `out` is the stream drawn on (stderr).
  Progress(std::string tool, uint64_t total, bool quiet, std::FILE* out = stderr);
  ~Progress();

  // enabled reports whether anything is drawn.
  bool enabled() const noexcept { return enabled_; }

  // Add records `bytes` more processed; draws on the first call, then at
  // most ten times a second.
  void Add(uint64_t bytes);

  // Finish clears the bar so later messages start on a clean line.
  void Finish();

  // Render returns the bar line for `done` bytes after `seconds` (tests).
  std::string Render(uint64_t done, double seconds) const;

 private:
  std::string tool_;
  uint64_t total_;
  std::FILE* out_;
  bool enabled_;
  uint64_t done_ = 0;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_CLI_PROGRESS_H_
