// Deadlock detection: nothing runnable, no timer, unfinished threads.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "../../support/sim_enumerate.h"
#include "sim/engine.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"

namespace {

using sim::Acc;
using sim::Engine;
using sim::ObjId;
using sim::RunEnd;
using sim::Tid;

sim::Co<void> wait_forever(ObjId obj, const char* reason) {
  co_await sim::point(ObjId{}, Acc::Local, "before_wait");
  co_await sim::block(obj, reason);
}

sim::Co<void> few_points(int n) {
  for (int i = 0; i < n; ++i) co_await sim::point(ObjId{}, Acc::Local, "p");
}

TEST(SimDeadlock, BlockedThreadIsReportedWithItsReason) {
  Engine e;
  e.spawn(few_points(3));
  e.spawn(wait_forever(ObjId{42}, "wait_for_godot"));
  e.spawn(few_points(2));
  sim::ReplayScheduler s;
  const sim::RunResult r = e.run(s);
  EXPECT_EQ(r.end, RunEnd::Blocked);
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_EQ(r.blocked[0].tid, 1u);
  EXPECT_STREQ(r.blocked[0].reason, "wait_for_godot");
  EXPECT_EQ(r.blocked[0].obj, ObjId{42});
  EXPECT_FALSE(r.blocked[0].spinning);
  EXPECT_TRUE(e.blocked(1));
  EXPECT_STREQ(e.wait_reason(1), "wait_for_godot");
  EXPECT_EQ(r.steps, 4u + 2u + 3u);
}

struct Locks {
  sim::SpinLock a{ObjId{10}};
  sim::SpinLock b{ObjId{11}};
};

sim::Co<void> take_both(sim::SpinLock* first, sim::SpinLock* second, const char* where2) {
  co_await first->lock("take_first");
  co_await sim::point(ObjId{}, Acc::Local, "between");
  co_await second->lock(where2);
  second->unlock();
  first->unlock();
}

TEST(SimDeadlock, AbbaDeadlockReportsBothThreadsSpinning) {
  Engine e;
  Locks l;
  e.spawn(take_both(&l.a, &l.b, "want_b"));
  e.spawn(take_both(&l.b, &l.a, "want_a"));
  e.spawn(wait_forever(ObjId{5}, "sleeping_bystander"));
  // a, b start; a takes A; b takes B; both move on to the second lock.
  sim::ReplayScheduler s(*sim::decode_schedule("abab"));
  const sim::RunResult r = e.run(s);
  EXPECT_EQ(r.end, RunEnd::Blocked);
  ASSERT_EQ(r.blocked.size(), 3u);
  EXPECT_EQ(r.blocked[0].tid, 0u);
  EXPECT_TRUE(r.blocked[0].spinning);
  EXPECT_STREQ(r.blocked[0].reason, "want_b");
  EXPECT_EQ(r.blocked[0].obj, ObjId{11});
  EXPECT_EQ(r.blocked[1].tid, 1u);
  EXPECT_TRUE(r.blocked[1].spinning);
  EXPECT_STREQ(r.blocked[1].reason, "want_a");
  EXPECT_EQ(r.blocked[1].obj, ObjId{10});
  EXPECT_EQ(r.blocked[2].tid, 2u);
  EXPECT_FALSE(r.blocked[2].spinning);
  EXPECT_STREQ(r.blocked[2].reason, "sleeping_bystander");
  EXPECT_EQ(l.a.holder(), 0u);
  EXPECT_EQ(l.b.holder(), 1u);
}

TEST(SimDeadlock, EveryAbbaScheduleEitherFinishesOrReportsTheCycle) {
  Engine e;
  std::unique_ptr<Locks> l;
  std::size_t deadlocks = 0, finished = 0;
  auto setup = [&](Engine& en) {
    l = std::make_unique<Locks>();  // deadlocked runs leave the old ones held
    en.spawn(take_both(&l->a, &l->b, "want_b"));
    en.spawn(take_both(&l->b, &l->a, "want_a"));
  };
  auto visit = [&](const sim::RunResult& r, auto) {
    if (r.end == RunEnd::Finished) {
      ++finished;
      EXPECT_TRUE(r.blocked.empty());
      return;
    }
    ASSERT_EQ(r.end, RunEnd::Blocked);
    ++deadlocks;
    ASSERT_EQ(r.blocked.size(), 2u);
    for (const auto& b : r.blocked) EXPECT_TRUE(b.spinning);
    EXPECT_STREQ(r.blocked[0].reason, "want_b");
    EXPECT_STREQ(r.blocked[1].reason, "want_a");
  };
  const auto stats = simtest::enumerate_schedules(e, setup, visit);
  EXPECT_FALSE(stats.truncated);
  EXPECT_GT(deadlocks, 0u);
  EXPECT_GT(finished, 0u);
  EXPECT_EQ(deadlocks + finished, stats.runs);
}

sim::Co<void> self_deadlock(sim::SpinLock* l) {
  co_await l->lock("first");
  co_await l->lock("recursive");
  l->unlock();
  l->unlock();
}

TEST(SimDeadlock, RecursiveAcquireSpinsForever) {
  Engine e;
  sim::SpinLock l{ObjId{3}};
  e.spawn(self_deadlock(&l));
  sim::ReplayScheduler s;
  const sim::RunResult r = e.run(s);
  EXPECT_EQ(r.end, RunEnd::Blocked);
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_TRUE(r.blocked[0].spinning);
  EXPECT_STREQ(r.blocked[0].reason, "recursive");
  EXPECT_EQ(r.blocked[0].obj, ObjId{3});
}

TEST(SimDeadlock, DaemonThreadsDoNotCount) {
  {
    Engine e;
    e.spawn(few_points(2));
    e.spawn(wait_forever(ObjId{1}, "daemon_wait"), nullptr, /*daemon=*/true);
    sim::ReplayScheduler s;
    const sim::RunResult r = e.run(s);
    EXPECT_EQ(r.end, RunEnd::Finished);
    EXPECT_TRUE(r.blocked.empty());
    EXPECT_TRUE(e.blocked(1));
  }
  {
    Engine e;
    e.spawn(wait_forever(ObjId{1}, "daemon_wait"), nullptr, true);
    e.spawn(wait_forever(ObjId{2}, "user_wait"));
    sim::ReplayScheduler s;
    const sim::RunResult r = e.run(s);
    EXPECT_EQ(r.end, RunEnd::Blocked);
    ASSERT_EQ(r.blocked.size(), 1u);
    EXPECT_EQ(r.blocked[0].tid, 1u);
    EXPECT_STREQ(r.blocked[0].reason, "user_wait");
  }
}

sim::Co<void> timed_wait(std::uint64_t deadline, bool* timed_out) {
  *timed_out = co_await sim::block(ObjId{1}, "timed_wait", deadline);
}
sim::Co<void> nap_then_wait_forever() {
  co_await sim::sleep_for(10, ObjId{1}, "nap");
  co_await sim::block(ObjId{2}, "forever");
}

TEST(SimDeadlock, APendingTimerIsNotADeadlock) {
  Engine e;
  bool timed_out = false;
  e.spawn(timed_wait(1000, &timed_out));
  sim::ReplayScheduler s;
  const sim::RunResult r = e.run(s);
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(r.time, 1000u);
  EXPECT_TRUE(timed_out);
}

TEST(SimDeadlock, BlockedAfterTimeHasAdvanced) {
  Engine e;
  e.spawn(nap_then_wait_forever());
  sim::ReplayScheduler s;
  const sim::RunResult r = e.run(s);
  EXPECT_EQ(r.end, RunEnd::Blocked);
  EXPECT_EQ(r.time, 10u);
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_STREQ(r.blocked[0].reason, "forever");
}

}  // namespace
