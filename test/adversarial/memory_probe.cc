#include "memory_probe.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<size_t> g_current{0};
std::atomic<size_t> g_peak{0};

void* Track(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  const size_t now = g_current.fetch_add(malloc_usable_size(p)) + malloc_usable_size(p);
  size_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
  return p;
}

void Untrack(void* p) {
  if (p == nullptr) return;
  g_current.fetch_sub(malloc_usable_size(p));
  std::free(p);
}

}  // namespace

void* operator new(size_t n) { return Track(std::malloc(n == 0 ? 1 : n)); }
void* operator new[](size_t n) { return Track(std::malloc(n == 0 ? 1 : n)); }
void* operator new(size_t n, std::align_val_t a) {
  const size_t align = static_cast<size_t>(a);
  return Track(std::aligned_alloc(align, (n + align - 1) / align * align));
}
void* operator new[](size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { Untrack(p); }
void operator delete[](void* p) noexcept { Untrack(p); }
void operator delete(void* p, size_t) noexcept { Untrack(p); }
void operator delete[](void* p, size_t) noexcept { Untrack(p); }
void operator delete(void* p, std::align_val_t) noexcept { Untrack(p); }
void operator delete[](void* p, std::align_val_t) noexcept { Untrack(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { Untrack(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { Untrack(p); }

namespace envelope::testing {

MemoryProbe::MemoryProbe() : base_(g_current.load()) { g_peak.store(base_); }

size_t MemoryProbe::PeakBytes() const {
  const size_t peak = g_peak.load();
  return peak > base_ ? peak - base_ : 0;
}

}  // namespace envelope::testing
