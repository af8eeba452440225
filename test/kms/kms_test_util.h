// test/kms: helpers shared by the KMS tests: a private temporary keystore
// folder, a clock the test moves, and reading a keystore's secrets back.
#ifndef ENVELOPE_TEST_KMS_KMS_TEST_UTIL_H_
#define ENVELOPE_TEST_KMS_KMS_TEST_UTIL_H_

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/kms.hpp"

namespace envelope::kms::testing {

// TempDir is a fresh folder under $TMPDIR (or /tmp), removed with its
// contents when destroyed. The keystore goes in path()/ks.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/envelope-kms-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string keystore() const { return path_ + "/ks"; }

 private:
  std::string path_;
};

// FakeClock is a clock the test moves by hand; copies share the time.
class FakeClock {
 public:
  FakeClock()
      : now_(std::make_shared<TimePoint>(std::chrono::sys_days{std::chrono::year{2025} / 1 / 1})) {}
  Clock clock() const {
    auto now = now_;
    return [now] { return *now; };
  }
  TimePoint now() const { return *now_; }
  void Advance(std::chrono::hours h) { *now_ += h; }
  void AdvanceDays(int days) { *now_ += std::chrono::hours(24 * days); }

 private:
  std::shared_ptr<TimePoint> now_;
};

// Options returns managed-mode options for `dir` with `clock`.
inline KmsOptions Options(const std::string& dir, const FakeClock& clock) {
  KmsOptions o;
  o.directory = dir;
  o.clock = clock.clock();
  return o;
}

inline std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// WriteBytes overwrites `path` keeping it private (mode 0600).
inline void WriteBytes(const std::string& path, std::span<const uint8_t> data) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
  }
  chmod(path.c_str(), 0600);
}

inline void WriteText(const std::string& path, std::string_view text) {
  WriteBytes(path, Bytes(text));
}

// UnwritableAuditLog puts a folder where the keystore's audit log was, so
// opening the log for writing fails, and puts the log back in Restore or
// the destructor.
class UnwritableAuditLog {
 public:
  explicit UnwritableAuditLog(const std::string& keystore) : log_(keystore + "/audit.log") {
    std::filesystem::rename(log_, log_ + ".saved");
    std::filesystem::create_directory(log_);  // open(O_RDWR) of a folder fails
  }
  ~UnwritableAuditLog() { Restore(); }
  UnwritableAuditLog(const UnwritableAuditLog&) = delete;
  UnwritableAuditLog& operator=(const UnwritableAuditLog&) = delete;

  void Restore() {
    if (restored_) return;
    restored_ = true;
    std::filesystem::remove(log_);
    std::filesystem::rename(log_ + ".saved", log_);
  }

 private:
  std::string log_;
  bool restored_ = false;
};

}  // namespace envelope::kms::testing

#endif  // ENVELOPE_TEST_KMS_KMS_TEST_UTIL_H_
