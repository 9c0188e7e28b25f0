// sim/access.h: what a yield point touches.
//
// Every point where another CPU could interleave names the shared object and
// the kind of access the thread is about to make.  The explorers derive their
// dependency relation from these annotations: two transitions commute unless
// they touch the same object and one of them does more than read it.
#pragma once

#include <cstdint>

namespace sim {

using Tid = std::uint32_t;
inline constexpr Tid kNoTid = ~Tid{0};

// A shared object, as the model numbers it (sim does not interpret the bits;
// the model encodes the owner and the field).  0 means "nothing shared".
struct ObjId {
  std::uint32_t v = 0;
  friend bool operator==(ObjId, ObjId) = default;
};

enum class Acc : std::uint8_t {
  Local,     // no shared access: a plain preemption point
  Read,      // lockless read of a shared field
  Write,     // write of a shared field (including under a lock, when read locklessly elsewhere)
  Lock,      // spinlock acquire: enabled only while the lock is free
  Unlock,    // spinlock release (recorded inside the step that releases)
  Callback,  // an engine callback is about to be called
  Sleep,     // returning from a block (wait queue, timer, stop)
  Spawn,     // first step of a new thread
};

const char* acc_name(Acc a) noexcept;

// Objects the engine itself names when it records steps for explorers
// (Engine::record), in a range the model never uses (top byte 0xff):
// thread_obj(t) is written by the step that spawned t and read by t's first
// step; kGlobalObj marks the first step of a thread released by the engine
// rather than by another thread (wait_idle, a timer), which depends on the
// whole system state.
inline constexpr ObjId kGlobalObj{0xffffffffu};
constexpr ObjId thread_obj(Tid t) noexcept { return ObjId{0xff000000u | (t & 0xffffffu)}; }
constexpr bool is_engine_obj(ObjId o) noexcept { return (o.v >> 24) == 0xffu; }

struct Access {
  ObjId obj{};
  Acc kind = Acc::Local;
  const char* where = "";  // static string: the kernel function making the access
};

// Two accesses conflict when they touch the same object and at least one of
// them is not a plain read.  Local accesses conflict with nothing.
constexpr bool conflicts(const Access& a, const Access& b) noexcept {
  if (a.obj.v == 0 || b.obj.v == 0 || a.obj != b.obj) return false;
  return !(a.kind == Acc::Read && b.kind == Acc::Read);
}

}  // namespace sim
