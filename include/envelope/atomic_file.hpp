// envelope: output files that appear whole or not at all.
//
// AtomicFile writes a new file (or a new version of one) so that no reader,
// crash or signal ever sees it partly written, and so that nothing that
// appeared at the path meanwhile is replaced unless asked:
//
//   Create(path)   an unnamed file in the target's folder (open O_TMPFILE);
//                  fallback where the filesystem has none: a named temporary
//                  ".NAME.envelope-XXXXXX" beside the target, mode 0600
//   Write, fd()    the content (fd() for copy_file_range, FICLONERANGE)
//   Commit         fchmod to the final mode, fsync, then
//                    new file:  linkat into place, which fails if the name
//                               exists: a file created at the path while we
//                               wrote is never replaced ("... exists")
//                    replace:   linkat to a random ".NAME.envelope-XXXXXX"
//                               beside it, rename that over the target
//                  then fsync the folder; any failure is an error
//   not committed  (destroyed, Discard) the unnamed file vanishes with its
//                  descriptor; a named temporary is unlinked
//
// A symbolic link at the path, dangling or not, is refused unless replacing;
// replacing replaces the link itself and never follows it. Modes never carry
// setuid, setgid or sticky bits.
//
// What can be left behind: on SIGINT, SIGTERM and SIGHUP nothing, once
// InstallTemporaryFileCleanup ran (the tools do it first thing). On SIGKILL
// or a crash the unnamed file vanishes with the process; only a named
// temporary can stay: the fallback's, or the one of a replace caught between
// its linkat and its rename (microseconds). They are called
// ".NAME.envelope-XXXXXX" beside NAME, and are safe to delete:
//   find DIR -name '.*.envelope-*' -delete
#ifndef ENVELOPE_ATOMIC_FILE_HPP_
#define ENVELOPE_ATOMIC_FILE_HPP_

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/io.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// AtomicFileOptions says how an AtomicFile ends up.
struct AtomicFileOptions {
  // replace: an existing file or symbolic link at the path is replaced.
  // Without it Create and Commit fail with `invalid_argument` when anything
  // is there.
  bool replace = false;
  // mode: the permission bits of the result; only 0777 counts (setuid,
  // setgid and sticky are dropped).
  mode_t mode = 0666;
  // apply_umask: mask `mode` with the process umask, as open(2) does.
  bool apply_umask = true;
  // named_temporary: skip O_TMPFILE and use the named fallback (for tests,
  // and filesystems whose O_TMPFILE misbehaves).
  bool named_temporary = false;
};

// AtomicFile is a file being written that appears at its path on Commit.
// Move-only; not thread-safe.
class AtomicFile final : public Sink {
 public:
  // Create prepares the file for `path`. Fails with `invalid_argument` when
  // `path` is a folder ("output \"P\" is a folder"), or without `replace`
  // when it is a symbolic link ("output \"P\" is a symbolic link") or exists
  // ("output file \"P\" exists"); with `io` when the folder cannot be written.
  [[nodiscard]] static Result<AtomicFile> Create(const std::string& path,
                                                 const AtomicFileOptions& options = {});

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  // ~AtomicFile discards the file unless Commit succeeded.
  ~AtomicFile() override;

  // Write appends `data` (retrying EINTR and short writes); `io` on failure.
  [[nodiscard]] Result<void> Write(std::span<const uint8_t> data) override;

  // Sink's Commit(n) belongs to its Reserve, which AtomicFile does not offer
  // (it fails with `internal`); not to be confused with Commit() below.
  using Sink::Commit;

  // Commit makes the file durable and puts it at its path (see the top of
  // this header). Fails with `invalid_argument` ("output file \"P\" exists")
  // when, without `replace`, something appeared at the path meanwhile (it
  // is left as it was), and with `io` otherwise. After a failure the target
  // is as it was, except when only the final folder fsync failed: then the
  // new file is in place but maybe not durable. Commit works once.
  [[nodiscard]] Result<void> Commit();

  // Discard drops the file; the target is left as it was.
  void Discard() noexcept;

  // fd is the open descriptor (write-only), until Commit or Discard.
  int fd() const noexcept { return fd_; }
  // path is the target as given to Create.
  const std::string& path() const noexcept { return path_; }
  // unnamed reports whether the file has no name until Commit (O_TMPFILE);
  // false for the named fallback.
  bool unnamed() const noexcept { return temp_name_.empty(); }

 private:
  AtomicFile() = default;
  [[nodiscard]] Result<void> LinkNew();
  [[nodiscard]] Result<void> Replace();

  int fd_ = -1;
  int dir_fd_ = -1;
  int slot_ = -1;          // the named temporary's cleanup slot, -1 if none
  std::string path_;       // the target as given
  std::string dir_;        // its folder
  std::string name_;       // its last component
  std::string temp_name_;  // the named temporary in dir_, empty if unnamed
  mode_t mode_ = 0;        // final permission bits
  bool replace_ = false;
  bool done_ = false;
};

// InstallTemporaryFileCleanup makes SIGINT, SIGTERM and SIGHUP remove the
// named temporaries AtomicFiles of this process hold, then end the process
// with the signal as before (the exit status still says which signal). A
// signal whose action is not the default (ignored under nohup, or handled
// by the application) is left alone; such applications call
// RemoveTemporaryFiles from their own handler. Fails with `internal` when
// sigaction does. Idempotent.
[[nodiscard]] Result<void> InstallTemporaryFileCleanup();

// RemoveTemporaryFiles unlinks every named temporary AtomicFiles of this
// process hold right now. Async-signal-safe. At most 64 temporaries at a
// time are tracked (a process writing more at once is not covered).
void RemoveTemporaryFiles() noexcept;

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_ATOMIC_FILE_HPP_
