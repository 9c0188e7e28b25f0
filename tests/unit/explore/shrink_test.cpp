// The shrinker (explore/shrink.h, utsim shrink) on the race catalogue: the
// counterexample an exploration finds shrinks to one that still breaks the
// same property, with no more preemptions, and as few as the bug needs (the
// first preemption level where iterative-bounding DFS finds it).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "explore/check.h"
#include "explore/shrink.h"
#include "scenario/load/loader.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"
#include "tools/cli/cli.h"

namespace {

std::string path_of(const std::string& rel) { return std::string(UTSIM_SOURCE_DIR) + "/" + rel; }

bool breaks(const model::Scenario& s, const std::string& schedule, model::Property p) {
  model::Simulator simu(s, model::RunConfig{});
  sim::ReplayScheduler sched(*sim::decode_schedule(schedule));
  const model::RunOutput out = simu.run(sched);
  if (out.engine.end == sim::RunEnd::Diverged) return false;
  for (const model::Violation& v : out.violations)
    if (v.property == p) return true;
  return false;
}

// The first property the scenario expects to find, and an example of it.
struct Found {
  model::Property property = model::Property::ModelInvariant;
  model::ScheduleRef where;
  bool ok = false;
};
Found explore(const model::Scenario& s, model::Strategy strategy, std::uint64_t max_schedules) {
  model::ExploreOptions o = model::explore_options_for(s, {});
  o.strategy = strategy;
  o.max_schedules = max_schedules;
  o.preemption_bound = model::ExploreOptions::kUnbounded;  // dfs: iterative, fewest preemptions first
  for (std::size_t p = 0; p < model::kPropertyCount; ++p)
    if (s.expect.violations.test(p)) {
      o.stop_when_found.set(p);
      break;
    }
  const model::Verdict v = model::check_scenario(s, o);
  Found f;
  for (const model::FoundViolation& fv : v.violations)
    if (o.stop_when_found.test(static_cast<std::size_t>(fv.property))) {
      f.property = fv.property;
      f.where = fv.where;
      f.ok = true;
    }
  return f;
}

TEST(Shrink, ChoiceVectorsNeverDiverge) {
  const auto loaded = model::load_scenario_file(path_of("scenarios/races/r2-detach-before-stop-bug.json"));
  ASSERT_TRUE(loaded.ok());
  model::Simulator simu(*loaded.scenario, model::RunConfig{});
  for (std::uint32_t seed = 0; seed < 50; ++seed) {
    std::vector<std::uint32_t> v;
    for (std::uint32_t i = 0; i < 40; ++i) v.push_back((seed * 7919u + i * 104729u) % 13u);
    model::IndexScheduler sched(v);
    const model::RunOutput out = simu.run(sched);
    EXPECT_NE(out.engine.end, sim::RunEnd::Diverged);
    // Index 0 is the default: a run of zeros makes no preemption.
  }
  const std::vector<std::uint32_t> zeros(40, 0);
  model::IndexScheduler sched(zeros);
  EXPECT_EQ(simu.run(sched).engine.preemptions, 0u);
}

TEST(Shrink, RejectsASchedulethatBreaksNothing) {
  const auto loaded = model::load_scenario_file(path_of("scenarios/races/r2-detach-before-stop.json"));
  ASSERT_TRUE(loaded.ok());
  const model::ShrinkResult r = model::shrink_schedule(*loaded.scenario, {}, {});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("breaks no property"), std::string::npos);
}

// Every bug of the race catalogue: the exploration's counterexample (the
// default portfolio) shrinks to one that breaks the same property with no
// more preemptions, and to the minimum the bug needs.
class ShrinkCatalogue : public ::testing::TestWithParam<const char*> {};

