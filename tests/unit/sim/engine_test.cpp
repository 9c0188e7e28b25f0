// Engine semantics: thread ids, choice points, spinlocks, programming errors,
// exceptions, wake(), threads created during a run, limits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/sim_fixture.h"

namespace {

using namespace simtest;
using ::testing::HasSubstr;

// Checks every choice point it is asked about, then takes the default.
class CheckingScheduler final : public sim::Scheduler {
 public:
  Tid choose(const sim::ChoiceContext& ctx) override {
    ++calls;
    EXPECT_GE(ctx.enabled.size(), 2u);
    for (std::size_t i = 1; i < ctx.enabled.size(); ++i) EXPECT_LT(ctx.enabled[i - 1], ctx.enabled[i]);
    for (Tid t : ctx.enabled) EXPECT_TRUE(ctx.engine->enabled(t));
    EXPECT_EQ(ctx.choice, calls - 1);
    EXPECT_EQ(ctx.step, ctx.engine->steps());
    return sim::default_choice(ctx);
  }
  void begin_run() override { spawned.clear(); }
  void on_spawn(Tid t) override { spawned.push_back(t); }
  unsigned calls = 0;
  std::vector<Tid> spawned;
};

TEST(SimEngine, SpawnOrderGivesThreadIds) {
  SimFixture f;
  Engine& e = f.engine();
  std::vector<Tid> log;
  int u = 0;
  EXPECT_EQ(e.spawn(points(2, &log)), 0u);
  EXPECT_EQ(e.spawn(points(2, &log), &u), 1u);
  EXPECT_EQ(e.spawn(points(2, &log)), 2u);
  EXPECT_EQ(e.thread_count(), 3u);
  EXPECT_EQ(e.user(1), &u);
  EXPECT_EQ(e.user(0), nullptr);
  EXPECT_EQ(e.pending(2).kind, Acc::Spawn);

  const std::vector<sim::StepRec>& steps = f.record().steps();
  const sim::RunResult r = f.run_default();  // empty schedule: the default policy throughout
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(r.steps, 9u);
  // Non-preemptive default: each thread runs to its end, lowest id first.
  EXPECT_EQ(log, (std::vector<Tid>{0, 0, 1, 1, 2, 2}));
  ASSERT_EQ(steps.size(), 9u);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].tid, i / 3);
    EXPECT_EQ(steps[i].acc.kind, i % 3 == 0 ? Acc::Spawn : Acc::Local);
  }
  EXPECT_EQ(r.significant, 0u);
  EXPECT_EQ(r.preemptions, 0u);
  for (Tid t = 0; t < 3; ++t) EXPECT_TRUE(e.finished(t));
}

sim::Co<void> sleeper(std::vector<Tid>* log, std::uint64_t ticks, int after) {
  co_await sim::sleep_for(ticks, ObjId{9}, "nap");
  for (int i = 0; i < after; ++i) co_await sim::point(ObjId{}, Acc::Local, "after_nap");
  log->push_back(Engine::current().current_tid());
}

TEST(SimEngine, ChoiceOnlyWhenTwoThreadsAreEnabled) {
  SimFixture f;
  std::vector<Tid> log;
  f.spawn(sleeper(&log, 10, 2));  // 1 step to fall asleep, 3 after waking
  f.spawn(points(5, &log));       // 6 steps
  const std::vector<sim::StepRec>& steps = f.record().steps();
  CheckingScheduler s;
  const sim::RunResult r = f.run(s);
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(r.steps, 10u);
  EXPECT_EQ(r.time, 10u);
  // Only the very first step has two candidates: afterwards thread 0 sleeps
  // while thread 1 runs alone, then thread 0 runs alone.
  EXPECT_EQ(s.calls, 1u);
  EXPECT_EQ(r.choices, (std::vector<Tid>{0}));
  std::size_t chosen = 0;
  for (const auto& st : steps) chosen += st.choice != ~0u;
  EXPECT_EQ(chosen, 1u);
  EXPECT_EQ(steps[0].choice, 0u);
  EXPECT_EQ(s.spawned, (std::vector<Tid>{0, 1}));
}

