// tests/unit/scenario/load/loader_ast_test.cpp: what a loaded scenario means — slots,
// shorthands, references, callback returns, expectations — one rule per test.
#include <gtest/gtest.h>

#include <string>

#include "scenario/load/loader.h"
#include "support/scenario_run.h"

using namespace model;

namespace {

std::string errors_of(const LoadResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += "  " + e.to_string() + "\n";
  return s;
}

// A scenario around `tasks` (a JSON array) and optional extra top-level members.
Scenario load_ok(const std::string& tasks, const std::string& extra = "") {
  std::string text =
      R"({"utsim": 1, "name": "t", "summary": "s", "tasks": )" + tasks + (extra.empty() ? "" : ", " + extra) + "}";
  LoadResult r = load_scenario_text(text, "t.json");
  EXPECT_TRUE(r.ok()) << text << "\n" << errors_of(r);
  if (!r.ok()) return {};
  return std::move(*r.scenario);
}

std::vector<ScenarioError> load_bad(const std::string& tasks, const std::string& extra = "") {
  std::string text =
      R"({"utsim": 1, "name": "t", "summary": "s", "tasks": )" + tasks + (extra.empty() ? "" : ", " + extra) + "}";
  LoadResult r = load_scenario_text(text, "t.json");
  EXPECT_FALSE(r.ok()) << text;
  return r.errors;
}

bool has(const std::vector<ScenarioError>& errs, const std::string& id, const std::string& ptr) {
  return test::has_error(errs, id, ptr);
}

const Op& op0(const Scenario& s, std::size_t task = 0, std::size_t i = 0) { return s.tasks.at(task).program.at(i); }

}  // namespace

TEST(LoaderAst, TopLevelDefaultsAndModel) {
  Scenario s = load_ok(R"([{"name": "A"}])");
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.kernel, KernelVersion::V2010Rhel6);
  EXPECT_TRUE(s.bugs.none());
  EXPECT_EQ(s.file, "t.json");
  s = load_ok(R"([{"name": "A"}])", R"("model": {"kernel": "2011-3x", "bugs": ["R2", "R11"]})");
  EXPECT_EQ(s.kernel, KernelVersion::V2011_3x);
  EXPECT_TRUE(s.has_bug(2));
  EXPECT_TRUE(s.has_bug(11));
  EXPECT_FALSE(s.has_bug(1));
}

TEST(LoaderAst, RacesWithoutASwitchAreRefused) {
  // R13 is in the code as written; R17's ptrace races have no switch.
  for (const char* bug : {"R10", "R12", "R13", "R14", "R15", "R16", "R17"}) {
    const std::string text = std::string(R"({"utsim": 1, "name": "t", "summary": "s", "model": {"bugs": [")") + bug +
                             R"("]}, "tasks": [{"name": "A"}]})";
    const LoadResult r = load_scenario_text(text, "t.json");
    ASSERT_FALSE(r.ok()) << bug;
    EXPECT_EQ(r.errors.front().id, "scenario.E045") << bug;
    EXPECT_EQ(r.errors.front().pointer, "/model/bugs/0") << bug;
    EXPECT_NE(r.errors.front().message.find("cannot be switched on"), std::string::npos) << bug;
  }
}

TEST(LoaderAst, TaskSlotsDeclaredFirstThenChildrenDepthFirst) {
  Scenario s = load_ok(R"([
    {"name": "A", "program": [
      {"fork": {"child": "A1", "program": [{"vfork": "A11"}]}},
      {"clone": {"child": "A2", "flags": ["CLONE_THREAD", "SIGCHLD"]}}]},
    {"name": "B", "kind": "kthread", "program": [{"kill": {"pid": "A11", "sig": 0}}]}])");
  ASSERT_EQ(s.task_names, (std::vector<std::string>{"A", "B", "A1", "A11", "A2"}));
  EXPECT_EQ(s.tasks[0].slot, 0);
  EXPECT_EQ(s.tasks[1].slot, 1);
  EXPECT_TRUE(s.tasks[1].kthread);
  const auto* fork = op0(s).as_if<ForkOp>();
  ASSERT_TRUE(fork);
  EXPECT_EQ(fork->child, 2);
  const auto* vfork = fork->program.at(0).as_if<ForkOp>();
  ASSERT_TRUE(vfork);
  EXPECT_TRUE(vfork->vfork);
  EXPECT_EQ(vfork->child, 3);
  const auto* clone = op0(s, 0, 1).as_if<CloneOp>();
  ASSERT_TRUE(clone);
  EXPECT_EQ(clone->child, 4);
  EXPECT_EQ(clone->flags, CLONE_THREAD);
  EXPECT_EQ(clone->exit_signal, SIGCHLD);
  const auto* kill = op0(s, 1).as_if<KillOp>();
  ASSERT_TRUE(kill);
  EXPECT_EQ(kill->pid.kind, TaskRef::Kind::Named);
  EXPECT_EQ(kill->pid.slot, 3);
}

