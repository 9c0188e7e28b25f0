// tests/unit/model/utrace/utrace_api_attach_test.cpp: utrace_attach_task(), the engine
// references and the engine life cycle (utrace-semantics.md §3.1, §3.2, §1.3,
// §1.8): every return code of create and lookup mode, what each leaves behind
// in the engine, and ATTACHING -> ATTACHED -> MARKED-DETACHED -> DETACHED,
// or -> REAPED, with release() exactly once after the last put.
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
using test::utrace_scenario;

std::vector<Callback> cbs(std::initializer_list<Callback> l) { return l; }

// ---- create mode ---------------------------------------------------------------------------

// X sleeps until T says "ready"; T's ops are given.
std::string with_kthread(const std::string& engines, const std::string& t_ops,
                         const std::string& x_ops = R"({"wait_for_completion": "ready"}, {"exit": 0})",
                         const char* kernel = "2010-rhel6") {
  return utrace_scenario(engines,
                         R"([{"name": "X", "program": [)" + x_ops + R"(]},
                      {"name": "T", "kind": "kthread", "program": [)" +
                             t_ops + R"(, {"complete": "ready"}]}])",
                         kernel);
}

TEST(UtraceAttach, CreateGivesTwoReferencesAndNoEvents) {
  // The caller's reference and the implicit one; T never puts, so after X
  // is reaped (implicit reference dropped) exactly one is left.
  UtRun r(with_kthread(R"({"E": {"report_quiesce": "UTRACE_RESUME", "release": {}}})",
                       R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]},
                          "as": "e", "label": "attach"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.ret("attach"), 0);
  const Engine* e = r.engine("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kref, 1);
  EXPECT_FALSE(e->freed);
  EXPECT_EQ(e->ops, Engine::Ops::Null);  // reaped
  EXPECT_EQ(e->flags, 0u);
  EXPECT_TRUE(e->received.empty());  // G4: no events, so no callbacks at all
  // The first engine makes utrace_flags non-zero (REAP) and sets pending_attach.
  const auto flags = r.changes("utrace_flags");
  ASSERT_FALSE(flags.empty());
  EXPECT_EQ(flags.front(), "0->REAP");
  const auto pending = r.changes("utrace->pending_attach");
  ASSERT_FALSE(pending.empty());
  EXPECT_EQ(pending.front(), "0->1");
}

TEST(UtraceAttach, NullOpsIsEinval) {
  UtRun r(with_kthread(R"({"E": {}})", R"({"utrace_attach_task": {"target": "X", "ops": null,
      "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e", "label": "attach"})"));
  EXPECT_EQ(r.ret("attach"), -EINVAL);
  EXPECT_EQ(r.engine("e"), nullptr);
}

TEST(UtraceAttach, DetachedOpsSentinelIsEinval) {
  UtRun r(with_kthread(R"({"E": {}})", R"({"utrace_attach_task": {"target": "X", "ops": "utrace_detached_ops",
      "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e", "label": "attach"})"));
  EXPECT_EQ(r.ret("attach"), -EINVAL);
}

TEST(UtraceAttach, KernelThreadIsEperm) {
  UtRun r(with_kthread(R"({"E": {}})", R"({"utrace_attach_task": {"target": "$task", "ops": "E",
      "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e", "label": "attach"})"));
  EXPECT_EQ(r.ret("attach"), -EPERM);
  EXPECT_EQ(r.engine("e"), nullptr);
}

TEST(UtraceAttach, ReapedTaskIsEsrch) {
  UtRun r(utrace_scenario(R"({"E": {}})", R"([{"name": "Z", "program": [{"exit": 0}]},
      {"name": "T", "kind": "kthread", "program": [{"await": {"task": "Z", "state": "dead"}},
        {"utrace_attach_task": {"target": "Z", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]},
         "as": "e", "label": "attach"}]}])"));
  EXPECT_EQ(r.ret("attach"), -ESRCH);
}