TEST(SimEngine, ChoicePointsMatchStepsWithSeveralEnabled) {
  // With random choices, the steps tagged with a choice index are exactly the
  // choices in the result, and the chosen thread is the one that ran.
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    SimFixture f;
    std::vector<Tid> log;
    f.spawn(sleeper(&log, 3, 2));
    f.spawn(points(4, &log));
    f.spawn(sleeper(&log, 1, 1));
    const std::vector<sim::StepRec>& steps = f.record().steps();
    const sim::RunResult r = f.run_seed(seed);
    ASSERT_EQ(r.end, RunEnd::Finished);
    std::uint32_t next = 0;
    for (const auto& st : steps) {
      if (st.choice == ~0u) continue;
      EXPECT_EQ(st.choice, next);
      ASSERT_LT(next, r.choices.size());
      EXPECT_EQ(st.tid, r.choices[next]);
      ++next;
    }
    EXPECT_EQ(next, r.choices.size());
  }
}

struct LockProg {
  sim::SpinLock lock{ObjId{7}};
  std::vector<Tid> log;
};

sim::Co<void> hold_lock(LockProg* p, int inside) {
  co_await p->lock.lock("hold_lock");
  for (int i = 0; i < inside; ++i) co_await sim::point(ObjId{8}, Acc::Write, "inside");
  p->lock.unlock();
  p->log.push_back(Engine::current().current_tid());
}

// At every choice point: a thread whose next access is an acquire of a held
// lock is not enabled.
class LockWatcher final : public sim::Scheduler {
 public:
  explicit LockWatcher(const sim::SpinLock* l, std::uint64_t seed) : lock(l), rng(seed) {}
  Tid choose(const sim::ChoiceContext& ctx) override {
    const Engine& e = *ctx.engine;
    for (Tid t = 0; t < e.thread_count(); ++t) {
      const bool wants = !e.finished(t) && e.pending(t).kind == Acc::Lock;
      if (wants && lock->held()) {
        ++refused;
        EXPECT_FALSE(e.enabled(t));
        EXPECT_FALSE(ctx.is_enabled(t));
      }
    }
    return ctx.enabled[rng.below(ctx.enabled.size())];
  }
  const sim::SpinLock* lock;
  sim::Rng rng;
  unsigned refused = 0;
};

TEST(SimEngine, LockAcquireIsDisabledWhileHeld) {
  unsigned refused = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    SimFixture f;
    LockProg p;
    std::vector<Tid> log;
    f.spawn(hold_lock(&p, 3));
    f.spawn(hold_lock(&p, 1));
    f.spawn(points(6, &log));
    LockWatcher s(&p.lock, seed);
    ASSERT_EQ(f.run(s).end, RunEnd::Finished);
    EXPECT_EQ(p.log.size(), 2u);
    EXPECT_FALSE(p.lock.held());
    refused += s.refused;
  }
  EXPECT_GT(refused, 0u) << "no schedule ever had a waiter on the held lock";
}

TEST(SimEngine, ChoosingAThreadSpinningOnAHeldLockDiverges) {
  SimFixture f;
  Engine& e = f.engine();
  LockProg p;
  std::vector<Tid> log;
  f.spawn(hold_lock(&p, 3));
  f.spawn(hold_lock(&p, 1));
  f.spawn(points(6, &log));
  // a: spawn step; a: acquire; b: runs to its acquire; then b again is refused.
  const sim::RunResult r = f.run_schedule("aabb");
  EXPECT_EQ(r.end, RunEnd::Diverged);
  EXPECT_EQ(r.diverged_tid, 1u);
  EXPECT_EQ(r.steps, 3u);
  EXPECT_EQ(r.choices, (std::vector<Tid>{0, 0, 1}));
  EXPECT_EQ(p.lock.holder(), 0u);
  EXPECT_EQ(e.locks_held(0), 1u);
  EXPECT_FALSE(e.enabled(1));
  EXPECT_TRUE(e.enabled(0));
}

