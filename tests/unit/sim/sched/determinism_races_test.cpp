// DESIGN.md contract 1 over the model: every scenario of scenarios/races/,
// run twice under random schedules through sim::DeterminismChecker on one
// model::Simulator, so that anything a run leaves behind for the next (a
// static, a cache, an address-ordered container) shows: the same choice
// points with the same enabled threads, the same end and transition hash,
// the same trace fingerprint and the same violations.
//
// It sits with the checker's tests because it is the checker's use on the
// real program; it reads only the scenario layer's run API.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/determinism.h"
#include "sim/sched/random.h"

namespace {

// The race catalogue, by file name, sorted: a new race is checked too.
std::vector<std::string> race_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(UTSIM_SOURCE_DIR) + "/scenarios/races"))
    if (e.path().extension() == ".json") out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string violations_of(const model::RunOutput& out) {
  std::string s;
  for (const model::Violation& v : out.violations)
    s += std::string(model::property_name(v.property)) + " at step " + std::to_string(v.step) + " pid " +
         std::to_string(v.pid) + ": " + v.message + "\n";
  return s;
}

class RaceDeterminism : public ::testing::TestWithParam<std::string> {};

TEST_P(RaceDeterminism, TwoRunsOfOneScheduleAreTheSameRun) {
  const model::LoadResult loaded =
      model::load_scenario_file(std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/" + GetParam());
  ASSERT_TRUE(loaded.ok());
  model::RunConfig cfg;
  cfg.trace = true;
  model::Simulator simu(*loaded.scenario, cfg);
  simu.engine().set_hashing(true);
  std::size_t compared = 0;  // choice points the checks compared
  for (std::uint64_t seed = 0; seed < 32; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    sim::RandomScheduler random(seed);
    sim::DeterminismChecker check(random);
    const model::RunOutput first = simu.run(check);
    const model::RunOutput second = simu.run(check);
    ASSERT_TRUE(check.checked());
    EXPECT_FALSE(check.nondeterminism()) << check.nondeterminism()->to_string();
    EXPECT_EQ(second.trace_hash, first.trace_hash);
    EXPECT_EQ(violations_of(second), violations_of(first));
    compared += first.engine.choices.size();
  }
  EXPECT_GT(compared, 0u) << "no choice point: the checker compared only the ends";
}

INSTANTIATE_TEST_SUITE_P(Races, RaceDeterminism, ::testing::ValuesIn(race_files()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param.substr(0, i.param.find(".json"));
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