TEST(UtraceAttach, FailedAttachFreesTheEngineWithoutRelease) {
  // §3.1 step 5: on error the engine is freed, no release call.
  UtRun r(
      with_kthread(R"({"E": {"release": {}}})",
                   R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                          {"utrace_attach_task": {"target": "X", "ops": "E",
                           "flags": ["UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE", "UTRACE_ATTACH_MATCH_OPS"]},
                           "as": "f", "label": "exclusive"})"));
  EXPECT_EQ(r.ret("exclusive"), -EEXIST);
  ASSERT_EQ(r.k().engines.size(), 2u);
  const Engine& failed = *r.k().engines[1];
  EXPECT_TRUE(failed.freed);
  EXPECT_EQ(failed.kref, 0);
  EXPECT_TRUE(failed.received.empty());  // no release
  EXPECT_FALSE(failed.on_list);
}

TEST(UtraceAttach, AttachingToAZombieSucceedsButOnlyReapCanCome) {
  UtRun r(utrace_scenario(R"({"E": {"report_quiesce": "UTRACE_RESUME", "report_death": {}, "report_reap": {}}})",
                          R"([{"name": "P", "program": [{"fork": {"child": "C", "program": [{"exit": 7}]}},
                         {"wait_for_completion": "attached"}, {"waitpid": {"pid": "C"}}]},
                       {"name": "T", "kind": "kthread", "program": [{"await": {"task": "C", "state": "zombie"}},
                         {"utrace_attach_task": {"target": "C", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]},
                          "as": "e", "label": "attach"},
                         {"utrace_set_events": {"target": "C", "engine": "e", "events": ["DEATH"]}, "label": "death"},
                         {"utrace_set_events": {"target": "C", "engine": "e", "events": ["QUIESCE"]}, "label": "quiesce"},
                         {"utrace_set_events": {"target": "C", "engine": "e", "events": ["REAP"]}, "label": "reap"},
                         {"complete": "attached"}]}])"));
  EXPECT_EQ(r.ret("attach"), 0);
  EXPECT_EQ(r.ret("death"), -EALREADY);
  EXPECT_EQ(r.ret("quiesce"), -EALREADY);
  EXPECT_EQ(r.ret("reap"), 0);
  ASSERT_NE(r.engine("e"), nullptr);
  EXPECT_EQ(r.received("e"), cbs({Callback::report_reap}));
}

// ---- EXCLUSIVE and lookup mode --------------------------------------------------------------

const char* kTwoEngines = R"({"E": {}, "F": {}})";

std::string attach_op(const char* as, const char* ops, const char* data, const char* flags) {
  std::string d = data ? std::string(R"(, "data": ")") + data + "\"" : "";
  return std::string(R"({"utrace_attach_task": {"target": "X", "ops": ")") + ops + "\"" + d + R"(, "flags": [)" +
         flags + R"(]}, "as": ")" + as + R"(", "label": ")" + as + "\"}";
}

TEST(UtraceAttach, ExclusiveRefusesAMatchingLiveEngine) {
  const char* C = R"("UTRACE_ATTACH_CREATE")";
  const std::string ops =
      attach_op("one", "E", "one", C) + ", " +
      attach_op("by-ops", "E", "two",
                R"("UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE", "UTRACE_ATTACH_MATCH_OPS")") +
      ", " +
      attach_op("by-data", "F", "one",
                R"("UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE", "UTRACE_ATTACH_MATCH_DATA")") +
      ", " + attach_op("by-any", "F", "x", R"("UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE")") + ", " +
      attach_op(
          "two", "E", "two",
          R"("UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE", "UTRACE_ATTACH_MATCH_OPS", "UTRACE_ATTACH_MATCH_DATA")") +
      ", " +
      attach_op("other-ops", "F", "one",
                R"("UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE", "UTRACE_ATTACH_MATCH_OPS")");
  UtRun r(with_kthread(kTwoEngines, ops));
  EXPECT_EQ(r.ret("one"), 0);
  EXPECT_EQ(r.ret("by-ops"), -EEXIST);
  EXPECT_EQ(r.ret("by-data"), -EEXIST);
  EXPECT_EQ(r.ret("by-any"), -EEXIST);  // no MATCH flag: any live engine matches
  EXPECT_EQ(r.ret("two"), 0);
  EXPECT_EQ(r.ret("other-ops"), 0);  // no engine with ops F yet
  EXPECT_NE(r.engine("one"), r.engine("two"));
}

