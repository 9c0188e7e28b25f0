// sim/explore/sample.h: random and PCT sampling of the schedule space.
//
// Run i of a sampling exploration uses the seed hash(seed, i): run 0 is the
// default (non-preemptive) schedule, run i > 0 a uniformly random schedule
// (Random) or a PCT schedule of depth d (Pct, sim/sched/pct.h).  PCT's estimate
// of the run length k is the length of the default run, so that run i is
// the same schedule in every process.  A shard runs the indices i with
// i mod count == index: shards are disjoint and their union is the
// unsharded exploration.  Sampling never exhausts the space.
#pragma once

#include <cstdint>

#include "sim/explore/explore.h"
#include "sim/sched/pct.h"
#include "sim/sched/random.h"
#include "sim/sched/replay.h"

namespace sim {

struct SampleOptions {
  enum class Kind : std::uint8_t { Random, Pct };
  Kind kind = Kind::Random;
  unsigned depth = 3;  // PCT
  std::uint64_t seed = 1;
  Shard shard;
  std::uint64_t steps_estimate = 0;  // PCT's k; 0: the default run's length
  std::uint64_t first_index = 0;     // 1: leave the default run out (a portfolio runs it once)
};

class SampleExplorer final : public Explorer {
 public:
  SampleExplorer(Program& p, SampleOptions o);
  bool next() override;
  bool complete() const override { return false; }
  const char* name() const override { return opt_.kind == SampleOptions::Kind::Pct ? "pct" : "random"; }
  // The index of the last run in the unsharded sequence.
  std::uint64_t index() const noexcept { return index_; }
  std::uint64_t seed_of(std::uint64_t i) const noexcept;

 private:
  Program& prog_;
  SampleOptions opt_;
  std::uint64_t next_index_;
  std::uint64_t index_ = 0;
  RandomScheduler random_;
  PctScheduler pct_;
  ReplayScheduler default_;
};

}  // namespace sim
