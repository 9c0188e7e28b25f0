// sim/sched/pct.h: probabilistic concurrency testing.
//
// Burckhardt, Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler with
// Probabilistic Guarantees of Finding Bugs", ASPLOS 2010.  Every thread gets a
// random priority above d; d-1 change points are drawn uniformly from the
// first k steps; at each step the enabled thread with the highest priority
// runs, and when step k_i has been executed the thread that executed it drops
// to priority i.  For a program of n threads and k steps, a bug of depth d is
// found with probability at least 1/(n * k^(d-1)) per run.
//
// Threads created during the run get a random priority among the initial
// ones.  k is an estimate of the run length; explorers refine it from the
// runs they have seen (set_steps).
#pragma once

#include <vector>

#include "sim/rng.h"
#include "sim/sched/scheduler.h"

namespace sim {

class PctScheduler final : public Scheduler {
 public:
  PctScheduler(std::uint64_t seed, unsigned depth, std::uint64_t steps_estimate)
      : seed_(seed), depth_(depth ? depth : 1), k_(steps_estimate ? steps_estimate : 1) {}

  void set_seed(std::uint64_t seed) noexcept { seed_ = seed; }
  void set_steps(std::uint64_t k) noexcept { k_ = k ? k : 1; }
  std::uint64_t steps_estimate() const noexcept { return k_; }
  unsigned depth() const noexcept { return depth_; }

  void begin_run() override;
  void on_spawn(Tid t) override;
  bool wants_steps() const override { return true; }
  void on_step(Tid t, std::uint64_t step) override;
  Tid choose(const ChoiceContext& ctx) override;

 private:
  std::uint64_t seed_;
  unsigned depth_;
  std::uint64_t k_;
  Rng rng_;
  std::vector<std::uint64_t> prio_;    // by thread id; higher runs first
  std::vector<std::uint64_t> change_;  // change_[i-1] = k_i, the step after which priority i applies
};

}  // namespace sim
