// tests/unit/model/utrace/utrace_api_control_test.cpp: utrace_set_events() and
// utrace_control() (utrace-semantics.md §3.3, §3.4): each return code of the
// two calls, per action and per state of the target, and what the call leaves
// in the engine and the task (ENGINE_STOP, utrace->resume).
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
std::string setev(const char* label, const char* events, const char* target = "X") {
  return std::string(R"({"utrace_set_events": {"target": ")") + target + R"(", "engine": "e", "events": [)" + events +
         R"(]}, "label": ")" + label + "\"}";
}
std::string ctl(const char* label, const char* action, const char* target = "X") {
  return std::string(R"({"utrace_control": {"target": ")") + target + R"(", "engine": "e", "action": )" + action +
         R"(}, "label": ")" + label + "\"}";
}
// X: stops at its getpid's syscall entry (E's callback answers STOP once).
const char* kStopAtEntry = R"({"E": {"report_quiesce": "UTRACE_RESUME",
    "report_syscall_entry": ["UTRACE_STOP", "UTRACE_RESUME"], "report_syscall_exit": "UTRACE_RESUME",
    "report_exec": "UTRACE_RESUME", "report_death": {}, "report_reap": {}}})";
const char* kXGetpid =
    R"({"wait_for_completion": "ready"}, {"syscall": "getpid"}, {"wait_for_completion": "finish"}, {"exit": 0})";
// X: blocks inside E's report_syscall_entry until T completes "go".
const char* kBusyEntry = R"({"E": {"report_syscall_entry": {"return": "UTRACE_RESUME",
    "do": [{"complete": "in-callback"}, {"wait_for_completion": "go"}]},
    "report_syscall_exit": "UTRACE_RESUME", "report_exec": "UTRACE_RESUME"}})";

// ---- utrace_set_events (§3.3) -------------------------------------------------------------------

TEST(UtraceSetEvents, SetsTheMaskAndOrsItIntoUtraceFlagsWhichOnlyAResetShrinks) {
  UtRun r(two(R"({"E": {"report_exec": "UTRACE_RESUME", "report_syscall_exit": "UTRACE_RESUME"}})",
              R"({"wait_for_completion": "ready"}, {"exit": 0})",
              std::string(kAttachE) + R"(, {"settle": {}}, )" + setev("add", R"("EXEC", "SYSCALL_EXIT")") + ", " +
                  setev("remove", R"("EXEC")") + R"(, {"complete": "ready"})"));
  EXPECT_EQ(r.ret("add"), 0);
  EXPECT_EQ(r.ret("remove"), 0);
  const Engine* e = r.engine("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(r.changes("engine->flags", e->id),
            (std::vector<std::string>{"0->EXEC|SYSCALL_EXIT", "EXEC|SYSCALL_EXIT->EXEC", "EXEC->0"}));
  // The removal did not touch utrace_flags; only the reap teardown clears it.
  EXPECT_EQ(r.changes("utrace_flags"),
            (std::vector<std::string>{"0->REAP", "REAP->REAP|EXEC|SYSCALL_EXIT", "REAP|EXEC|SYSCALL_EXIT->0"}));
}

