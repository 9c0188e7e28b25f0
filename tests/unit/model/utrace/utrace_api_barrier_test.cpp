// tests/unit/model/utrace/utrace_api_barrier_test.cpp: utrace_barrier() and
// utrace_prepare_examine()/utrace_finish_examine() (utrace-semantics.md §3.5,
// §3.6): each return code, and what a 0 from the barrier promises.
//
// Each test writes a small scenario, runs it once under the default
// (non-preemptive) schedule and asserts on the labelled op results, on the
// model's engines and on the trace (tests/support/scenario_run.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "model/utrace/utrace.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/replay.h"
#include "support/scenario_run.h"

namespace model {
namespace {

// ---- harness ---------------------------------------------------------------------------------

using UtRun = test::ScenarioRun;
using test::kAttachE;
using test::two;
using test::utrace_scenario;
std::string op(const char* name, const char* label, const char* target = "X") {
  return std::string(R"({")") + name + R"(": {"target": ")" + target + R"(", "engine": "e"}, "label": ")" + label +
         "\"}";
}
std::string ctl(const char* label, const char* action, const char* target = "X") {
  return std::string(R"({"utrace_control": {"target": ")") + target + R"(", "engine": "e", "action": ")" + action +
         R"("}, "label": ")" + label + "\"}";
}
std::string setev(const char* events, const char* target = "X") {
  return std::string(R"({"utrace_set_events": {"target": ")") + target + R"(", "engine": "e", "events": [)" + events +
         "]}}";
}
const char* kXGetpid =
    R"({"wait_for_completion": "ready"}, {"syscall": "getpid"}, {"wait_for_completion": "finish"}, {"exit": 0})";

// The virtual time at which a labelled op returned.
std::uint64_t time_of(const UtRun& r, const std::string& label_op_ptr_prefix, int pid) {
  for (const Event& e : r.k().events())
    if (e.kind == Ev::op_result && e.pid == pid && e.ref) {
      const Op* o = static_cast<const Op*>(e.ref);
      if (o->key == label_op_ptr_prefix) return e.time;
    }
  return ~std::uint64_t{0};
}

// ---- utrace_barrier (§3.5) ----------------------------------------------------------------------

TEST(UtraceBarrier, IsZeroWhenNoCallbackIsRunning) {
  UtRun r(two(R"({"E": {}})", R"({"wait_for_completion": "ready"}, {"exit": 0})",
              std::string(kAttachE) + ", " + op("utrace_barrier", "barrier") + R"(, {"complete": "ready"})"));
  EXPECT_EQ(r.ret("barrier"), 0);
}

TEST(UtraceBarrier, OnTheCurrentTaskIsZeroEvenInsideTheEnginesCallback) {
  UtRun r(two(R"({"E": {"report_syscall_entry": {"return": "UTRACE_RESUME", "do": [
                {"utrace_barrier": {"target": "$task", "engine": "$engine"}, "label": "self"}]}}})",
              kXGetpid,
              std::string(kAttachE) + ", " + setev(R"("SYSCALL_ENTRY")") +
                  R"(, {"complete": "ready"}, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("self"), 0);
}

