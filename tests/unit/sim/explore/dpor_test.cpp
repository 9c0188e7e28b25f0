// sim::DporExplorer on toy programs, against brute force: the same outcomes,
// at least one run of every Mazurkiewicz trace, never more runs than DFS.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "sim/explore/dpor.h"
#include "sim/explore/portfolio.h"
#include "sim/explore/sample.h"
#include "support/explore_reference.h"

namespace {

using toy::Kind;

std::vector<toy::Prog> programs() {
  std::vector<toy::Prog> ps;
  {  // independent threads: one trace
    toy::Prog p;
    p.threads = {{{Kind::Add, 0}, {Kind::Add, 0}}, {{Kind::Add, 1}, {Kind::Add, 1}}, {{Kind::Read, 2}}};
    ps.push_back(p);
  }
  {  // lost update
    toy::Prog p;
    p.threads = {{{Kind::Read, 0}, {Kind::Write, 0, 1}},
                 {{Kind::Read, 0}, {Kind::Write, 0, 2}},
                 {{Kind::Read, 0}, {Kind::Write, 1, 0}}};
    ps.push_back(p);
  }
  {  // locks
    toy::Prog p;
    p.threads = {{{Kind::Lock, 0}, {Kind::Read, 0}, {Kind::Write, 0, 1}, {Kind::Unlock, 0}, {Kind::Read, 1}},
                 {{Kind::Lock, 0}, {Kind::Add, 0}, {Kind::Unlock, 0}, {Kind::Write, 1, 2}},
                 {{Kind::Lock, 1}, {Kind::Read, 0}, {Kind::Unlock, 1}}};
    ps.push_back(p);
  }
  {  // flags, wake-ups, a child
    toy::Prog p;
    p.threads = {{{Kind::Add, 0}, {Kind::Signal, 0}, {Kind::Spawn, 0}, {Kind::Read, 1}},
                 {{Kind::Wait, 0}, {Kind::Read, 0}, {Kind::Write, 1, 1}},
                 {{Kind::Signal, 1}}};
    p.children = {{{Kind::Wait, 1}, {Kind::Add, 1}}};
    ps.push_back(p);
  }
  {  // wait_idle and timers
    toy::Prog p;
    p.threads = {{{Kind::Idle}, {Kind::Read, 0}, {Kind::Write, 2, 1}},
                 {{Kind::Sleep, 0, 3}, {Kind::Add, 0}},
                 {{Kind::Add, 0}, {Kind::Idle}, {Kind::Read, 0}}};
    ps.push_back(p);
  }
  {  // a thread waiting forever unless signalled in time
    toy::Prog p;
    p.threads = {{{Kind::Read, 0}, {Kind::Wait, 1}},
                 {{Kind::Write, 0, 5}, {Kind::Signal, 1}, {Kind::Add, 2}},
                 {{Kind::Lock, 0}, {Kind::Read, 2}, {Kind::Unlock, 0}}};
    ps.push_back(p);
  }
  return ps;
}

// Brute force once per program (the biggest has 222,876 schedules).
const toy::Found& reference(std::size_t i) {
  static std::vector<toy::Found> refs = [] {
    std::vector<toy::Found> r;
    for (const toy::Prog& p : programs()) r.push_back(toy::brute_force(p));
    return r;
  }();
  return refs[i];
}

auto dpor(sim::DporOptions o = {}) {
  return [o](sim::Program& prog) { return std::make_unique<sim::DporExplorer>(prog, o); };
}

TEST(ExploreDpor, FindsEveryOutcomeAndTraceWithNoMoreRunsThanDfs) {
  std::size_t i = 0;
  for (const toy::Prog& p : programs()) {
    SCOPED_TRACE("program " + std::to_string(i));
    const toy::Found& ref = reference(i++);
    ASSERT_TRUE(ref.complete);
    const toy::Found got = toy::explore_all(p, dpor());
    EXPECT_TRUE(got.complete);
    EXPECT_EQ(got.outcomes, ref.outcomes);
    EXPECT_EQ(got.traces, ref.traces);  // at least one run per trace
    EXPECT_LE(got.runs, ref.runs);
    EXPECT_GE(got.runs, ref.traces.size());
  }
}

TEST(ExploreDpor, OneTraceOneRun) {
  toy::Prog p = programs()[0];
  const toy::Found got = toy::explore_all(p, dpor());
  EXPECT_EQ(got.runs, 1u);
}

TEST(ExploreDpor, ShardsAreDisjointAndFindEverything) {
  std::size_t i = 0;
  for (const toy::Prog& p : programs()) {
    SCOPED_TRACE("program " + std::to_string(i));
    const toy::Found& ref = reference(i++);
    for (std::uint32_t n : {2u, 3u}) {
      std::set<std::string> seen, outcomes;
      std::set<std::uint64_t> traces;
      for (std::uint32_t k = 0; k < n; ++k) {
        sim::DporOptions o;
        o.shard = sim::Shard{k, n};
        o.shard_depth = 3;
        const toy::Found part = toy::explore_all(p, dpor(o));
        EXPECT_TRUE(part.complete);
        for (const std::string& s : part.schedules) EXPECT_TRUE(seen.insert(s).second) << "twice: " << s;
        outcomes.insert(part.outcomes.begin(), part.outcomes.end());
        traces.insert(part.traces.begin(), part.traces.end());
      }
      EXPECT_EQ(outcomes, ref.outcomes);
      EXPECT_EQ(traces, ref.traces);
    }
  }
}

TEST(ExploreDpor, PortfolioIsCompleteWhenDporIs) {
  std::size_t i = 0;
  for (const toy::Prog& p : programs()) {
    const toy::Found& ref = reference(i++);
    const toy::Found got = toy::explore_all(
        p, [](sim::Program& prog) { return std::make_unique<sim::PortfolioExplorer>(prog, sim::PortfolioOptions{}); });
    EXPECT_TRUE(got.complete);
    EXPECT_EQ(got.outcomes, ref.outcomes);
  }
}

TEST(ExploreSample, ShardsSplitTheRunIndices) {
  const toy::Prog p = programs()[3];
  for (auto kind : {sim::SampleOptions::Kind::Random, sim::SampleOptions::Kind::Pct}) {
    sim::SampleOptions o;
    o.kind = kind;
    o.seed = 7;
    const toy::Found all = toy::explore_all(
        p, [&](sim::Program& prog) { return std::make_unique<sim::SampleExplorer>(prog, o); }, 60);
    std::multiset<std::string> joined;
    for (std::uint32_t k = 0; k < 3; ++k) {
      sim::SampleOptions s = o;
      s.shard = sim::Shard{k, 3};
      const toy::Found part = toy::explore_all(
          p, [&](sim::Program& prog) { return std::make_unique<sim::SampleExplorer>(prog, s); },
          kind == sim::SampleOptions::Kind::Pct && k ? 21 : 20);
      joined.insert(part.schedules.begin(), part.schedules.end());
    }
    EXPECT_EQ(joined, std::multiset<std::string>(all.schedules.begin(), all.schedules.end()));
  }
}

}  // namespace