TEST(UtraceSetEvents, KeepsTheEnginesStopBit) {
  // §3.3 step 6: ENGINE_STOP survives a new mask.
  UtRun r(two(kStopAtEntry, kXGetpid,
              std::string(kAttachE) + ", " + setev("set", R"("SYSCALL_ENTRY")") +
                  R"(, {"complete": "ready"}, {"await": {"task": "X", "state": "traced"}}, )" +
                  setev("while-stopped", R"("SYSCALL_ENTRY", "EXEC")") + ", " + ctl("resume", R"("UTRACE_RESUME")") +
                  R"(, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("while-stopped"), 0);
  EXPECT_EQ(r.ret("resume"), 0);
  ASSERT_NE(r.engine("e"), nullptr);
  const auto flags = r.changes("engine->flags", r.engine("e")->id);
  ASSERT_GE(flags.size(), 4u);
  EXPECT_EQ(flags[1], "SYSCALL_ENTRY->SYSCALL_ENTRY|ENGINE_STOP");                   // the callback's STOP
  EXPECT_EQ(flags[2], "SYSCALL_ENTRY|ENGINE_STOP->EXEC|SYSCALL_ENTRY|ENGINE_STOP");  // set_events keeps it
  EXPECT_EQ(flags[3], "EXEC|SYSCALL_ENTRY|ENGINE_STOP->EXEC|SYSCALL_ENTRY");         // RESUME clears it
}

TEST(UtraceSetEvents, RemovingDuringACallbackIsEinprogressAddingIsNot) {
  UtRun r(two(kBusyEntry, kXGetpid,
              std::string(kAttachE) + ", " + setev("set", R"("SYSCALL_ENTRY", "SYSCALL_EXIT")") +
                  R"(, {"complete": "ready"}, {"wait_for_completion": "in-callback"}, )" +
                  setev("add", R"("SYSCALL_ENTRY", "SYSCALL_EXIT", "EXEC")") + ", " + setev("remove", "") + ", " +
                  setev("remove-nothing", "") +
                  R"(, {"complete": "go"}, {"utrace_barrier": {"target": "X", "engine": "e"}, "label": "barrier"}, )" +
                  setev("after-barrier", R"("EXEC")") + ", " + setev("remove-after", "") +
                  R"(, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("add"), 0);
  EXPECT_EQ(r.ret("remove"), -EINPROGRESS);
  EXPECT_EQ(r.ret("remove-nothing"), 0);  // nothing removed any more
  EXPECT_EQ(r.ret("barrier"), 0);
  EXPECT_EQ(r.ret("remove-after"), 0);
  // The change was applied although -EINPROGRESS: no syscall-exit report.
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::report_syscall_entry}));
}

TEST(UtraceSetEvents, OnCurrentIsNeverEinprogress) {
  UtRun r(two(R"({"E": {"report_syscall_entry": {"return": "UTRACE_RESUME", "do": [
                {"utrace_set_events": {"target": "$task", "engine": "$engine", "events": []}, "label": "self"}]},
              "report_syscall_exit": "UTRACE_RESUME"}})",
              kXGetpid,
              std::string(kAttachE) + ", " + setev("set", R"("SYSCALL_ENTRY", "SYSCALL_EXIT")") +
                  R"(, {"complete": "ready"}, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("self"), 0);
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::report_syscall_entry}));
}

TEST(UtraceSetEvents, OnAStoppedTargetRemovingIsZero) {
  UtRun r(two(kStopAtEntry, kXGetpid,
              std::string(kAttachE) + ", " + setev("set", R"("QUIESCE", "SYSCALL_ENTRY", "SYSCALL_EXIT")") +
                  R"(, {"complete": "ready"}, {"await": {"task": "X", "state": "traced"}}, )" +
                  setev("remove", R"("SYSCALL_ENTRY")") + ", " + ctl("resume", R"("UTRACE_RESUME")") +
                  R"(, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("remove"), 0);
  // QUIESCE and SYSCALL_EXIT are never reported again; the entry of the
  // exit syscall still is.
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::report_quiesce, Callback::report_syscall_entry,
                                                    Callback::report_syscall_entry}));
}

// P keeps C a zombie until T is done; `tail` runs in T while C's report_death
// or report_reap (per `cb`) waits for T.
std::string final_report(const char* cb, const char* events, const std::string& tail, const char* kernel) {
  const std::string other = std::string(cb) == "report_death" ? "report_reap" : "report_death";
  return utrace_scenario(std::string(R"({"E": {")") + other + R"(": {}, ")" + cb +
                             R"(": {"do": [{"complete": "in-cb"}, {"wait_for_completion": "checked"}]}}})",
                         std::string(R"([{"name": "P", "program": [
                      {"fork": {"child": "C", "program": [{"complete": "born"}, {"wait_for_completion": "attached"}, {"exit": 0}]}},
                      {"wait_for_completion": "reap-now"}, {"waitpid": {"pid": "C"}}]},
                    {"name": "T", "kind": "kthread", "program": [{"wait_for_completion": "born"},
                      {"utrace_attach_task": {"target": "C", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                      {"utrace_set_events": {"target": "C", "engine": "e", "events": [)") +
                             events + R"(]}},
                      {"complete": "attached"}, )" +
                             tail + "]}]",
                         kernel);
}

TEST(UtraceSetEvents, DuringReportDeathClearingDeathIsEalready) {
  const std::string tail = setev("clear", R"("REAP")", "C") + ", " + setev("keep", R"("DEATH", "REAP")", "C") +
                           R"(, {"complete": "checked"}, {"complete": "reap-now"})";
  UtRun r(
      final_report("report_death", R"("DEATH", "REAP")", R"({"wait_for_completion": "in-cb"}, )" + tail, "2010-rhel6"));
  EXPECT_EQ(r.ret("clear"), -EALREADY);
  EXPECT_EQ(r.ret("keep"), 0);  // no change: nothing is refused
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::report_death, Callback::report_reap}));
}