// ---- programming errors --------------------------------------------------------

sim::Co<void> block_holding(sim::SpinLock* l) {
  co_await l->lock("block_holding");
  co_await sim::block(ObjId{3}, "block_with_lock");
  l->unlock();
}
sim::Co<void> idle_holding(sim::SpinLock* l) {
  co_await l->lock("idle_holding");
  co_await sim::wait_idle("idle_with_lock");
  l->unlock();
}
sim::Co<void> unlock_unheld(sim::SpinLock* l) {
  co_await sim::point(ObjId{}, Acc::Local, "before");
  l->unlock();
}
sim::Co<void> finish_holding(sim::SpinLock* l) { co_await l->lock("finish_holding"); }

template <class F>
std::string engine_error_of(F make) {
  SimFixture f;
  sim::SpinLock l{ObjId{1}};
  make(f.engine(), l);
  try {
    f.run_default();
  } catch (const sim::EngineError& err) {
    EXPECT_FALSE(Engine::in_run());
    return err.what();
  }
  return "no EngineError";
}

TEST(SimEngine, BlockingWithSpinlockHeldIsAnEngineError) {
  EXPECT_THAT(engine_error_of([](Engine& e, sim::SpinLock& l) { e.spawn(block_holding(&l)); }),
              HasSubstr("blocks (block_with_lock) with a spinlock held"));
  EXPECT_THAT(engine_error_of([](Engine& e, sim::SpinLock& l) { e.spawn(idle_holding(&l)); }),
              HasSubstr("waits (idle_with_lock) with a spinlock held"));
}

TEST(SimEngine, UnlockingALockNotHeldIsAnEngineError) {
  EXPECT_THAT(engine_error_of([](Engine& e, sim::SpinLock& l) { e.spawn(unlock_unheld(&l)); }),
              HasSubstr("does not hold"));
}

sim::Co<void> hold_forever(sim::SpinLock* l) {
  co_await l->lock("hold_forever");
  for (;;) co_await sim::point(ObjId{}, Acc::Local, "spin");
}

TEST(SimEngine, UnlockingALockAnotherThreadHoldsIsAnEngineError) {
  SimFixture f;
  sim::SpinLock l{ObjId{1}};
  f.spawn(hold_forever(&l));
  f.spawn(unlock_unheld(&l));
  EXPECT_THROW(f.run_schedule("aab"), sim::EngineError);  // a takes the lock, then b unlocks it
  EXPECT_EQ(l.holder(), 0u);
}

TEST(SimEngine, FinishingWithALockHeldIsAnEngineError) {
  EXPECT_THAT(engine_error_of([](Engine& e, sim::SpinLock& l) { e.spawn(finish_holding(&l)); }),
              HasSubstr("finished with a spinlock held"));
}

// ---- exceptions ------------------------------------------------------------------

sim::Co<int> inner_throw(int depth) {
  co_await sim::point(ObjId{}, Acc::Local, "inner");
  if (depth == 0) throw std::runtime_error("boom from the model");
  co_return co_await inner_throw(depth - 1) + 1;
}
sim::Co<void> outer(int* reached) {
  co_await sim::point(ObjId{}, Acc::Local, "outer");
  *reached = co_await inner_throw(3);
}
sim::Co<void> throw_holding(sim::SpinLock* l) {
  co_await l->lock("throw_holding");
  throw std::runtime_error("boom inside a critical section");
}

