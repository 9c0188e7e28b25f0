// tests/unit/tools/cli/hardening_limits_test.cpp: the limits of
// docs/hardening.md.  A program that never ends stops at --max-steps with its
// result (the `hang` property, exit 1), a fork bomb's forks fail with -EAGAIN
// at --max-tasks and the run ends, and absurd command-line values are usage
// errors (exit 2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "explore/check.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/random.h"
#include "sim/sched/replay.h"
#include "support/cli_run.h"
#include "tools/cli/cli.h"

namespace fs = std::filesystem;

namespace {

using testcli::cli;
using testcli::Result;
using testcli::show;

class HardeningLimits : public testcli::TempDirTest {
 protected:
  HardeningLimits() : TempDirTest("utsim-limits") {}
};

// A user task computing forever.
constexpr const char* kForever = R"({
  "utsim": 1, "name": "forever", "summary": "a program that never ends",
  "tasks": [{"name": "S", "program": [{"loop": {"forever": true, "do": [{"compute": 1}]}}]}]
})";

using testcli::load_or_fail;

TEST_F(HardeningLimits, NeverEndingRunStopsAtTheStepLimitWithItsResult) {
  const std::string f = write("forever.json", kForever);
  Result r = cli({"run", f, "--max-steps", "1000", "--json"});
  ASSERT_EQ(r.code, 1) << show(r);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("end"), "step-limit");
  EXPECT_EQ(j.at("steps"), 1000);
  ASSERT_EQ(j.at("violations").size(), 1u) << r.out;
  EXPECT_EQ(j["violations"][0]["property"], "hang");
  EXPECT_NE(j["violations"][0]["message"].get<std::string>().find("did not end within 1000 steps"), std::string::npos)
      << r.out;
  EXPECT_EQ(j.at("verdict"), "FAIL: 1 unexpected violation");

  // The text summary says the same, and ends with the replay command.
  Result t = cli({"run", f, "--max-steps", "1000"});
  EXPECT_EQ(t.code, 1) << show(t);
  EXPECT_NE(t.out.find("step-limit"), std::string::npos) << show(t);
  EXPECT_NE(t.out.find("hang at step 1000"), std::string::npos) << show(t);
  EXPECT_NE(t.out.find("replay:"), std::string::npos) << show(t);

  // Exploring it ends too: one thread has one schedule, which stops at the
  // limit, and the exploration knows there is no other.
  Result c = cli({"check", f, "--max-steps", "500", "--max-schedules", "5", "--json"});
  EXPECT_EQ(c.code, 1) << show(c);
  const auto d = nlohmann::json::parse(c.out);
  EXPECT_EQ(d["scenarios"][0]["schedules"], 1);
  EXPECT_EQ(d["scenarios"][0]["steps"], 500);
  EXPECT_EQ(d["scenarios"][0]["violations"][0]["property"], "hang");
  EXPECT_EQ(d["scenarios"][0]["violations"][0]["count"], 1);
  // Random sampling does not know that: five schedules, each at the limit.
  Result rc = cli({"check", f, "--strategy", "random", "--max-steps", "500", "--max-schedules", "5", "--json"});
  EXPECT_EQ(rc.code, 1) << show(rc);
  const auto rd = nlohmann::json::parse(rc.out);
  EXPECT_EQ(rd["scenarios"][0]["schedules"], 5);
  EXPECT_EQ(rd["scenarios"][0]["steps"], 2500);
  EXPECT_EQ(rd["scenarios"][0]["violations"][0]["count"], 5);
}

TEST_F(HardeningLimits, NeverEndingKthreadStopsAtTheStepLimit) {
  const model::Scenario s = load_or_fail(R"({
    "utsim": 1, "name": "kthread-forever", "summary": "a kernel thread that never ends",
    "tasks": [{"name": "K", "kind": "kthread", "program": [{"loop": {"forever": true, "do": [{"compute": 1}]}}]}]
  })");
  model::RunConfig cfg;
  cfg.max_steps = 300;
  model::Simulator simu(s, cfg);
  sim::ReplayScheduler def;
  const model::RunOutput out = simu.run(def);
  EXPECT_EQ(out.engine.end, sim::RunEnd::StepLimit);
  EXPECT_EQ(out.engine.steps, 300u);
  ASSERT_EQ(out.violations.size(), 1u);
  EXPECT_EQ(out.violations[0].property, model::Property::Hang);
}

// Found by fuzz_interp: a user loop whose body runs no op (times 0, or an
// empty `do`) took no step, so a `forever` loop of them spun inside one step
// of the engine: no step limit, no SIGKILL, a real hang.
TEST_F(HardeningLimits, LoopsOfEmptyLoopsStillStopAtTheStepLimit) {
  for (const char* inner :
       {R"({"loop": {"times": 0, "do": [{"compute": 1}]}})", R"({"loop": {"times": 3, "do": []}})"}) {
    std::string text = R"({"utsim": 1, "name": "spin", "summary": "empty loops forever",
      "tasks": [{"name": "S", "program": [{"loop": {"forever": true, "do": [INNER]}}]}]})";
    text.replace(text.find("INNER"), 5, inner);
    const model::Scenario s = load_or_fail(text);
    model::RunConfig cfg;
    cfg.max_steps = 200;
    model::Simulator simu(s, cfg);
    sim::ReplayScheduler def;
    const model::RunOutput out = simu.run(def);
    EXPECT_EQ(out.engine.end, sim::RunEnd::StepLimit) << inner;
    EXPECT_EQ(out.engine.steps, 200u) << inner;
  }
}

