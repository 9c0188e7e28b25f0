// DPOR and DFS over random toy programs (tests/support/explore_toy.h),
// against brute force: DPOR finds every outcome, runs at least one schedule
// of every Mazurkiewicz trace and never more than DFS; sharded explorations
// are disjoint and cover the space.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "sim/explore/dfs.h"
#include "sim/explore/dpor.h"
#include "support/explore_reference.h"

namespace {

using toy::Instr;
using toy::Kind;

// A thread: plain instructions, with lock sections that hold no flag waits
// and always release (a thread must not finish or sleep with a lock held).
rc::Gen<toy::Body> gen_body(bool may_spawn) {
  return rc::gen::exec([may_spawn] {
    toy::Body b;
    const int n = *rc::gen::inRange(1, 4);
    for (int i = 0; i < n; ++i) {
      const int k = *rc::gen::inRange(0, may_spawn ? 9 : 8);
      const int a = *rc::gen::inRange(0, 2);
      switch (k) {
        case 0: b.push_back({Kind::Read, a}); break;
        case 1: b.push_back({Kind::Write, a, *rc::gen::inRange(0, 3)}); break;
        case 2: b.push_back({Kind::Add, a}); break;
        case 3:
          b.push_back({Kind::Lock, a % toy::kLocks});
          b.push_back({*rc::gen::element(Kind::Read, Kind::Add, Kind::Local), *rc::gen::inRange(0, 2)});
          b.push_back({Kind::Unlock, a % toy::kLocks});
          break;
        case 4: b.push_back({Kind::Signal, a % toy::kFlags}); break;
        case 5: b.push_back({Kind::Wait, a % toy::kFlags}); break;
        case 6: b.push_back({Kind::Idle}); break;
        case 7: b.push_back({Kind::Sleep, 0, *rc::gen::inRange(1, 4)}); break;
        case 8: b.push_back({Kind::Spawn, 0}); break;
      }
    }
    return b;
  });
}

rc::Gen<toy::Prog> gen_prog() {
  return rc::gen::exec([] {
    toy::Prog p;
    const int n = *rc::gen::inRange(2, 4);
    for (int t = 0; t < n; ++t) p.threads.push_back(*gen_body(t == 0));
    p.children.push_back(*gen_body(false));
    return p;
  });
}

constexpr std::uint64_t kMaxSchedules = 20'000;

// Whether brute force is cheap for `p`: Knuth's estimate of its schedules,
// from 50 random probes, is under kMaxSchedules.
bool small_enough(const toy::Prog& p) {
  toy::Runner r(p);
  sim::DfsExplorer probe(r, {});
  for (int i = 0; i < 50; ++i) probe.probe();
  return probe.estimate() < kMaxSchedules;
}

RC_GTEST_PROP(ExploreDporProp, SameOutcomesAsBruteForceAndEveryTrace, ()) {
  const toy::Prog p = *gen_prog();
  RC_PRE(small_enough(p));  // brute force only where it is cheap
  const toy::Found ref = toy::brute_force(p);
  RC_PRE(ref.complete);
  const toy::Found got =
      toy::explore_all(p, [](sim::Program& prog) { return std::make_unique<sim::DporExplorer>(prog); });
  RC_ASSERT(got.complete);
  RC_ASSERT(got.outcomes == ref.outcomes);
  RC_ASSERT(got.traces == ref.traces);
  RC_ASSERT(got.runs <= ref.runs);
  RC_TAG(got.runs == ref.traces.size() ? "dpor runs = traces" : "dpor runs > traces");
}

RC_GTEST_PROP(ExploreDporProp, ShardedDporCoversEveryTrace, ()) {
  const toy::Prog p = *gen_prog();
  RC_PRE(small_enough(p));
  const toy::Found ref = toy::brute_force(p);
  RC_PRE(ref.complete);
  const std::uint32_t n = *rc::gen::inRange(2, 5);
  const std::uint32_t depth = *rc::gen::inRange(1, 4);
  std::set<std::string> seen, outcomes;
  std::set<std::uint64_t> traces;
  for (std::uint32_t k = 0; k < n; ++k) {
    sim::DporOptions o;
    o.shard = sim::Shard{k, n};
    o.shard_depth = depth;
    const toy::Found part =
        toy::explore_all(p, [&](sim::Program& prog) { return std::make_unique<sim::DporExplorer>(prog, o); });
    for (const std::string& s : part.schedules) RC_ASSERT(seen.insert(s).second);
    outcomes.insert(part.outcomes.begin(), part.outcomes.end());
    traces.insert(part.traces.begin(), part.traces.end());
  }
  RC_ASSERT(outcomes == ref.outcomes);
  RC_ASSERT(traces == ref.traces);
}

RC_GTEST_PROP(ExploreDfsProp, BoundedDfsRunsExactlyTheSchedulesWithinTheBound, ()) {
  const toy::Prog p = *gen_prog();
  RC_PRE(small_enough(p));
  const toy::Found ref = toy::brute_force(p);
  RC_PRE(ref.complete);
  const std::uint32_t b = *rc::gen::inRange(0, 3);
  sim::DfsOptions o;
  o.preemption_bound = b;
  const toy::Found got =
      toy::explore_all(p, [&](sim::Program& prog) { return std::make_unique<sim::DfsExplorer>(prog, o); });
  std::set<std::string> want;
  for (const auto& [s, c] : ref.preemptions)
    if (c <= b) want.insert(s);
  RC_ASSERT(got.runs == want.size());
  RC_ASSERT(std::set<std::string>(got.schedules.begin(), got.schedules.end()) == want);
}

// How close DPOR comes to one run per Mazurkiewicz trace (the goal:
// within 1.5x), measured over a fixed sample of 200 generated toy programs
// small enough for brute force: the total of DPOR's counted runs against the
// total of distinct traces, and the worst single program.  Printed for the
// README; the test fails if the total ratio exceeds 1.5.  Programs with fewer
// than four traces are left out: one or two traces say nothing about DPOR.
TEST(ExploreDporMeasure, RunsPerTraceOverGeneratedPrograms) {
  std::uint64_t runs = 0, traces = 0, programs = 0, optimal = 0;
  double worst = 1.0;
  for (std::uint64_t seed = 1; programs < 200 && seed < 20000; ++seed) {
    const toy::Prog p = gen_prog()(rc::Random(seed), 30).value();
    if (!small_enough(p)) continue;
    const toy::Found ref = toy::brute_force(p);
    if (!ref.complete || ref.traces.size() < 4) continue;
    const toy::Found got =
        toy::explore_all(p, [](sim::Program& prog) { return std::make_unique<sim::DporExplorer>(prog); });
    ASSERT_TRUE(got.complete);
    ++programs;
    runs += got.runs;
    traces += ref.traces.size();
    optimal += got.runs == ref.traces.size();
    worst = std::max(worst, static_cast<double>(got.runs) / static_cast<double>(ref.traces.size()));
  }
  ASSERT_GE(programs, 100u);
  const double ratio = static_cast<double>(runs) / static_cast<double>(traces);
  std::printf(
      "DPOR over %llu generated programs: %llu runs for %llu traces (%.3fx); "
      "one run per trace in %llu; worst program %.2fx\n",
      static_cast<unsigned long long>(programs), static_cast<unsigned long long>(runs),
      static_cast<unsigned long long>(traces), ratio, static_cast<unsigned long long>(optimal), worst);
  EXPECT_LE(ratio, 1.5);
}

}  // namespace
