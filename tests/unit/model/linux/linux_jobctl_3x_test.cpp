// tests/unit/model/linux/linux_jobctl_3x_test.cpp: 2011-3x's job control
// (linux-3.1: task->jobctl, __TASK_UTRACED, wake_up_quiescent()) against the
// 2.6.32 one of 2010-rhel6, on small scenarios written here, under the default
// schedule (docs/model.md "2011-3x, read against its source").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/replay.h"
#include "support/linux_run.h"

namespace model {
namespace {

using test::loaded;
using test::traced;
using test::violations;

// The task states X went through, in order (sched_state events: b is the new state).
std::vector<std::int64_t> states_of(const Kernel& k, int pid) {
  std::vector<std::int64_t> out;
  for (const Event& e : k.events())
    if (e.kind == Ev::sched_state && e.pid == pid) out.push_back(e.b);
  return out;
}

bool went_through(const std::vector<std::int64_t>& states, std::int64_t s) {
  for (std::int64_t x : states)
    if (x == s) return true;
  return false;
}

// X stops itself with SIGSTOP; T converts the job-control stop with
// UTRACE_STOP, continues X with SIGCONT, then resumes it.
std::string converted_stop(const char* kernel) {
  return std::string(R"({"utsim": 1, "name": "converted", "summary": "converted stop", "model": {"kernel": ")") +
         kernel +
         R"("},
    "engines": {"E": {"report_quiesce": "UTRACE_RESUME"}},
    "tasks": [
      {"name": "X", "program": [{"wait_for_completion": "ready"}, {"raise": "SIGSTOP", "expect": 0}, {"exit": 0}]},
      {"name": "T", "kind": "kthread", "program": [
        {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
        {"utrace_set_events": {"target": "X", "engine": "e", "events": ["QUIESCE"]}, "expect": 0},
        {"complete": "ready"},
        {"await": {"task": "X", "state": "stopped"}},
        {"utrace_control": {"target": "X", "engine": "e", "action": "UTRACE_STOP"}, "expect": 0},
        {"assert_state": {"task": "X", "state": "traced"}},
        {"kill": {"pid": "X", "sig": "SIGCONT"}, "expect": 0},
        {"assert_state": {"task": "X", "state": "traced"}},
        {"utrace_control": {"target": "X", "engine": "e", "action": "UTRACE_RESUME"}, "expect": 0}]}],
    "expect": {"outcomes": [{"tasks": {"X": {"exited": 0}}}]}})";
}

// 3.1's utrace_do_stop() ORs TASK_UTRACED into the job-control stop;
// SIGCONT's wake_up_quiescent(__TASK_STOPPED) leaves the utrace bit, so X
// sleeps on until utrace_wakeup()'s wake_up_quiescent(__TASK_UTRACED).
TEST(Jobctl3x, ConvertedStopKeepsBothBitsAndSigcontLeavesTheUtraceOne) {
  const Scenario s = loaded(load_scenario_text(converted_stop("2011-3x")));
  Simulator sim(s, traced());
  sim::ReplayScheduler def;
  const RunOutput out = sim.run(def);
  ASSERT_TRUE(out.violations.empty()) << violations(out);
  const int x = sim.interp().slot_pid(0);
  const auto states = states_of(sim.kernel(), x);
  EXPECT_TRUE(went_through(states, TASK_STOPPED | TASK_UTRACED));
  EXPECT_TRUE(went_through(states, TASK_UTRACED));
  EXPECT_FALSE(went_through(states, TASK_TRACED));
  for (const Outcome& o : s.expect.outcomes) EXPECT_TRUE(sim.matches(o));
}

// 2010-rhel6: the stop becomes TASK_TRACED; SIGCONT does not touch it, and
// the resume wakes X (the group stop is over).
TEST(Jobctl3x, Rhel6ConvertsToTaskTraced) {
  const Scenario s = loaded(load_scenario_text(converted_stop("2010-rhel6")));
  Simulator sim(s, traced());
  sim::ReplayScheduler def;
  const RunOutput out = sim.run(def);
  ASSERT_TRUE(out.violations.empty()) << violations(out);
  const auto states = states_of(sim.kernel(), sim.interp().slot_pid(0));
  EXPECT_TRUE(went_through(states, TASK_TRACED));
  EXPECT_FALSE(went_through(states, TASK_UTRACED));
  EXPECT_FALSE(went_through(states, TASK_STOPPED | TASK_UTRACED));
  for (const Outcome& o : s.expect.outcomes) EXPECT_TRUE(sim.matches(o));
}

// A group stop of two threads on 2011-3x: each thread consumes its own
// JOBCTL_STOP_PENDING, the last one completes the stop and the parent sees
// it; SIGCONT and SIGKILL leave no jobctl bit behind.
TEST(Jobctl3x, GroupStopIsCountedPerThread) {
  const Scenario s = loaded(load_scenario_text(R"({
    "utsim": 1, "name": "gstop", "summary": "group stop", "model": {"kernel": "2011-3x"},
    "tasks": [{"name": "P", "program": [
      {"fork": {"child": "X", "program": [
        {"clone": {"flags": ["CLONE_THREAD", "CLONE_VM", "CLONE_SIGHAND"], "child": "B",
                   "program": [{"loop": {"forever": true, "do": [{"pause": {}}]}}]}},
        {"loop": {"forever": true, "do": [{"pause": {}}]}}]}},
      {"kill": {"pid": "X", "sig": "SIGSTOP"}},
      {"waitpid": {"pid": "X", "options": ["WUNTRACED"]}, "expect": {"stopped": "SIGSTOP"}},
      {"kill": {"pid": "X", "sig": "SIGCONT"}},
      {"waitpid": {"pid": "X", "options": ["WCONTINUED"]}, "expect": {"continued": true}},
      {"kill": {"pid": "X", "sig": "SIGKILL"}},
      {"waitpid": {"pid": "X", "options": []}, "expect": {"signaled": "SIGKILL"}}]}]})"));
  Simulator sim(s, traced());
  sim::ReplayScheduler def;
  const RunOutput out = sim.run(def);
  ASSERT_EQ(out.engine.end, sim::RunEnd::Finished);
  ASSERT_TRUE(out.violations.empty()) << violations(out);
  for (const auto& t : sim.kernel().tasks) EXPECT_EQ(t->jobctl, 0u) << t->comm;
}

}  // namespace
}  // namespace model
