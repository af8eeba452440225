#include "commands/read_ahead.h"

#include <utility>

namespace envelope::cli {

ReadAhead::ReadAhead(Source& source, size_t piece_size, bool threaded) : source_(source) {
  slots_[0].data.resize(piece_size);
  if (!threaded) return;
  slots_[1].data.resize(piece_size);
  try {
    reader_ = std::thread([this] { ReaderMain(); });
  } catch (...) {
    // No thread to spare: read on the caller's thread instead.
    slots_[1].data = {};
  }
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (reader_.joinable()) reader_.join();
}

void ReadAhead::ReaderMain() {
  for (size_t i = 0;; i ^= 1) {
    Slot& slot = slots_[i];
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !slot.full; });
      if (stop_) return;
    }
    // The slot is ours until we mark it full.
    auto n = source_.Read(slot.data);
    std::lock_guard<std::mutex> lock(mu_);
    if (n) {
      slot.size = *n;
    } else {
      slot.error = n.error();
    }
    slot.full = true;
    cv_.notify_all();
    if (!n || *n == 0) return;
  }
}

Result<std::span<const uint8_t>> ReadAhead::Next() {
  if (error_) return tl::unexpected(*error_);
  if (ended_) return std::span<const uint8_t>();
  if (!reader_.joinable()) {
    auto n = source_.Read(slots_[0].data);
    if (!n) {
      error_ = n.error();
      return tl::unexpected(*error_);
    }
    ended_ = *n == 0;
    return std::span<const uint8_t>(slots_[0].data).first(*n);
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (holding_) {
    // The caller is done with the piece it held: the reader may refill it.
    slots_[next_ ^ 1].full = false;
    holding_ = false;
    cv_.notify_all();
  }
  Slot& slot = slots_[next_];
  cv_.wait(lock, [&] { return slot.full; });
  if (slot.error) {
    error_ = std::move(slot.error);
    return tl::unexpected(*error_);
  }
  ended_ = slot.size == 0;
  next_ ^= 1;
  holding_ = true;
  return std::span<const uint8_t>(slot.data).first(slot.size);
}

}  // namespace envelope::cli
