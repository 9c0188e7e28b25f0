// The determinism checker (sim/sched/determinism.h): deterministic programs
// pass under any wrapped scheduler; a program that keeps state between runs
// (a counter deciding how many threads it starts, how long a thread runs,
// which object it touches) is caught at the first choice point, or at the
// end, where the second run differs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/sched/determinism.h"
#include "sim/sched/pct.h"
#include "sim/sync.h"
#include "support/sim_fixture.h"

namespace {

using namespace simtest;
using ::testing::HasSubstr;

using Spawn = std::function<void(SimFixture&, int run)>;

// A program whose threads are spawned afresh for each run on one engine;
// `runs_` survives from run to run, like a static counter or a cache in a
// model would, and is handed to `spawn` for the programs that misuse it.
class Program {
 public:
  explicit Program(Spawn spawn, bool hashing = false) : spawn_(std::move(spawn)) {
    if (hashing) f_.hashing();
  }
  sim::RunResult run(sim::Scheduler& s) {
    f_.engine().reset();
    spawn_(f_, runs_++);
    return f_.run(s);
  }

 private:
  Spawn spawn_;  // first: what it owns outlives the engine's threads
  int runs_ = 0;
  SimFixture f_;
};

// Two runs through the checker: the recording one, then the check.
struct Twice {
  sim::RunResult first, second;
  std::optional<sim::Nondeterminism> found;
};
Twice run_twice(Program& p, sim::Scheduler& inner) {
  sim::DeterminismChecker check(inner);
  Twice t;
  t.first = p.run(check);
  EXPECT_FALSE(check.checked());
  EXPECT_FALSE(check.nondeterminism());  // a recording run never reports
  t.second = p.run(check);
  EXPECT_TRUE(check.checked());
  t.found = check.nondeterminism();
  return t;
}

// Locks, lockless accesses, a completion, a sleep and a thread created
// during the run: every engine feature, and nothing kept between runs.
struct Mix {
  sim::SpinLock lock{ObjId{1}};
  sim::Completion done{ObjId{2}};
  int counter = 0;
};
sim::Co<void> locked_adds(Mix* m, int n) {
  for (int i = 0; i < n; ++i) {
    co_await m->lock.lock("add");
    co_await sim::write(ObjId{3}, "counter");
    ++m->counter;
    m->lock.unlock();
  }
  Engine::current().spawn(points(2));
  m->done.complete_all();
}
sim::Co<void> wait_then_read(Mix* m) {
  co_await m->done.wait();
  co_await sim::sleep_for(2, ObjId{4}, "nap");
  co_await sim::read(ObjId{3}, "counter");
}

// Each run gets a fresh Mix (the engine has destroyed the previous run's
// threads by then).
Spawn deterministic() {
  auto mix = std::make_shared<std::unique_ptr<Mix>>();
  return [mix](SimFixture& f, int) {
    *mix = std::make_unique<Mix>();
    Mix* m = mix->get();
    f.spawn(locked_adds(m, 3));
    f.spawn(locked_adds(m, 2));
    f.spawn(wait_then_read(m));
    f.spawn(points(4));
  };
}

TEST(SimDeterminism, DeterministicProgramsPassUnderRandomAndPct) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Program p(deterministic(), /*hashing=*/true);
    sim::RandomScheduler rs(seed);
    const Twice t = run_twice(p, rs);
    EXPECT_FALSE(t.found) << t.found->to_string();
    EXPECT_EQ(t.second.end, RunEnd::Finished);
    EXPECT_EQ(t.second.choices, t.first.choices);
    EXPECT_EQ(t.second.hash, t.first.hash);

    sim::PctScheduler pct(seed, 3, 40);  // wants every step: the checker passes them on
    const Twice u = run_twice(p, pct);
    EXPECT_FALSE(u.found) << u.found->to_string();
    EXPECT_EQ(u.second.hash, u.first.hash);
  }
}

// Counts what the wrapped scheduler is asked.
class Counting final : public sim::Scheduler {
 public:
  void begin_run() override { ++begins; }
  Tid choose(const sim::ChoiceContext& ctx) override {
    ++chooses;
    return ctx.enabled.back();
  }
  void on_spawn(Tid) override { ++spawns; }
  void end_run(const sim::RunResult&) override { ++ends; }
  int begins = 0, chooses = 0, spawns = 0, ends = 0;
};

TEST(SimDeterminism, TheWrappedSchedulerSeesOnlyTheRecordingRuns) {
  Program p(deterministic(), /*hashing=*/true);
  Counting inner;
  sim::DeterminismChecker check(inner);
  const sim::RunResult a = p.run(check);
  const sim::RunResult b = p.run(check);  // replays a's choices without asking
  const sim::RunResult c = p.run(check);  // records again
  EXPECT_FALSE(check.checked());
  const sim::RunResult d = p.run(check);
  EXPECT_TRUE(check.checked());
  EXPECT_FALSE(check.nondeterminism());
  EXPECT_EQ(inner.begins, 2);
  EXPECT_EQ(inner.ends, 2);
  EXPECT_EQ(inner.chooses, static_cast<int>(a.choices.size() + c.choices.size()));
  EXPECT_EQ(inner.spawns, 2 * 6);  // four threads and two children per recording run
  EXPECT_EQ(b.choices, a.choices);
  EXPECT_EQ(d.choices, c.choices);
}

