// tests/unit/scenario/expect_args_test.cpp: `expect_args` on a callback
// (docs/scenarios.md "expect_args: what a callback was passed"): what the
// loader makes of it, and that the run holds the arguments the core really
// passed against it — a match is silent, a mismatch an unexpected-result
// naming the callback, what it got and what was expected.
#include <gtest/gtest.h>

#include <string>

#include "scenario/load/loader.h"
#include "support/scenario_run.h"

namespace model {
namespace {

using test::ScenarioRun;

// X exits while engine e (events QUIESCE and DEATH) watches; `quiesce` and
// `death` are the two callbacks' specs.
std::string dying(const std::string& quiesce, const std::string& death) {
  return test::two(R"({"E": {"report_quiesce": )" + quiesce + R"(, "report_death": )" + death + "}}",
                   R"({"wait_for_completion": "ready"}, {"exit": 0})",
                   R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
                      {"utrace_set_events": {"engine": "e", "events": ["QUIESCE", "DEATH"]}},
                      {"complete": "ready"})");
}

TEST(ExpectArgs, LoadsPerCallListsAndAlternatives) {
  const std::string quiesce = R"x({"return": "UTRACE_RESUME", "expect_args": [{"event": 0},
      {"event": ["DEATH", "UTRACE_EVENT(EXIT)"], "action": 5}]})x";
  const LoadResult r =
      load_scenario_text(dying(quiesce, R"({"expect_args": {"signal": "SIGCHLD", "group_dead": true}})"));
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  const EngineTable& t = r.scenario->engines.at(0);
  const auto& q = t[Callback::report_quiesce].expect_args;
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].event, (std::vector<unsigned long>{0}));
  EXPECT_EQ(q[1].event,
            (std::vector<unsigned long>{UTRACE_EVENT(_UTRACE_EVENT_DEATH), UTRACE_EVENT(_UTRACE_EVENT_EXIT)}));
  EXPECT_EQ(q[1].action, (std::vector<std::uint32_t>{UTRACE_RESUME}));
  EXPECT_EQ(q[1].ptr, "/engines/E/report_quiesce/expect_args/1");
  const auto& d = t[Callback::report_death].expect_args;
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].signal, (std::vector<int>{SIGCHLD}));
  EXPECT_EQ(d[0].group_dead, true);
}

TEST(ExpectArgs, TheRightArgumentsPassSilently) {
  // X is a child of init: report_death is told SIGCHLD and a dead group;
  // report_quiesce before it is told the DEATH event.
  ScenarioRun r(dying(R"({"expect_args": {"event": "DEATH", "action": "UTRACE_RESUME"}})",
                      R"({"expect_args": {"signal": "SIGCHLD", "group_dead": true}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.received("e"), (std::vector<Callback>{Callback::report_quiesce, Callback::report_death}));
  EXPECT_EQ(r.violations(), "");
}

TEST(ExpectArgs, AWrongArgumentIsAnUnexpectedResult) {
  ScenarioRun r(dying(R"({"expect_args": {"event": ["EXIT", 0]}})", R"({"expect_args": {"signal": -1}})"));
  ASSERT_TRUE(r.ok());
  const std::string v = r.violations();
  EXPECT_NE(v.find("unexpected-result"), std::string::npos) << v;
  // The first mismatch is reported (a property breaks once per run).
  EXPECT_NE(v.find("report_quiesce got event DEATH, expected EXIT or 0"), std::string::npos) << v;
  EXPECT_NE(v.find("/engines/E/report_quiesce/expect_args"), std::string::npos) << v;
}

TEST(ExpectArgs, FieldsACallbackIsNotPassedAreRefused) {
  const LoadResult r =
      load_scenario_text(dying(R"({"expect_args": {"signal": "SIGCHLD", "action": "UTRACE_SYSCALL_RESUMED"}})",
                               R"({"expect_args": {"event": "DEATH", "action": 0}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E017", "/engines/E/report_quiesce/expect_args/signal"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E064", "/engines/E/report_quiesce/expect_args/action"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E017", "/engines/E/report_death/expect_args/event"));
  EXPECT_TRUE(test::has_error(r.errors, "scenario.E017", "/engines/E/report_death/expect_args/action"));
}

}  // namespace
}  // namespace model