TEST(SimEngine, ExceptionsInsideAThreadPropagateOutOfRun) {
  SimFixture f;
  Engine& e = f.engine();
  int reached = -1;
  std::vector<Tid> log;
  f.spawn(points(3, &log));
  f.spawn(outer(&reached));
  sim::RandomScheduler s(1);
  try {
    f.run(s);
    FAIL() << "run() returned";
  } catch (const std::runtime_error& err) {
    EXPECT_STREQ(err.what(), "boom from the model");
  }
  EXPECT_EQ(reached, -1);
  EXPECT_FALSE(Engine::in_run());
  // The engine can be reset and used again.
  e.reset();
  log.clear();
  f.spawn(points(2, &log));
  EXPECT_EQ(f.run(s).end, RunEnd::Finished);
  EXPECT_EQ(log.size(), 2u);
}

TEST(SimEngine, ExceptionWithALockHeldIsNotMaskedByTheLockCheck) {
  SimFixture f;
  sim::SpinLock l{ObjId{1}};
  f.spawn(throw_holding(&l));
  EXPECT_THROW(
      {
        try {
          f.run_default();
        } catch (const std::runtime_error& err) {
          EXPECT_STREQ(err.what(), "boom inside a critical section");
          throw;
        }
      },
      std::runtime_error);
}

// ---- wake() ----------------------------------------------------------------------

sim::Co<void> wake_then_points(std::vector<Tid>* log, Tid target, int n) {
  co_await sim::point(ObjId{}, Acc::Local, "before_wake");
  Engine::current().wake(target);
  Engine::current().wake(target);
  for (int i = 0; i < n; ++i) {
    co_await sim::point(ObjId{}, Acc::Local, "after_wake");
    log->push_back(Engine::current().current_tid());
  }
}
sim::Co<void> idle_then_log(std::vector<Tid>* log) {
  co_await sim::wait_idle("idle");
  log->push_back(Engine::current().current_tid());
}

TEST(SimEngine, WakeOnAnIdleThreadDoesNotReleaseIt) {
  SimFixture f;
  std::vector<Tid> log;
  f.spawn(idle_then_log(&log));
  f.spawn(wake_then_points(&log, 0, 4));
  const sim::RunResult r = f.run_default();  // thread 0 goes idle first, then 1 wakes it and runs on
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(log, (std::vector<Tid>{1, 1, 1, 1, 0}));
  EXPECT_TRUE(r.choices.size() == 1);  // only the first step: thread 0 never competes
}

TEST(SimEngine, WakeOnAFinishedOrReadyThreadIsANoOp) {
  SimFixture f;
  std::vector<Tid> log;
  f.spawn(points(1, &log));               // finishes first
  f.spawn(wake_then_points(&log, 0, 2));  // wakes the finished thread 0 (twice)
  f.spawn(wake_then_points(&log, 3, 1));  // wakes thread 3 while it is ready
  f.spawn(points(2, &log));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(r.steps, 2u + 4u + 3u + 3u);
  EXPECT_EQ(log, (std::vector<Tid>{0, 1, 1, 2, 3, 3}));
}

sim::Co<void> sleep_twice(std::vector<std::uint64_t>* times) {
  const bool t1 = co_await sim::sleep_for(100, ObjId{5}, "long_sleep");
  times->push_back(t1);
  times->push_back(Engine::current().now());
  const bool t2 = co_await sim::sleep_for(5, ObjId{5}, "short_sleep");
  times->push_back(t2);
  times->push_back(Engine::current().now());
}

TEST(SimEngine, DoubleWakeOfASleeperCancelsItsTimerOnce) {
  SimFixture f;
  std::vector<std::uint64_t> times;
  std::vector<Tid> log;
  f.spawn(sleep_twice(&times));
  f.spawn(wake_then_points(&log, 0, 1));
  const sim::RunResult r = f.run_default();
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(times, (std::vector<std::uint64_t>{0, 0, 1, 5}));
  EXPECT_EQ(r.time, 5u);
}

// ---- threads created during a run ------------------------------------------------

