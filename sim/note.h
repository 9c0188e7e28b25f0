// sim/note.h: telling the explorers about an access made inside a step.
//
// A step's dependency information is the access its yield point announced
// plus the accesses noted inside it.  A model calls sim::note() where a step
// writes state that another thread reads at its own yield point (a wake-up
// flag set under a lock, a task state changed by a waker ...), so that DPOR
// does not treat the two steps as independent.  It costs a thread-local
// load and two tests when nobody records (Engine::record is off).
#pragma once

#include "sim/engine.h"

namespace sim {

inline void note(ObjId obj, Acc kind, const char* where = "note") {
  if (Engine::in_run()) Engine::current().note(Access{obj, kind, where});
}

}  // namespace sim