TEST(SimDeterminism, AThreadCountKeptBetweenRunsIsCaughtAtTheFirstChoicePoint) {
  Program p([](SimFixture& f, int run) {
    for (int t = 0; t < 2 + run; ++t) f.spawn(points(3));
  });
  sim::RandomScheduler rs(1);
  const Twice t = run_twice(p, rs);
  ASSERT_TRUE(t.found);
  EXPECT_EQ(t.found->choice, 0u);
  ASSERT_TRUE(t.found->expected && t.found->actual);
  EXPECT_EQ(t.found->expected->step, 0u);
  EXPECT_EQ(t.found->actual->step, 0u);
  EXPECT_EQ(t.found->expected->enabled, (std::vector<Tid>{0, 1}));
  EXPECT_EQ(t.found->actual->enabled, (std::vector<Tid>{0, 1, 2}));
  EXPECT_EQ(t.found->expected->chosen, t.first.choices.at(0));
  // The check run stops there.
  EXPECT_EQ(t.second.end, RunEnd::Diverged);
  EXPECT_EQ(t.second.steps, 0u);
  EXPECT_THAT(t.found->to_string(), HasSubstr("choice point 0: the first run had step 0, current none, enabled [a b]"));
  EXPECT_THAT(t.found->to_string(), HasSubstr("the second step 0, current none, enabled [a b c]"));
}

TEST(SimDeterminism, ALongerThreadGivesAChoicePointTheFirstRunDidNotHave) {
  Program p([](SimFixture& f, int run) {
    f.spawn(points(2 + run));
    f.spawn(points(2));
  });
  sim::ReplayScheduler def;  // thread 0 runs to its end while thread 1 waits: a choice at each step
  const Twice t = run_twice(p, def);
  ASSERT_TRUE(t.found);
  EXPECT_EQ(t.found->choice, 3u);
  EXPECT_FALSE(t.found->expected);
  ASSERT_TRUE(t.found->actual);
  EXPECT_EQ(t.found->actual->step, 3u);
  EXPECT_EQ(t.found->actual->enabled, (std::vector<Tid>{0, 1}));
  EXPECT_THAT(t.found->to_string(), HasSubstr("the first had ended (finished after 6 steps, time 0)"));
}

TEST(SimDeterminism, AShorterThreadEndsBeforeARecordedChoicePoint) {
  Program p([](SimFixture& f, int run) {
    f.spawn(points(3 - run));
    f.spawn(points(2));
  });
  sim::ReplayScheduler def;
  const Twice t = run_twice(p, def);
  ASSERT_TRUE(t.found);
  EXPECT_EQ(t.found->choice, 3u);
  ASSERT_TRUE(t.found->expected);
  EXPECT_FALSE(t.found->actual);
  EXPECT_EQ(t.found->expected->step, 3u);
  EXPECT_EQ(t.second.end, RunEnd::Finished);  // found only when the run has ended
  EXPECT_THAT(t.found->to_string(), HasSubstr("the second ended before it (finished after 6 steps, time 0)"));
}

sim::Co<void> touch(ObjId obj) { co_await sim::write(obj, "touch"); }

TEST(SimDeterminism, ADifferenceAfterTheLastChoicePointIsCaughtAtTheEnd) {
  {  // one thread alone: no choice point at all, one step more
    Program p([](SimFixture& f, int run) { f.spawn(points(3 + run)); });
    sim::RandomScheduler rs(0);
    const Twice t = run_twice(p, rs);
    ASSERT_TRUE(t.found);
    EXPECT_EQ(t.found->choice, 0u);
    EXPECT_FALSE(t.found->expected || t.found->actual);
    EXPECT_EQ(t.found->to_string(),
              "nondeterminism after the last choice point (0): the first run ended finished after 4 steps, "
              "time 0, the second finished after 5 steps, time 0");
  }
  {  // the same steps on another object: only the transition hash tells
    Program p([](SimFixture& f, int run) { f.spawn(touch(ObjId{static_cast<std::uint32_t>(1 + run)})); },
              /*hashing=*/true);
    sim::RandomScheduler rs(0);
    const Twice t = run_twice(p, rs);
    ASSERT_TRUE(t.found);
    EXPECT_EQ(t.first.steps, t.second.steps);
    EXPECT_THAT(t.found->expected_end, HasSubstr("finished after 2 steps, time 0, hash "));
    EXPECT_NE(t.found->expected_end, t.found->actual_end);
  }
}

TEST(SimDeterminism, EachCheckComparesWithTheRunRecordedJustBefore) {
  // Runs 1 and 2 differ (2 then 3 threads); runs 3 and 4 agree (the count
  // stops growing): a check is about its own pair only.
  Program p([](SimFixture& f, int run) {
    for (int t = 0; t < 2 + std::min(run, 2); ++t) f.spawn(points(2));
  });
  sim::RandomScheduler rs(5);
  sim::DeterminismChecker check(rs);
  p.run(check);
  p.run(check);
  EXPECT_TRUE(check.nondeterminism());
  p.run(check);
  EXPECT_FALSE(check.nondeterminism());
  p.run(check);
  EXPECT_FALSE(check.nondeterminism());
}

}  // namespace