TEST(LoaderAst, ScalarShorthands) {
  Scenario s = load_ok(R"([{"name": "A", "program": [
    {"syscall": "gettid"}, {"compute": 7}, {"nanosleep": 3}, {"raise": "SIGRTMIN+2"},
    {"exit": 42}, {"exit_group": 1}, {"waitpid": -1}, {"complete": "c"},
    {"loop": 4}, {"fork": "F"}, {"exec": [{"pause": null}]}, {"settle": true}]}])");
  const Program& p = s.tasks[0].program;
  ASSERT_EQ(p.size(), 12u);
  EXPECT_EQ(p[0].as_if<SyscallOp>()->name, "gettid");
  EXPECT_EQ(p[1].as_if<ComputeOp>()->steps, 7u);
  EXPECT_EQ(p[2].as_if<NanosleepOp>()->ticks, 3u);
  EXPECT_EQ(p[3].as_if<RaiseOp>()->sig, 36);  // glibc's SIGRTMIN is 34
  EXPECT_EQ(p[4].as_if<ExitOp>()->code, 42);
  EXPECT_TRUE(p[5].as_if<ExitOp>()->group);
  EXPECT_EQ(p[6].as_if<WaitpidOp>()->pid.kind, TaskRef::Kind::Any);
  EXPECT_EQ(s.completion_names.at(p[7].as_if<CompletionOp>()->completion), "c");
  EXPECT_EQ(p[8].as_if<LoopOp>()->times, 4u);
  EXPECT_TRUE(p[8].as_if<LoopOp>()->body.empty());
  EXPECT_EQ(s.task_names.at(p[9].as_if<ForkOp>()->child), "F");
  ASSERT_EQ(p[10].as_if<ExecOp>()->program.size(), 1u);
  EXPECT_TRUE(p[10].as_if<ExecOp>()->program[0].as_if<PauseOp>());
  EXPECT_TRUE(p[11].as_if<SettleOp>());
  EXPECT_EQ(p[3].key, "raise");
  EXPECT_EQ(p[3].ptr, "/tasks/0/program/3");
}

TEST(LoaderAst, ShorthandErrorsPointAtTheScalar) {
  auto errs = load_bad(R"([{"name": "A", "program": [{"compute": -1}, {"exit": 256}]}])");
  EXPECT_TRUE(has(errs, "scenario.E052", "/tasks/0/program/0/compute"));
  EXPECT_TRUE(has(errs, "scenario.E052", "/tasks/0/program/1/exit"));
}

TEST(LoaderAst, SigactionAndMasks) {
  Scenario s = load_ok(R"([{"name": "A", "program": [
    {"sigaction": {"sig": "SIGUSR1", "handler": {"do": [{"raise": "SIGUSR2"}]}, "flags": ["SA_RESTART", "SA_SIGINFO"]}},
    {"sigaction": {"sig": 10, "handler": {"exit": 3}}},
    {"sigprocmask": {"set": ["SIGUSR1", "SIGIOT", 64]}}]}])");
  const auto* sa = op0(s).as_if<SigactionOp>();
  ASSERT_TRUE(sa);
  EXPECT_EQ(sa->sig, SIGUSR1);
  EXPECT_EQ(sa->handler.kind, SignalHandler::Kind::Do);
  EXPECT_EQ(sa->handler.body.size(), 1u);
  EXPECT_EQ(sa->flags, SA_RESTART | SA_SIGINFO);
  const auto* sa2 = op0(s, 0, 1).as_if<SigactionOp>();
  EXPECT_EQ(sa2->handler.kind, SignalHandler::Kind::Exit);
  EXPECT_EQ(sa2->handler.value, 3);
  const auto* mask = op0(s, 0, 2).as_if<SigprocmaskOp>();
  EXPECT_EQ(mask->how, SigprocmaskOp::How::Set);
  EXPECT_TRUE(mask->set.has(SIGUSR1));
  EXPECT_TRUE(mask->set.has(SIGABRT));
  EXPECT_TRUE(mask->set.has(64));
}

