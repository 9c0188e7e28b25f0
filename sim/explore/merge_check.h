// sim/explore/merge_check.h: is the Program's state hash exact?  (issue 11,
// "exact state identity": a debug mode that verifies it.)
//
// A stateful search prunes a choice point whose state it reached before by
// another schedule: it takes the two for one state, so it assumes that every
// continuation of the second behaves as the same continuation of the first.
// check_merge() tests that on one such pair: it runs each prefix followed by
// the same continuation (the lowest enabled thread at every choice point,
// then `random` seeded random ones; each picks by position in the enabled
// set, never by the thread that ran last, so that equal states make equal
// choices) and compares, from the choice point where they met on: the
// steps (thread, object, kind of access, kernel function), the accesses noted
// inside them, the state hash and enabled threads at every later choice
// point, and how and in which state the run ended.  A difference means the
// hash merged two states that differ: pruning on it is not sound.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/explore/explore.h"

namespace sim {

// Two schedule prefixes (the choices before the choice point) that reached
// one state hash.
struct MergedPair {
  std::vector<Tid> first;   // the schedule that reached it first
  std::vector<Tid> second;  // the one pruned there
};

struct MergeDifference {
  std::uint32_t continuation = 0;  // 0: the lowest enabled thread; k > 0: random continuation k (seeded)
  std::uint64_t after_steps = 0;   // steps after the merge point before the runs differ
  std::string what;                // "step 12: thread 1 write obj 0x1203 (utrace_control) against ..."
};

struct MergeCheckResult {
  bool same = true;
  bool interrupted = false;  // a run was interrupted (the Program's stop flag): not checked
  MergeDifference diff;      // the first difference, when !same
};

// `random`: how many seeded random continuations besides the default one.
MergeCheckResult check_merge(Program& prog, const MergedPair& pair, std::uint32_t random = 2, std::uint64_t seed = 1);

}  // namespace sim
