// tests/unit/scenario/load/shorthand_test.cpp: "a scalar argument is
// shorthand for the op's main field" (SCENARIOS.md; docs/scenarios.md "The
// main field of every op") for every op.  A shorthand that makes a whole
// call loads and runs exactly as its long form (same trace hash, same event
// count, same labelled result); one that leaves a required field out gets
// scenario.E011 naming that field and saying the shorthand fills only the
// main one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenario/load/loader.h"
#include "support/scenario_run.h"

namespace model {
namespace {

using test::ScenarioRun;

// A scenario with engine table E (quiesce and death reports, no-ops), a user
// task X running x_ops and a kthread T running t_ops.
std::string scenario(const std::string& x_ops, const std::string& t_ops = "") {
  return test::two(R"({"E": {"report_quiesce": "UTRACE_RESUME", "report_death": "UTRACE_RESUME"}})", x_ops, t_ops);
}

struct Pair {
  const char* op;
  const char* short_form;  // %s in `frame` is replaced by one form or the other
  const char* long_form;
  const char* x_frame;  // X's program around the op ("%s" = the op object)
  const char* t_frame = "";
};

std::string fill(const std::string& frame, const std::string& op) {
  std::string out = frame;
  const auto at = out.find("%s");
  if (at != std::string::npos) out.replace(at, 2, op);
  return out;
}

// Each op, its shorthand and its long form, in a program that makes the op
// do something observable.  The op under test carries label "r".
const std::vector<Pair>& pairs() {
  static const std::vector<Pair> p = {
      {"syscall", R"({"syscall": "getpid", "label": "r"})", R"({"syscall": {"name": "getpid"}, "label": "r"})", "%s"},
      {"compute", R"({"compute": 3, "label": "r"})", R"({"compute": {"steps": 3}, "label": "r"})", "%s"},
      {"nanosleep", R"({"nanosleep": 2, "label": "r"})", R"({"nanosleep": {"ticks": 2}, "label": "r"})", "%s"},
      {"alarm", R"({"alarm": 3, "label": "r"})", R"({"alarm": {"seconds": 3}, "label": "r"})",
       R"({"sigaction": {"sig": "SIGALRM", "handler": "noop"}}, %s, {"pause": {}})"},
      {"pause", R"({"pause": null, "label": "r"})", R"({"pause": {}, "label": "r"})",
       R"({"sigaction": {"sig": "SIGUSR1", "handler": "noop"}}, %s)",
       R"({"await": {"task": "X", "state": "sleeping"}}, {"kill": {"pid": "X", "sig": "SIGUSR1"}})"},
      {"settle", R"({"settle": true, "label": "r"})", R"({"settle": {}, "label": "r"})", "%s"},
      {"loop", R"({"loop": 2, "label": "r"})", R"({"loop": {"times": 2}, "label": "r"})", "%s"},
      {"sigaction", R"({"sigaction": "SIGUSR1", "label": "r"})", R"({"sigaction": {"sig": "SIGUSR1"}, "label": "r"})",
       "%s, {\"raise\": \"SIGUSR1\"}"},
      {"sigprocmask", R"({"sigprocmask": "SIGUSR1", "label": "r"})",
       R"({"sigprocmask": {"block": ["SIGUSR1"]}, "label": "r"})", "%s, {\"raise\": \"SIGUSR1\"}"},
      {"raise", R"({"raise": "SIGCHLD", "label": "r"})", R"({"raise": {"sig": "SIGCHLD"}, "label": "r"})", "%s"},
      {"fork", R"({"fork": "C", "label": "r"})", R"({"fork": {"child": "C"}, "label": "r"})",
       "%s, {\"waitpid\": \"C\", \"expect\": {\"exited\": 0}}"},
      {"vfork", R"({"vfork": "C", "label": "r"})", R"({"vfork": {"child": "C"}, "label": "r"})",
       "%s, {\"waitpid\": \"C\", \"expect\": {\"exited\": 0}}"},
      {"clone", R"({"clone": "C", "label": "r"})", R"({"clone": {"child": "C"}, "label": "r"})",
       R"(%s, {"waitpid": {"pid": "C", "options": ["__WCLONE"]}, "expect": {"exited": 0}})"},
      {"exec", R"({"exec": [{"exit": 3}], "label": "r"})", R"({"exec": {"program": [{"exit": 3}]}, "label": "r"})",
       "%s"},
      {"exit", R"({"exit": 3})", R"({"exit": {"code": 3}})", "%s"},
      {"exit_group", R"({"exit_group": 4})", R"({"exit_group": {"code": 4}})", "%s"},
      {"waitpid", R"({"waitpid": "C", "label": "r"})", R"({"waitpid": {"pid": "C"}, "label": "r"})",
       R"({"fork": {"child": "C", "program": [{"exit": 5}]}}, %s)"},
      {"ptrace", R"({"ptrace": "PTRACE_TRACEME", "label": "r"})",
       R"({"ptrace": {"request": "PTRACE_TRACEME"}, "label": "r"})",
       R"({"fork": {"child": "C", "program": [%s, {"raise": "SIGSTOP"}]}},
          {"waitpid": "C", "expect": {"stopped": "SIGSTOP"}},
          {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}}, {"waitpid": "C"})"},
      {"complete", R"({"complete": "go", "label": "r"})", R"({"complete": {"name": "go"}, "label": "r"})", "%s",
       R"({"wait_for_completion": "go"})"},
      {"wait_for_completion", R"({"wait_for_completion": "go", "label": "r"})",
       R"({"wait_for_completion": {"name": "go"}, "label": "r"})", R"({"complete": "go"})", "%s"},
      {"utrace_attach_task", R"({"utrace_attach_task": "X", "as": "e2"})",
       R"({"utrace_attach_task": {"target": "X"}, "as": "e2"})", R"({"wait_for_completion": "done"})",
       R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
          %s, {"utrace_engine_put": "e2"}, {"complete": "done"})"},
      {"utrace_barrier", R"({"utrace_barrier": "e", "label": "r"})",
       R"({"utrace_barrier": {"target": "X", "engine": "e"}, "label": "r"})", R"({"wait_for_completion": "done"})",
       R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
          %s, {"complete": "done"})"},
      {"utrace_prepare_examine", R"({"utrace_prepare_examine": "e", "label": "r"})",
       R"({"utrace_prepare_examine": {"target": "X", "engine": "e"}, "label": "r"})",
       R"({"wait_for_completion": "done"})",
       R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
          %s, {"complete": "done"})"},
      {"utrace_finish_examine", R"({"utrace_finish_examine": "e", "label": "r"})",
       R"({"utrace_finish_examine": {"target": "X", "engine": "e"}, "label": "r"})",
       R"({"wait_for_completion": "done"})",
       R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
          %s, {"complete": "done"})"},
      {"utrace_engine_put", R"({"utrace_engine_put": "e", "label": "r"})",
       R"({"utrace_engine_put": {"engine": "e"}, "label": "r"})", R"({"wait_for_completion": "done"})",
       R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
          %s, {"complete": "done"})"},
  };
  return p;
}

std::string build(const Pair& p, const char* form) {
  const std::string x = std::string(p.x_frame).find("%s") != std::string::npos ? fill(p.x_frame, form) : p.x_frame;
  const std::string t = std::string(p.t_frame).find("%s") != std::string::npos ? fill(p.t_frame, form) : p.t_frame;
  return scenario(x, t);
}

TEST(Shorthand, EveryCompleteShorthandRunsAsItsLongForm) {
  for (const Pair& p : pairs()) {
    SCOPED_TRACE(p.op);
    const ScenarioRun s(build(p, p.short_form)), l(build(p, p.long_form));
    ASSERT_TRUE(s.ok() && l.ok());
    EXPECT_EQ(s.out().trace_hash, l.out().trace_hash);
    EXPECT_EQ(s.k().events().size(), l.k().events().size());
    EXPECT_EQ(s.ret("r"), l.ret("r"));
    EXPECT_EQ(s.violations(), l.violations());
    EXPECT_EQ(s.violations(), "");
  }
}

// What some shorthands do, beyond being their long form.
TEST(Shorthand, MeaningsAKernelDeveloperExpects) {
  // sigaction(sig, NULL, &old) reads the action: SIGUSR1 keeps its default
  // (death), and SIGKILL may be read though never set.
  ScenarioRun q(scenario(R"({"sigaction": "SIGKILL", "label": "kill"},
                             {"sigaction": {"sig": "SIGKILL", "handler": "SIG_IGN"}, "label": "set"},
                             {"sigaction": "SIGUSR1"}, {"raise": "SIGUSR1"}, {"exit": 0})"));
  EXPECT_EQ(q.ret("kill"), 0);
  EXPECT_EQ(q.ret("set"), -EINVAL);
  // The task died of SIGUSR1: no exit(0) afterwards.
  bool killed = false;
  for (const Event& e : q.k().events())
    if (e.kind == Ev::task_exit && e.pid == q.pid("X")) killed = (e.a & 0x7f) == SIGUSR1;
  EXPECT_TRUE(killed);

  // utrace_attach_task(X, 0, NULL, NULL) is a lookup: -ENOENT with no
  // engine, "ok" with one (and the same engine).
  ScenarioRun a(scenario(R"({"wait_for_completion": "done"})",
                         R"({"utrace_attach_task": "X", "label": "none"},
                            {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                            {"utrace_attach_task": "X", "as": "found"},
                            {"utrace_engine_put": "found"}, {"complete": "done"})"));
  EXPECT_EQ(a.ret("none"), -ENOENT);
  ASSERT_NE(a.engine("e"), nullptr);
  EXPECT_EQ(a.engine("found"), a.engine("e"));

  // sigprocmask's shorthand blocks: the raised signal stays pending and the
  // task exits normally.
  ScenarioRun m(scenario(R"({"sigprocmask": ["SIGUSR1", "SIGUSR2"]}, {"raise": "SIGUSR2"}, {"exit": 7})"));
  bool exited7 = false;
  for (const Event& e : m.k().events())
    if (e.kind == Ev::task_exit && e.pid == m.pid("X")) exited7 = e.a == (7 << 8);
  EXPECT_TRUE(exited7);
}

TEST(Shorthand, TargetOfAUtraceOpDefaultsToTheEnginesTask) {
  // set_events and control without "target": the task e is attached to.
  const char* with =
      R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
      {"utrace_set_events": {"target": "X", "engine": "e", "events": ["QUIESCE", "DEATH"]}, "label": "r"},
      {"utrace_control": {"target": "X", "engine": "e", "action": "UTRACE_REPORT"}, "label": "c"},
      {"complete": "done"})";
  const char* without =
      R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
      {"utrace_set_events": {"engine": "e", "events": ["QUIESCE", "DEATH"]}, "label": "r"},
      {"utrace_control": {"engine": "e", "action": "UTRACE_REPORT"}, "label": "c"},
      {"complete": "done"})";
  const ScenarioRun w(scenario(R"({"wait_for_completion": "done"})", with));
  const ScenarioRun o(scenario(R"({"wait_for_completion": "done"})", without));
  EXPECT_EQ(w.ret("r"), 0);
  EXPECT_EQ(w.ret("c"), 0);
  EXPECT_EQ(w.out().trace_hash, o.out().trace_hash);
  EXPECT_EQ(w.received("e"), o.received("e"));
  EXPECT_EQ(o.received("e").back(), Callback::report_death);
}

std::vector<ScenarioError> errors_of(const std::string& text) {
  LoadResult r = load_scenario_text(text, "t.json");
  EXPECT_FALSE(r.ok()) << text;
  return r.errors;
}

TEST(Shorthand, AShorthandThatLeavesARequiredFieldOutSaysWhich) {
  struct Case {
    const char* x_ops;
    const char* t_ops;
    const char* pointer;
    const char* field;  // named in the message
  };
  const Case cases[] = {
      {R"({"kill": "X"})", "", "/tasks/0/program/0/kill", "'sig'"},
      {R"({"tkill": "X"})", "", "/tasks/0/program/0/tkill", "'sig'"},
      {R"({"await": "T"})", "", "/tasks/0/program/0/await", "'state'"},
      {R"({"assert_state": "T"})", "", "/tasks/0/program/0/assert_state", "'state'"},
      {R"({"ptrace": "PTRACE_ATTACH"})", "", "/tasks/0/program/0/ptrace", "\"pid\""},
      {"", R"({"utrace_attach_task": "X", "as": "e"}, {"utrace_set_events": "e"})",
       "/tasks/1/program/1/utrace_set_events", "'events'"},
      {"", R"({"utrace_attach_task": "X", "as": "e"}, {"utrace_control": "e"})", "/tasks/1/program/1/utrace_control",
       "'action'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pointer);
    const auto errs = errors_of(scenario(c.x_ops, c.t_ops));
    ASSERT_EQ(errs.size(), 1u) << errs.front().to_string();
    EXPECT_EQ(errs[0].id, "scenario.E011");
    EXPECT_EQ(errs[0].pointer, c.pointer);
    EXPECT_NE(errs[0].message.find(c.field), std::string::npos) << errs[0].message;
    EXPECT_NE(errs[0].message.find("shorthand for the main field"), std::string::npos) << errs[0].message;
  }
  // The long forms' messages stay as they were.
  const auto errs = errors_of(scenario(R"({"kill": {"pid": "X"}})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].message.find("shorthand"), std::string::npos);
}

TEST(Shorthand, RefusedWhereThereIsNoMainField) {
  // retry has no main field; an attach that creates needs its ops.
  auto errs = errors_of(scenario(R"({"retry": "x"})"));
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].id, "scenario.E010");
  errs = errors_of(scenario("", R"({"utrace_attach_task": {"target": "X", "flags": ["UTRACE_ATTACH_CREATE"]}})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].id, "scenario.E011");
  EXPECT_NE(errs[0].message.find("'ops'"), std::string::npos);
  // flags without a handler: they belong to a new action.
  errs = errors_of(scenario(R"({"sigaction": {"sig": "SIGUSR1", "flags": ["SA_RESTART"]}})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].id, "scenario.E017");
  EXPECT_EQ(errs[0].pointer, "/tasks/0/program/0/sigaction/flags");
}

}  // namespace
}  // namespace model