TEST(LoaderAst, PtraceArguments) {
  Scenario s = load_ok(R"([{"name": "A", "program": [
    {"ptrace": {"request": "PTRACE_TRACEME"}},
    {"ptrace": {"request": "PTRACE_SETOPTIONS", "pid": "A", "options": ["PTRACE_O_TRACESYSGOOD", "PTRACE_O_TRACEEXIT"]}},
    {"ptrace": {"request": "PTRACE_CONT", "pid": "$task", "sig": "SIGSTOP"}}]}])");
  const auto* t = op0(s).as_if<PtraceOp>();
  EXPECT_EQ(t->request, PTRACE_TRACEME);
  EXPECT_FALSE(t->has_pid);
  const auto* o = op0(s, 0, 1).as_if<PtraceOp>();
  EXPECT_EQ(o->options, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXIT);
  const auto* c = op0(s, 0, 2).as_if<PtraceOp>();
  EXPECT_TRUE(c->has_pid);
  EXPECT_EQ(c->pid.kind, TaskRef::Kind::Self);
  EXPECT_EQ(c->sig, SIGSTOP);

  auto errs = load_bad(R"([{"name": "A", "program": [{"ptrace": {"request": "PTRACE_CONT"}},
                           {"ptrace": {"request": "PTRACE_CONT", "pid": "A", "options": []}}]}])");
  EXPECT_TRUE(has(errs, "scenario.E011", "/tasks/0/program/0/ptrace"));
  EXPECT_TRUE(has(errs, "scenario.E066", "/tasks/0/program/1/ptrace/options"));
}

TEST(LoaderAst, EnginesCallbacksAndHandles) {
  Scenario s = load_ok(R"J([
      {"name": "K", "kind": "kthread", "program": [
        {"utrace_attach_task": {"target": "K", "ops": "E", "data": "d", "flags": ["UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE"]}, "as": "h"},
        {"utrace_attach_task": {"target": "K", "ops": null}, "as": "h"},
        {"utrace_attach_task": {"target": "K", "ops": "utrace_detached_ops"}},
        {"utrace_set_events": {"target": "K", "engine": "h", "events": ["UTRACE_EVENT(QUIESCE)", "SYSCALL", "SIGNAL_ALL"]}},
        {"utrace_control": {"target": "K", "engine": "ch", "action": "UTRACE_RESUME_MAX"}},
        {"utrace_engine_put": "h"}]}])J",
                       R"("engines": {
      "x-note": "ignored",
      "F": {},
      "E": {"report_signal": "UTRACE_SIGNAL_IGN | UTRACE_SIGNAL_HOLD|UTRACE_STOP",
            "report_syscall_entry": ["UTRACE_SYSCALL_ABORT | UTRACE_RESUME", 5],
            "report_clone": {"do": [{"utrace_attach_task": {"target": "$child", "ops": "F"}, "as": "ch"},
                                    {"utrace_control": {"target": "$task", "engine": "$engine", "action": "UTRACE_DETACH"}}]},
            "report_death": "UTRACE_DETACH",
            "report_reap": {"do": [{"complete": "reaped"}]}}})");
  ASSERT_EQ(s.engines.size(), 2u);
  EXPECT_EQ(s.engines[0].name, "F");
  EXPECT_EQ(s.engines[1].name, "E");
  const EngineTable& e = s.engines[1];
  EXPECT_FALSE(e[Callback::report_quiesce].present);
  EXPECT_TRUE(e[Callback::report_signal].present);
  EXPECT_EQ(e[Callback::report_signal].returns,
            (std::vector<std::uint32_t>{UTRACE_SIGNAL_IGN | UTRACE_SIGNAL_HOLD | UTRACE_STOP}));
  EXPECT_EQ(e[Callback::report_syscall_entry].returns,
            (std::vector<std::uint32_t>{UTRACE_SYSCALL_ABORT | UTRACE_RESUME, 5}));
  EXPECT_TRUE(e[Callback::report_clone].returns.empty());
  EXPECT_EQ(e[Callback::report_clone].body.size(), 2u);
  EXPECT_EQ(e[Callback::report_clone].ptr, "/engines/E/report_clone");
  EXPECT_EQ(e[Callback::report_reap].body.size(), 1u);
  EXPECT_TRUE(e[Callback::report_reap].returns.empty());

  const auto* ctl = e[Callback::report_clone].body[1].as_if<ControlOp>();
  EXPECT_EQ(ctl->target.kind, TaskRef::Kind::Self);
  EXPECT_EQ(ctl->engine.kind, HandleRef::Kind::Current);
  const auto* attach_child = e[Callback::report_clone].body[0].as_if<AttachOp>();
  EXPECT_EQ(attach_child->target.kind, TaskRef::Kind::Child);
  EXPECT_EQ(attach_child->ops, 0);

  const Program& p = s.tasks[0].program;
  const auto* a = p[0].as_if<AttachOp>();
  EXPECT_EQ(a->ops_kind, AttachOp::Ops::Table);
  EXPECT_EQ(a->ops, 1);
  EXPECT_EQ(s.data_names.at(a->data), "d");
  EXPECT_EQ(a->flags, UTRACE_ATTACH_CREATE | UTRACE_ATTACH_EXCLUSIVE);
  EXPECT_EQ(s.handle_names.at(p[0].as), "h");
  EXPECT_EQ(p[1].as, p[0].as);  // the same handle may be bound twice
  EXPECT_EQ(p[1].as_if<AttachOp>()->ops_kind, AttachOp::Ops::Null);
  EXPECT_EQ(p[1].as_if<AttachOp>()->data, -1);
  EXPECT_EQ(p[2].as_if<AttachOp>()->ops_kind, AttachOp::Ops::DetachedSentinel);
  EXPECT_EQ(p[2].as, -1);
  EXPECT_EQ(p[3].as_if<SetEventsOp>()->events,
            UTRACE_EVENT(_UTRACE_EVENT_QUIESCE) | UTRACE_EVENT_SYSCALL | UTRACE_EVENT_SIGNAL_ALL);
  // A handle bound inside a callback is usable by a task (forward reference).
  const auto* ctl2 = p[4].as_if<ControlOp>();
  EXPECT_EQ(s.handle_names.at(ctl2->engine.slot), "ch");
  EXPECT_EQ(ctl2->action, 7u);
  EXPECT_EQ(p[5].as_if<EnginePutOp>()->engine.slot, p[0].as);
}

