// The memory budget of the explorers (sim::Explorer::memory(),
// set_memory_budget(); issue 11): counted from their records, so a budget
// stops a search at the same run every time; once over it, nothing more
// runs, the run it abandoned is not counted, and the search is not complete.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/explore/dfs.h"
#include "sim/explore/dpor.h"
#include "sim/explore/portfolio.h"
#include "sim/schedule.h"
#include "support/explore_reference.h"

namespace {

using toy::Kind;

// Three threads on two objects and a lock: a few hundred schedules.
toy::Prog program() {
  toy::Prog p;
  p.threads = {{{Kind::Lock, 0}, {Kind::Read, 0}, {Kind::Write, 0, 1}, {Kind::Unlock, 0}, {Kind::Read, 1}},
               {{Kind::Lock, 0}, {Kind::Add, 0}, {Kind::Unlock, 0}, {Kind::Write, 1, 2}},
               {{Kind::Read, 0}, {Kind::Write, 1, 3}}};
  return p;
}

using Make = std::function<std::unique_ptr<sim::Explorer>(sim::Program&)>;

struct Searched {
  std::vector<std::string> counted;  // the counted runs' schedules, in order
  std::uint64_t peak = 0;            // the most memory() said between runs
  bool complete = false, out_of_memory = false;
};

Searched search(const Make& make, std::uint64_t budget) {
  const toy::Prog prog = program();
  toy::Runner runner(prog);
  const std::unique_ptr<sim::Explorer> x = make(runner);
  x->set_memory_budget(budget);
  Searched s;
  while (x->next()) {
    s.peak = std::max(s.peak, x->memory());
    if (x->last_counted()) s.counted.push_back(sim::encode_schedule(x->last().choices));
    if (x->out_of_memory()) break;
  }
  s.complete = x->complete();
  s.out_of_memory = x->out_of_memory();
  EXPECT_FALSE(x->next()) << "nothing runs once the budget is spent";
  return s;
}

std::vector<std::pair<const char*, Make>> explorers() {
  sim::DfsOptions unbounded;  // iterative: the frontier of the next level grows
  sim::DfsOptions stateful;
  stateful.stateful = true;
  return {
      {"dfs", [=](sim::Program& p) { return std::make_unique<sim::DfsExplorer>(p, unbounded); }},
      {"dfs stateful", [=](sim::Program& p) { return std::make_unique<sim::DfsExplorer>(p, stateful); }},
      {"dpor", [](sim::Program& p) { return std::make_unique<sim::DporExplorer>(p); }},
      {"portfolio",
       [](sim::Program& p) { return std::make_unique<sim::PortfolioExplorer>(p, sim::PortfolioOptions{}); }},
  };
}

TEST(ExploreMemoryBudget, NoBudgetAndAnAmpleOneRunTheSameSearch) {
  for (const auto& [name, make] : explorers()) {
    SCOPED_TRACE(name);
    const Searched free = search(make, 0);
    EXPECT_FALSE(free.out_of_memory);
    EXPECT_GT(free.peak, 0u) << "the explorer counts what it holds";
    const Searched ample = search(make, free.peak * 4);
    EXPECT_FALSE(ample.out_of_memory);
    EXPECT_EQ(ample.counted, free.counted);
    EXPECT_EQ(ample.complete, free.complete);
  }
}

TEST(ExploreMemoryBudget, ATightBudgetStopsEarlyAtTheSameRunEveryTime) {
  for (const auto& [name, make] : explorers()) {
    SCOPED_TRACE(name);
    const Searched free = search(make, 0);
    const std::uint64_t budget = free.peak / 2;
    const Searched a = search(make, budget);
    EXPECT_TRUE(a.out_of_memory);
    EXPECT_FALSE(a.complete);
    EXPECT_LT(a.counted.size(), free.counted.size());
    // What it ran is the start of the unbudgeted search: a prefix of it.
    ASSERT_LE(a.counted.size(), free.counted.size());
    EXPECT_TRUE(std::equal(a.counted.begin(), a.counted.end(), free.counted.begin()));
    const Searched b = search(make, budget);
    EXPECT_EQ(b.counted, a.counted) << "deterministic: counted, not measured";
  }
}

TEST(ExploreMemoryBudget, DfsFrontierHoldsOneEntryPerParentRun) {
  // Unbounded iterative DFS defers the children of each run that preempt
  // once more; it keeps the run's prefix, not the children, so what it holds
  // stays well under a prefix per child.
  const toy::Prog prog = program();
  toy::Runner runner(prog);
  sim::DfsExplorer x(runner, {});
  std::uint64_t runs = 0, peak = 0;
  while (x.next()) {
    ++runs;
    peak = std::max(peak, x.memory());
  }
  EXPECT_TRUE(x.complete());
  EXPECT_LT(peak, runs * 64) << runs << " runs, peak " << peak << " bytes";
}

}  // namespace
