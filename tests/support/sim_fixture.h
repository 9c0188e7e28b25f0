// tests/support/sim_fixture.h: what every test of the engine starts with,
// written once: the sim names, a thread body of plain yield points, and a
// fresh engine with the threads a test spawns, run once under the scheduler
// the test names (the default policy, a schedule string, a seed, or its own).
//
//   SimFixture f;
//   f.spawn(points(3));
//   f.spawn(wait_forever(ObjId{42}, "wait_for_godot"));
//   const sim::RunResult r = f.run_default();
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/engine.h"
#include "sim/sched/random.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"
#include "sim_enumerate.h"  // PrintTo(RunEnd)

namespace simtest {

using sim::Acc;
using sim::Engine;
using sim::ObjId;
using sim::RunEnd;
using sim::Tid;

// n yield points that touch nothing shared; with a log, the thread's id is
// appended after each.
inline sim::Co<void> points(int n, std::vector<Tid>* log = nullptr) {
  for (int i = 0; i < n; ++i) {
    co_await sim::point(ObjId{}, Acc::Local, "p");
    if (log) log->push_back(Engine::current().current_tid());
  }
}

class SimFixture {
 public:
  explicit SimFixture(sim::Limits limits = {}) : engine_(limits) {}

  sim::Engine& engine() noexcept { return engine_; }
  Tid spawn(sim::Co<void> body, bool daemon = false) { return engine_.spawn(std::move(body), nullptr, daemon); }
  // Fold every transition into RunResult::hash.
  SimFixture& hashing() {
    engine_.set_hashing(true);
    return *this;
  }
  // Record every step, and the accesses noted inside it, into steps() and notes().
  SimFixture& record() {
    engine_.record(&steps_, &notes_);
    return *this;
  }
  const std::vector<sim::StepRec>& steps() const noexcept { return steps_; }
  const std::vector<sim::Access>& notes() const noexcept { return notes_; }

  sim::RunResult run(sim::Scheduler& s) { return engine_.run(s); }
  // The default policy throughout: keep the current thread, else the lowest.
  sim::RunResult run_default() {
    sim::ReplayScheduler s;
    return run(s);
  }
  // A schedule string ("aabb"), then the default policy.
  sim::RunResult run_schedule(std::string_view schedule) {
    sim::ScheduleError err;
    const auto choices = sim::decode_schedule(schedule, &err);
    if (!choices) ADD_FAILURE() << "bad schedule '" << schedule << "': " << err.message;
    sim::ReplayScheduler s(choices.value_or(std::vector<Tid>{}));
    return run(s);
  }
  // Uniformly random choices from `seed`.
  sim::RunResult run_seed(std::uint64_t seed) {
    sim::RandomScheduler s(seed);
    return run(s);
  }

 private:
  // Before the engine, so that they outlive it: it writes into them.
  std::vector<sim::StepRec> steps_;
  std::vector<sim::Access> notes_;
  sim::Engine engine_;
};

}  // namespace simtest
