// sim/sched/replay.h: replay an explicit schedule.
//
// Choice point i takes schedule[i]; past the end of the schedule the default
// policy applies (keep the current thread, else the lowest enabled one).  A
// choice that names a thread that is not enabled makes the engine end the run
// as diverged.
#pragma once

#include <vector>

#include "sim/sched/scheduler.h"

namespace sim {

class ReplayScheduler final : public Scheduler {
 public:
  explicit ReplayScheduler(std::vector<Tid> schedule = {}) : schedule_(std::move(schedule)) {}
  void set(std::vector<Tid> schedule) { schedule_ = std::move(schedule); }
  const std::vector<Tid>& schedule() const noexcept { return schedule_; }

  void begin_run() override { next_ = 0; }
  Tid choose(const ChoiceContext& ctx) override {
    if (next_ < schedule_.size()) return schedule_[next_++];
    return default_choice(ctx);
  }

 private:
  std::vector<Tid> schedule_;
  std::size_t next_ = 0;
};

}  // namespace sim
