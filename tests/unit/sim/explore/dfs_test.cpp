// sim::DfsExplorer on toy programs, against brute-force enumeration:
// exactly every schedule once, exactly those within a preemption bound,
// fewest preemptions first, disjoint shards whose union is the whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>

#include "sim/explore/dfs.h"
#include "support/explore_reference.h"

namespace {

using toy::Instr;
using toy::Kind;

// Two threads incrementing a counter under a lock, one reading it lockless.
toy::Prog locked_counter() {
  toy::Prog p;
  p.threads = {
      {{Kind::Lock, 0}, {Kind::Read, 0}, {Kind::Write, 0, 1}, {Kind::Unlock, 0}},
      {{Kind::Lock, 0}, {Kind::Read, 0}, {Kind::Write, 0, 2}, {Kind::Unlock, 0}},
      {{Kind::Read, 0}, {Kind::Write, 1, 3}},
  };
  return p;
}

// A flag hand-off with a spawned child and a lost-update race.
toy::Prog handoff() {
  toy::Prog p;
  p.threads = {
      {{Kind::Add, 0}, {Kind::Signal, 0}, {Kind::Spawn, 0}, {Kind::Read, 1}},
      {{Kind::Wait, 0}, {Kind::Read, 0}, {Kind::Write, 1, 1}},
  };
  p.children = {{{Kind::Add, 1}, {Kind::Local}}};
  return p;
}

// wait_idle and a timer: steps the engine releases.
toy::Prog idle_and_timer() {
  toy::Prog p;
  p.threads = {
      {{Kind::Idle}, {Kind::Read, 0}, {Kind::Write, 2, 1}},
      {{Kind::Sleep, 0, 3}, {Kind::Add, 0}},
      {{Kind::Add, 0}, {Kind::Idle}, {Kind::Read, 0}},
  };
  return p;
}

std::vector<toy::Prog> programs() { return {locked_counter(), handoff(), idle_and_timer()}; }

auto dfs(sim::DfsOptions o) {
  return [o](sim::Program& prog) { return std::make_unique<sim::DfsExplorer>(prog, o); };
}

TEST(ExploreDfs, RunsEveryScheduleExactlyOnce) {
  for (const toy::Prog& p : programs()) {
    const toy::Found ref = toy::brute_force(p);
    ASSERT_TRUE(ref.complete);
    const toy::Found got = toy::explore_all(p, dfs({}));
    EXPECT_TRUE(got.complete);
    EXPECT_EQ(got.runs, ref.runs);
    EXPECT_EQ(std::set<std::string>(got.schedules.begin(), got.schedules.end()),
              std::set<std::string>(ref.schedules.begin(), ref.schedules.end()));
    EXPECT_EQ(got.outcomes, ref.outcomes);
  }
}

TEST(ExploreDfs, PreemptionBoundKeepsExactlyTheSchedulesWithinIt) {
  for (const toy::Prog& p : programs()) {
    const toy::Found ref = toy::brute_force(p);
    for (std::uint32_t b : {0u, 1u, 2u, 3u}) {
      for (bool iterative : {true, false}) {
        sim::DfsOptions o;
        o.preemption_bound = b;
        o.iterative = iterative;
        const toy::Found got = toy::explore_all(p, dfs(o));
        std::set<std::string> want;
        for (const auto& [s, n] : ref.preemptions)
          if (n <= b) want.insert(s);
        EXPECT_TRUE(got.complete);
        EXPECT_EQ(got.runs, want.size()) << "bound " << b;
        EXPECT_EQ(std::set<std::string>(got.schedules.begin(), got.schedules.end()), want) << "bound " << b;
      }
    }
  }
}

TEST(ExploreDfs, IterativeBoundingRunsFewestPreemptionsFirst) {
  for (const toy::Prog& p : programs()) {
    const toy::Found got = toy::explore_all(p, dfs({}));
    std::uint32_t last = 0;
    for (const std::string& s : got.schedules) {
      EXPECT_GE(got.preemptions.at(s), last) << s;
      last = got.preemptions.at(s);
    }
  }
}

TEST(ExploreDfs, ShardsAreDisjointAndCoverTheSpace) {
  for (const toy::Prog& p : programs()) {
    const toy::Found all = toy::explore_all(p, dfs({}));
    for (std::uint32_t n : {2u, 3u, 7u}) {
      std::set<std::string> seen;
      std::uint64_t total = 0;
      for (std::uint32_t i = 0; i < n; ++i) {
        sim::DfsOptions o;
        o.shard = sim::Shard{i, n};
        o.shard_depth = 2;
        const toy::Found part = toy::explore_all(p, dfs(o));
        EXPECT_TRUE(part.complete);
        for (const std::string& s : part.schedules) EXPECT_TRUE(seen.insert(s).second) << "twice: " << s;
        total += part.runs;
      }
      EXPECT_EQ(total, all.runs) << n << " shards";
      EXPECT_EQ(seen, std::set<std::string>(all.schedules.begin(), all.schedules.end()));
    }
  }
}

TEST(ExploreDfs, StatefulPruningKeepsEveryOutcome) {
  for (const toy::Prog& p : programs()) {
    const toy::Found ref = toy::brute_force(p);
    sim::DfsOptions o;
    o.stateful = true;
    const toy::Found got = toy::explore_all(p, dfs(o));
    EXPECT_TRUE(got.complete);
    EXPECT_LE(got.runs, ref.runs);
    EXPECT_EQ(got.outcomes, ref.outcomes);
  }
}

TEST(ExploreDfs, KnuthEstimateIsExactOnAverage) {
  // The estimator is unbiased: over many probes its mean approaches the
  // number of schedules.
  for (const toy::Prog& p : programs()) {
    const toy::Found ref = toy::brute_force(p);
    toy::Runner runner(p);
    sim::DfsExplorer x(runner, {});
    for (int i = 0; i < 4000; ++i) x.probe();
    EXPECT_NEAR(x.estimate() / static_cast<double>(ref.runs), 1.0, 0.15) << ref.runs;
  }
}

}  // namespace
