// Deadlock detection: nothing runnable, no timer, unfinished threads.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "support/sim_enumerate.h"
#include "support/sim_fixture.h"

namespace {

using namespace simtest;

sim::Co<void> wait_forever(ObjId obj, const char* reason) {
  co_await sim::point(ObjId{}, Acc::Local, "before_wait");
  co_await sim::block(obj, reason);
}

TEST(SimDeadlock, BlockedThreadIsReportedWithItsReason) {
  SimFixture f;
  f.spawn(points(3));
  f.spawn(wait_forever(ObjId{42}, "wait_for_godot"));
  f.spawn(points(2));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Blocked);
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_EQ(r.blocked[0].tid, 1u);
  EXPECT_STREQ(r.blocked[0].reason, "wait_for_godot");
  EXPECT_EQ(r.blocked[0].obj, ObjId{42});
  EXPECT_FALSE(r.blocked[0].spinning);
  EXPECT_TRUE(f.engine().blocked(1));
  EXPECT_STREQ(f.engine().wait_reason(1), "wait_for_godot");
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
  SimFixture f;
  Locks l;
  f.spawn(take_both(&l.a, &l.b, "want_b"));
  f.spawn(take_both(&l.b, &l.a, "want_a"));
  f.spawn(wait_forever(ObjId{5}, "sleeping_bystander"));
  // a, b start; a takes A; b takes B; both move on to the second lock.
  const sim::RunResult r = f.run_schedule("abab");
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
  SimFixture f;
  sim::SpinLock l{ObjId{3}};
  f.spawn(self_deadlock(&l));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Blocked);
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_TRUE(r.blocked[0].spinning);
  EXPECT_STREQ(r.blocked[0].reason, "recursive");
  EXPECT_EQ(r.blocked[0].obj, ObjId{3});
}

TEST(SimDeadlock, DaemonThreadsDoNotCount) {
  {
    SimFixture f;
    f.spawn(points(2));
    f.spawn(wait_forever(ObjId{1}, "daemon_wait"), /*daemon=*/true);
    const sim::RunResult r = f.run_default();
    EXPECT_EQ(r.end, RunEnd::Finished);
    EXPECT_TRUE(r.blocked.empty());
    EXPECT_TRUE(f.engine().blocked(1));
  }
  {
    SimFixture f;
    f.spawn(wait_forever(ObjId{1}, "daemon_wait"), true);
    f.spawn(wait_forever(ObjId{2}, "user_wait"));
    const sim::RunResult r = f.run_default();
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
  SimFixture f;
  bool timed_out = false;
  f.spawn(timed_wait(1000, &timed_out));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(r.time, 1000u);
  EXPECT_TRUE(timed_out);
}

TEST(SimDeadlock, BlockedAfterTimeHasAdvanced) {
  SimFixture f;
  f.spawn(nap_then_wait_forever());
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Blocked);
  EXPECT_EQ(r.time, 10u);
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_STREQ(r.blocked[0].reason, "forever");
}

}  // namespace
