// Wait queues and completions.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "sim/sync.h"
#include "support/sim_fixture.h"

namespace {

using namespace simtest;

struct Prog {
  sim::Completion done{ObjId{30}};
  sim::WaitQueue wq{ObjId{31}};
  std::vector<Tid> woke;
  std::vector<bool> timed_out;
};

sim::Co<void> waiter(Prog* p) {
  co_await p->done.wait();
  p->woke.push_back(Engine::current().current_tid());
}

// Waits until every waiter is asleep, then completes `times` times (or all).
sim::Co<void> completer(Prog* p, int times, bool all) {
  co_await sim::wait_idle("let_waiters_sleep");
  co_await sim::point(p->done.id(), Acc::Write, "complete");
  if (all) {
    p->done.complete_all();
  } else {
    for (int i = 0; i < times; ++i) p->done.complete();
  }
}

TEST(SimSync, CompleteWakesExactlyOneWaiter) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    SimFixture f;
    Prog p;
    for (int i = 0; i < 3; ++i) f.spawn(waiter(&p));
    f.spawn(completer(&p, 1, false));
    const sim::RunResult r = f.run_seed(seed);
    EXPECT_EQ(r.end, RunEnd::Blocked);
    EXPECT_EQ(p.woke.size(), 1u);
    EXPECT_EQ(r.blocked.size(), 2u);
    for (const auto& b : r.blocked) {
      EXPECT_STREQ(b.reason, "wait_for_completion");
      EXPECT_EQ(b.obj, ObjId{30});
    }
    EXPECT_EQ(p.done.done(), 0u);  // the one completion was consumed
  }
  // With the default schedule the waiters sleep in id order; the first one
  // to sleep is the one woken.
  SimFixture f;
  Prog p;
  for (int i = 0; i < 3; ++i) f.spawn(waiter(&p));
  f.spawn(completer(&p, 1, false));
  f.run_default();
  EXPECT_EQ(p.woke, (std::vector<Tid>{0}));
}

TEST(SimSync, TwoCompletesWakeTwo) {
  SimFixture f;
  Prog p;
  for (int i = 0; i < 3; ++i) f.spawn(waiter(&p));
  f.spawn(completer(&p, 2, false));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(p.woke, (std::vector<Tid>{0, 1}));
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_EQ(r.blocked[0].tid, 2u);
}

TEST(SimSync, CompleteAllWakesAll) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    SimFixture f;
    Prog p;
    for (int i = 0; i < 3; ++i) f.spawn(waiter(&p));
    f.spawn(completer(&p, 0, true));
    EXPECT_EQ(f.run_seed(seed).end, RunEnd::Finished);
    EXPECT_EQ(p.woke.size(), 3u);
    EXPECT_GT(p.done.done(), 1000u);  // stays done for later waiters
  }
}

sim::Co<void> complete_first(Prog* p, int times) {
  co_await sim::point(p->done.id(), Acc::Write, "complete");
  for (int i = 0; i < times; ++i) p->done.complete();
}

TEST(SimSync, CompletionDoneBeforeTheWaitDoesNotBlock) {
  SimFixture f;
  Prog p;
  f.spawn(complete_first(&p, 2));
  for (int i = 0; i < 3; ++i) f.spawn(waiter(&p));
  const std::vector<sim::StepRec>& steps = f.record().steps();
  const sim::RunResult r = f.run_default();  // the completer runs to its end first
  EXPECT_EQ(p.woke, (std::vector<Tid>{1, 2}));
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_EQ(r.blocked[0].tid, 3u);
  // Threads 1 and 2 never slept: no step of theirs resumes from a sleep.
  for (const auto& st : steps) {
    if (st.tid == 1 || st.tid == 2) {
      EXPECT_NE(st.acc.kind, Acc::Sleep);
    }
  }
  // Each made exactly two steps: start, and the yield point inside wait().
  std::size_t n1 = 0;
  for (const auto& st : steps) n1 += st.tid == 1;
  EXPECT_EQ(n1, 2u);
}

// ---- WaitQueue -------------------------------------------------------------------

sim::Co<void> wq_wait(Prog* p, std::uint64_t deadline) {
  const bool to = co_await p->wq.wait("wq_wait", deadline);
  p->woke.push_back(Engine::current().current_tid());
  p->timed_out.push_back(to);
}

sim::Co<void> wq_wake_one_at(Prog* p, std::uint64_t ticks) {
  co_await sim::sleep_for(ticks, ObjId{1}, "nap");
  p->wq.wake_one();
}

TEST(SimSync, TimedWaitTimesOutAndLeavesTheQueue) {
  SimFixture f;
  Prog p;
  f.spawn(wq_wait(&p, 4));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(r.time, 4u);
  EXPECT_EQ(p.timed_out, (std::vector<bool>{true}));
  EXPECT_TRUE(p.wq.empty());
}

TEST(SimSync, WakeOneSkipsAWaiterThatAlreadyTimedOut) {
  // Thread 0 waits until time 5, thread 1 without a deadline; thread 2
  // calls wake_one at time 5, after thread 0's timer has fired but before
  // thread 0 has run.  Like the kernel's exclusive wake-up (try_to_wake_up
  // of a task that is already running does not count), the wake-up must go
  // to thread 1, not be spent on thread 0.
  SimFixture f;
  Prog p;
  f.spawn(wq_wait(&p, 5));
  f.spawn(wq_wait(&p, sim::kNever));
  f.spawn(wq_wake_one_at(&p, 5));
  const sim::RunResult r = f.run_schedule("abc");  // at time 5 thread 2 goes first
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_TRUE(r.blocked.empty());
  EXPECT_EQ(p.woke, (std::vector<Tid>{0, 1}));
  EXPECT_EQ(p.timed_out, (std::vector<bool>{true, false}));
  EXPECT_TRUE(p.wq.empty());
}

sim::Co<void> wq_wake_all_after_idle(Prog* p) {
  co_await sim::wait_idle("idle");
  p->wq.wake_all();
  p->wq.wake_all();  // nobody left: no effect
  p->wq.wake_one();
}

TEST(SimSync, WakeAllWakesEveryWaiterInQueueOrder) {
  SimFixture f;
  Prog p;
  for (int i = 0; i < 3; ++i) f.spawn(wq_wait(&p, sim::kNever));
  f.spawn(wq_wake_all_after_idle(&p));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(p.woke.size(), 3u);
  EXPECT_EQ(p.timed_out, (std::vector<bool>{false, false, false}));
  EXPECT_TRUE(p.wq.empty());
}

}  // namespace
