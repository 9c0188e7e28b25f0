// Lock checking in the kernel model (issue 12 item 4): the lock classes of
// the kernel's spinlocks, lockdep_assert_held() (lock-not-held), callbacks
// and sleeps with a spinlock held (sleep-in-atomic), and the two bug
// switches that break them on purpose.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "model/checks/utrace_checks.h"
#include "model/linux/kernel.h"
#include "model/versions.h"
#include "sim/sched/replay.h"
#include "support/scenario_run.h"

namespace {

using model::Property;
using ::testing::HasSubstr;

std::string file_text(const std::string& rel) {
  std::ifstream in(std::string(UTSIM_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool has(const model::RunOutput& out, Property p) {
  for (const model::Violation& v : out.violations)
    if (v.property == p) return true;
  return false;
}

TEST(LockChecks, TheKernelsLocksHaveLockdepsClassNames) {
  const model::LockClasses& c = model::lock_classes();
  EXPECT_EQ(sim::lock_class_name(c.tasklist_lock), "tasklist_lock");
  EXPECT_EQ(sim::lock_class_name(c.siglock), "&sighand->siglock");
  EXPECT_EQ(sim::lock_class_name(c.utrace_lock), "&utrace->lock");
}

TEST(LockChecks, LockdepAssertHeldFlagsACallerWithoutTheLock) {
  sim::Engine eng;
  model::Kernel k(model::KernelVersion::V2010Rhel6, {}, eng, model::RunConfig{});
  model::Task task;
  task.pid = 7;
  eng.spawn(
      [](model::Kernel* k) -> sim::Co<void> {
        k->lockdep_assert_held(k->tasklist_lock, "without_it");
        co_await k->tasklist_lock.lock("with_it");
        k->lockdep_assert_held(k->tasklist_lock, "with_it");
        k->tasklist_lock.unlock();
      }(&k),
      &task);
  sim::ReplayScheduler s;
  eng.run(s);
  ASSERT_EQ(k.violations().size(), 1u);
  EXPECT_EQ(k.violations()[0].property, Property::LockNotHeld);
  EXPECT_THAT(k.violations()[0].message,
              HasSubstr("lockdep_assert_held(tasklist_lock) failed in without_it at step 1"));
  EXPECT_THAT(k.violations()[0].message, HasSubstr("nobody holds it"));
}

TEST(LockChecks, ASleepWithASpinlockHeldIsSleepInAtomicAndTheTaskSleepsOn) {
  sim::Engine eng;
  model::Kernel k(model::KernelVersion::V2010Rhel6, {}, eng, model::RunConfig{});
  model::ut::Checks checks(k);
  eng.set_lock_observer(&checks);
  model::Task task;
  task.pid = 7;
  eng.spawn(
      [](model::Kernel* k) -> sim::Co<void> {
        co_await k->tasklist_lock.lock("holder");
        co_await sim::sleep_for(2, sim::ObjId{}, "msleep");
        k->tasklist_lock.unlock();
      }(&k),
      &task);
  sim::ReplayScheduler s;
  EXPECT_EQ(eng.run(s).end, sim::RunEnd::Finished);
  EXPECT_EQ(eng.now(), 2u);
  ASSERT_EQ(k.violations().size(), 1u);
  EXPECT_EQ(k.violations()[0].property, Property::SleepInAtomic);
  EXPECT_THAT(k.violations()[0].message,
              HasSubstr("BUG: sleeping function called from invalid context: pid-7 sleeps (msleep) at step 2 holding "
                        "tasklist_lock (taken in holder at step 2)"));
  eng.set_lock_observer(nullptr);
}

// A task whose engine takes the kernel's locks in the model's order: the
// run's class dependencies are the kernel's (utrace->lock, then siglock).
TEST(LockChecks, UtraceControlInterruptNestsSiglockInsideUtraceLock) {
  model::test::ScenarioRun run(file_text("scenarios/lockdep/lock-inversion.json"));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run.violations(), "");
}

TEST(LockChecks, ReapCallbacksUnderLockBreaksCallbackWithLockAndSleepInAtomic) {
  model::test::ScenarioRun fixed(file_text("scenarios/lockdep/reap-under-lock.json"));
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed.violations(), "");
  model::test::ScenarioRun bug(file_text("scenarios/lockdep/reap-under-lock-bug.json"));
  ASSERT_TRUE(bug.ok());
  EXPECT_TRUE(has(bug.out(), Property::CallbackWithLock)) << bug.violations();
  EXPECT_TRUE(has(bug.out(), Property::SleepInAtomic)) << bug.violations();
  EXPECT_THAT(bug.violations(), HasSubstr("&utrace->lock (taken in utrace_maybe_reap"));
  EXPECT_FALSE(has(bug.out(), Property::LockNotHeld)) << bug.violations();
}

TEST(LockChecks, NamedSwitchesFollowTheRacesInOneBugSet) {
  EXPECT_EQ(model::bug_from_name("reap-callbacks-under-lock"),
            model::switch_number(model::Switch::ReapCallbacksUnderLock));
  EXPECT_EQ(model::bug_from_name("lock-inversion"), model::switch_number(model::Switch::LockInversion));
  EXPECT_EQ(model::bug_name(model::switch_number(model::Switch::LockInversion)), "lock-inversion");
  EXPECT_EQ(model::bug_name(2), "R2");
  EXPECT_FALSE(model::bug_from_name("R18"));
  EXPECT_GT(model::switch_number(model::Switch::ReapCallbacksUnderLock), model::kMaxBug);
  const model::BugInfo* b = model::find_bug(model::switch_number(model::Switch::LockInversion));
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->switchable);
  EXPECT_STREQ(b->property, "lock-order");
  for (const char* p : {"lock-not-held", "sleep-in-atomic", "lock-order"})
    EXPECT_TRUE(model::property_from_name(p)) << p;
}

}  // namespace
