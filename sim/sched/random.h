// sim/sched/random.h: uniformly random choices from a seed.
#pragma once

#include "sim/rng.h"
#include "sim/sched/scheduler.h"

namespace sim {

class RandomScheduler final : public Scheduler {
 public:
  explicit RandomScheduler(std::uint64_t seed = 0) : seed_(seed), rng_(seed) {}
  // Each run restarts the generator from the seed: run(seed) is reproducible.
  void set_seed(std::uint64_t seed) noexcept { seed_ = seed; }
  std::uint64_t seed() const noexcept { return seed_; }

  void begin_run() override { rng_.reseed(seed_); }
  Tid choose(const ChoiceContext& ctx) override { return ctx.enabled[rng_.below(ctx.enabled.size())]; }

 private:
  std::uint64_t seed_;
  Rng rng_;
};

}  // namespace sim
