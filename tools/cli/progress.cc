#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>

namespace envelope::cli {

std::string FormatBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 " B", bytes);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  }
  return buf;
}

Progress::Progress(std::string tool, uint64_t total, bool quiet, std::FILE* out)
    : tool_(std::move(tool)),
      total_(total),
      out_(out),
      enabled_(!quiet && isatty(fileno(out)) && (total == 0 || total >= kMinBytes)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { Finish(); }

std::string Progress::Render(uint64_t done, double seconds) const {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = tool_ + ": ";
  if (total_ > 0) {
    constexpr int kWidth = 20;
    const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
    const int filled = static_cast<int>(frac * kWidth);
    line += "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(frac * 100));
    line += pct;
    line += "  " + FormatBytes(done) + " / " + FormatBytes(total_);
  } else {
    line += FormatBytes(done);
  }
  line += "  " + FormatBytes(static_cast<uint64_t>(rate)) + "/s";
  if (total_ > 0 && rate > 0 && done < total_) {
    const auto eta = static_cast<uint64_t>(static_cast<double>(total_ - done) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, "  ETA %" PRIu64 ":%02" PRIu64, eta / 60, eta % 60);
    line += buf;
  }
  return line;
}

void Progress::Add(uint64_t bytes) {
  done_ += bytes;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // Draw at once on the first call (fast machines finish large inputs in
  // well under a second), then at most ten times a second.
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  drawn_ = true;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::fprintf(out_, "\r%s\033[K", Render(done_, seconds).c_str());
  std::fflush(out_);
}

void Progress::Finish() {
  if (!enabled_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  enabled_ = false;
}

}  // namespace envelope::cli
