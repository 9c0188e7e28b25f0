// tests/unit/tools/kernel/blocked_test.cpp: utsim-kernel's decisions of when a
// task, and a whole run, can no longer go on (tools/kernel/blocked.h).
#include "tools/kernel/blocked.h"

#include <gtest/gtest.h>

#include <vector>

namespace ukern {
namespace {

TaskView in(char state, WaitsFor w, bool reached = false) { return TaskView{state, w, reached}; }

bool all(const std::vector<TaskView>& v) { return all_blocked_for_good(v.data(), v.size()); }

TEST(KernelBlocked, PauseAndWaitWithNobodyLeftAreBlockedForGood) {
  EXPECT_TRUE(all({in('S', WaitsFor::Signal), in('S', WaitsFor::Child)}));
}

TEST(KernelBlocked, GoneTasksDoNotCount) {
  EXPECT_TRUE(all({in('Z', WaitsFor::Nothing), in(0, WaitsFor::Nothing), in('S', WaitsFor::Signal)}));
  EXPECT_TRUE(all({}));
}

TEST(KernelBlocked, ARunningOrTimedSleepingTaskCanStillWakeTheOthers) {
  EXPECT_FALSE(all({in('S', WaitsFor::Signal), in('R', WaitsFor::Nothing)}));
  EXPECT_FALSE(all({in('S', WaitsFor::Child), in('S', WaitsFor::Nothing)}));  // nanosleep, settle
}

TEST(KernelBlocked, AWaitOpNotAsleepIsNotBlockedYet) {
  // pause() entered but the task still runs (R): a signal may be on its way.
  EXPECT_FALSE(all({in('R', WaitsFor::Signal)}));
  // A vfork parent sleeps uninterruptibly (D) until its child lets go.
  EXPECT_TRUE(all({in('D', WaitsFor::VforkChild), in('t', WaitsFor::Nothing)}));
}

TEST(KernelBlocked, StoppedTracedAndHeldTasksWaitOnOthers) {
  EXPECT_TRUE(all({in('T', WaitsFor::Nothing), in('t', WaitsFor::Nothing), in('S', WaitsFor::Held)}));
}

TEST(KernelBlocked, AnAwaitIsBlockedOnlyWhileItsStateIsNotThere) {
  EXPECT_TRUE(all({in('S', WaitsFor::State, false), in('S', WaitsFor::Signal)}));
  EXPECT_TRUE(all({in('R', WaitsFor::State, false)}));  // between two looks at /proc
  EXPECT_FALSE(all({in('S', WaitsFor::State, true), in('S', WaitsFor::Signal)}));
}

TEST(KernelSettled, APollingAwaitWhoseStateIsReachedIsNotSettled) {
  // The old settle took any 'S' task for blocked: an await asleep between
  // two polls, its state already there, let settle return before it did.
  EXPECT_FALSE(settled(in('S', WaitsFor::State, true)));
  EXPECT_FALSE(settled(in('R', WaitsFor::State, true)));
  EXPECT_TRUE(settled(in('S', WaitsFor::State, false)));
  EXPECT_TRUE(settled(in('R', WaitsFor::State, false)));
}

TEST(KernelSettled, SleepingStoppedZombieAndHeldTasksAreSettled) {
  EXPECT_TRUE(settled(in('S', WaitsFor::Nothing)));
  EXPECT_TRUE(settled(in('D', WaitsFor::VforkChild)));
  EXPECT_TRUE(settled(in('T', WaitsFor::Nothing)));
  EXPECT_TRUE(settled(in('t', WaitsFor::Nothing)));
  EXPECT_TRUE(settled(in('Z', WaitsFor::Nothing)));
  EXPECT_TRUE(settled(in(0, WaitsFor::Nothing)));
  EXPECT_TRUE(settled(in('R', WaitsFor::Held)));
  EXPECT_FALSE(settled(in('R', WaitsFor::Nothing)));
}

}  // namespace
}  // namespace ukern
