// Stateful exploration's state graph (explore/graph_analysis.h, utsim graph):
// liveness by strongly connected components, shortest counterexamples by
// fewest preemptions, deterministic DOT.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "explore/check.h"
#include "explore/graph_analysis.h"
#include "scenario/load/loader.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"
#include "tools/cli/cli.h"

namespace {

// Two tasks that loop forever: every state is in a cycle, nothing ends.
constexpr const char* kForever = R"({
  "utsim": 1, "name": "forever", "summary": "two tasks loop forever",
  "tasks": [{"name": "A", "program": [{"loop": {"forever": true, "do": [{"syscall": "getpid"}]}}]},
            {"name": "B", "program": [{"loop": {"forever": true, "do": [{"syscall": "getpid"}]}}]}],
  "explore": {"max_steps": 5000}
})";

// A task loops until another kills it: cycles (A spinning while B waits to
// be scheduled), but every one of them can be left for the end.
constexpr const char* kEscape = R"({
  "utsim": 1, "name": "escape", "summary": "a task loops until another kills it",
  "tasks": [{"name": "A", "program": [{"loop": {"forever": true, "do": [{"syscall": "getpid"}]}}]},
            {"name": "B", "program": [{"kill": {"pid": "A", "sig": "SIGKILL"}}]}],
  "explore": {"max_steps": 5000}
})";

// One task that loops alone: with the default schedule init's thread runs
// until the step limit (a run whose states are not all recorded: a hang
// with no cycle to show); other schedules close cycles.
constexpr const char* kAlone = R"({
  "utsim": 1, "name": "alone", "summary": "one task loops forever",
  "tasks": [{"name": "A", "program": [{"loop": {"forever": true, "do": [{"syscall": "getpid"}]}}]}],
  "explore": {"max_steps": 2000}
})";

// An engine stops X for good while L loops forever: the cycles of L's loop
// with X in TASK_TRACED throughout are hangs that name X.
constexpr const char* kTracedForever = R"({
  "utsim": 1, "name": "traced-forever", "summary": "X stopped by an engine forever while L loops",
  "engines": {"E": {"report_syscall_entry": {"return": "UTRACE_STOP"}}},
  "tasks": [
    {"name": "X", "program": [{"wait_for_completion": "ready"}, {"syscall": "getpid"}, {"exit": 0}]},
    {"name": "T", "kind": "kthread", "program": [
       {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
       {"utrace_set_events": {"target": "X", "engine": "e", "events": ["SYSCALL_ENTRY"]}},
       {"complete": "ready"}]},
    {"name": "L", "program": [{"loop": {"forever": true, "do": [{"syscall": "getpid"}]}}]}],
  "explore": {"max_steps": 5000}
})";

model::LoadResult load_text(const char* text) {
  model::LoadResult r = model::load_scenario_text(text);
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r;
}

model::LoadResult load_file(const std::string& rel) {
  model::LoadResult r = model::load_scenario_file(std::string(UTSIM_SOURCE_DIR) + "/" + rel);
  EXPECT_TRUE(r.ok()) << rel;
  return r;
}

model::Verdict stateful(const model::Scenario& s, std::uint32_t bound = model::ExploreOptions::kUnbounded) {
  model::ExploreOptions o = model::explore_options_for(s, {});
  o.strategy = model::Strategy::Dfs;
  o.preemption_bound = bound;
  o.max_schedules = 1'000'000;
  o.stateful = true;
  return model::check_scenario(s, o);
}

bool has(const model::Verdict& v, model::Property p) {
  for (const model::FoundViolation& f : v.violations)
    if (f.property == p) return true;
  return false;
}

TEST(Graph, ForeverLoopIsACycleWithNoWayOut) {
  const model::LoadResult loaded = load_text(kForever);
  const model::Scenario& s = *loaded.scenario;
  const model::Verdict v = stateful(s);
  ASSERT_FALSE(v.error) << v.error_message;
  ASSERT_TRUE(v.analysis);
  const model::GraphAnalysis& a = *v.analysis;
  EXPECT_TRUE(v.complete);
  EXPECT_EQ(a.conflicts, 0u);
  EXPECT_TRUE(a.certain);
  EXPECT_EQ(a.end_states, 0u);
  ASSERT_FALSE(a.hangs.empty());
  for (const model::HangCycle& h : a.hangs) {
    EXPECT_FALSE(h.step_limit);
    ASSERT_FALSE(h.cycle.empty());
    EXPECT_EQ(h.cycle.size(), h.cycle_choices.size());
    EXPECT_GE(h.component_size, h.cycle.size());
    // The path reaches the cycle's first state from the root.
    EXPECT_EQ(h.reach.nodes.front(), 0u);
    EXPECT_EQ(h.reach.nodes.back(), h.cycle.front());
  }
  // The cycle is a `hang`, and the scenario does not allow it.
  EXPECT_TRUE(has(v, model::Property::Hang));
  EXPECT_FALSE(v.passed());
}

