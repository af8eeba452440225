// test/adversarial: measuring what a decoder allocates.
//
// memory_probe.cc replaces the global operator new/delete of the test binary
// with versions that keep the bytes currently allocated and their peak
// (malloc_usable_size of each block). MemoryProbe marks a baseline; its
// PeakBytes is the largest growth above it since construction. Memory from
// malloc directly (OpenSSL) or libsodium is not counted; every buffer the
// decoders size from their input is a std::vector, which is.
#ifndef ENVELOPE_TEST_ADVERSARIAL_MEMORY_PROBE_H_
#define ENVELOPE_TEST_ADVERSARIAL_MEMORY_PROBE_H_

#include <cstddef>

namespace envelope::testing {

// MemoryProbe measures the peak of operator-new memory above its start.
class MemoryProbe {
 public:
  MemoryProbe();
  // PeakBytes returns the highest allocation level reached since
  // construction, minus the level at construction.
  size_t PeakBytes() const;

 private:
  size_t base_;
};

// kMemoryBound is the bound every adversarial case must stay under.
inline constexpr size_t kMemoryBound = size_t{64} << 20;

}  // namespace envelope::testing

#endif  // ENVELOPE_TEST_ADVERSARIAL_MEMORY_PROBE_H_
