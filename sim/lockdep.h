// sim/lockdep.h: lock classes, the locks a thread holds, and the class
// dependencies a run takes (after the kernel's lockdep, kernel/lockdep.c).
//
// lockdep reasons about classes, not instances: every task's siglock is one
// class, so "siglock, then utrace->lock" in one task and "utrace->lock, then
// siglock" in another is a possible deadlock even when the two tasks never
// meet.  A class is a stable name ("&utrace->lock") registered once per
// process; a SpinLock carries its class (0: none, not checked).  The engine
// keeps each thread's held locks (a small fixed stack: no allocation on an
// acquire) and, when a thread acquires a lock of class B while it holds one
// of class A, records the dependency A -> B the first time the run takes
// it.  Whoever runs the engine collects them after the run
// (Engine::lock_deps()): the graph of every explored schedule and its
// cycles are explore/lock_graph.h's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/access.h"

namespace sim {

class SpinLock;

struct LockClass {
  std::uint16_t v = 0;  // 0: no class
  friend bool operator==(LockClass, LockClass) = default;
};

// The class named `name`, registered on its first use (thread-safe; the
// name is copied).  The same name is the same class for the whole process:
// a scenario's named spinlocks get theirs by name.  More than kMaxLockClasses
// names is an EngineError (lockdep's "MAX_LOCKDEP_KEYS too low").
inline constexpr std::uint16_t kMaxLockClasses = 1024;
LockClass lock_class(std::string_view name);
std::optional<LockClass> find_lock_class(std::string_view name);
// "" for LockClass{} (0).
std::string_view lock_class_name(LockClass c);

// One lock a thread holds, and where it took it.  Trivial on purpose: a
// spawn makes a HeldStack and initialises only its depth.
struct HeldLock {
  const SpinLock* lock;
  LockClass cls;
  const char* where;   // the acquiring function (static string)
  std::uint64_t step;  // the step that took it
};

// A thread's held locks, innermost last.  lockdep's MAX_LOCK_DEPTH is 48;
// the kernel code modelled nests three at most (tasklist_lock, siglock,
// utrace->lock), so eight is plenty; deeper is an EngineError.
inline constexpr unsigned kMaxHeldLocks = 8;
struct HeldStack {
  HeldStack() noexcept : depth(0) {}  // locks[depth..] are never read
  std::uint32_t depth;
  HeldLock locks[kMaxHeldLocks];
};

// A dependency taken in a run: `to` was acquired while `from` was held (the
// first time this run took the pair of classes).
struct LockDep {
  LockClass from, to;
  const char* from_where = "";  // where the held lock was taken
  const char* to_where = "";    // where the new one was
  std::uint64_t from_step = 0, to_step = 0;
  Tid tid = kNoTid;
};

// Told when a thread goes to sleep (a wait queue, a completion, a timer,
// idleness) while it holds a spinlock: the kernel's "BUG: sleeping function
// called from invalid context" / "scheduling while atomic".  Without an
// observer that is a programming error of the model (EngineError); with
// one, the observer records it and the thread sleeps, holding the lock.
class LockObserver {
 public:
  virtual void sleep_with_locks(Tid t, const char* reason, const HeldStack& held) = 0;

 protected:
  ~LockObserver() = default;
};

}  // namespace sim