TEST(UtraceBarrier, WaitsForTheCallbackAndItsReturnValue) {
  // The callback waits for U, which lets it go at virtual time 3; the
  // barrier polls a tick at a time and answers 0 only after the callback's
  // STOP was applied (ENGINE_STOP set before `reporting` is cleared).
  UtRun r(utrace_scenario(R"({"E": {"report_syscall_entry": {"return": "UTRACE_STOP",
                       "do": [{"complete": "in-callback"}, {"complete": "in-callback-u"}, {"wait_for_completion": "go"}]}}})",
                          std::string(R"([{"name": "X", "program": [)") + kXGetpid + R"(]},
                       {"name": "T", "kind": "kthread", "program": [)" +
                              kAttachE + ", " + setev(R"("SYSCALL_ENTRY")") +
                              R"(, {"complete": "ready"}, {"wait_for_completion": "in-callback"}, )" +
                              op("utrace_barrier", "barrier") + R"(, {"await": {"task": "X", "state": "traced"}}, )" +
                              ctl("resume", "UTRACE_RESUME") + ", " + setev("") + R"(, {"complete": "finish"}]},
                       {"name": "U", "kind": "kthread", "program": [{"wait_for_completion": "in-callback-u"},
                         {"nanosleep": 3}, {"complete": "go"}]}])"));
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
  EXPECT_EQ(r.ret("barrier"), 0);
  EXPECT_GE(time_of(r, "utrace_barrier", r.pid("T")), 3u);
  const Engine* e = r.engine("e");
  ASSERT_NE(e, nullptr);
  // Order in the trace: the callback returned, ENGINE_STOP was marked, then
  // the barrier answered.
  std::size_t ret_at = 0, stop_at = 0, barrier_at = 0;
  for (std::size_t i = 0; i < r.k().events().size(); ++i) {
    const Event& ev = r.k().events()[i];
    if (ev.kind == Ev::utrace_return && ev.a == e->id) ret_at = i;
    if (ev.kind == Ev::utrace_state && ev.d == e->id && !stop_at && (ev.c & ENGINE_STOP) && !(ev.b & ENGINE_STOP))
      stop_at = i;
    if (ev.kind == Ev::utrace_api && ev.pid == r.pid("T") && ev.a == e->id && !barrier_at && ev.c == 0 && ev.d == 0 &&
        ev.b == 3 /* Api::barrier */)
      barrier_at = i;
  }
  EXPECT_LT(ret_at, stop_at);
  EXPECT_LT(stop_at, barrier_at);
}

TEST(UtraceBarrier, AfterADetachOfAStoppedTargetIsEsrchAtOnce) {
  UtRun r(two(R"({"E": {"report_syscall_entry": ["UTRACE_STOP", "UTRACE_RESUME"]}})", kXGetpid,
              std::string(kAttachE) + ", " + setev(R"("SYSCALL_ENTRY")") +
                  R"(, {"complete": "ready"}, {"await": {"task": "X", "state": "traced"}}, )" +
                  ctl("detach", "UTRACE_DETACH") + ", " + op("utrace_barrier", "barrier") +
                  R"(, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("detach"), 0);
  EXPECT_EQ(r.ret("barrier"), -ESRCH);
  EXPECT_EQ(time_of(r, "utrace_barrier", r.pid("T")), 0u);  // no polling
}

TEST(UtraceBarrier, WaitsForAMarkedDetachedEngineUntilTheTaskResetsIt) {
  // X sleeps 5 ticks: DETACH only marks the engine; the barrier treats the
  // sentinel as busy and polls until X's utrace_reset, then -ESRCH.
  UtRun r(two(R"({"E": {}})", R"({"nanosleep": 5}, {"exit": 0})",
              std::string(kAttachE) + R"(, {"settle": {}}, )" + ctl("detach", "UTRACE_DETACH") + ", " +
                  op("utrace_barrier", "barrier")));
  EXPECT_EQ(r.ret("detach"), 0);
  EXPECT_EQ(r.ret("barrier"), -ESRCH);
  EXPECT_GE(time_of(r, "utrace_barrier", r.pid("T")), 5u);
}

TEST(UtraceBarrier, GivesUpWithErestartsysWhenTheCallerHasASignalPending) {
  UtRun r(utrace_scenario(
      R"({"EX": {"report_syscall_entry": {"return": "UTRACE_DETACH", "do": [
                         {"complete": "x-in"}, {"wait_for_completion": "x-signalled"},
                         {"utrace_barrier": {"target": "Y", "engine": "ey"}, "label": "barrier"},
                         {"complete": "y-go"}]}},
                       "EY": {"report_syscall_entry": {"return": "UTRACE_DETACH", "do": [
                         {"complete": "y-in"}, {"wait_for_completion": "y-go"}]}}})",
      R"([{"name": "X", "program": [{"sigaction": {"sig": "SIGUSR1", "handler": "noop"}}, {"complete": "x-up"},
                         {"wait_for_completion": "x-ready"}, {"syscall": "getpid"}, {"exit": 0}]},
                       {"name": "Y", "program": [{"wait_for_completion": "y-ready"}, {"syscall": "getpid"}, {"exit": 0}]},
                       {"name": "T", "kind": "kthread", "program": [{"wait_for_completion": "x-up"},
                         {"utrace_attach_task": {"target": "X", "ops": "EX", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "ex"},
                         {"utrace_set_events": {"target": "X", "engine": "ex", "events": ["SYSCALL_ENTRY"]}},
                         {"utrace_attach_task": {"target": "Y", "ops": "EY", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "ey"},
                         {"utrace_set_events": {"target": "Y", "engine": "ey", "events": ["SYSCALL_ENTRY"]}},
                         {"complete": "y-ready"}, {"wait_for_completion": "y-in"},
                         {"complete": "x-ready"}, {"wait_for_completion": "x-in"},
                         {"kill": {"pid": "X", "sig": "SIGUSR1"}}, {"complete": "x-signalled"}]}])"));
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
  EXPECT_EQ(r.ret("barrier"), -ERESTARTSYS);
}