struct SpawnLog {
  std::vector<std::pair<Tid, Tid>> created;  // (creator, new id), in creation order
  std::vector<Tid> ran;
};
sim::Co<void> child(SpawnLog* l) {
  co_await sim::point(ObjId{}, Acc::Local, "child");
  l->ran.push_back(Engine::current().current_tid());
}
sim::Co<void> parent(SpawnLog* l, int kids) {
  for (int i = 0; i < kids; ++i) {
    co_await sim::point(ObjId{}, Acc::Local, "fork");
    Engine& e = Engine::current();
    const Tid id = e.spawn(child(l));
    l->created.emplace_back(e.current_tid(), id);
  }
}

TEST(SimEngine, ThreadsSpawnedDuringARunGetIdsInCreationOrderAndRun) {
  {
    SimFixture f;
    SpawnLog l;
    f.spawn(parent(&l, 2));
    CheckingScheduler s;
    EXPECT_EQ(f.run(s).end, RunEnd::Finished);
    EXPECT_EQ(l.created, (std::vector<std::pair<Tid, Tid>>{{0, 1}, {0, 2}}));
    EXPECT_EQ(s.spawned, (std::vector<Tid>{0, 1, 2}));  // on_spawn for the new threads too
    EXPECT_EQ(l.ran.size(), 2u);
  }
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    SimFixture f;
    SpawnLog l;
    f.spawn(parent(&l, 2));
    f.spawn(parent(&l, 2));
    EXPECT_EQ(f.run_seed(seed).end, RunEnd::Finished);
    ASSERT_EQ(l.created.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(l.created[i].second, 2 + i);
    std::vector<Tid> ran = l.ran;
    std::sort(ran.begin(), ran.end());
    EXPECT_EQ(ran, (std::vector<Tid>{2, 3, 4, 5}));
    EXPECT_EQ(f.engine().thread_count(), 6u);
  }
}

TEST(SimEngine, ThreadLimitIsEnforced) {
  SimFixture f(sim::Limits{.max_steps = 100, .max_threads = 2});
  std::vector<Tid> log;
  f.spawn(points(1, &log));
  EXPECT_TRUE(f.engine().can_spawn());
  f.spawn(points(1, &log));
  EXPECT_FALSE(f.engine().can_spawn());
  EXPECT_THROW(f.spawn(points(1, &log)), sim::EngineError);
}

// ---- limits ----------------------------------------------------------------------

sim::Co<void> forever(const std::atomic<bool>* unused, std::atomic<bool>* raise_at_10) {
  for (int i = 0;; ++i) {
    co_await sim::point(ObjId{}, Acc::Local, "forever");
    if (raise_at_10 && i == 10) raise_at_10->store(true);
  }
}

TEST(SimEngine, MaxStepsEndsAnEndlessRun) {
  SimFixture f(sim::Limits{.max_steps = 1000});
  f.spawn(forever(nullptr, nullptr));
  f.spawn(forever(nullptr, nullptr));
  const sim::RunResult r = f.run_seed(7);
  EXPECT_EQ(r.end, RunEnd::StepLimit);
  EXPECT_EQ(r.steps, 1000u);
  EXPECT_TRUE(r.blocked.empty());
}

TEST(SimEngine, MaxStepsEndsAnEndlessSoloRun) {
  // One thread alone runs without returning to the run loop between steps;
  // the limit must still hold exactly.
  for (std::uint64_t limit : {1u, 2u, 255u, 256u, 257u, 1000u}) {
    SimFixture f(sim::Limits{.max_steps = limit});
    f.hashing().spawn(forever(nullptr, nullptr));
    const sim::RunResult r = f.run_seed(7);
    EXPECT_EQ(r.end, RunEnd::StepLimit);
    EXPECT_EQ(r.steps, limit);
    EXPECT_TRUE(r.choices.empty());
  }
}