TEST(LoaderAst, CallbackReturnFamilies) {
  auto errs = load_bad(R"([{"name": "A"}])", R"("engines": {"E": {
      "report_quiesce": "UTRACE_SIGNAL_IGN | UTRACE_RESUME",
      "report_signal": "UTRACE_SYSCALL_ABORT",
      "report_jctl": "UTRACE_STOPP",
      "release": "UTRACE_RESUME",
      "report_reap": {"return": "UTRACE_RESUME"}}})");
  EXPECT_TRUE(has(errs, "scenario.E064", "/engines/E/report_quiesce"));
  EXPECT_TRUE(has(errs, "scenario.E064", "/engines/E/report_signal"));
  EXPECT_TRUE(has(errs, "scenario.E038", "/engines/E/report_jctl"));
  EXPECT_TRUE(has(errs, "scenario.E063", "/engines/E/release"));
  EXPECT_TRUE(has(errs, "scenario.E063", "/engines/E/report_reap/return"));
}

TEST(LoaderAst, ExpectationsDecodeValues) {
  Scenario s = load_ok(R"([{"name": "A", "program": [
    {"waitpid": -1, "expect": [0, "0x137f", "-ESRCH", "blocks", "A",
                              {"pid": "A", "stopped": "SIGTRAP|0x80"},
                              {"stopped": "SIGTRAP", "event": "PTRACE_EVENT_EXEC"},
                              {"signaled": "SIGSEGV", "core": true}, {"exited": 3}, {"continued": true}],
     "expect_modern": "-ECHILD", "label": "w"},
    {"utrace_attach_task": {"target": "A", "ops": null}, "expect": "ok", "as": "h"}]}])");
  const Op& w = op0(s);
  ASSERT_TRUE(w.expect);
  const auto& any = w.expect->any_of;
  ASSERT_EQ(any.size(), 10u);
  EXPECT_EQ(w.expect->ptr, "/tasks/0/program/0/expect");
  EXPECT_EQ(any[0].kind, ResultPattern::Kind::Int);
  EXPECT_EQ(any[0].value, 0);
  EXPECT_EQ(any[1].kind, ResultPattern::Kind::Int);
  EXPECT_EQ(any[1].value, 0x137f);
  EXPECT_TRUE(any[1].raw);
  EXPECT_FALSE(any[0].raw);
  EXPECT_EQ(any[2].kind, ResultPattern::Kind::Errno);
  EXPECT_EQ(any[2].value, ESRCH);
  EXPECT_EQ(any[3].kind, ResultPattern::Kind::Blocks);
  EXPECT_EQ(any[4].kind, ResultPattern::Kind::TaskPid);
  EXPECT_EQ(any[4].task.slot, 0);
  EXPECT_EQ(any[5].kind, ResultPattern::Kind::Status);
  EXPECT_EQ(any[5].status, ResultPattern::StatusKind::Stopped);
  EXPECT_EQ(any[5].code, SIGTRAP | 0x80);
  EXPECT_TRUE(any[5].has_pid);
  EXPECT_EQ(any[6].event, PTRACE_EVENT_EXEC);
  EXPECT_EQ(any[6].code, SIGTRAP);
  EXPECT_EQ(any[7].status, ResultPattern::StatusKind::Signaled);
  EXPECT_EQ(any[7].code, SIGSEGV);
  EXPECT_EQ(any[7].core, true);
  EXPECT_EQ(any[8].status, ResultPattern::StatusKind::Exited);
  EXPECT_EQ(any[8].code, 3);
  EXPECT_FALSE(any[8].core.has_value());
  EXPECT_EQ(any[9].status, ResultPattern::StatusKind::Continued);
  ASSERT_TRUE(w.expect_modern);
  EXPECT_EQ(w.expect_modern->any_of.at(0).value, ECHILD);
  EXPECT_EQ(s.labels.at(w.label), "w");
  EXPECT_EQ(op0(s, 0, 1).expect->any_of.at(0).kind, ResultPattern::Kind::Ok);
}

