// explore/lock_graph.h: the lock-class dependency graph of an exploration,
// its cycles in lockdep's words, and check_scenario reporting them as
// lock-order, across schedules and without a deadlock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "explore/check.h"
#include "explore/lock_graph.h"
#include "scenario/load/loader.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

sim::LockClass cls(const char* name) { return sim::lock_class(name); }

sim::LockDep dep(const char* from, const char* to, sim::Tid tid, std::uint64_t step) {
  return sim::LockDep{cls(from), cls(to), "take_from", "take_to", step - 1, step, tid};
}

// Feeds one run's dependencies; the task of thread t is "task-<t>".
std::vector<model::LockCycle> add(model::LockGraph& g, std::vector<sim::LockDep> deps, std::string schedule,
                                  std::uint64_t run) {
  return g.add(
      deps, [&] { return schedule; }, run,
      [](sim::Tid t) {
        return std::pair<std::string, int>{"task-" + std::to_string(t), static_cast<int>(t) + 2};
      });
}

TEST(LockGraph, TwoSchedulesTakingTwoClassesInOppositeOrdersAreACycle) {
  model::LockGraph g("2010-rhel6 +lock-inversion");
  EXPECT_TRUE(add(g, {dep("lg-A", "lg-B", 0, 5)}, "ab", 0).empty());
  EXPECT_TRUE(add(g, {dep("lg-A", "lg-B", 1, 9)}, "ba", 1).empty()) << "an edge seen before is not new";
  const std::vector<model::LockCycle> c = add(g, {dep("lg-B", "lg-A", 1, 7)}, "bba", 2);
  ASSERT_EQ(c.size(), 1u);
  ASSERT_EQ(c[0].chain.size(), 2u);
  EXPECT_EQ(c[0].chain[0].schedule, "bba");
  EXPECT_EQ(c[0].chain[1].schedule, "ab");
  const std::string& r = c[0].report;
  EXPECT_THAT(r, HasSubstr("WARNING: possible circular locking dependency detected\n"
                           "utsim 2010-rhel6 +lock-inversion (simulated)\n"));
  EXPECT_THAT(r, HasSubstr("task-1 is trying to acquire lock:\n (lg-A), at: take_to\n\n"
                           "but task is already holding lock:\n (lg-B), at: take_from\n"));
  EXPECT_THAT(r, HasSubstr("the existing dependency chain (in reverse order) is:\n\n-> #1 (lg-B):\n"
                           "       take_to, with lg-A held (taken in take_from)\n"
                           "       by task-0 at step 5 of schedule 'ab' (run 1)\n\n-> #0 (lg-A):\n"));
  EXPECT_THAT(r, HasSubstr("  lock(lg-B);\n                               lock(lg-A);\n"
                           "                               lock(lg-B);\n  lock(lg-A);\n\n *** DEADLOCK ***\n"));
  EXPECT_THAT(r, Not(HasSubstr("Chain exists of")));
  EXPECT_THAT(c[0].summary, HasSubstr("schedule 'bba' (run 3)"));
  EXPECT_THAT(c[0].summary, HasSubstr("schedule 'ab' (run 1)"));
  EXPECT_EQ(g.classes(), (std::vector<std::string>{"lg-A", "lg-B"}));
  EXPECT_EQ(g.edges().size(), 2u);
  const model::Violation v = model::lock_order_violation(c[0]);
  EXPECT_EQ(v.property, model::Property::LockOrder);
  EXPECT_EQ(v.step, 7u);
  EXPECT_EQ(v.pid, 3);
}

TEST(LockGraph, ALongerCycleSaysTheChainItExistsOf) {
  model::LockGraph g("k");
  add(g, {dep("lg-A", "lg-B", 0, 3), dep("lg-B", "lg-C", 0, 4)}, "a", 0);
  const std::vector<model::LockCycle> c = add(g, {dep("lg-C", "lg-A", 1, 6)}, "b", 1);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].chain.size(), 3u);
  EXPECT_THAT(c[0].report, HasSubstr("-> #2 (lg-C):"));
  EXPECT_THAT(c[0].report, HasSubstr("Chain exists of:\n  lg-A --> lg-B --> lg-C\n"));
  EXPECT_THAT(c[0].summary, HasSubstr("lg-A -> lg-B -> lg-C"));
}

TEST(LockGraph, OneClassTakenInsideItselfIsRecursiveLocking) {
  model::LockGraph g("k");
  const std::vector<model::LockCycle> c = add(g, {dep("lg-A", "lg-A", 0, 3)}, "", 0);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_THAT(c[0].report, HasSubstr("WARNING: possible recursive locking detected"));
  EXPECT_THAT(c[0].summary, HasSubstr("possible recursive locking"));
}

TEST(LockGraph, TheSameRunsGiveTheSameReport) {
  auto once = [] {
    model::LockGraph g("k");
    add(g, {dep("lg-A", "lg-B", 0, 3), dep("lg-B", "lg-C", 1, 4), dep("lg-A", "lg-C", 0, 5)}, "x", 0);
    return add(g, {dep("lg-C", "lg-A", 1, 6)}, "y", 1).at(0).report;
  };
  EXPECT_EQ(once(), once());
}

model::Verdict check_file(const std::string& rel) {
  model::LoadResult r = model::load_scenario_file(std::string(UTSIM_SOURCE_DIR) + "/" + rel);
  EXPECT_TRUE(r.ok());
  model::ExploreOptions o = model::explore_options_for(*r.scenario, {});
  o.max_schedules = 300;
  return model::check_scenario(*r.scenario, o);
}

TEST(LockGraph, CheckFindsTheInversionWithoutAnySchedulesDeadlock) {
  const model::Verdict v = check_file("scenarios/lockdep/lock-inversion-bug.json");
  EXPECT_TRUE(v.passed());
  ASSERT_FALSE(v.lockdep.cycles.empty());
  EXPECT_THAT(v.lockdep.cycles[0].report, HasSubstr("(&utrace->lock), at: utrace_get_signal"));
  bool lock_order = false, hang = false;
  for (const model::FoundViolation& f : v.violations) {
    lock_order = lock_order || f.property == model::Property::LockOrder;
    hang = hang || f.property == model::Property::Hang;
  }
  EXPECT_TRUE(lock_order);
  EXPECT_FALSE(hang) << "no schedule of this scenario deadlocks";
}

TEST(LockGraph, TheUnmodifiedKernelTakesUtraceLockThenSiglockAndNoCycle) {
  const model::Verdict v = check_file("scenarios/lockdep/lock-inversion.json");
  EXPECT_TRUE(v.passed());
  EXPECT_TRUE(v.lockdep.cycles.empty());
  bool nested = false;
  for (const model::LockEdge& e : v.lockdep.dependencies)
    nested = nested || (e.from == "&utrace->lock" && e.to == "&sighand->siglock" && e.to_where == "utrace_control");
  EXPECT_TRUE(nested);
}

}  // namespace
