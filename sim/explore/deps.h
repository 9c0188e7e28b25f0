// sim/explore/deps.h: the dependency relation of the tree searches.
//
// A step's accesses are the one its yield point announced (StepRec::acc) and
// those noted inside it.  Each becomes a Dep: a read or a write of an object,
// a lock acquire or release, or "global" for a step the engine released
// because nothing else could run (wait_idle, a timer), which depends on every
// thread.  Two steps are dependent when they touch one object and do more
// than read it, or when either is global.  Acc::Sleep (the step after a
// wake-up) and Acc::Spawn (a thread's first step) read the object the waker
// or the creator wrote; a callback counts as a write of its engine.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/access.h"
#include "sim/explore/explore.h"

namespace sim {

enum class DepKind : std::uint8_t { Read, Write, Acquire, Release, Global };

struct Dep {
  std::uint32_t obj = 0;
  DepKind kind = DepKind::Read;
  friend bool operator==(const Dep&, const Dep&) = default;
};

// Appends what `a` depends on (nothing for a local access).
void add_deps(const Access& a, std::vector<Dep>& out);
// The dependencies of step i of a trace (its own access, then its notes).
void step_deps(const Trace& t, std::size_t i, std::vector<Dep>& out);

inline bool deps_conflict(const Dep& a, const Dep& b) noexcept {
  if (a.kind == DepKind::Global || b.kind == DepKind::Global) return true;
  return a.obj == b.obj && !(a.kind == DepKind::Read && b.kind == DepKind::Read);
}
bool has_global(std::span<const Dep> a) noexcept;
// Steps of two different threads that do not commute.
bool dependent(std::span<const Dep> a, std::span<const Dep> b) noexcept;

}  // namespace sim
