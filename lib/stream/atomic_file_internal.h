// lib/stream: a seam for tests of AtomicFile's folder fsync, which no
// ordinary filesystem lets a test make fail.
#ifndef ENVELOPE_LIB_STREAM_ATOMIC_FILE_INTERNAL_H_
#define ENVELOPE_LIB_STREAM_ATOMIC_FILE_INTERNAL_H_

namespace envelope::stream {

// SyncFolderFn is what AtomicFile::Commit calls to flush the target's
// folder (fsync(2) unless replaced); returns 0, or -1 with errno set.
using SyncFolderFn = int (*)(int dir_fd);

// SetSyncFolderForTesting makes Commit call `fn` instead of fsync (nullptr:
// fsync again) and returns the previous one. Tests only; not thread-safe.
SyncFolderFn SetSyncFolderForTesting(SyncFolderFn fn) noexcept;

}  // namespace envelope::stream

#endif  // ENVELOPE_LIB_STREAM_ATOMIC_FILE_INTERNAL_H_