// PTRACE_SEIZE/INTERRUPT/LISTEN and PTRACE_EVENT_STOP (Linux 3.4) are names the
// format knows so that a scenario can declare what a modern kernel does with them
// (expect_modern); the 2.6.32 model treats the requests as unknown numbers.
TEST(LoaderAst, ModernPtraceNamesLoad) {
  Scenario s = load_ok(R"([{"name": "A", "program": [
    {"ptrace": {"request": "PTRACE_SEIZE", "pid": "A"}, "expect": "-ESRCH", "expect_modern": 0},
    {"ptrace": {"request": "PTRACE_INTERRUPT", "pid": "A"}},
    {"ptrace": {"request": "PTRACE_LISTEN", "pid": "A", "sig": 0}},
    {"waitpid": -1, "expect": "-ECHILD", "expect_modern": {"stopped": "SIGTRAP", "event": "PTRACE_EVENT_STOP"}}]}])");
  EXPECT_EQ(op0(s, 0, 0).as_if<PtraceOp>()->request, 0x4206);
  EXPECT_EQ(op0(s, 0, 1).as_if<PtraceOp>()->request, 0x4207);
  EXPECT_EQ(op0(s, 0, 2).as_if<PtraceOp>()->request, 0x4208);
  ASSERT_TRUE(op0(s, 0, 0).expect_modern);
  EXPECT_EQ(op0(s, 0, 0).expect_modern->any_of.at(0).value, 0);
  const Op& w = op0(s, 0, 3);
  ASSERT_TRUE(w.expect_modern);
  EXPECT_EQ(w.expect_modern->any_of.at(0).status, ResultPattern::StatusKind::Stopped);
  EXPECT_EQ(w.expect_modern->any_of.at(0).code, SIGTRAP);
  EXPECT_EQ(w.expect_modern->any_of.at(0).event, 128);

  auto errs = load_bad(R"([{"name": "A", "program": [
    {"ptrace": {"request": "PTRACE_SEIZE", "pid": "A", "options": ["PTRACE_O_TRACEEXIT"]}},
    {"waitpid": -1, "expect": {"stopped": "SIGTRAP", "event": "PTRACE_EVENT_SECCOMP"}}]}])");
  EXPECT_TRUE(has(errs, "scenario.E066", "/tasks/0/program/0/ptrace/options"));
  EXPECT_TRUE(has(errs, "scenario.E036", "/tasks/0/program/1/expect/event"));
}

