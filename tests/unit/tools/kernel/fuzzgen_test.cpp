// tests/unit/tools/kernel/fuzzgen_test.cpp: utsim-kernel fuzz's pure parts
// (tools/kernel/fuzzgen.h): the generator is deterministic and every scenario
// it writes loads and runs on a real kernel; shards are disjoint and cover
// the run; the shrinker keeps a planted difference and drops the rest.
#include "tools/kernel/fuzzgen.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "scenario/load/loader.h"
#include "tools/kernel/replay.h"

namespace ukern::fuzz {
namespace {

TEST(KernelFuzzGen, TheSameSeedGivesTheSameBytes) {
  for (std::uint64_t i = 0; i < 50; ++i) EXPECT_EQ(generate(7, i), generate(7, i)) << i;
  EXPECT_NE(generate(7, 3), generate(8, 3));
  EXPECT_NE(generate(7, 3), generate(7, 4));
}

TEST(KernelFuzzGen, EveryScenarioLoadsAndARealKernelRunsIt) {
  std::set<std::string> shapes;
  for (std::uint64_t i = 0; i < 400; ++i) {
    const std::string text = generate(1, i);
    const model::LoadResult lr = model::load_scenario_text(text);
    ASSERT_TRUE(lr.ok()) << i << ": " << (lr.errors.empty() ? "" : lr.errors.front().to_string()) << "\n" << text;
    EXPECT_EQ(not_applicable(*lr.scenario), "") << i;
    EXPECT_EQ(unsupported(*lr.scenario), "") << i;
    const std::string summary = nlohmann::json::parse(text)["summary"];
    shapes.insert(summary.substr(summary.rfind('(')));
  }
  // The default mix has every shape.
  EXPECT_EQ(shapes, (std::set<std::string>{"(attach)", "(family)", "(traceme)", "(vfork)", "(vfork-kill)"}));
}

TEST(KernelFuzzGen, ShardsAreDisjointAndCoverTheRun) {
  for (std::uint64_t n : {1, 2, 3, 7}) {
    std::multiset<std::uint64_t> owned;
    for (std::uint64_t s = 0; s < n; ++s) {
      Shard sh;
      ASSERT_TRUE(parse_shard(std::to_string(s) + "/" + std::to_string(n), &sh));
      for (std::uint64_t i = 0; i < 100; ++i)
        if (sh.owns(i)) owned.insert(i);
    }
    EXPECT_EQ(owned.size(), 100u) << n;  // each scenario once
    for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(owned.count(i), 1u) << i << " of " << n;
  }
  Shard sh;
  for (const char* bad : {"", "1", "3/3", "1/0", "-1/2", "a/2", "1/", "/2", "1/2/3"})
    EXPECT_FALSE(parse_shard(bad, &sh)) << bad;
}

// The ops of a scenario, nested ones included.
int ops_in(const nlohmann::json& j) {
  int n = 0;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if ((it.key() == "program" || it.key() == "do") && it->is_array()) n += static_cast<int>(it->size());
      n += ops_in(*it);
    }
  } else if (j.is_array()) {
    for (const auto& x : j) n += ops_in(x);
  }
  return n;
}

TEST(KernelFuzzGen, AShrunkDifferenceKeepsItsClassAndLittleElse) {
  // A traceme scenario with a planted "difference": the tracee's exit(42).
  nlohmann::ordered_json s;
  for (std::uint64_t i = 0;; ++i) {
    s = nlohmann::ordered_json::parse(generate(3, i));
    if (s["summary"].get<std::string>().find("(traceme)") != std::string::npos && ops_in(s) > 15) break;
  }
  auto& child = s["tasks"][0]["program"][0]["fork"]["program"];
  child.insert(child.begin() + 2, nlohmann::ordered_json{{"exit", 42}});
  const std::string planted = s.dump(1) + "\n";
  ASSERT_TRUE(model::load_scenario_text(planted).ok());
  auto same_class = [](const std::string& text) { return text.find("\"exit\": 42") != std::string::npos; };
  const ShrinkResult r = shrink(planted, same_class, 400);
  EXPECT_TRUE(same_class(r.text));
  EXPECT_TRUE(model::load_scenario_text(r.text).ok());
  EXPECT_GT(r.accepted, 0u);
  // P forks C, C exits 42: nothing else is needed.
  EXPECT_LE(ops_in(nlohmann::json::parse(r.text)), 2) << r.text;
  EXPECT_EQ(shrink(planted, same_class, 400).text, r.text);  // deterministic
}

TEST(KernelFuzzGen, TheShrinkerStopsAtItsBudget) {
  const std::string text = generate(5, 0);
  unsigned calls = 0;
  const ShrinkResult r = shrink(
      text, [&](const std::string&) { return ++calls, false; }, 10);
  EXPECT_LE(r.tries, 10u);
  EXPECT_EQ(r.text, nlohmann::ordered_json::parse(text).dump(1) + "\n");
}

}  // namespace
}  // namespace ukern::fuzz
