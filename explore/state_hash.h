// explore/state_hash.h: the abstract state of a run in progress, as one hash,
// for stateful exploration (a state reached again is not explored again)
// and for the state graph (utsim graph).
//
// What it covers: every task's state, exit state and code, exit_signal,
// exec ids, flags, TIF flags, ptrace bits, family links, signal masks and
// pending sets with their queued siginfos, its signal_struct (thread list,
// curr_target, shared queue, group stop and exit) and handlers; each struct
// utrace (engine lists, reporting, resume, the bits); every engine
// (references, ops state and table, event flags, data, the calls made per
// callback capped where the return list stops changing, the examine
// record); each ptrace context; the labelled results and completions; the
// properties broken so far; virtual time; and each thread's position: its
// engine status, the access it is about to make (object, kind, function),
// the locks it holds, and its interpreter frames (op, pc, progress) and
// pending syscall.
//
// What it does not cover: the local variables of the coroutines (a thread's
// position is known only to the yield point and the interpreter frames, not
// to the values a kernel function holds across a yield), the property
// checkers' own records, the history of callbacks received (so that a loop
// of report passes can close into a cycle; outcomes list it, so two runs
// ending in one state may differ in their outcome signatures), the
// context-switch counts (nvcsw, exam_ncsw: only differences taken across a
// yield matter, and those are locals), and the order of wait-queue waiters.
// Two runs can therefore reach different states with one hash: pruning on it
// is approximate, and exploration with it may miss behaviours that a
// stateless exploration finds (explore/graph_analysis.h counts the visible
// symptom: one state, one thread, two successors).  Virtual time is covered,
// so a loop that sleeps never closes into a cycle.  The hash is stable
// across machines (no addresses).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scenario/run.h"

namespace model {

std::uint64_t state_hash(const Simulator& run);

// A short description of the state (task states, utrace stops) for graph
// labels, and the tasks in TASK_TRACED (bit = task creation index).
struct StateFacts {
  std::vector<std::string> lines;  // "X: TASK_TRACED in getpid", ..., "!stop-without-engine"
  std::string label;               // the lines joined by ", "
  std::uint64_t traced = 0;
  std::vector<std::pair<int, std::string>> traced_tasks;  // (creation index, name) of each bit of `traced`
  PropertySet broken;
};
StateFacts state_facts(const Simulator& run);

}  // namespace model
