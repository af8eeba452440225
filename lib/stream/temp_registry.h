// lib/stream: the registry of named temporary files that SIGINT, SIGTERM
// and SIGHUP remove (AtomicFile's fallback and replace windows).
//
// A fixed array of slots, each a path and a state, so that the signal
// handler touches no allocator and no lock:
//
//   state 0 free --Register (claims with CAS)--> 1 being written --> 2 live
//   state 2 live --Unregister--> 0 free
//
// The handler unlinks the path of every live slot. A slot turns live before
// the file is created (O_EXCL) and is freed only after the name is gone
// (renamed, unlinked), so no moment exists where the file is there and the
// handler does not know it.
#ifndef ENVELOPE_LIB_STREAM_TEMP_REGISTRY_H_
#define ENVELOPE_LIB_STREAM_TEMP_REGISTRY_H_

#include <string>

namespace envelope::stream {

// kTempSlots is how many named temporaries can be tracked at once.
inline constexpr int kTempSlots = 64;

// RegisterTemporary records `path` for removal on a signal and returns its
// slot, or -1 when every slot is taken or the path is too long (the file is
// then not covered).
int RegisterTemporary(const std::string& path) noexcept;

// UnregisterTemporary frees `slot` (no-op for -1).
void UnregisterTemporary(int slot) noexcept;

}  // namespace envelope::stream

#endif  // ENVELOPE_LIB_STREAM_TEMP_REGISTRY_H_