TEST(LoaderAst, AsOnOtherOpsIsALabel) {
  Scenario s = load_ok(R"([{"name": "A", "program": [{"syscall": "getpid", "as": "pid"}]}])",
                       R"("expect": {"outcomes": [{"results": {"pid": "A"}}]})");
  EXPECT_EQ(op0(s).as, -1);
  EXPECT_EQ(s.labels.at(op0(s).label), "pid");
  ASSERT_EQ(s.expect.outcomes.size(), 1u);
  EXPECT_EQ(s.expect.outcomes[0].results.at(0).label, op0(s).label);
  auto errs = load_bad(R"([{"name": "A", "program": [{"syscall": "getpid", "as": "a", "label": "b"},
                            {"compute": 1, "label": "c"}, {"compute": 1, "label": "c"}]}])");
  EXPECT_TRUE(has(errs, "scenario.E017", "/tasks/0/program/0/as"));
  EXPECT_TRUE(has(errs, "scenario.E026", "/tasks/0/program/2/label"));
}

TEST(LoaderAst, TopLevelExpectAndExplore) {
  Scenario s = load_ok(R"([{"name": "C", "program": [
      {"utrace_attach_task": {"target": "C", "ops": null}, "as": "e1"}]}])",
                       R"("expect": {"violations": ["stop-without-engine"], "allowed": ["hang", "model-invariant"],
        "outcomes": [{"tasks": {"C": {"exited": 42}}}, {"tasks": {"C": {"signaled": "SIGKILL"}}}, {"tasks": {"C": {"state": "traced"}}}],
        "reachable": [{"callbacks": {"e1": ["report_quiesce", "report_death", "report_reap"]}}]},
      "explore": {"strategy": "pct", "preemption_bound": 2, "max_schedules": 100000, "seed": 18446744073709551615, "depth": 3, "max_steps": 5000})");
  EXPECT_TRUE(s.expect.violations.test(static_cast<std::size_t>(Property::StopWithoutEngine)));
  EXPECT_EQ(s.expect.violations.count(), 1u);
  EXPECT_TRUE(s.expect.allowed.test(static_cast<std::size_t>(Property::Hang)));
  EXPECT_TRUE(s.expect.has_outcomes);
  ASSERT_EQ(s.expect.outcomes.size(), 3u);
  EXPECT_EQ(s.expect.outcomes[0].tasks.at(0).exited, 42);
  EXPECT_EQ(s.expect.outcomes[1].tasks.at(0).signaled, SIGKILL);
  EXPECT_EQ(s.expect.outcomes[2].tasks.at(0).state, TaskState::Traced);
  EXPECT_EQ(s.expect.outcomes[1].ptr, "/expect/outcomes/1");
  ASSERT_EQ(s.expect.reachable.size(), 1u);
  EXPECT_EQ(s.expect.reachable[0].callbacks.at(0).calls,
            (std::vector<Callback>{Callback::report_quiesce, Callback::report_death, Callback::report_reap}));
  EXPECT_EQ(s.explore.strategy, Strategy::Pct);
  EXPECT_EQ(s.explore.preemption_bound, 2u);
  EXPECT_EQ(s.explore.max_schedules, 100000u);
  EXPECT_EQ(s.explore.seed, UINT64_MAX);
  EXPECT_EQ(s.explore.depth, 3u);
  EXPECT_EQ(s.explore.max_steps, 5000u);

  Scenario plain = load_ok(R"([{"name": "C"}])");
  EXPECT_FALSE(plain.expect.has_outcomes);
  EXPECT_FALSE(plain.explore.strategy.has_value());
}

TEST(LoaderAst, ExtensionKeysAreIgnoredEverywhere) {
  load_ok(
      R"([{"name": "A", "x-why": 1, "program": [
      {"x-note": "n", "syscall": {"name": "getpid", "x-k": [1, {"bad": true}]}, "expect": {"x-y": 0, "exited": 0}}]}])",
      R"("x-top": {"anything": "goes"}, "model": {"x-m": 0}, "expect": {"x-e": 1, "outcomes": [{"x-o": 1, "tasks": {"x-t": 0}}]})");
}