TEST(UtraceSetEvents, DuringReportReapClearingReapIsEalreadyOn2010) {
  const std::string tail = R"({"complete": "reap-now"}, {"wait_for_completion": "in-cb"}, )" + setev("clear", "", "C") +
                           R"(, {"complete": "checked"})";
  UtRun r(final_report("report_reap", R"("REAP")", tail, "2010-rhel6"));
  EXPECT_EQ(r.ret("clear"), -EALREADY);
}

TEST(UtraceSetEvents, DuringReportReapEverythingIsEsrchOn2011) {
  const std::string tail = R"({"complete": "reap-now"}, {"wait_for_completion": "in-cb"}, )" + setev("clear", "", "C") +
                           ", " + setev("same", R"("REAP")", "C") + R"(, {"complete": "checked"})";
  UtRun r(final_report("report_reap", R"("REAP")", tail, "2011-3x"));
  EXPECT_EQ(r.ret("clear"), -ESRCH);
  EXPECT_EQ(r.ret("same"), -ESRCH);
}

TEST(UtraceSetEvents, AfterDetachIsEsrch) {
  UtRun r(two(R"({"E": {}})", R"({"wait_for_completion": "ready"}, {"exit": 0})",
              std::string(kAttachE) + R"(, {"settle": {}}, )" + ctl("detach", R"("UTRACE_DETACH")") + ", " +
                  setev("after", R"("EXEC")") + R"(, {"complete": "ready"})"));
  EXPECT_EQ(r.ret("detach"), 0);
  EXPECT_EQ(r.ret("after"), -ESRCH);
}

// ---- utrace_control (§3.4) ------------------------------------------------------------------------

TEST(UtraceControl, StopOnARunningTargetIsEinprogressAndAsksForAReport) {
  UtRun r(two(R"({"E": {"report_quiesce": "UTRACE_RESUME"}})", R"({"wait_for_completion": "ready"}, {"exit": 0})",
              std::string(kAttachE) + R"(, {"settle": {}}, )" + ctl("stop", R"("UTRACE_STOP")") +
                  R"(, {"complete": "ready"})"));
  EXPECT_EQ(r.ret("stop"), -EINPROGRESS);
  const auto resume = r.changes("utrace->resume");
  ASSERT_FALSE(resume.empty());
  EXPECT_EQ(resume.front(), "UTRACE_RESUME->UTRACE_REPORT");
  ASSERT_NE(r.engine("e"), nullptr);
  const auto eflags = r.changes("engine->flags", r.engine("e")->id);
  ASSERT_FALSE(eflags.empty());
  EXPECT_EQ(eflags.front(), "0->ENGINE_STOP");
  const auto flags = r.changes("utrace_flags");
  ASSERT_GE(flags.size(), 2u);
  EXPECT_EQ(flags[1], "REAP->REAP|ENGINE_STOP");
}

