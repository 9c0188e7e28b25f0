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
// pending syscall;
// and, exactly, where each thread stands (sim/co.h, frame identity): for each
// of its coroutine frames, the site of the co_await it is suspended at, its
// parameters (digested while a stateful search runs: sim::FrameTracking) and
// the locals it keeps across a yield (sim::Keep).  So two runs with one hash
// continue alike; `utsim graph --verify-merges N` (sim/explore/
// merge_check.h) checks it on the merges a search makes, and the tests run
// it on the catalogue.
//
// What it does not cover, on purpose: the property checkers' own records
// (what they would report differently shows in the properties broken, which
// are covered, and the merge check compares them), the history of callbacks
// received (so that a loop of report passes can close into a cycle; outcomes
// list it, so two runs ending in one state may differ in their outcome
// signatures), and the context-switch counts themselves (only whether a
// task slept since utrace_prepare_examine() took its count is covered).
// Virtual time is covered, so a loop that sleeps never closes into a cycle.
// The hash is stable across machines and checkouts (no addresses; a site is
// its file's last two path components and its line), not across versions of
// the model's sources.
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