TEST_P(ShrinkCatalogue, ReachesTheFewestPreemptionsTheBugNeeds) {
  const auto loaded = model::load_scenario_file(path_of(std::string("scenarios/races/") + GetParam()));
  ASSERT_TRUE(loaded.ok());
  const model::Scenario& s = *loaded.scenario;
  const Found found = explore(s, model::Strategy::Portfolio, 100'000);
  ASSERT_TRUE(found.ok) << "the exploration found no counterexample";
  const Found minimal = explore(s, model::Strategy::Dfs, 1'000'000);
  ASSERT_TRUE(minimal.ok) << "iterative DFS found no counterexample";

  model::ShrinkOptions o;
  o.property = found.property;
  const model::ShrinkResult r = model::shrink_schedule(s, *sim::decode_schedule(found.where.schedule), o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.property, found.property);
  EXPECT_TRUE(breaks(s, r.after.schedule, found.property)) << r.after.schedule;
  EXPECT_LE(r.after.preemptions, r.before.preemptions);
  EXPECT_EQ(r.before.preemptions, found.where.preemptions);
  // The bounded search of the last pass reaches the minimum iterative DFS
  // finds, and proves it (R7's local moves alone stop at 2 where 1 is enough).
  const std::uint32_t expected = minimal.where.preemptions;
  EXPECT_TRUE(r.minimal) << "the search for fewer preemptions did not finish";
  EXPECT_EQ(r.after.preemptions, expected)
      << "shrunk '" << found.where.schedule << "' (" << r.before.preemptions << ") to '" << r.after.schedule
      << "'; iterative DFS: '" << minimal.where.schedule << "'";
  std::cout << GetParam() << ": " << model::property_name(r.property) << " preemptions " << r.before.preemptions
            << " -> " << r.after.preemptions << " (minimum " << minimal.where.preemptions << "), steps "
            << r.before.steps << " -> " << r.after.steps << ", " << r.tries << " runs\n";
}

INSTANTIATE_TEST_SUITE_P(
    Races, ShrinkCatalogue,
    ::testing::Values("r1-attach-during-report-bug.json", "r2-detach-before-stop-bug.json",
                      "r3-detach-return-vs-barrier-bug.json", "r3-detach-return-vs-barrier-2009-rfc.json",
                      "r4-set-events-vs-report-bug.json", "r5-stale-flags-sentinel-bug.json",
                      "r5-stale-flags-sentinel-2009-rfc.json", "r5-stale-flags-sentinel-2010-rhel6.json",
                      "r10-resume-before-park.json", "r13-detach-before-death-report-2010-rhel6.json",
                      "r6-attach-vs-release-bug.json", "r7-reap-vs-death-bug.json", "r8-death-vs-exit-notify-bug.json",
                      "r9-sigkill-vs-tracer-lock-bug.json", "r11-interrupt-vs-recalc-sigpending-bug.json"),
    [](const ::testing::TestParamInfo<const char*>& i) {
      std::string n = i.param;
      n = n.substr(0, n.find(".json"));
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

// utsim shrink: the schedule, the replay command, before -> after, and the
// narrated run of the shrunk schedule.
TEST(Shrink, CommandPrintsScheduleReplayAndNarration) {
  const std::string file = path_of("scenarios/races/r2-detach-before-stop-bug.json");
  std::ostringstream out, err;
  ASSERT_EQ(tools::run_cli({"shrink", file, "--schedule", "abcaab3ccbc5bcbcaabaab"}, out, err), 0) << err.str();
  const std::string o = out.str();
  EXPECT_NE(o.find("shrunk a counterexample of stop-without-engine"), std::string::npos) << o;
  EXPECT_NE(o.find("preemptions 15 -> 1"), std::string::npos) << o;
  EXPECT_NE(o.find("utsim replay"), std::string::npos);
  EXPECT_NE(o.find("The run, step by step"), std::string::npos);  // explain's narration
  EXPECT_NE(o.find("violated stop-without-engine"), std::string::npos);

  std::ostringstream jout, jerr;
  ASSERT_EQ(tools::run_cli({"shrink", file, "--schedule", "abcaab3ccbc5bcbcaabaab", "--json"}, jout, jerr), 0);
  EXPECT_NE(jout.str().find("\"property\": \"stop-without-engine\""), std::string::npos) << jout.str();

  std::ostringstream bout, berr;
  EXPECT_EQ(tools::run_cli({"shrink", file, "--schedule", "abc", "--property", "no-such"}, bout, berr), 2);
  // A schedule that breaks nothing: nothing to shrink, an impossible request (2), not a failure (1).
  std::ostringstream nout, nerr;
  EXPECT_EQ(
      tools::run_cli({"shrink", path_of("scenarios/races/r2-detach-before-stop.json"), "--schedule", ""}, nout, nerr),
      2);
  EXPECT_NE(nerr.str().find("nothing to shrink"), std::string::npos) << nerr.str();
}

}  // namespace

namespace {

// The end state a schedule's run reaches (explore/check.h outcome_signature).
std::string outcome_of(const model::Scenario& s, const std::string& schedule) {
  model::Simulator simu(s, model::RunConfig{});
  sim::ReplayScheduler sched(*sim::decode_schedule(schedule));
  const model::RunOutput out = simu.run(sched);
  EXPECT_NE(out.engine.end, sim::RunEnd::Diverged) << schedule;
  return model::outcome_signature(simu);
}

// The outcomes' examples are shown short too (issue #14): each replays to
// the same outcome, with no more preemptions than the schedule the
// exploration met first (kept as "original").
TEST(Shrink, OutcomeExamplesReplayToTheirOutcome) {
  for (const char* rel : {"scenarios/races/r2-detach-before-stop-bug.json", "scenarios/races/r7-reap-vs-death-bug.json",
                          "scenarios/races/r3-detach-return-vs-barrier-bug.json"}) {
    SCOPED_TRACE(rel);
    const model::LoadResult loaded = model::load_scenario_file(path_of(rel));
    ASSERT_TRUE(loaded.ok());
    const model::Scenario& s = *loaded.scenario;
    model::ExploreOptions o = model::explore_options_for(s, {});
    o.max_schedules = 200;  // the portfolio: sampling meets outcomes with many preemptions
    o.shrink.when = model::CounterexampleShrink::When::Always;
    const model::Verdict v = model::check_scenario(s, o);
    ASSERT_FALSE(v.error) << v.error_message;
    ASSERT_GE(v.outcomes.size(), 2u);
    std::uint32_t before = 0, after = 0;
    for (const model::OutcomeClass& c : v.outcomes) {
      ASSERT_TRUE(c.shrink) << c.signature;
      EXPECT_TRUE(c.shrink->error.empty()) << c.shrink->error;
      EXPECT_EQ(outcome_of(s, c.example.schedule), c.signature) << c.example.schedule;
      EXPECT_EQ(outcome_of(s, c.shrink->original.schedule), c.signature) << c.shrink->original.schedule;
      EXPECT_LE(c.example.preemptions, c.shrink->original.preemptions) << c.signature;
      before += c.shrink->original.preemptions;
      after += c.example.preemptions;
    }
    EXPECT_LT(after, before) << "nothing was shortened";
  }
}

// --no-shrink shows them as found.
TEST(Shrink, OutcomeExamplesAsFoundWithoutShrinking) {
  const model::LoadResult loaded = model::load_scenario_file(path_of("scenarios/races/r2-detach-before-stop-bug.json"));
  ASSERT_TRUE(loaded.ok());
  model::ExploreOptions o = model::explore_options_for(*loaded.scenario, {});
  o.max_schedules = 50;
  const model::Verdict v = model::check_scenario(*loaded.scenario, o);
  for (const model::OutcomeClass& c : v.outcomes) EXPECT_FALSE(c.shrink);
}

}  // namespace