TEST(UtraceControl, StopOnAStoppedTargetIsZero) {
  UtRun r(two(kStopAtEntry, kXGetpid,
              std::string(kAttachE) + ", " + setev("set", R"("SYSCALL_ENTRY")") +
                  R"(, {"complete": "ready"}, {"await": {"task": "X", "state": "traced"}}, )" +
                  ctl("stop", R"("UTRACE_STOP")") + ", " + ctl("resume", R"("UTRACE_RESUME")") +
                  R"(, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("stop"), 0);
  EXPECT_EQ(r.ret("resume"), 0);
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
}

TEST(UtraceControl, StopOnAJobControlStopIsZeroAndMakesItTraced) {
  UtRun r(two(R"({"E": {}})", R"({"wait_for_completion": "ready"}, {"raise": "SIGSTOP"}, {"exit": 0})",
              std::string(kAttachE) + R"(, {"complete": "ready"}, {"await": {"task": "X", "state": "stopped"}}, )" +
                  ctl("stop", R"("UTRACE_STOP")") + R"(, {"assert_state": {"task": "X", "state": "traced"}}, )" +
                  ctl("resume", R"("UTRACE_RESUME")") + R"(, {"assert_state": {"task": "X", "state": "stopped"}},
                  {"kill": {"pid": "X", "sig": "SIGCONT"}})"));
  EXPECT_EQ(r.ret("stop"), 0);
  EXPECT_EQ(r.ret("resume"), 0);
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
}

TEST(UtraceControl, DetachOnAStoppedTargetIsZeroAndSynchronous) {
  UtRun r(two(kStopAtEntry, kXGetpid,
              std::string(kAttachE) + ", " + setev("set", R"("SYSCALL_ENTRY", "SYSCALL_EXIT", "DEATH", "REAP")") +
                  R"(, {"complete": "ready"}, {"await": {"task": "X", "state": "traced"}}, )" +
                  ctl("detach", R"("UTRACE_DETACH")") + ", " + ctl("again", R"("UTRACE_DETACH")") + ", " +
                  ctl("resume", R"("UTRACE_RESUME")") + R"(, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("detach"), 0);
  EXPECT_EQ(r.ret("again"), -ESRCH);
  EXPECT_EQ(r.ret("resume"), -ESRCH);
  const Engine* e = r.engine("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ops, Engine::Ops::Null);
  EXPECT_EQ(e->kref, 1);  // the implicit reference went with the detach
  EXPECT_EQ(e->received, (std::vector<Callback>{Callback::report_syscall_entry}));
}

TEST(UtraceControl, DetachDuringACallbackIsEinprogress) {
  UtRun r(two(kBusyEntry, kXGetpid,
              std::string(kAttachE) + ", " + setev("set", R"("SYSCALL_ENTRY", "SYSCALL_EXIT")") +
                  R"(, {"complete": "ready"}, {"wait_for_completion": "in-callback"}, )" +
                  ctl("detach", R"("UTRACE_DETACH")") + R"(, {"complete": "go"}, {"complete": "finish"})"));
  EXPECT_EQ(r.ret("detach"), -EINPROGRESS);
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::report_syscall_entry}));
}

TEST(UtraceControl, DetachDuringReportDeathIsEalreadyOtherActionsEsrch) {
  const std::string tail = R"({"wait_for_completion": "in-cb"}, )" + ctl("detach", R"("UTRACE_DETACH")", "C") + ", " +
                           ctl("stop", R"("UTRACE_STOP")", "C") + ", " +
                           ctl("interrupt", R"("UTRACE_INTERRUPT")", "C") +
                           R"(, {"complete": "checked"}, {"complete": "reap-now"})";
  UtRun r(final_report("report_death", R"("DEATH", "REAP")", tail, "2010-rhel6"));
  EXPECT_EQ(r.ret("detach"), -EALREADY);
  EXPECT_EQ(r.ret("stop"), -ESRCH);
  EXPECT_EQ(r.ret("interrupt"), -ESRCH);
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::report_death, Callback::report_reap}));
}

TEST(UtraceControl, DetachDuringReportReapIsEsrch) {
  const std::string tail = R"({"complete": "reap-now"}, {"wait_for_completion": "in-cb"}, )" +
                           ctl("detach", R"("UTRACE_DETACH")", "C") + R"(, {"complete": "checked"})";
  UtRun r(final_report("report_reap", R"("REAP")", tail, "2010-rhel6"));
  EXPECT_EQ(r.ret("detach"), -ESRCH);
}