TEST(UtraceAttach, LookupReturnsTheSameEngineWithANewReference) {
  const std::string ops =
      attach_op("one", "E", "one", R"("UTRACE_ATTACH_CREATE")") + ", " +
      attach_op("two", "E", "two", R"("UTRACE_ATTACH_CREATE")") + ", " +
      attach_op("found-two", "E", "two", R"("UTRACE_ATTACH_MATCH_OPS", "UTRACE_ATTACH_MATCH_DATA")") + ", " +
      attach_op("found-first", "E", nullptr, R"("UTRACE_ATTACH_MATCH_OPS")") + ", " +
      attach_op("found-any", "F", nullptr, "") + ", " +
      attach_op("no-data", "E", "three", R"("UTRACE_ATTACH_MATCH_DATA")") + ", " +
      attach_op("no-ops", "F", nullptr, R"("UTRACE_ATTACH_MATCH_OPS")");
  UtRun r(with_kthread(kTwoEngines, ops));
  EXPECT_EQ(r.ret("found-two"), 0);
  EXPECT_EQ(r.engine("found-two"), r.engine("two"));
  EXPECT_EQ(r.engine("found-first"), r.engine("one"));  // attach order
  EXPECT_EQ(r.engine("found-any"), r.engine("one"));
  EXPECT_EQ(r.ret("no-data"), -ENOENT);
  EXPECT_EQ(r.ret("no-ops"), -ENOENT);
  // one: caller + implicit + two lookups, minus the implicit one at reap.
  ASSERT_NE(r.engine("one"), nullptr);
  ASSERT_NE(r.engine("two"), nullptr);
  EXPECT_EQ(r.engine("one")->kref, 3);
  EXPECT_EQ(r.engine("two")->kref, 2);
}

TEST(UtraceAttach, LookupWithoutStructUtraceIsEnoent) {
  UtRun r(with_kthread(kTwoEngines, attach_op("none", "E", nullptr, R"("UTRACE_ATTACH_MATCH_OPS")") + ", " +
                                        attach_op("any", "E", nullptr, "")));
  EXPECT_EQ(r.ret("none"), -ENOENT);
  EXPECT_EQ(r.ret("any"), -ENOENT);
  EXPECT_TRUE(r.k().engines.empty());  // a lookup allocates nothing
}

TEST(UtraceAttach, LookupNeverReturnsADetachedEngine) {
  // DETACH of a sleeping X only marks the engine (sentinel ops): it is still
  // listed but no lookup or EXCLUSIVE check matches it any more.
  UtRun r(with_kthread(
      kTwoEngines,
      attach_op("one", "E", "one", R"("UTRACE_ATTACH_CREATE")") +
          R"(, {"settle": {}}, {"utrace_control": {"target": "X", "engine": "one", "action": "UTRACE_DETACH"},
                              "label": "detach"}, )" +
          attach_op("lookup", "E", nullptr, R"("UTRACE_ATTACH_MATCH_OPS")") + ", " +
          attach_op("again", "E", "one",
                    R"("UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE", "UTRACE_ATTACH_MATCH_OPS")")));
  EXPECT_EQ(r.ret("detach"), 0);
  EXPECT_EQ(r.ret("lookup"), -ENOENT);
  EXPECT_EQ(r.ret("again"), 0);
  EXPECT_NE(r.engine("again"), r.engine("one"));
}

TEST(UtraceAttach, EngineAttachedByACallbackMissesThatEvent) {
  // G3: the new engine sits on `attaching` until the next splice.
  UtRun r(utrace_scenario(
      R"({"A": {"report_syscall_entry": {"return": "UTRACE_DETACH", "do": [
                         {"utrace_attach_task": {"target": "$task", "ops": "F", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "f"},
                         {"utrace_set_events": {"target": "$task", "engine": "f", "events": ["SYSCALL_ENTRY", "SYSCALL_EXIT"]}}]}},
                       "F": {"report_syscall_entry": "UTRACE_RESUME", "report_syscall_exit": "UTRACE_RESUME"}})",
      R"([{"name": "X", "program": [{"wait_for_completion": "ready"}, {"syscall": "getpid"}, {"exit": 0}]},
                       {"name": "T", "kind": "kthread", "program": [
                         {"utrace_attach_task": {"target": "X", "ops": "A", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "a"},
                         {"utrace_set_events": {"target": "X", "engine": "a", "events": ["SYSCALL_ENTRY"]}},
                         {"complete": "ready"}]}])"));
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
  EXPECT_EQ(r.received("f"), cbs({Callback::report_syscall_exit, Callback::report_syscall_entry}));
}

// ---- engine life cycle (§1.8) and references (§1.3, §3.2) ---------------------------------------

