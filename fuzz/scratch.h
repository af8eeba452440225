// fuzz: a private scratch folder per harness process, for harnesses that
// need files (keystores, root key files, passphrase files).
//
// ScratchRoot() is on tmpfs (/dev/shm) when there is one (the KMS fsyncs
// every write), else /tmp, and is removed when the process exits normally.
// The path and its removal live in one static, so the removal never runs
// after the path is gone.
#ifndef ENVELOPE_FUZZ_SCRATCH_H_
#define ENVELOPE_FUZZ_SCRATCH_H_

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "fuzz_util.h"

namespace envelope::fuzz {

// Scratch makes the folder on construction and removes it on destruction.
class Scratch {
 public:
  Scratch() {
    std::string base = "/tmp";
    if (std::filesystem::is_directory("/dev/shm") && access("/dev/shm", W_OK) == 0) {
      base = "/dev/shm";
    }
    std::string tmpl = base + "/envelope-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr);
    root_ = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

// ScratchRoot returns this process's scratch folder, made on first use.
inline const std::string& ScratchRoot() {
  static const Scratch scratch;
  return scratch.root();
}

}  // namespace envelope::fuzz

#endif  // ENVELOPE_FUZZ_SCRATCH_H_