TEST(UtraceControl, ResumeReportInterruptAreZeroAndSetResume) {
  UtRun r(two(R"({"E": {"report_quiesce": "UTRACE_RESUME"}})", R"({"wait_for_completion": "ready"}, {"exit": 0})",
              std::string(kAttachE) + ", " + setev("set", R"("QUIESCE")") + R"(, {"settle": {}}, )" +
                  ctl("resume", R"("UTRACE_RESUME")") + ", " + ctl("report", R"("UTRACE_REPORT")") + ", " +
                  ctl("interrupt", R"("UTRACE_INTERRUPT")") + ", " + ctl("interrupt-again", R"("UTRACE_INTERRUPT")") +
                  R"(, {"complete": "ready"})"));
  EXPECT_EQ(r.ret("resume"), 0);
  EXPECT_EQ(r.ret("report"), 0);
  EXPECT_EQ(r.ret("interrupt"), 0);
  EXPECT_EQ(r.ret("interrupt-again"), 0);
  const auto resume = r.changes("utrace->resume");
  ASSERT_GE(resume.size(), 2u);
  EXPECT_EQ(resume[0], "UTRACE_RESUME->UTRACE_REPORT");
  EXPECT_EQ(resume[1], "UTRACE_REPORT->UTRACE_INTERRUPT");
}

TEST(UtraceControl, ReportAndStepsNeedQuiesce) {
  UtRun r(two(R"({"E": {"report_quiesce": "UTRACE_RESUME"}})", R"({"wait_for_completion": "ready"}, {"exit": 0})",
              std::string(kAttachE) + R"(, {"settle": {}}, )" + ctl("report", R"("UTRACE_REPORT")") + ", " +
                  ctl("step", R"("UTRACE_SINGLESTEP")") + ", " + ctl("block", R"("UTRACE_BLOCKSTEP")") + ", " +
                  ctl("interrupt", R"("UTRACE_INTERRUPT")") + ", " + setev("set", R"("QUIESCE")") + ", " +
                  ctl("report-q", R"("UTRACE_REPORT")") + R"(, {"complete": "ready"})"));
  EXPECT_EQ(r.ret("report"), -EINVAL);
  EXPECT_EQ(r.ret("step"), -EINVAL);
  EXPECT_EQ(r.ret("block"), -EINVAL);
  EXPECT_EQ(r.ret("interrupt"), 0);  // INTERRUPT does not need QUIESCE
  EXPECT_EQ(r.ret("report-q"), 0);
}

TEST(UtraceControl, ActionsFromResumeMaxOnAreEinval) {
  UtRun r(two(R"({"E": {"report_quiesce": "UTRACE_RESUME"}})", R"({"wait_for_completion": "ready"}, {"exit": 0})",
              std::string(kAttachE) + ", " + setev("set", R"("QUIESCE")") + ", " + ctl("max", "7") + ", " +
                  ctl("eight", "8") + ", " + ctl("detach", "6") + R"(, {"complete": "ready"})"));
  EXPECT_EQ(r.ret("max"), -EINVAL);
  EXPECT_EQ(r.ret("eight"), -EINVAL);
  EXPECT_EQ(r.ret("detach"), 0);  // 6 is UTRACE_DETACH
}

TEST(UtraceControl, SingleStepOnARunningTargetIsZeroOn2010AndEagainOn2009) {
  const std::string t = std::string(kAttachE) + ", " + setev("set", R"("QUIESCE")") + R"(, {"settle": {}}, )" +
                        ctl("step", R"("UTRACE_SINGLESTEP")") + ", " + ctl("block", R"("UTRACE_BLOCKSTEP")") + ", " +
                        ctl("report", R"("UTRACE_REPORT")") + R"(, {"complete": "ready"})";
  const char* x = R"({"wait_for_completion": "ready"}, {"exit": 0})";
  UtRun v3(two(R"({"E": {"report_quiesce": "UTRACE_RESUME"}})", x, t, "2010-rhel6"));
  EXPECT_EQ(v3.ret("step"), 0);
  EXPECT_EQ(v3.ret("block"), 0);
  ASSERT_FALSE(v3.changes("utrace->resume").empty());
  EXPECT_EQ(v3.changes("utrace->resume").front(), "UTRACE_RESUME->UTRACE_SINGLESTEP");
  UtRun v2(two(R"({"E": {"report_quiesce": "UTRACE_RESUME"}})", x, t, "2009-rfc"));
  EXPECT_EQ(v2.ret("step"), -EAGAIN);
  EXPECT_EQ(v2.ret("block"), -EAGAIN);
  EXPECT_EQ(v2.ret("report"), 0);
}

}  // namespace
}  // namespace model