// The callbacks of one engine in the trace: (pid of the calling task, callback).
std::vector<std::pair<int, Callback>> calls_of(const UtRun& r, const Engine* e) {
  std::vector<std::pair<int, Callback>> out;
  if (!e) return out;
  for (const Event& ev : r.k().events())
    if (ev.kind == Ev::utrace_callback && ev.a == e->id && !ev.d) out.emplace_back(ev.pid, static_cast<Callback>(ev.b));
  return out;
}

TEST(UtraceEngineLife, AttachingAttachedMarkedDetachedDetachedThenFreed) {
  UtRun r(utrace_scenario(
      R"({"E": {"report_syscall_entry": "UTRACE_STOP", "release": {}}})",
      R"([{"name": "X", "program": [{"wait_for_completion": "ready"}, {"syscall": "getpid"}, {"exit": 0}]},
                       {"name": "T", "kind": "kthread", "program": [
                         {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                         {"utrace_set_events": {"target": "X", "engine": "e", "events": ["SYSCALL_ENTRY"]}},
                         {"complete": "ready"}, {"await": {"task": "X", "state": "traced"}},
                         {"utrace_control": {"target": "X", "engine": "e", "action": "UTRACE_DETACH"}, "label": "detach"},
                         {"utrace_engine_put": "e", "label": "put"}]}])"));
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
  const Engine* e = r.engine("e");
  ASSERT_NE(e, nullptr);
  // ATTACHING: on `attaching`, pending_attach set; ATTACHED: spliced by X's
  // syscall-entry report, which clears pending_attach.
  EXPECT_EQ(r.changes("utrace->pending_attach"), (std::vector<std::string>{"0->1", "1->0"}));
  // MARKED-DETACHED (sentinel ops), then DETACHED (NULL) by utrace_reset.
  EXPECT_EQ(r.changes("engine->ops", e->id),
            (std::vector<std::string>{"ops->&utrace_detached_ops", "&utrace_detached_ops->NULL"}));
  EXPECT_EQ(r.ret("detach"), 0);
  EXPECT_FALSE(e->on_list);
  EXPECT_TRUE(e->freed);
  EXPECT_EQ(e->kref, 0);
  // release once, from T's last put (T is the caller of the put).
  const auto calls = calls_of(r, e);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], std::make_pair(r.pid("X"), Callback::report_syscall_entry));
  EXPECT_EQ(calls[1], std::make_pair(r.pid("T"), Callback::release));
}

