#include "sim/sched/pct.h"

#include <algorithm>

namespace sim {

namespace {
// Initial priorities live above this bound, change-point priorities 1..d-1 below it.
constexpr std::uint64_t kInitialBase = std::uint64_t{1} << 32;
}  // namespace

void PctScheduler::begin_run() {
  rng_.reseed(seed_);
  prio_.clear();
  change_.clear();
  // d-1 distinct change points uniformly in [1, k] (fewer if k < d-1).
  const std::uint64_t want = std::min<std::uint64_t>(depth_ - 1, k_);
  while (change_.size() < want) {
    std::uint64_t c = rng_.between(1, k_);
    if (std::find(change_.begin(), change_.end(), c) == change_.end()) change_.push_back(c);
  }
}

void PctScheduler::on_spawn(Tid t) {
  if (prio_.size() <= t) prio_.resize(t + 1, 0);
  // A random rank among the initial priorities: 31 random bits above the base,
  // the thread id in the low bits keeps them distinct.
  prio_[t] = kInitialBase + ((rng_.next() >> 33) << 16) + (t & 0xffff);
}

void PctScheduler::on_step(Tid t, std::uint64_t step) {
  for (std::size_t i = 0; i < change_.size(); ++i)
    if (change_[i] == step) prio_[t] = i + 1;  // the thread running step k_i drops to priority i
}

Tid PctScheduler::choose(const ChoiceContext& ctx) {
  Tid best = ctx.enabled.front();
  for (Tid t : ctx.enabled)
    if (prio_[t] > prio_[best]) best = t;
  return best;
}

}  // namespace sim
