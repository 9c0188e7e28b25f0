#include "sim/explore/sample.h"

#include "sim/hash.h"

namespace sim {

SampleExplorer::SampleExplorer(Program& p, SampleOptions o)
    : prog_(p), opt_(o), next_index_(o.first_index + o.shard.index), pct_(0, o.depth, 1) {}

std::uint64_t SampleExplorer::seed_of(std::uint64_t i) const noexcept {
  return hash_mix(hash_mix(opt_.seed, static_cast<std::uint64_t>(opt_.kind) * 1000 + opt_.depth), i);
}

bool SampleExplorer::next() {
  if (opt_.kind == SampleOptions::Kind::Pct && opt_.steps_estimate == 0) {
    // Learn k from the default run; a shard that does not own run 0 runs it uncounted.
    RunResult r = prog_.run(default_, nullptr);
    opt_.steps_estimate = r.steps ? r.steps : 1;
    if (next_index_ != 0) {
      finish_run(std::move(r), false);
    } else {
      index_ = 0;
      next_index_ += opt_.shard.count;
      finish_run(std::move(r), true);
    }
    return true;
  }
  index_ = next_index_;
  next_index_ += opt_.shard.count;
  Scheduler* s = &default_;
  if (index_ > 0) {
    if (opt_.kind == SampleOptions::Kind::Pct) {
      pct_ = PctScheduler(seed_of(index_), opt_.depth, opt_.steps_estimate);
      s = &pct_;
    } else {
      random_.set_seed(seed_of(index_));
      s = &random_;
    }
  }
  finish_run(prog_.run(*s, nullptr), true);
  return true;
}

}  // namespace sim
