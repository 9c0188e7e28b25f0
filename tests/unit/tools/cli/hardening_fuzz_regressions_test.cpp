// tests/unit/tools/cli/hardening_fuzz_regressions_test.cpp: what the fuzz
// targets of fuzz/ found (docs/hardening.md, "Findings so far"), one test each,
// so that the default build checks them too.  The inputs themselves are also in
// fuzz/corpus/<target>/, which `ctest --preset fuzz` replays.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/random.h"
#include "support/cli_run.h"
#include "tools/cli/cli.h"

namespace {

using testcli::load_or_fail;

// Two tasks fork and reap, forty times each.  Every fork costs an engine
// thread for the rest of the run (--max-tasks + 8 of them), so the budget
// runs out midway and the later forks must fail with -EAGAIN.
constexpr const char* kForkRace = R"({
  "utsim": 1, "name": "fork-at-thread-limit",
  "summary": "two tasks fork and reap until the engine's thread budget runs out",
  "tasks": [
    {"name": "A", "program": [{"loop": {"times": 40, "do": [
      {"fork": {"child": "CA", "program": [{"exit": 0}]}}, {"waitpid": {"pid": -1, "options": []}}]}}]},
    {"name": "B", "program": [{"loop": {"times": 40, "do": [
      {"fork": {"child": "CB", "program": [{"exit": 0}]}}, {"waitpid": {"pid": -1, "options": []}}]}}]}
  ]
})";

// Found by fuzz_interp: do_fork() checked the thread budget before taking
// tasklist_lock and spawned the child's thread only after report_clone, so
// two forks racing for the last thread both passed the check and the second
// spawn threw "sim: thread limit reached" (exit 70).  The budget is now
// checked again under the lock, counting the tasks created.
TEST(HardeningFuzzRegressions, ForksRacingForTheLastThreadGetEagain) {
  const model::Scenario s = load_or_fail(kForkRace);
  model::RunConfig cfg;
  cfg.max_tasks = 4;  // 12 engine threads: init, A, B and 9 children at most
  model::Simulator simu(s, cfg);
  int eagain_runs = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    sim::RandomScheduler random(seed);
    model::RunOutput out;
    ASSERT_NO_THROW(out = simu.run(random)) << "seed " << seed;
    EXPECT_EQ(out.engine.end, sim::RunEnd::Finished) << "seed " << seed;
    EXPECT_LE(simu.kernel().tasks.size(), 12u) << "seed " << seed;
    // 80 forks in all, at most 9 children: the rest failed.
    if (simu.kernel().tasks.size() < 83) ++eagain_runs;
  }
  EXPECT_EQ(eagain_runs, 200);
}

// Found while reducing the case above: --max-tasks smaller than the number
// of declared tasks made the engine's thread budget too small to boot them
// (exit 70).  Declared tasks all start; --max-tasks limits forks.
TEST(HardeningFuzzRegressions, DeclaredTasksBeyondMaxTasksAllStart) {
  nlohmann::json tasks = nlohmann::json::array();
  for (int i = 0; i < 20; ++i) tasks.push_back({{"name", "T" + std::to_string(i)}, {"program", {{{"exit", 0}}}}});
  const nlohmann::json scn = {
      {"utsim", 1}, {"name", "twenty"}, {"summary", "more declared tasks than --max-tasks"}, {"tasks", tasks}};
  const model::Scenario s = load_or_fail(scn.dump());
  model::RunConfig cfg;
  cfg.max_tasks = 2;
  model::Simulator simu(s, cfg);
  sim::RandomScheduler random(1);
  model::RunOutput out;
  ASSERT_NO_THROW(out = simu.run(random));
  EXPECT_EQ(out.engine.end, sim::RunEnd::Finished);
  EXPECT_TRUE(out.violations.empty());
  EXPECT_EQ(simu.kernel().tasks.size(), 21u);  // init and the twenty

  // And through the command line: exit 0, not 70.
  std::ostringstream o, e;
  const std::string path = ::testing::TempDir() + "utsim-twenty.json";
  {
    std::ofstream f(path);
    f << scn.dump();
  }
  EXPECT_EQ(tools::run_cli({"run", path, "--max-tasks", "2"}, o, e), 0) << o.str() << e.str();
  std::remove(path.c_str());
}

}  // namespace