TEST(LoaderAst, ContextsDecideWhichOpsRun) {
  auto errs = load_bad(
      R"([{"name": "K", "kind": "kthread", "program": [{"syscall": "getpid"}, {"exit": 0}]}])",
      R"("engines": {"E": {"report_exec": {"do": [{"exit": 1}, {"kill": {"pid": "$task", "sig": "SIGKILL"}}]}}})");
  EXPECT_TRUE(has(errs, "scenario.E060", "/tasks/0/program/0/syscall"));
  EXPECT_TRUE(has(errs, "scenario.E060", "/engines/E/report_exec/do/0/exit"));
  EXPECT_EQ(errs.size(), 2u);
  // utrace API ops in a user program are an accepted extension; signal handlers run user code.
  load_ok(R"([{"name": "A", "program": [
      {"utrace_attach_task": {"target": "$task", "ops": null}},
      {"sigaction": {"sig": "SIGUSR1", "handler": {"do": [{"syscall": "getpid"}, {"waitpid": -1}]}}}]}])");
}

TEST(LoaderAst, SpecialReferencesNeedTheirContext) {
  auto errs = load_bad(R"([{"name": "A", "program": [
      {"kill": {"pid": "$child", "sig": 0}},
      {"utrace_barrier": {"target": "A", "engine": "$engine"}},
      {"kill": {"pid": -1, "sig": 0}}]}])",
                       R"("engines": {"E": {"report_exit": {"do": [{"kill": {"pid": "$child", "sig": 0}}]},
                                          "report_clone": {"do": [{"loop": {"times": 1, "do": [{"kill": {"pid": "$child", "sig": 0}}]}}]}}})");
  EXPECT_TRUE(has(errs, "scenario.E061", "/tasks/0/program/0/kill/pid"));
  EXPECT_TRUE(has(errs, "scenario.E062", "/tasks/0/program/1/utrace_barrier/engine"));
  EXPECT_TRUE(has(errs, "scenario.E065", "/tasks/0/program/2/kill/pid"));
  EXPECT_TRUE(has(errs, "scenario.E061", "/engines/E/report_exit/do/0/kill/pid"));
  EXPECT_EQ(errs.size(), 4u);  // $child at any depth inside report_clone is fine
}

TEST(LoaderAst, ManyErrorsReportedAtOnce) {
  auto errs = load_bad(R"([{"name": "A", "program": [{"raise": "SIGFOO"}, {"syscall": "nope"},
                                                     {"kill": {"pid": "Z", "sig": 0}}, {"compute": 1.5}]}])");
  EXPECT_TRUE(has(errs, "scenario.E030", "/tasks/0/program/0/raise"));
  EXPECT_TRUE(has(errs, "scenario.E048", "/tasks/0/program/1/syscall"));
  EXPECT_TRUE(has(errs, "scenario.E023", "/tasks/0/program/2/kill/pid"));
  EXPECT_TRUE(has(errs, "scenario.E051", "/tasks/0/program/3/compute"));
}

TEST(LoaderAst, OddValuesAreErrorsNotCrashes) {
  auto errs = load_bad(R"([{"name": "A", "program": [{"syscall": "getpid", "expect": ""},
                            {"syscall": "getpid", "expect": "0x"}, {"syscall": "getpid", "expect": "0x10000000000000000"},
                            {"syscall": "getpid", "expect": "-"}, {"raise": ""}, {"kill": {"pid": "", "sig": 0}}]}])",
                       R"("explore": {"seed": 1.5, "max_steps": -1})");
  EXPECT_TRUE(has(errs, "scenario.E050", "/tasks/0/program/0/expect"));
  EXPECT_TRUE(has(errs, "scenario.E050", "/tasks/0/program/1/expect"));
  EXPECT_TRUE(has(errs, "scenario.E050", "/tasks/0/program/2/expect"));
  EXPECT_TRUE(has(errs, "scenario.E050", "/tasks/0/program/3/expect"));
  EXPECT_TRUE(has(errs, "scenario.E030", "/tasks/0/program/4/raise"));
  EXPECT_TRUE(has(errs, "scenario.E023", "/tasks/0/program/5/kill/pid"));
  EXPECT_TRUE(has(errs, "scenario.E051", "/explore/seed"));
  EXPECT_TRUE(has(errs, "scenario.E052", "/explore/max_steps"));
}

TEST(LoaderAst, PointersEscapeTildeAndSlash) {
  auto errs = load_bad(R"([{"name": "A"}])", R"("engines": {"a/b~c": {"report_quiesc": "UTRACE_STOP"}})");
  EXPECT_TRUE(has(errs, "scenario.E046", "/engines/a~1b~0c/report_quiesc"));
}