// P keeps C a zombie until T is done; C's report_reap waits for T.
std::string during_reap(const std::string& t_tail, const char* kernel) {
  return utrace_scenario(
      R"({"E": {"report_reap": {"do": [{"complete": "in-reap"}, {"wait_for_completion": "checked"}]}}})",
      std::string(R"([{"name": "P", "program": [
                      {"fork": {"child": "C", "program": [{"complete": "born"}, {"wait_for_completion": "attached"}, {"exit": 0}]}},
                      {"waitpid": {"pid": "C"}}]},
                    {"name": "T", "kind": "kthread", "program": [{"wait_for_completion": "born"},
                      {"utrace_attach_task": {"target": "C", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                      {"utrace_set_events": {"target": "C", "engine": "e", "events": ["REAP"]}},
                      {"complete": "attached"}, {"wait_for_completion": "in-reap"}, )") +
          t_tail + R"(, {"complete": "checked"}]}])",
      kernel);
}

TEST(UtraceBarrier, DoesNotWaitForReportReapOn2010ButIsEsrchOn2011) {
  UtRun v3(during_reap(op("utrace_barrier", "barrier", "C"), "2010-rhel6"));
  EXPECT_EQ(v3.ret("barrier"), 0);
  UtRun v4(during_reap(op("utrace_barrier", "barrier", "C"), "2011-3x"));
  EXPECT_EQ(v4.ret("barrier"), -ESRCH);
}

// ---- utrace_prepare_examine / utrace_finish_examine (§3.6) ------------------------------------------

TEST(UtraceExamine, WithoutEngineStopIsEinval) {
  UtRun r(two(R"({"E": {}})", R"({"wait_for_completion": "ready"}, {"exit": 0})",
              std::string(kAttachE) + R"(, {"settle": {}}, )" + op("utrace_prepare_examine", "prepare") + ", " +
                  op("utrace_finish_examine", "finish") + R"(, {"complete": "ready"})"));
  EXPECT_EQ(r.ret("prepare"), -EINVAL);
  EXPECT_EQ(r.ret("finish"), -EINVAL);
}

TEST(UtraceExamine, OnTheCurrentTaskIsZeroWithoutEngineStop) {
  UtRun r(two(R"({"E": {"report_syscall_entry": {"return": "UTRACE_RESUME", "do": [
                {"utrace_prepare_examine": {"target": "$task", "engine": "$engine"}, "label": "prepare"},
                {"utrace_finish_examine": {"target": "$task", "engine": "$engine"}, "label": "finish"}]}}})",
              kXGetpid,
              std::string(kAttachE) + ", " + setev(R"("SYSCALL_ENTRY")") +
                  R"(, {"complete": "ready"}, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("prepare"), 0);
  EXPECT_EQ(r.ret("finish"), 0);
}