// Sees every step (like PCT); checks they are numbered 1, 2, 3... and that
// each is announced for the thread that then runs it.
class StepCounter final : public sim::Scheduler {
 public:
  bool wants_steps() const override { return true; }
  void on_step(Tid t, std::uint64_t step) override {
    EXPECT_EQ(step, seen.size() + 1);
    seen.push_back(t);
  }
  Tid choose(const sim::ChoiceContext& ctx) override { return ctx.enabled.back(); }
  std::vector<Tid> seen;
};

TEST(SimEngine, OnStepSeesEveryStepEvenWhenAThreadRunsAlone) {
  SimFixture f;
  std::vector<Tid> log;
  f.spawn(sleeper(&log, 5, 6));  // alone for its last 7 steps
  f.spawn(points(4, &log));
  StepCounter s;
  const sim::RunResult r = f.run(s);
  EXPECT_EQ(r.end, RunEnd::Finished);
  EXPECT_EQ(s.seen.size(), r.steps);
  EXPECT_EQ(r.steps, 1u + 7u + 5u);
  EXPECT_EQ(s.seen, (std::vector<Tid>{1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(SimEngine, StopFlagInterrupts) {
  std::atomic<bool> stop{false};
  {
    SimFixture f;
    f.engine().set_stop_flag(&stop);
    f.spawn(forever(nullptr, &stop));
    const sim::RunResult r = f.run_default();
    EXPECT_EQ(r.end, RunEnd::Interrupted);
    EXPECT_EQ(r.steps, 256u);  // the flag is looked at every 256 steps
  }
  {
    SimFixture f;
    f.engine().set_stop_flag(&stop);  // already raised
    f.spawn(forever(nullptr, nullptr));
    const sim::RunResult r = f.run_default();
    EXPECT_EQ(r.end, RunEnd::Interrupted);
    EXPECT_EQ(r.steps, 0u);
  }
}

}  // namespace

// ---- exit_thread() ---------------------------------------------------------------

namespace {

struct Frames {
  int alive = 0;
  int after_exit = 0;
};
struct FrameGuard {
  Frames* f;
  explicit FrameGuard(Frames* fr) : f(fr) { ++f->alive; }
  ~FrameGuard() { --f->alive; }
};

sim::Co<int> exit_deep(Frames* f, int depth) {
  FrameGuard g(f);
  co_await sim::point(ObjId{}, Acc::Local, "deep");
  if (depth == 0) {
    co_await sim::exit_thread();
    ++f->after_exit;
    co_return 0;
  }
  const int v = co_await exit_deep(f, depth - 1);
  ++f->after_exit;
  co_return v + 1;
}
sim::Co<void> exit_root(Frames* f) { (void)co_await exit_deep(f, 3); }

sim::Co<void> exit_holding(sim::SpinLock* l) {
  co_await l->lock("exit_holding");
  co_await sim::exit_thread();
}

TEST(SimEngine, ExitThreadEndsTheThreadFromANestedCall) {
  Frames f;
  {
    SimFixture sf;
    std::vector<Tid> log;
    sf.spawn(exit_root(&f));
    sf.spawn(points(3, &log));
    const sim::RunResult r = sf.run_seed(3);
    EXPECT_EQ(r.end, RunEnd::Finished);
    EXPECT_TRUE(r.blocked.empty());
    EXPECT_TRUE(sf.engine().finished(0));
    EXPECT_EQ(r.steps, 5u + 4u);
    EXPECT_EQ(f.after_exit, 0);  // nothing after the exit ran
    EXPECT_EQ(f.alive, 4);       // the frames stay until reset()
    sf.engine().reset();
    EXPECT_EQ(f.alive, 0);
  }
  SimFixture sf;
  sim::SpinLock l{ObjId{1}};
  sf.spawn(exit_holding(&l));
  EXPECT_THROW(sf.run_default(), sim::EngineError);
}

}  // namespace