TEST(Graph, TaskThatNeverLeavesTracedIsNamed) {
  const model::LoadResult loaded = load_text(kTracedForever);
  const model::Scenario& s = *loaded.scenario;
  const model::Verdict v = stateful(s);
  ASSERT_FALSE(v.error) << v.error_message;
  ASSERT_TRUE(v.analysis);
  EXPECT_TRUE(v.complete);
  EXPECT_EQ(v.analysis->end_states, 0u);
  ASSERT_FALSE(v.analysis->hangs.empty());
  // Cycles keeping a task in TASK_TRACED come first, and say which task.
  const model::HangCycle& h = v.analysis->hangs.front();
  EXPECT_NE(h.traced_throughout, 0u);
  for (std::uint32_t n : h.cycle) EXPECT_NE(v.facts[n].traced & h.traced_throughout, 0u);
  const std::string d = model::describe_hang(h, v.facts);
  EXPECT_EQ(d.rfind("X never leaves TASK_TRACED", 0), 0u) << d;
}

TEST(Graph, CycleWithAWayOutIsNoHang) {
  const model::LoadResult loaded = load_text(kEscape);
  const model::Scenario& s = *loaded.scenario;
  const model::Verdict v = stateful(s);
  ASSERT_FALSE(v.error) << v.error_message;
  ASSERT_TRUE(v.analysis);
  EXPECT_TRUE(v.complete);
  EXPECT_GT(v.analysis->cyclic_components, 0u);  // A spins while B is not scheduled...
  EXPECT_GT(v.analysis->end_states, 0u);
  EXPECT_TRUE(v.analysis->hangs.empty());  // ... but a fair scheduler leaves every cycle
  EXPECT_FALSE(has(v, model::Property::Hang));
  EXPECT_TRUE(v.passed()) << (v.problems.empty() ? "" : v.problems.front());
}

TEST(Graph, RunsThatEndNormallyHaveNoCycle) {
  for (const char* f :
       {"scenarios/races/r2-detach-before-stop.json", "scenarios/races/r3-detach-return-vs-barrier.json"}) {
    const model::LoadResult loaded = load_file(f);
    const model::Scenario& s = *loaded.scenario;
    const model::Verdict v = stateful(s);
    ASSERT_FALSE(v.error) << v.error_message;
    ASSERT_TRUE(v.analysis) << f;
    EXPECT_TRUE(v.complete) << f;
    EXPECT_EQ(v.analysis->cyclic_components, 0u) << f;
    EXPECT_TRUE(v.analysis->hangs.empty()) << f;
    EXPECT_TRUE(v.analysis->shortest.empty()) << f;  // nothing broken anywhere
    EXPECT_TRUE(v.passed()) << f;
  }
}

TEST(Graph, StepLimitWithoutChoicePointIsAHang) {
  const model::LoadResult loaded = load_text(kAlone);
  const model::Scenario& s = *loaded.scenario;
  const model::Verdict v = stateful(s);
  ASSERT_FALSE(v.error) << v.error_message;
  ASSERT_TRUE(v.analysis);
  std::size_t limits = 0;
  for (const model::HangCycle& h : v.analysis->hangs) limits += h.step_limit;
  EXPECT_EQ(limits, 1u);  // the nearest run that hit the limit
  EXPECT_TRUE(has(v, model::Property::Hang));
}

TEST(Graph, BoundedGraphMakesHangsOnlyPossible) {
  const model::LoadResult loaded = load_text(kForever);
  const model::Scenario& s = *loaded.scenario;
  const model::Verdict v = stateful(s, 0);
  ASSERT_FALSE(v.error) << v.error_message;
  ASSERT_TRUE(v.analysis);
  EXPECT_FALSE(v.analysis->certain);
  EXPECT_FALSE(v.analysis->hangs.empty());
  // Possible hangs are listed, not reported as violations.
  EXPECT_FALSE(has(v, model::Property::Hang));
}