TEST(UtraceEngineLife, AnAsynchronousDetachIsCompletedByTheTaskWhichMayReleaseTheEngine) {
  // X sleeps in nanosleep: DETACH only marks the engine; X's own utrace_reset
  // on its way back to user mode unlinks it and drops the implicit
  // reference, the last one (T put its own at once): release runs in X.
  UtRun r(utrace_scenario(R"({"E": {"release": {}}})",
                          R"([{"name": "X", "program": [{"nanosleep": 5}, {"exit": 0}]},
                       {"name": "T", "kind": "kthread", "program": [
                         {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                         {"settle": {}},
                         {"utrace_control": {"target": "X", "engine": "e", "action": "UTRACE_DETACH"}, "label": "detach"},
                         {"utrace_engine_put": "e"}]}])"));
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
  EXPECT_EQ(r.ret("detach"), 0);
  const Engine* e = r.engine("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(r.changes("engine->ops", e->id),
            (std::vector<std::string>{"ops->&utrace_detached_ops", "&utrace_detached_ops->NULL"}));
  EXPECT_EQ(calls_of(r, e), (std::vector<std::pair<int, Callback>>{{r.pid("X"), Callback::release}}));
  EXPECT_TRUE(e->freed);
}

TEST(UtraceEngineLife, ReapingTakesAnAttachedEngineStraightToNull) {
  UtRun r(utrace_scenario(R"({"E": {"report_reap": {"do": [{"complete": "reaped"}]}, "release": {}}})",
                          R"([{"name": "X", "program": [{"wait_for_completion": "ready"}, {"exit": 0}]},
                       {"name": "T", "kind": "kthread", "program": [
                         {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                         {"utrace_set_events": {"target": "X", "engine": "e", "events": ["REAP"]}},
                         {"complete": "ready"}, {"wait_for_completion": "reaped"}, {"utrace_engine_put": "e"}]}])"));
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
  const Engine* e = r.engine("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(r.changes("engine->ops", e->id), (std::vector<std::string>{"ops->NULL"}));
  EXPECT_EQ(r.changes("engine->flags", e->id), (std::vector<std::string>{"0->REAP", "REAP->0"}));
  // report_reap is traced under the reaped task's pid; it is made by the
  // reaper (init) inside release_task: after init's wait found X, before
  // release_task is done.  release comes from T's put.
  const auto calls = calls_of(r, e);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], std::make_pair(r.pid("X"), Callback::report_reap));
  EXPECT_EQ(calls[1], std::make_pair(r.pid("T"), Callback::release));
  std::size_t found = 0, reap = 0, released = 0;
  for (std::size_t i = 0; i < r.k().events().size(); ++i) {
    const Event& ev = r.k().events()[i];
    if (ev.kind == Ev::wait_found && ev.pid == 1 && ev.a == r.pid("X")) found = i;
    if (ev.kind == Ev::utrace_callback && ev.a == e->id && ev.b == static_cast<int>(Callback::report_reap)) reap = i;
    if (ev.kind == Ev::release_task && ev.pid == 1 && ev.a == r.pid("X")) released = i;
  }
  EXPECT_LT(found, reap);
  EXPECT_LT(reap, released);
}

TEST(UtraceEngineLife, AMarkedDetachedEngineGetsNoReportReap) {
  // §1.8: marked detached, flags == QUIESCE (no REAP): SIGKILL takes X to
  // its death and reap without a utrace_reset, and the teardown makes no
  // report_reap although the engine had enabled REAP.
  UtRun r(utrace_scenario(R"({"E": {"report_reap": {}, "release": {}}})",
                          R"([{"name": "X", "program": [{"pause": {}}, {"exit": 0}]},
                       {"name": "T", "kind": "kthread", "program": [
                         {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                         {"utrace_set_events": {"target": "X", "engine": "e", "events": ["REAP"]}},
                         {"settle": {}},
                         {"utrace_control": {"target": "X", "engine": "e", "action": "UTRACE_DETACH"}, "label": "detach"},
                         {"kill": {"pid": "X", "sig": "SIGKILL"}},
                         {"await": {"task": "X", "state": "dead"}}, {"utrace_engine_put": "e"}]}])"));
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
  EXPECT_EQ(r.ret("detach"), 0);
  const Engine* e = r.engine("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(r.changes("engine->flags", e->id), (std::vector<std::string>{"0->REAP", "REAP->QUIESCE", "QUIESCE->0"}));
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::release}));
}

TEST(UtraceEngineLife, ReleaseRunsOnceAfterTheLastOfFourReferences) {
  UtRun r(utrace_scenario(R"({"E": {"release": {}}})",
                          R"([{"name": "X", "program": [{"wait_for_completion": "ready"}, {"exit": 0}]},
                       {"name": "T", "kind": "kthread", "program": [
                         {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "a"},
                         {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_MATCH_OPS"]}, "as": "b"},
                         {"utrace_attach_task": {"target": "X", "ops": "E", "flags": []}, "as": "c"},
                         {"utrace_engine_put": "a"}, {"utrace_engine_put": "b"},
                         {"complete": "ready"}, {"await": {"task": "X", "state": "dead"}},
                         {"utrace_engine_put": "c", "label": "last"}]}])"));
  ASSERT_TRUE(r.out().violations.empty()) << r.violations();
  const Engine* e = r.engine("a");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(r.engine("b"), e);
  EXPECT_EQ(r.engine("c"), e);
  EXPECT_TRUE(e->freed);
  EXPECT_EQ(e->kref, 0);
  EXPECT_EQ(calls_of(r, e), (std::vector<std::pair<int, Callback>>{{r.pid("T"), Callback::release}}));
  // It ran inside the last put: after the reap (the implicit put), before
  // the op's result.
  std::size_t release_at = 0, last_at = 0, reap_at = 0;
  for (std::size_t i = 0; i < r.k().events().size(); ++i) {
    const Event& ev = r.k().events()[i];
    if (ev.kind == Ev::utrace_callback && ev.a == e->id) release_at = i;
    if (ev.kind == Ev::release_task && ev.a == r.pid("X")) reap_at = i;
    if (ev.kind == Ev::op_result && ev.pid == r.pid("T")) last_at = i;
  }
  EXPECT_LT(reap_at, release_at);
  EXPECT_LT(release_at, last_at);
}

}  // namespace
}  // namespace model
