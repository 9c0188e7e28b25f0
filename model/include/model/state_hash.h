// model/state_hash.h: the abstract state of a run in progress, as one hash,
// for stateful exploration (a state reached again is not explored again)
// and for the state graph (utsim graph).
//
// What it covers: every task's state, exit state and code, flags, TIF
// flags, ptrace bits, family links, signal masks and pending sets, its
// signal_struct and handlers; each struct utrace (engine lists, reporting,
// resume, the bits); every engine (references, ops state, event flags, data,
// calls made per callback, capped, the examine record); each ptrace context;
// the labelled results and completions; the properties broken so far;
// virtual time; and each thread's position: its engine status, the access
// it is about to make (object, kind, function), the locks it holds, and its
// interpreter frames (op, pc, progress) and pending syscall.
//
// What it does not cover: the local variables of the coroutines (a thread's
// position is known only to the yield point and the interpreter frames, not
// to the values a kernel function holds across a yield), the property
// checkers' own records, the history of callbacks received (so that a loop
// of report passes can close into a cycle), and the order of wait-queue
// waiters.  Two runs can therefore reach different states with one hash:
// pruning on it is approximate, and exploration with it may miss behaviours
// that a stateless exploration finds.  The hash is stable across machines
// (no addresses).
#pragma once

#include <cstdint>
#include <string>

#include "model/kernel.h"

namespace model {

std::uint64_t state_hash(const Kernel& k);

// A short description of the state (task states, utrace stops) for graph
// labels, and the tasks in TASK_TRACED (bit = task creation index).
struct StateFacts {
  std::string label;
  std::uint64_t traced = 0;
  PropertySet broken;
};
StateFacts state_facts(const Kernel& k);

}  // namespace model
