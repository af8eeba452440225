// lib/secrets: running one step of a rotation command, and the lock that
// keeps two rotations of one secret apart.
#ifndef ENVELOPE_LIB_SECRETS_ROTATION_COMMAND_H_
#define ENVELOPE_LIB_SECRETS_ROTATION_COMMAND_H_

#include <chrono>
#include <string>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::secrets::internal {

// RotationStep is what one run of the command gets in its environment.
struct RotationStep {
  std::string command;  // absolute path, run without a shell
  std::string secret_id;
  std::string token;
  std::string step;  // createSecret, setSecret, testSecret, finishSecret
  std::string keystore;
  std::chrono::seconds timeout{60};
};

// RunRotationStep runs the command with SECRET_ID, CLIENT_REQUEST_TOKEN,
// STEP and ENVELOPE_HOME added to this process's environment, standard
// input from /dev/null and standard error inherited, and returns its
// standard output (at most 65536 bytes, in secret memory). A command that
// exits non-zero, is killed, runs past `timeout` (then killed) or writes
// more is an `unsupported` error naming the step, never the output.
[[nodiscard]] Result<SecretBytes> RunRotationStep(const RotationStep& step);

// RotationLock is a non-blocking exclusive flock on `path`, held until
// destroyed. Move-only.
class RotationLock {
 public:
  // TryAcquire returns the lock, or InvalidRequestException when another
  // rotation of the secret holds it.
  [[nodiscard]] static Result<RotationLock> TryAcquire(const std::string& path);
  RotationLock(RotationLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RotationLock& operator=(RotationLock&&) = delete;
  RotationLock(const RotationLock&) = delete;
  ~RotationLock();

 private:
  explicit RotationLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace envelope::secrets::internal

#endif  // ENVELOPE_LIB_SECRETS_ROTATION_COMMAND_H_
