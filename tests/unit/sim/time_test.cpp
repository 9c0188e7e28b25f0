// Virtual time: it advances only when nothing is enabled; timers, wake-ups
// and wait_idle.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "support/sim_fixture.h"

namespace {

using namespace simtest;

struct Event {
  Tid tid;
  std::uint64_t time;
  int what;  // program-specific
  friend bool operator==(const Event&, const Event&) = default;
};
using Log = std::vector<Event>;

void log_now(Log* log, int what) {
  Engine& e = Engine::current();
  log->push_back({e.current_tid(), e.now(), what});
}

sim::Co<void> nap(Log* log, std::uint64_t ticks) {
  const bool timed_out = co_await sim::sleep_for(ticks, ObjId{4}, "nap");
  log_now(log, timed_out ? 1 : 0);
}

sim::Co<void> busy(Log* log, int n) {
  for (int i = 0; i < n; ++i) {
    co_await sim::point(ObjId{}, Acc::Local, "busy");
    log_now(log, 2);
  }
}

TEST(SimTime, AdvancesOnlyWhenNothingIsEnabledAndSleepEndsExactly) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    SimFixture f;
    Log log;
    f.spawn(nap(&log, 5));
    f.spawn(busy(&log, 20));
    const sim::RunResult r = f.run_seed(seed);
    ASSERT_EQ(r.end, RunEnd::Finished);
    EXPECT_EQ(r.time, 5u);
    ASSERT_EQ(log.size(), 21u);
    // Every busy step happens at time 0 (while thread 1 can run, time stands
    // still), and the sleeper wakes last, at exactly 0 + 5, timed out.
    for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(log[i], (Event{1, 0, 2}));
    EXPECT_EQ(log[20], (Event{0, 5, 1}));
  }
}

TEST(SimTime, SleepStartsFromTheCurrentTime) {
  SimFixture f;
  Log log;
  f.spawn(nap(&log, 7));
  f.run_default();
  // A second run on the same engine is not a fresh start: reset() first.
  f.engine().reset();
  log.clear();
  f.spawn(nap(&log, 3));
  f.spawn(nap(&log, 4));
  EXPECT_EQ(f.run_default().time, 4u);
  EXPECT_EQ(log, (Log{{0, 3, 1}, {1, 4, 1}}));
}

sim::Co<void> nap_then_nap(Log* log, std::uint64_t first, std::uint64_t second) {
  const bool t1 = co_await sim::sleep_for(first, ObjId{4}, "first_nap");
  log_now(log, t1);
  const bool t2 = co_await sim::sleep_for(second, ObjId{4}, "second_nap");
  log_now(log, t2);
}

sim::Co<void> waker(Log* log, Tid target, int points_before) {
  for (int i = 0; i < points_before; ++i) co_await sim::point(ObjId{}, Acc::Local, "waker");
  Engine::current().wake(target);
  log_now(log, 3);
}

TEST(SimTime, WakeEndsASleepEarlyAndCancelsItsTimer) {
  SimFixture f;
  Log log;
  f.spawn(nap_then_nap(&log, 100, 3));
  f.spawn(waker(&log, 0, 2));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Finished);
  // Woken at time 0, not timed out; the second nap ends at 3 -- the
  // cancelled 100-tick timer never fires (the run would end at 100).
  EXPECT_EQ(log, (Log{{1, 0, 3}, {0, 0, 0}, {0, 3, 1}}));
  EXPECT_EQ(r.time, 3u);
}

sim::Co<void> waker_after_sleep(Log* log, Tid target, std::uint64_t ticks) {
  co_await sim::sleep_for(ticks, ObjId{4}, "waker_nap");
  Engine::current().wake(target);
  log_now(log, 3);
}

TEST(SimTime, WakeFromAnotherTimerAtTime10) {
  SimFixture f;
  Log log;
  f.spawn(nap_then_nap(&log, 50, 50));
  f.spawn(waker_after_sleep(&log, 0, 10));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(log, (Log{{1, 10, 3}, {0, 10, 0}, {0, 60, 1}}));
  EXPECT_EQ(r.time, 60u);
}

TEST(SimTime, TimersFireInDeadlineOrder) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    SimFixture f;
    Log log;
    f.spawn(nap(&log, 30));
    f.spawn(nap(&log, 10));
    f.spawn(nap(&log, 20));
    f.spawn(nap(&log, 15));
    const sim::RunResult r = f.run_seed(seed);
    EXPECT_EQ(r.time, 30u);
    EXPECT_EQ(log, (Log{{1, 10, 1}, {3, 15, 1}, {2, 20, 1}, {0, 30, 1}}));
  }
}

sim::Co<void> nap_then_points(Log* log, std::uint64_t ticks, int n) {
  co_await sim::sleep_for(ticks, ObjId{4}, "nap");
  for (int i = 0; i < n; ++i) {
    co_await sim::point(ObjId{}, Acc::Local, "after_nap");
    log_now(log, 2);
  }
}

