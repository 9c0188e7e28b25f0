// sim/frame_pool.cpp: the slow path of FramePool (sim/co.h): a size class's
// first frame, and freeing the lists when an OS thread ends.
#include <cstddef>
#include <new>

#include "sim/co.h"

namespace sim {

constinit thread_local FramePool::FreeNode* FramePool::heads_[FramePool::kClasses] = {};

#ifndef UTSIM_NO_FRAME_POOL
namespace {

// Frees this OS thread's lists when it ends; constructed (and so registered
// for destruction) by the thread's first call of allocate_new.
struct ThreadLists {
  FramePool::FreeNode** heads;
  ~ThreadLists() {
    for (std::size_t c = 0; c < FramePool::kClasses; ++c)
      while (FramePool::FreeNode* f = heads[c]) {
        heads[c] = f->next;
        ::operator delete(f);
      }
  }
};

}  // namespace
#endif

void* FramePool::allocate_new(std::size_t n) {
#ifndef UTSIM_NO_FRAME_POOL
  thread_local ThreadLists lists{heads_};
  (void)lists;
  const std::size_t c = (n + kGrain - 1) / kGrain;
  if (c < kClasses) return ::operator new(c* kGrain);
#endif
  return ::operator new(n);
}

}  // namespace sim
