// tests/unit/scenario/callback_set_test.cpp: `set` on a callback (what it
// writes through its out-parameters) and returns that read the callback's
// `action` argument (docs/scenarios.md "set" and "Returns that read
// action"): what the loader makes of them, what it refuses, and what a run
// does with them.  The scenarios utrace/out-report-exit-code,
// utrace/out-report-signal-inject and
// utrace/computed-return-passes-signal-action check the whole effect.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "scenario/load/loader.h"
#include "support/scenario_run.h"

namespace model {
namespace {

using test::ScenarioRun;

// X raises SIGUSR1 then exits 3, while engine e (events EXIT, SIGNAL_TERM)
// watches; `sig` and `exit` are the two callbacks' specs.
std::string watched(const std::string& sig, const std::string& exit) {
  return test::two(
      R"x({"E": {"report_signal": )x" + sig + R"x(, "report_exit": )x" + exit + "}}",
      R"x({"wait_for_completion": "ready"}, {"raise": "SIGUSR1"}, {"exit": 3})x",
      R"x({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                      {"utrace_set_events": {"engine": "e", "events": ["EXIT", "SIGNAL_TERM"]}},
                      {"complete": "ready"})x");
}

TEST(CallbackSet, LoadsOutParametersAndReturnsThatReadAction) {
  const LoadResult r = load_scenario_text(watched(
      R"x({"return": ["utrace_signal_action(action) | UTRACE_RESUME", "UTRACE_SIGNAL_IGN|UTRACE_RESUME"],
           "set": [{"signal": "SIGUSR2", "return_ka": "task"}, {"return_ka": "SIG_IGN"}]})x",
      R"x({"return": "utrace_resume_action( action )", "set": {"code": 1792}})x"));
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  const EngineTable& t = r.scenario->engines.at(0);
  const CallbackSpec& s = t[Callback::report_signal];
  EXPECT_EQ(s.returns, (std::vector<std::uint32_t>{UTRACE_RESUME, UTRACE_SIGNAL_IGN | UTRACE_RESUME}));
  EXPECT_EQ(s.return_action_masks, (std::vector<std::uint32_t>{UTRACE_SIGNAL_MASK, 0}));
  // The first call passes the signal action it was told on; the second is a constant.
  EXPECT_EQ(s.return_value(0, UTRACE_SIGNAL_TERM | UTRACE_STOP), UTRACE_SIGNAL_TERM | UTRACE_RESUME);
  EXPECT_EQ(s.return_value(1, UTRACE_SIGNAL_TERM | UTRACE_STOP), UTRACE_SIGNAL_IGN | UTRACE_RESUME);
  ASSERT_EQ(s.sets.size(), 2u);
  EXPECT_EQ(s.sets[0].signal, SIGUSR2);
  EXPECT_EQ(s.sets[0].return_ka, CallbackSets::Ka::Task);
  EXPECT_EQ(s.sets[1].signal, 0);
  EXPECT_EQ(s.sets[1].return_ka, CallbackSets::Ka::Ignore);
  EXPECT_EQ(s.sets[1].ptr, "/engines/E/report_signal/set/1");
  const CallbackSpec& x = t[Callback::report_exit];
  EXPECT_EQ(x.return_value(0, UTRACE_STOP), UTRACE_STOP);  // utrace_resume_action(action) alone
  ASSERT_EQ(x.sets.size(), 1u);
  EXPECT_EQ(x.sets[0].code, 1792);
}

TEST(CallbackSet, ConstantReturnsKeepNoMasks) {
  const LoadResult r = load_scenario_text(watched(R"x("UTRACE_SIGNAL_DELIVER | UTRACE_RESUME")x", "{}"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.scenario->engines.at(0)[Callback::report_signal].return_action_masks.empty());
}

TEST(CallbackSet, WhatACallbackCannotWriteOrReadIsRefused) {
  const LoadResult r = load_scenario_text(test::two(
      R"x({"E": {"report_quiesce": {"return": "utrace_signal_action(action)", "set": {"code": 1, "signal": 9}},
                 "report_death": {"return": "action", "set": {"return_ka": "task"}},
                 "report_signal": {"set": {"return_ka": "SIG_HOLD", "signal": "SIGFOO"},
                                   "expect_args": {"action": "utrace_signal_action(action)"}},
                 "report_exit": {"set": [{"code": 4294967296}]},
                 "report_syscall_entry": {"set": []}}})x",
      R"x({"exit": 0})x", R"x({"complete": "x"})x"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E064", "/engines/E/report_quiesce/return"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E017", "/engines/E/report_quiesce/set/code"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E017", "/engines/E/report_quiesce/set/signal"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E017", "/engines/E/report_death/return"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E017", "/engines/E/report_death/set/return_ka"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E055", "/engines/E/report_signal/set/return_ka"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E030", "/engines/E/report_signal/set/signal"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E038", "/engines/E/report_signal/expect_args/action"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E052", "/engines/E/report_exit/set/0/code"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E016", "/engines/E/report_syscall_entry/set"));
}

