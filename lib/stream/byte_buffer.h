// lib/stream: ByteBuffer, a heap buffer whose bytes start uninitialised.
//
// A stream's batch buffers are a megabyte per thread or more, and a
// std::vector zero-fills what it allocates: every page of a fresh buffer is
// faulted in and written at the stream's start, about 0.5 ms per MiB on the
// bench machine, paid again by every stream, and even for pages the stream
// never uses (the push encryptor's staging buffer when writes come in whole
// chunks). A ByteBuffer's pages are faulted in when the stream first writes
// them. Its users write every byte before they read it.
#ifndef ENVELOPE_LIB_STREAM_BYTE_BUFFER_H_
#define ENVELOPE_LIB_STREAM_BYTE_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>

namespace envelope::stream {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  // Throws std::bad_alloc, as a std::vector would.
  explicit ByteBuffer(size_t size) : bytes_(new uint8_t[size]), size_(size) {}

  ByteBuffer(ByteBuffer&& other) noexcept
      : bytes_(std::move(other.bytes_)), size_(std::exchange(other.size_, 0)) {}
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    bytes_ = std::move(other.bytes_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  uint8_t* data() noexcept { return bytes_.get(); }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::span<uint8_t> span() noexcept { return {bytes_.get(), size_}; }
  std::span<const uint8_t> span() const noexcept { return {bytes_.get(), size_}; }

  void swap(ByteBuffer& other) noexcept {
    bytes_.swap(other.bytes_);
    std::swap(size_, other.size_);
  }

 private:
  std::unique_ptr<uint8_t[]> bytes_;
  size_t size_ = 0;
};

}  // namespace envelope::stream

#endif  // ENVELOPE_LIB_STREAM_BYTE_BUFFER_H_