TEST(Graph, ShortestPathToTheViolationReplays) {
  const model::LoadResult loaded = load_file("scenarios/races/r2-detach-before-stop-bug.json");
  const model::Scenario& s = *loaded.scenario;
  const model::Verdict v = stateful(s);
  ASSERT_FALSE(v.error) << v.error_message;
  ASSERT_TRUE(v.analysis);
  const model::ViolationPath* p = nullptr;
  for (const model::ViolationPath& vp : v.analysis->shortest)
    if (vp.property == model::Property::StopWithoutEngine) p = &vp;
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->path.confirmed);
  EXPECT_EQ(p->path.nodes.back(), p->node);
  EXPECT_EQ(p->path.nodes.size(), p->path.choices.size() + 1);
  // The fewest preemptions that break it (R2 needs one; the nearest
  // violating state in choice points takes two).
  EXPECT_EQ(p->path.preemptions, 1u) << p->path.schedule;
  ASSERT_EQ(v.facts.size(), v.states);
  // Replaying the printed schedule breaks the property.
  model::Simulator simu(s, model::RunConfig{});
  sim::ReplayScheduler sched(*sim::decode_schedule(p->path.schedule));
  const model::RunOutput out = simu.run(sched);
  bool broke = false;
  for (const model::Violation& viol : out.violations)
    broke = broke || viol.property == model::Property::StopWithoutEngine;
  EXPECT_TRUE(broke) << p->path.schedule;
  // check's example is the shortest one (its replay confirmed it).
  for (const model::FoundViolation& f : v.violations) {
    if (f.property != model::Property::StopWithoutEngine) continue;
    EXPECT_LE(std::pair(f.where.preemptions, f.where.steps), std::pair(p->path.preemptions, p->path.steps));
  }
  EXPECT_TRUE(v.passed());
}

// utsim graph: DOT on stdout, the same bytes every time, terminal and
// violating states marked.
TEST(Graph, CommandWritesDeterministicDot) {
  const std::string file = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r2-detach-before-stop-bug.json";
  std::ostringstream out1, err1, out2, err2;
  EXPECT_EQ(tools::run_cli({"graph", file}, out1, err1), 0) << err1.str();
  EXPECT_EQ(tools::run_cli({"graph", file}, out2, err2), 0) << err2.str();
  EXPECT_EQ(out1.str(), out2.str());
  EXPECT_EQ(out1.str().rfind("digraph G {", 0), 0u);
  EXPECT_NE(out1.str().find("peripheries=2"), std::string::npos);          // terminal
  EXPECT_NE(out1.str().find("fillcolor=\"#ffd0d0\""), std::string::npos);  // violating
  EXPECT_NE(out1.str().find("TASK_TRACED"), std::string::npos);
  EXPECT_NE(err1.str().find("shortest counterexample for stop-without-engine"), std::string::npos) << err1.str();
  EXPECT_NE(err1.str().find("utsim replay"), std::string::npos);
  EXPECT_NE(err1.str().find("hang: no cycle that never ends"), std::string::npos);
}

TEST(Graph, CommandStopsAtMaxStates) {
  const std::string file = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r2-detach-before-stop-bug.json";
  std::ostringstream out, err;
  EXPECT_EQ(tools::run_cli({"graph", file, "--max-states", "50"}, out, err), 2);
  EXPECT_NE(err.str().find("stopped at 50 states"), std::string::npos) << err.str();
}

// utsim check --stateful: the cycle is a hang the scenario does not allow.
TEST(Graph, CheckStatefulReportsTheHangCycle) {
  const std::filesystem::path f =
      std::filesystem::temp_directory_path() / ("utsim-graph-forever-" + std::to_string(::getpid()) + ".json");
  std::ofstream(f) << kForever;
  std::ostringstream out, err;
  const int code = tools::run_cli({"check", "--stateful", "--json", f.string()}, out, err);
  std::filesystem::remove(f);
  EXPECT_EQ(code, 1) << err.str();
  const nlohmann::json doc = nlohmann::json::parse(out.str());
  const nlohmann::json& row = doc["scenarios"][0];
  EXPECT_EQ(row["strategy"], "dfs");
  EXPECT_GT(row["hang_cycles"].get<int>(), 0);
  EXPECT_EQ(row["hangs_certain"], true);
  ASSERT_FALSE(row["violations"].empty());
  EXPECT_EQ(row["violations"][0]["property"], "hang");
  EXPECT_NE(row["violations"][0]["message"].get<std::string>().find("no schedule leaves"), std::string::npos);
}

}  // namespace