TEST_F(HardeningLimits, SigkillEndsALoopOfEmptyLoops) {
  const model::Scenario s = load_or_fail(R"({
    "utsim": 1, "name": "spin-killed", "summary": "SIGKILL reaches a task spinning on empty loops",
    "tasks": [
      {"name": "S", "program": [{"loop": {"forever": true, "do": [{"loop": {"times": 0}}]}}]},
      {"name": "K", "program": [{"kill": {"pid": "S", "sig": "SIGKILL"}, "expect": 0}]}
    ]
  })");
  model::RunConfig cfg;
  cfg.max_steps = 100'000;
  model::Simulator simu(s, cfg);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    sim::RandomScheduler random(seed);
    const model::RunOutput out = simu.run(random);
    EXPECT_EQ(out.engine.end, sim::RunEnd::Finished) << "seed " << seed;
    EXPECT_TRUE(out.violations.empty()) << "seed " << seed << ": " << out.violations[0].message;
    EXPECT_NE(model::outcome_signature(simu).find("S: killed by SIGKILL"), std::string::npos)
        << model::outcome_signature(simu);
  }
}

// A fork bomb: fork until fork fails.  With --max-tasks 10 (init and P count)
// the ninth fork gets -EAGAIN, as RLIMIT_NPROC gives it, and the run ends.
constexpr const char* kForkBomb = R"({
  "utsim": 1, "name": "fork-bomb", "summary": "fork until fork fails with -EAGAIN",
  "tasks": [{"name": "P", "program": [
    {"retry": {"do": {"fork": {"child": "C", "program": [{"nanosleep": 10}]}}, "until": ["-EAGAIN"],
               "max": 1000000}, "label": "last-fork", "expect": "-EAGAIN"}
  ]}],
  "expect": {"outcomes": [{"tasks": {"P": {"exited": 0}}, "results": {"last-fork": "-EAGAIN"}}]}
})";

TEST_F(HardeningLimits, ForkBombHitsMaxTasksAndEnds) {
  const std::string f = write("bomb.json", kForkBomb);
  Result r = cli({"run", f, "--max-tasks", "10", "--json"});
  ASSERT_EQ(r.code, 0) << show(r);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("end"), "finished");
  EXPECT_EQ(j.at("verdict"), "as expected");
  EXPECT_EQ(j.at("outcome_listed"), true);

  // Exactly max_tasks - 2 children were made before the limit.
  const model::Scenario s = load_or_fail(kForkBomb);
  model::RunConfig cfg;
  cfg.max_tasks = 10;
  cfg.trace = true;
  model::Simulator simu(s, cfg);
  sim::ReplayScheduler def;
  const model::RunOutput out = simu.run(def);
  EXPECT_EQ(out.engine.end, sim::RunEnd::Finished);
  EXPECT_EQ(simu.kernel().tasks.size(), 10u);  // init, P, 8 children

  // A bomb that never stops trying ends at the step limit, its forks failing.
  const std::string forever = write("bomb-forever.json", R"({
    "utsim": 1, "name": "fork-bomb-forever", "summary": "fork forever",
    "tasks": [{"name": "P", "program": [{"loop": {"forever": true, "do": [
      {"fork": {"child": "C", "program": [{"pause": {}}]}}]}}]}]})");
  Result b = cli({"run", forever, "--max-tasks", "16", "--max-steps", "20000", "--json"});
  ASSERT_EQ(b.code, 1) << show(b);
  EXPECT_EQ(nlohmann::json::parse(b.out).at("end"), "step-limit");

  // check takes --max-tasks as well.
  Result c = cli({"check", f, "--max-tasks", "10", "--max-schedules", "4"});
  EXPECT_EQ(c.code, 0) << show(c);
}

TEST(HardeningCli, AbsurdValuesAreUsageErrors) {
  const std::string f = "x.json";  // never read: the command line is refused first
  const std::vector<std::vector<std::string>> bad = {
      {"run", f, "--max-steps", "-1"},
      {"run", f, "--max-steps", "abc"},
      {"run", f, "--max-steps", ""},
      {"run", f, "--max-steps", "1e6"},
      {"run", f, "--max-steps", "0"},
      {"run", f, "--max-steps", "99999999999999999999"},
      {"run", f, "--max-steps", "1000000000000001"},  // 10^15 + 1
      {"run", f, "--max-tasks", "0"},
      {"run", f, "--max-tasks", "4097"},
      {"run", f, "--max-tasks", "4294967295"},
      {"run", f, "--max-tasks", "-3"},
      {"run", f, "--seed", "18446744073709551616"},  // 2^64
      {"run", f, "--seed", "0x10"},
      {"check", f, "--max-schedules", "-5"},
      {"check", f, "--max-schedules", "ten"},
      {"check", f, "--max-schedules", "0"},
      {"check", f, "--max-schedules", "18446744073709551615"},
      {"check", f, "--max-schedules", "1000000000000001"},
      {"check", f, "--max-steps", "+7"},
      {"check", f, "--max-tasks", "100000"},
      {"check", f, "--seed", "-1"},
  };
  for (const auto& args : bad) {
    Result r = cli(args);
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    EXPECT_EQ(r.code, 2) << cmd << "\n" << show(r);
    EXPECT_TRUE(r.out.empty()) << cmd << "\n" << show(r);
    EXPECT_FALSE(r.err.empty()) << cmd;
  }
  // The largest accepted values are accepted (the file then does not exist: exit 3).
  EXPECT_EQ(cli({"run", "/nonexistent.json", "--max-steps", "1000000000000000", "--max-tasks", "4096", "--seed",
                 "18446744073709551615"})
                .code,
            3);
  EXPECT_EQ(cli({"check", "/nonexistent.json", "--max-schedules", "1000000000000000"}).code, 3);
}

}  // namespace
