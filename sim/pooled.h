// sim/pooled.h: objects a program makes and frees on every run, from the
// frame pool.
//
// A model run creates the same handful of objects each time (a kernel, its
// tasks and their shared structures) and frees them when the next run
// begins.  A class that derives from sim::Pooled takes its memory from
// FramePool's size classes (sim/co.h), the free lists coroutine frames use:
// from the second run on, its objects reuse the blocks the last run freed,
// a pop and a push instead of a malloc and a free.  Nothing else changes:
// constructors and destructors run as before, so a run starts from freshly
// built objects.  The memory is returned to the system when the OS thread
// ends.  Sanitizer builds (UTSIM_NO_FRAME_POOL) use the global allocator, so
// that ASan sees every object.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/co.h"

namespace sim {

struct Pooled {
  static void* operator new(std::size_t n) { return FramePool::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FramePool::deallocate(p, n); }
};

// The same for the lists such objects hold (a task's children, a thread
// group, a wait queue): a std::vector whose buffers come from the pool.
// They grow through the same few sizes on every run (a handful of
// pointers: all in the first size class).
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() noexcept = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(FramePool::allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { FramePool::deallocate(p, n * sizeof(T)); }
  friend bool operator==(const PoolAllocator&, const PoolAllocator&) noexcept { return true; }
};
template <class T>
using PoolVector = std::vector<T, PoolAllocator<T>>;

}  // namespace sim
