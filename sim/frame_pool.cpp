#include <array>
#include <cstddef>
#include <new>

#include "sim/co.h"

namespace sim {

#ifndef UTSIM_NO_FRAME_POOL
namespace {

// Frames are rounded up to 64-byte classes up to 4 KiB; larger frames (there
// should be none in the model) go to the global allocator.  Freed frames are
// kept on a per-OS-thread free list and never returned: a run reuses the
// frames of the previous one.
constexpr std::size_t kGrain = 64;
constexpr std::size_t kClasses = 64;

struct FreeNode {
  FreeNode* next;
};

struct Pool {
  std::array<FreeNode*, kClasses> heads{};
  ~Pool() {
    for (auto*& h : heads)
      while (h) {
        FreeNode* n = h->next;
        ::operator delete(h);
        h = n;
      }
  }
};

thread_local Pool pool;

}  // namespace

void* FramePool::allocate(std::size_t n) {
  const std::size_t c = (n + kGrain - 1) / kGrain;
  if (c >= kClasses) return ::operator new(n);
  if (FreeNode* f = pool.heads[c]) {
    pool.heads[c] = f->next;
    return f;
  }
  return ::operator new(c * kGrain);
}

void FramePool::deallocate(void* p, std::size_t n) noexcept {
  const std::size_t c = (n + kGrain - 1) / kGrain;
  if (c >= kClasses) {
    ::operator delete(p);
    return;
  }
  auto* f = static_cast<FreeNode*>(p);
  f->next = pool.heads[c];
  pool.heads[c] = f;
}

#else

void* FramePool::allocate(std::size_t n) { return ::operator new(n); }
void FramePool::deallocate(void* p, std::size_t) noexcept { ::operator delete(p); }

#endif

}  // namespace sim