TEST(UtraceExamine, StoppedTargetIsZeroThenEinvalOnceResumed) {
  UtRun r(two(R"({"E": {"report_syscall_entry": ["UTRACE_STOP", "UTRACE_RESUME"]}})", kXGetpid,
              std::string(kAttachE) + ", " + setev(R"("SYSCALL_ENTRY")") +
                  R"(, {"complete": "ready"}, {"await": {"task": "X", "state": "traced"}}, )" +
                  op("utrace_prepare_examine", "prepare") + ", " + op("utrace_finish_examine", "finish") + ", " +
                  ctl("resume", "UTRACE_RESUME") + ", " + op("utrace_prepare_examine", "prepare-after") + ", " +
                  op("utrace_finish_examine", "finish-after") + R"(, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("prepare"), 0);
  EXPECT_EQ(r.ret("finish"), 0);
  EXPECT_EQ(r.ret("prepare-after"), -EINVAL);
  EXPECT_EQ(r.ret("finish-after"), -EINVAL);
}

TEST(UtraceExamine, RunnableTargetIsEagainDeadTargetEsrch) {
  // STOP on the sleeping C sets ENGINE_STOP (-EINPROGRESS; no QUIESCE, so C
  // never stops); SIGUSR1 wakes it into TASK_RUNNING; SIGKILL makes it a
  // zombie that P has not reaped.
  UtRun r(utrace_scenario(R"({"E": {}})", std::string(R"([{"name": "P", "program": [{"fork": {"child": "C", "program": [
                         {"sigaction": {"sig": "SIGUSR1", "handler": "noop"}}, {"complete": "born"}, {"pause": {}},
                         {"compute": 20}, {"pause": {}}]}},
                         {"wait_for_completion": "checked"}, {"waitpid": {"pid": "C"}}]},
                       {"name": "T", "kind": "kthread", "program": [{"wait_for_completion": "born"},
                         {"utrace_attach_task": {"target": "C", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                         )") + ctl("stop", "UTRACE_STOP", "C") +
                                              R"(, {"settle": {}},
                         {"kill": {"pid": "C", "sig": "SIGUSR1"}}, )" +
                                              op("utrace_prepare_examine", "running", "C") + R"(,
                         {"kill": {"pid": "C", "sig": "SIGKILL"}}, {"await": {"task": "C", "state": "zombie"}}, )" +
                                              op("utrace_prepare_examine", "dead", "C") + ", " +
                                              op("utrace_finish_examine", "finish", "C") +
                                              R"(, {"complete": "checked"}]}])"));
  EXPECT_EQ(r.ret("stop"), -EINPROGRESS);
  EXPECT_EQ(r.ret("running"), -EAGAIN);
  EXPECT_EQ(r.ret("dead"), -ESRCH);
  EXPECT_EQ(r.ret("finish"), -EAGAIN);
}

TEST(UtraceExamine, FinishIsEagainWhenTheTargetRanInBetween) {
  UtRun r(utrace_scenario(R"({"E": {"report_syscall_entry": "UTRACE_STOP"}})",
                          std::string(R"([{"name": "P", "program": [{"fork": {"child": "C", "program": [
                         {"complete": "born"}, {"wait_for_completion": "attached"}, {"syscall": "getpid"}]}},
                         {"wait_for_completion": "checked"}, {"waitpid": {"pid": "C"}}]},
                       {"name": "T", "kind": "kthread", "program": [{"wait_for_completion": "born"},
                         {"utrace_attach_task": {"target": "C", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                         )") + setev(R"("SYSCALL_ENTRY")", "C") +
                              R"(, {"complete": "attached"},
                         {"await": {"task": "C", "state": "traced"}}, )" +
                              op("utrace_prepare_examine", "prepare", "C") + R"(,
                         {"kill": {"pid": "C", "sig": "SIGKILL"}}, {"await": {"task": "C", "state": "zombie"}}, )" +
                              op("utrace_finish_examine", "finish", "C") + R"(, {"complete": "checked"}]}])"));
  EXPECT_EQ(r.ret("prepare"), 0);
  EXPECT_EQ(r.ret("finish"), -EAGAIN);
}

}  // namespace
}  // namespace model
