// tests/unit/scenario/store_buffers_test.cpp: the kernel model's lockless
// fields under a weak memory model (issue 12 item 3; model/memory/
// store_buffers.h, docs/memory-model.md "The kernel's barriers").  The
// scenarios of scenarios/barriers/ run whole; these pin the rules: a store
// waits in its CPU's buffer until a barrier or its daemon publishes it, a
// removed barrier is a bug only under tso, sc runs have no buffers at all,
// and the state hash sees what the buffers hold.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "explore/check.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"

namespace model {
namespace {

const std::string kBug = std::string(UTSIM_SOURCE_DIR) + "/scenarios/barriers/no-mb-add-engine-bug.json";
const std::string kFixed = std::string(UTSIM_SOURCE_DIR) + "/scenarios/barriers/add-engine-tso.json";
// The shrunk counterexample of no-mb-add-engine (docs/memory-model.md).
const char* const kSchedule = "b10c9d";

LoadResult load(const std::string& path) {
  LoadResult r = load_scenario_file(path);
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r;
}

struct Replayed {
  std::vector<Violation> violations;
  std::vector<std::string> memory;  // the utsim_memory lines, without step and time
  bool buffers = false;
};

Replayed replay(const Scenario& s, const char* schedule) {
  RunConfig cfg;
  cfg.trace = true;
  Simulator simu(s, cfg);
  const auto choices = sim::decode_schedule(schedule);
  EXPECT_TRUE(choices);
  sim::ReplayScheduler sched(*choices);
  const RunOutput out = simu.run(sched);
  Replayed r;
  r.violations = out.violations;
  r.buffers = simu.store_buffers() != nullptr;
  for (const Event& e : simu.kernel().events())
    if (e.kind == Ev::memory) r.memory.push_back(event_text(e, simu).substr(13));
  return r;
}

bool broke(const Replayed& r, Property p) {
  for (const Violation& v : r.violations)
    if (v.property == p) return true;
  return false;
}

// The SB pair of utrace_add_engine() and release_task(): without the
// smp_mb(), T's store of utrace_flags is still in its buffer when
// release_task() reads the field, and the engine leaks.
TEST(StoreBuffers, TheRemovedBarrierLeaksTheEngineUnderTso) {
  const LoadResult l = load(kBug);
  ASSERT_TRUE(l.ok());
  const Scenario& s = *l.scenario;
  ASSERT_EQ(s.memory, MemoryModel::TSO);
  const Replayed r = replay(s, kSchedule);
  EXPECT_TRUE(r.buffers);
  EXPECT_TRUE(broke(r, Property::EngineLifetime));
  // The store waited: made by T, published later by a drain of T's buffer.
  ASSERT_FALSE(r.memory.empty());
  std::size_t store = r.memory.size(), drain = r.memory.size();
  for (std::size_t i = 0; i < r.memory.size(); ++i) {
    if (store == r.memory.size() && r.memory[i].find("T-3") == 0 &&
        r.memory[i].find("op=store field=\"X-2 utrace_flags\" value=2") != std::string::npos)
      store = i;
    if (store < i && drain == r.memory.size() && r.memory[i].find("T-3") == 0 &&
        r.memory[i].find("op=drain") != std::string::npos)
      drain = i;
  }
  EXPECT_LT(store, r.memory.size());
  EXPECT_LT(drain, r.memory.size());
}

// Under sc the barriers order nothing that is not ordered already: the same
// schedule is harmless, and no store buffer exists.
TEST(StoreBuffers, UnderScTheSameScheduleIsHarmlessAndNothingIsBuffered) {
  LoadResult l = load(kBug);
  ASSERT_TRUE(l.ok());
  l.scenario->memory = MemoryModel::SC;
  const Replayed r = replay(*l.scenario, kSchedule);
  EXPECT_FALSE(r.buffers);
  EXPECT_TRUE(r.violations.empty()) << r.violations.front().message;
  EXPECT_TRUE(r.memory.empty()) << r.memory.front();
}

// With the barrier, the same schedule: the smp_mb() drains T's buffer
// before it reads exit_state.
TEST(StoreBuffers, TheBarrierDrainsTheBufferBeforeTheLoad) {
  const LoadResult l = load(kFixed);
  ASSERT_TRUE(l.ok());
  const Replayed r = replay(*l.scenario, kSchedule);
  EXPECT_FALSE(broke(r, Property::EngineLifetime));
  bool mb = false;
  for (const std::string& l : r.memory)
    mb |= l.find("T-3") == 0 && l.find("op=drain barrier=smp_mb") != std::string::npos;
  EXPECT_TRUE(mb);
}

// The default exploration finds the removed barrier, and shrinks it to the one
// preemption it needs.
TEST(StoreBuffers, CheckFindsAndShrinksTheRemovedBarrier) {
  const LoadResult l = load(kBug);
  ASSERT_TRUE(l.ok());
  const Scenario& s = *l.scenario;
  ExploreOptions o = explore_options_for(s, {});
  o.shrink.when = CounterexampleShrink::When::Always;
  const Verdict v = check_scenario(s, o);
  EXPECT_TRUE(v.passed());
  ASSERT_FALSE(v.violations.empty());
  EXPECT_EQ(v.violations.front().property, Property::EngineLifetime);
  EXPECT_LE(v.violations.front().where.preemptions, 1u);
}

// The state hash covers the buffers: a stateful search (which merges states
// by hash) still reaches the leak, and finds none with the barrier in place.
TEST(StoreBuffers, StatefulSearchSeesTheBuffers) {
  for (const auto& [path, leaks] : {std::pair{kBug, true}, std::pair{kFixed, false}}) {
    const LoadResult l = load(path);
    ASSERT_TRUE(l.ok());
    const Scenario& s = *l.scenario;
    ExploreOptions o = explore_options_for(s, {});
    o.strategy = Strategy::Dfs;
    o.stateful = true;
    o.max_schedules = 1000;
    const Verdict v = check_scenario(s, o);
    bool found = false;
    for (const auto& viol : v.violations) found |= viol.property == Property::EngineLifetime;
    EXPECT_EQ(found, leaks) << path;
  }
}

// set_notify_resume() with a plain set_bit(): under lkmm a value-less atomic
// orders nothing, so the flag can overtake the utrace->resume stored before
// it and a report is lost; under tso set_bit() is lock bts, and nothing is.
TEST(StoreBuffers, APlainSetBitLosesTheReportOnlyUnderLkmm) {
  LoadResult l = load(std::string(UTSIM_SOURCE_DIR) + "/scenarios/barriers/set-bit-notify-resume-bug.json");
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l.scenario->memory, MemoryModel::LKMM);
  auto lost = [&] {
    const Verdict v = check_scenario(*l.scenario, explore_options_for(*l.scenario, {}));
    for (const auto& viol : v.violations)
      if (viol.property == Property::MissingReport) return true;
    return false;
  };
  EXPECT_TRUE(lost());
  l.scenario->memory = MemoryModel::TSO;
  EXPECT_FALSE(lost());
}

}  // namespace
}  // namespace model
