// tests/support/sim_enumerate.h: brute-force enumeration of every schedule.
//
// A test utility, not an explorer: it re-runs a small program once per
// complete schedule, so it is only for programs with a few thousand
// interleavings.  PrefixScheduler follows a given prefix of choices and then
// the engine's default policy, recording the enabled threads at every choice
// point; enumerate_schedules() does a depth-first search over prefixes: after
// a run with prefix p, every choice point i >= |p| and every enabled thread
// other than the one taken there gives a new prefix (choices[0, i) + other).
// Each complete schedule is therefore run exactly once.
//
// Also a GoogleTest printer for RunEnd; every test file that compares RunEnd
// values includes this header, so all of them print it the same way.
#pragma once

#include <cstddef>
#include <ostream>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/engine.h"
#include "sim/sched/scheduler.h"

// GoogleTest prints RunEnd values by name (found through ADL).
namespace sim {
inline void PrintTo(RunEnd e, std::ostream* os) { *os << run_end_name(e); }
}  // namespace sim

namespace simtest {

class PrefixScheduler final : public sim::Scheduler {
 public:
  void set_prefix(std::vector<sim::Tid> prefix) { prefix_ = std::move(prefix); }

  void begin_run() override {
    enabled_.clear();
    next_ = 0;
  }
  sim::Tid choose(const sim::ChoiceContext& ctx) override {
    enabled_.emplace_back(ctx.enabled.begin(), ctx.enabled.end());
    return next_ < prefix_.size() ? prefix_[next_++] : sim::default_choice(ctx);
  }
  // The enabled threads at each choice point of the last run.
  const std::vector<std::vector<sim::Tid>>& enabled_sets() const noexcept { return enabled_; }

 private:
  std::vector<sim::Tid> prefix_;
  std::size_t next_ = 0;
  std::vector<std::vector<sim::Tid>> enabled_;
};

struct EnumStats {
  std::size_t runs = 0;         // complete schedules executed
  std::size_t max_choices = 0;  // longest choice list seen
  bool truncated = false;       // max_runs reached before the space was exhausted
};

// setup(engine) creates fresh shared state and spawns the program's threads
// (the engine has just been reset); visit(result, enabled_sets) checks a run.
template <class Setup, class Visit>
EnumStats enumerate_schedules(sim::Engine& engine, Setup&& setup, Visit&& visit, std::size_t max_runs = 1'000'000) {
  EnumStats stats;
  PrefixScheduler sched;
  std::vector<std::vector<sim::Tid>> todo{{}};
  while (!todo.empty()) {
    if (stats.runs == max_runs) {
      stats.truncated = true;
      break;
    }
    std::vector<sim::Tid> prefix = std::move(todo.back());
    todo.pop_back();
    engine.reset();
    setup(engine);
    sched.set_prefix(prefix);
    const sim::RunResult r = engine.run(sched);
    if (r.end == sim::RunEnd::Diverged)
      throw std::logic_error("enumerate_schedules: replay diverged; is the program deterministic?");
    ++stats.runs;
    if (r.choices.size() > stats.max_choices) stats.max_choices = r.choices.size();
    const auto& sets = sched.enabled_sets();
    visit(r, std::span<const std::vector<sim::Tid>>(sets));
    // Push the alternatives deepest-last so the search stays depth-first.
    for (std::size_t i = prefix.size(); i < r.choices.size(); ++i) {
      for (sim::Tid alt : sets[i]) {
        if (alt == r.choices[i]) continue;
        std::vector<sim::Tid> next(r.choices.begin(), r.choices.begin() + static_cast<std::ptrdiff_t>(i));
        next.push_back(alt);
        todo.push_back(std::move(next));
      }
    }
  }
  engine.reset();
  return stats;
}

}  // namespace simtest