// Records (time, enabled set) at each choice point.
class TimeRecorder final : public sim::Scheduler {
 public:
  Tid choose(const sim::ChoiceContext& ctx) override {
    seen.emplace_back(ctx.engine->now(), std::vector<Tid>(ctx.enabled.begin(), ctx.enabled.end()));
    return pick_last ? ctx.enabled.back() : sim::default_choice(ctx);
  }
  bool pick_last = false;
  std::vector<std::pair<std::uint64_t, std::vector<Tid>>> seen;
};

TEST(SimTime, SameDeadlineThreadsBecomeRunnableTogether) {
  SimFixture f;
  Log log;
  f.spawn(nap_then_points(&log, 7, 2));
  f.spawn(nap_then_points(&log, 7, 2));
  f.spawn(nap_then_points(&log, 9, 1));
  TimeRecorder s;
  s.pick_last = true;
  const sim::RunResult r = f.run(s);
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(r.time, 9u);
  // Time 0: all three start (3, then 2 candidates); time 7: threads 0 and 1
  // wake together and compete; thread 2 stays asleep until 9.
  ASSERT_GE(s.seen.size(), 3u);
  EXPECT_EQ(s.seen[0], (std::pair<std::uint64_t, std::vector<Tid>>{0, {0, 1, 2}}));
  EXPECT_EQ(s.seen[1], (std::pair<std::uint64_t, std::vector<Tid>>{0, {0, 1}}));
  EXPECT_EQ(s.seen[2], (std::pair<std::uint64_t, std::vector<Tid>>{7, {0, 1}}));
  for (const auto& [t, en] : s.seen) {
    EXPECT_TRUE(t == 0 || t == 7) << t;  // thread 2 wakes at 9 alone: no choice
    if (t == 7) {
      EXPECT_EQ(en, (std::vector<Tid>{0, 1}));
    }
  }
  // Picking the highest id, thread 1 runs first at time 7.
  EXPECT_EQ(log.front(), (Event{1, 7, 2}));
  EXPECT_EQ(log.back(), (Event{2, 9, 2}));
}

sim::Co<void> idle_waiter(Log* log, const int* progress) {
  co_await sim::wait_idle("wait_idle");
  log_now(log, 100 + *progress);
}

sim::Co<void> worker_then_sleep(Log* log, int* progress, int n, std::uint64_t ticks) {
  for (int i = 0; i < n; ++i) {
    co_await sim::point(ObjId{}, Acc::Local, "work");
    ++*progress;
  }
  co_await sim::sleep_for(ticks, ObjId{4}, "worker_nap");
  log_now(log, 1);
}

TEST(SimTime, WaitIdleReleasesWhenNothingElseIsEnabledBeforeTimers) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    SimFixture f;
    Log log;
    int progress = 0;
    f.spawn(idle_waiter(&log, &progress));
    f.spawn(worker_then_sleep(&log, &progress, 10, 50));
    f.spawn(worker_then_sleep(&log, &progress, 5, 60));
    const sim::RunResult r = f.run_seed(seed);
    ASSERT_EQ(r.end, RunEnd::Finished);
    // The idle waiter ran after both workers had done all their work and
    // gone to sleep, and before the first timer (time 0, not 50).
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0], (Event{0, 0, 115}));
    EXPECT_EQ(log[1], (Event{1, 50, 1}));
    EXPECT_EQ(log[2], (Event{2, 60, 1}));
  }
}

sim::Co<void> spin_forever(sim::SpinLock* l) {
  co_await l->lock("self_deadlock");
  co_await l->lock("self_deadlock_again");
  l->unlock();
  l->unlock();
}

TEST(SimTime, WaitIdleCountsAThreadSpinningOnAnUnavailableLockAsNotEnabled) {
  SimFixture f;
  Log log;
  int progress = 0;
  sim::SpinLock l{ObjId{1}};
  f.spawn(idle_waiter(&log, &progress));
  f.spawn(spin_forever(&l));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(log, (Log{{0, 0, 100}}));
  EXPECT_EQ(r.end, RunEnd::Blocked);
}

sim::Co<void> idle_twice(Log* log) {
  co_await sim::wait_idle("first_idle");
  log_now(log, 1);
  co_await sim::wait_idle("second_idle");
  log_now(log, 2);
}

TEST(SimTime, SeveralIdleWaitersAreReleasedTogether) {
  SimFixture f;
  Log log;
  f.spawn(idle_twice(&log));
  f.spawn(idle_twice(&log));
  TimeRecorder s;
  const sim::RunResult r = f.run(s);
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(r.time, 0u);
  // Three choice points: the start, then each of the two times both have
  // gone idle they are released at once and compete.
  ASSERT_EQ(s.seen.size(), 3u);
  for (const auto& [t, en] : s.seen) EXPECT_EQ(en, (std::vector<Tid>{0, 1}));
  EXPECT_EQ(log.size(), 4u);
}

}  // namespace
