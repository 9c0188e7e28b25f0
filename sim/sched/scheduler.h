// sim/sched/scheduler.h: the one small interface every scheduling strategy implements.
//
// The engine asks a scheduler only at choice points, where more than one
// thread is enabled.  A strategy that needs to see every step (PCT counts
// steps for its priority change points) says so with wants_steps().
#pragma once

#include <cstdint>
#include <span>

#include "sim/access.h"

namespace sim {

class Engine;
struct RunResult;

struct ChoiceContext {
  std::span<const Tid> enabled;  // ascending thread ids, at least two
  Tid current = kNoTid;          // the thread that ran the previous step
  std::uint64_t step = 0;        // number of steps already executed
  std::uint32_t choice = 0;      // index of this choice point in the run
  const Engine* engine = nullptr;

  bool is_enabled(Tid t) const noexcept {
    for (Tid e : enabled)
      if (e == t) return true;
    return false;
  }
};

// The non-preemptive default: keep running the current thread while it can
// run, otherwise the lowest-numbered enabled thread.  A schedule string only
// records choices up to the last one that differs from this policy.
inline Tid default_choice(const ChoiceContext& c) noexcept {
  return c.is_enabled(c.current) ? c.current : c.enabled.front();
}

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Called before each run of the engine.
  virtual void begin_run() {}
  // Must return one of ctx.enabled; anything else ends the run as diverged.
  virtual Tid choose(const ChoiceContext& ctx) = 0;
  // A thread was created (thread ids are dense and in creation order).
  virtual void on_spawn(Tid) {}
  // With wants_steps(), called for every step, just before thread t executes
  // step number `step` (1-based).
  virtual bool wants_steps() const { return false; }
  virtual void on_step(Tid /*t*/, std::uint64_t /*step*/) {}
  // Called when a run ends normally (not when it throws), with its result:
  // a wrapper that compares runs (sim/sched/determinism.h) sees how each ended.
  virtual void end_run(const RunResult& /*r*/) {}
};

}  // namespace sim
