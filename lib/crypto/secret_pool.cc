#include "crypto/secret_pool.h"

#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <mutex>

namespace envelope::crypto {
namespace {

constexpr size_t kSlabBytes = 64 * 1024;
constexpr std::array<size_t, 5> kClasses = {16, 32, 64, 128, 256};
static_assert(kClasses.back() == kMaxPooledSecret);

// FreeSlot is how a free slot links to the next; the rest of it is zero.
struct FreeSlot {
  FreeSlot* next;
};

struct SizeClass {
  std::mutex mu;
  FreeSlot* free = nullptr;
};

std::array<SizeClass, kClasses.size()>& Classes() {
  static auto* classes = new std::array<SizeClass, kClasses.size()>();  // never destroyed:
  return *classes;  // secrets may be freed by static destructors after ours
}

size_t ClassIndex(size_t size) {
  size_t i = 0;
  while (kClasses[i] < size) ++i;
  return i;
}

// NewSlab maps guard page + slab + guard page and threads the slab's slots
// onto a list; nullptr when mapping fails.
FreeSlot* NewSlab(size_t slot_size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t total = kSlabBytes + 2 * page;
  void* base = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return nullptr;
  auto* slab = static_cast<uint8_t*>(base) + page;
  if (mprotect(slab, kSlabBytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(base, total);
    return nullptr;
  }
  (void)mlock(slab, kSlabBytes);  // best effort, as sodium_malloc
#ifdef MADV_DONTDUMP
  (void)madvise(slab, kSlabBytes, MADV_DONTDUMP);
#endif
  FreeSlot* head = nullptr;
  for (size_t off = kSlabBytes; off >= slot_size; off -= slot_size) {
    auto* slot = reinterpret_cast<FreeSlot*>(slab + off - slot_size);
    slot->next = head;
    head = slot;
  }
  return head;
}

}  // namespace

uint8_t* PoolAlloc(size_t size) noexcept {
  if (size == 0 || size > kMaxPooledSecret) return nullptr;
  const size_t index = ClassIndex(size);
  SizeClass& c = Classes()[index];
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.free == nullptr) c.free = NewSlab(kClasses[index]);
  if (c.free == nullptr) return nullptr;
  FreeSlot* slot = c.free;
  c.free = slot->next;
  slot->next = nullptr;  // the slot is all zero again
  return reinterpret_cast<uint8_t*>(slot);
}

void PoolFree(uint8_t* p, size_t size) noexcept {
  if (p == nullptr) return;
  const size_t index = ClassIndex(size);
  sodium_memzero(p, kClasses[index]);
  SizeClass& c = Classes()[index];
  std::lock_guard<std::mutex> lock(c.mu);
  auto* slot = reinterpret_cast<FreeSlot*>(p);
  slot->next = c.free;
  c.free = slot;
}

}  // namespace envelope::crypto
