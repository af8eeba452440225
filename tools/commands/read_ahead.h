// ReadAhead: reading the next piece of an input on a thread of its own while
// the caller encrypts or decrypts the current one.
//
// Reading from the page cache is a memory copy in the kernel: for a 1 GiB
// file about as much CPU time as AES-GCM on one core. Done in turn with the
// encryption it adds to the wall time; done by a second thread it overlaps
// with it. Two buffers: the one the caller holds and the one being filled.
#ifndef ENVELOPE_TOOLS_COMMANDS_READ_AHEAD_H_
#define ENVELOPE_TOOLS_COMMANDS_READ_AHEAD_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/io.hpp"

namespace envelope::cli {

class ReadAhead {
 public:
  // `source` must outlive the ReadAhead and is read only by its thread (or,
  // when `threaded` is false, by Next on the caller's thread). Each piece is
  // what one Source::Read gave, at most `piece_size` bytes (an InputFile
  // fills the whole piece unless the input ends).
  ReadAhead(Source& source, size_t piece_size, bool threaded);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // Next returns the next piece of the input, empty at its end, or the read
  // error (after which it keeps returning that error). The span stays valid
  // until the following call.
  [[nodiscard]] Result<std::span<const uint8_t>> Next();

 private:
  struct Slot {
    std::vector<uint8_t> data;
    size_t size = 0;
    bool full = false;  // read, waiting for the caller
    std::optional<Error> error;
  };
  void ReaderMain();

  Source& source_;
  Slot slots_[2];
  size_t next_ = 0;             // the slot Next hands out next
  bool holding_ = false;        // the caller holds the other slot
  bool ended_ = false;          // Next returned the end of the input
  std::optional<Error> error_;  // Next returned this error
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread reader_;
};

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_READ_AHEAD_H_