TEST(CallbackSet, TheSyscallReportsWriteTheirRegisters) {
  const LoadResult ok = load_scenario_text(test::two(
      R"x({"E": {"report_syscall_entry": {"set": [{"syscall": "getppid"}, {"syscall": -1}, {}]},
                 "report_syscall_exit": {"set": {"return": -1}}}})x",
      R"x({"exit": 0})x", R"x({"complete": "x"})x"));
  ASSERT_TRUE(ok.ok()) << (ok.errors.empty() ? "" : ok.errors.front().to_string());
  const EngineTable& t = ok.scenario->engines.at(0);
  const auto& entry = t[Callback::report_syscall_entry].sets;
  ASSERT_EQ(entry.size(), 3u);
  EXPECT_EQ(entry[0].syscall, 110);  // getppid on x86_64
  EXPECT_EQ(entry[1].syscall, -1);
  EXPECT_FALSE(entry[2].syscall.has_value());
  EXPECT_FALSE(entry[0].syscall_return.has_value());
  EXPECT_EQ(t[Callback::report_syscall_exit].sets.at(0).syscall_return, -1);

  const LoadResult bad = load_scenario_text(test::two(
      R"x({"E": {"report_syscall_entry": {"set": [{"syscall": 39}, {"syscall": "getpdi"}, {"return": 0}]},
                 "report_syscall_exit": {"set": {"syscall": "getpid"}},
                 "report_exit": {"set": {"return": 1}}}})x",
      R"x({"exit": 0})x", R"x({"complete": "x"})x"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(test::has_error(bad.errors, "scenario.E055", "/engines/E/report_syscall_entry/set/0/syscall"));
  EXPECT_TRUE(test::has_error(bad.errors, "scenario.E048", "/engines/E/report_syscall_entry/set/1/syscall"));
  EXPECT_TRUE(test::has_error(bad.errors, "scenario.E017", "/engines/E/report_syscall_entry/set/2/return"));
  EXPECT_TRUE(test::has_error(bad.errors, "scenario.E017", "/engines/E/report_syscall_exit/set/syscall"));
  EXPECT_TRUE(test::has_error(bad.errors, "scenario.E017", "/engines/E/report_exit/set/return"));
}

// X forks C, then exits 3, while e (events CLONE, EXIT) checks what
// report_clone and report_exit are told.
std::string forks_and_exits(const std::string& clone_expect, const std::string& exit_expect) {
  return test::two(
      R"x({"E": {"report_clone": {"expect_args": )x" + clone_expect + R"x(}, "report_exit": {"expect_args": )x" +
          exit_expect + "}}}",
      R"x({"wait_for_completion": "ready"}, {"fork": {"child": "C", "program": [{"exit": 0}]}},
                       {"exit": 3})x",
      R"x({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                       {"utrace_set_events": {"engine": "e", "events": ["CLONE", "EXIT"]}},
                       {"complete": "ready"})x");
}

TEST(CallbackSet, ExpectArgsSeesTheCloneFlagsAndTheExitCode) {
  // fork() is clone(SIGCHLD); exit(3) is do_exit(3 << 8).
  ScenarioRun right(forks_and_exits(R"x({"clone_flags": ["SIGCHLD"]})x", R"x({"orig_code": 768})x"));
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right.received("e"), (std::vector<Callback>{Callback::report_clone, Callback::report_exit}));
  EXPECT_EQ(right.violations(), "");
  // Alternatives: a list of lists, a list of numbers.
  ScenarioRun either(forks_and_exits(R"x({"clone_flags": [["CLONE_VFORK", "CLONE_VM", "SIGCHLD"], ["SIGCHLD"]]})x",
                                     R"x({"orig_code": [9, 768]})x"));
  ASSERT_TRUE(either.ok());
  EXPECT_EQ(either.violations(), "");
  // A mismatch is the run's first violation, in hex.
  ScenarioRun flags(forks_and_exits(R"x({"clone_flags": ["CLONE_VFORK", "CLONE_VM", "SIGCHLD"]})x", "{}"));
  ASSERT_TRUE(flags.ok());
  EXPECT_NE(flags.violations().find("report_clone got clone_flags 0x11, expected 0x4111"), std::string::npos)
      << flags.violations();
  ScenarioRun code(forks_and_exits("{}", R"x({"orig_code": 3})x"));
  ASSERT_TRUE(code.ok());
  EXPECT_NE(code.violations().find("report_exit got orig_code 0x300, expected 0x3"), std::string::npos)
      << code.violations();

  const LoadResult bad = load_scenario_text(forks_and_exits(R"x({"clone_flags": ["CLONE_NOPE"], "orig_code": 1})x",
                                                            R"x({"clone_flags": 17, "orig_code": "x"})x"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(test::has_error(bad.errors, "scenario.E032", "/engines/E/report_clone/expect_args/clone_flags/0"));
  EXPECT_TRUE(test::has_error(bad.errors, "scenario.E017", "/engines/E/report_clone/expect_args/orig_code"));
  EXPECT_TRUE(test::has_error(bad.errors, "scenario.E017", "/engines/E/report_exit/expect_args/clone_flags"));
}

TEST(CallbackSet, ARunGoesOnWithWhatTheCallbackWrote) {
  // report_signal turns the fatal SIGUSR1 into an ignored SIGUSR2 (SIG_IGN in
  // *return_ka), report_exit turns exit(3) into exit(7).
  ScenarioRun r(watched(R"x({"return": "UTRACE_SIGNAL_DELIVER | UTRACE_RESUME",
                            "set": {"signal": "SIGUSR2", "return_ka": "SIG_IGN"}})x",
                        R"x({"set": {"code": 1792}})x"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::report_signal, Callback::report_exit}));
  EXPECT_EQ(r.violations(), "");
  // do_exit() goes on with the code report_exit wrote (its task_exit event).
  std::vector<std::int64_t> codes;
  for (const Event& e : r.k().events())
    if (e.kind == Ev::task_exit && e.pid == r.pid("X")) codes.push_back(e.a);
  EXPECT_EQ(codes, (std::vector<std::int64_t>{7 << 8}));
}

}  // namespace
}  // namespace model
