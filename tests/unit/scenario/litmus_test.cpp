// tests/unit/scenario/litmus_test.cpp: litmus programs and memory models
// (issue 12; docs/memory-model.md, docs/scenarios.md "Litmus programs"):
// what the loader makes of them and refuses, and what each memory model lets
// an exploration reach.  scenarios/litmus/ and the litmus:* tests check the
// kernel's own litmus tests; these pin the rules one by one.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "explore/check.h"
#include "scenario/load/loader.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"
#include "support/scenario_run.h"

namespace model {
namespace {

using test::has_error;

// A litmus program: vars x, y (0), two kthreads.
std::string litmus(const std::string& p0, const std::string& p1, const char* memory = "lkmm",
                   const std::string& expect = "") {
  return std::string(R"({"utsim": 1, "name": "t", "summary": "unit test", "model": {"memory": ")") + memory +
         R"("}, "vars": {"x": 0, "y": 0}, "tasks": [{"name": "P0", "kind": "kthread", "program": [)" + p0 +
         R"(]}, {"name": "P1", "kind": "kthread", "program": [)" + p1 + "]}]" +
         (expect.empty() ? "" : R"(, "expect": )" + expect) + "}";
}

// Every outcome signature an exhaustive exploration reaches.
std::set<std::string> outcomes(const std::string& json, MemoryModel m) {
  LoadResult r = load_scenario_text(json);
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  if (!r.ok()) return {};
  r.scenario->memory = m;
  ExploreOptions o = explore_options_for(*r.scenario, {});
  const Verdict v = check_scenario(*r.scenario, o);
  EXPECT_TRUE(v.complete) << json;
  std::set<std::string> out;
  for (const OutcomeClass& c : v.outcomes) out.insert(c.signature);
  return out;
}

const char* const kW = R"({"write_once": {"var": "x", "value": 1}}, {"write_once": {"var": "y", "value": 1}})";
const char* const kR = R"({"read_once": "y", "label": "a"}, {"read_once": "x", "label": "b"})";

TEST(Litmus, LoadsVarsOpsAndALitmusProgram) {
  const LoadResult r = load_scenario_text(litmus(
      R"({"write_once": {"var": "x", "value": 1}}, {"smp_wmb": {}}, {"smp_store_release": {"var": "y", "value": 2}})",
      R"({"smp_load_acquire": "y", "label": "a"}, {"spin_lock": "s"}, {"xchg": {"var": "x", "value": 3}, "label": "b"},
         {"spin_unlock": {"lock": "s"}}, {"smp_rmb": null}, {"smp_mb__after_spinlock": {}})"));
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  const Scenario& s = *r.scenario;
  EXPECT_TRUE(s.litmus);
  EXPECT_EQ(s.memory, MemoryModel::LKMM);
  EXPECT_EQ(s.var_names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(s.spinlock_names, (std::vector<std::string>{"s"}));
  const MemOp* st = s.tasks[0].program[2].as_if<MemOp>();
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->kind, MemOp::Kind::StoreRelease);
  EXPECT_EQ(st->var, 1);
  EXPECT_EQ(st->value, 2);
  // A litmus program explores with DPOR to the end by default.
  EXPECT_EQ(s.explore.strategy, Strategy::Dpor);
  EXPECT_EQ(s.explore.max_schedules, kLitmusMaxSchedules);
}

TEST(Litmus, RefusesWhatItCannotMean) {
  auto errors = [](const std::string& json) { return load_scenario_text(json).errors; };
  // An undeclared variable, with the pointer of the op's field.
  EXPECT_TRUE(has_error(errors(litmus(R"({"read_once": "z"})", kR)), "scenario.E067", "/tasks/0/program/0/read_once"));
  // An outcome naming a variable that does not exist.
  EXPECT_TRUE(has_error(errors(litmus(kW, kR, "lkmm", R"({"reachable": [{"vars": {"q": 1}}]})")), "scenario.E067",
                        "/expect/reachable/0/vars/q"));
  // A task outcome in a litmus program: its tasks never exit.
  EXPECT_TRUE(has_error(errors(litmus(kW, kR, "lkmm", R"({"outcomes": [{"tasks": {"P0": {"exited": 0}}}]})")),
                        "scenario.E069", "/expect/outcomes/0/tasks"));
  EXPECT_TRUE(has_error(errors(litmus(kW, kR, "pso")), "scenario.E070", "/model/memory"));
  // Litmus ops in a user task.
  EXPECT_TRUE(has_error(errors(R"({"utsim": 1, "name": "t", "summary": "s", "vars": {"x": 0},
                 "tasks": [{"name": "U", "program": [{"write_once": {"var": "x", "value": 1}}]}]})"),
                        "scenario.E060", "/tasks/0/program/0/write_once"));
  EXPECT_TRUE(has_error(errors(litmus(R"({"smp_mb": 1})", kR)), "scenario.E055", "/tasks/0/program/0/smp_mb"));
}

TEST(Litmus, AScenarioWithUserTasksIsNotALitmusProgram) {
  const LoadResult r = load_scenario_text(
      R"({"utsim": 1, "name": "t", "summary": "s", "vars": {"x": 0},
          "tasks": [{"name": "K", "kind": "kthread", "program": [{"write_once": {"var": "x", "value": 1}}]},
                    {"name": "U", "program": [{"syscall": "getpid"}]}],
          "expect": {"outcomes": [{"tasks": {"K": {"exited": 0}}, "vars": {"x": 1}}]}})");
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  EXPECT_FALSE(r.scenario->litmus);
  const Verdict v = check_scenario(*r.scenario, explore_options_for(*r.scenario, {}));
  EXPECT_TRUE(v.passed()) << (v.problems.empty() ? "" : v.problems.front());
}

// Message passing: the reader sees the flag (y) and misses the data (x)
// only where stores or loads reorder.
TEST(Litmus, MessagePassingReordersOnlyUnderLkmm) {
  const std::string mp = litmus(kW, kR);
  const std::string weak = "a = 1; b = 0; x == 1; y == 1";
  EXPECT_FALSE(outcomes(mp, MemoryModel::SC).count(weak));
  EXPECT_FALSE(outcomes(mp, MemoryModel::TSO).count(weak));  // TSO keeps store-store and load-load order
  EXPECT_TRUE(outcomes(mp, MemoryModel::LKMM).count(weak));
  // smp_wmb() and smp_rmb() restore the order under lkmm; either alone does not.
  const std::string w =
      R"({"write_once": {"var": "x", "value": 1}}, {"smp_wmb": {}}, {"write_once": {"var": "y", "value": 1}})";
  const std::string r = R"({"read_once": "y", "label": "a"}, {"smp_rmb": {}}, {"read_once": "x", "label": "b"})";
  EXPECT_FALSE(outcomes(litmus(w, r), MemoryModel::LKMM).count(weak));
  EXPECT_TRUE(outcomes(litmus(w, kR), MemoryModel::LKMM).count(weak));
  EXPECT_TRUE(outcomes(litmus(kW, r), MemoryModel::LKMM).count(weak));
}

// Store buffering: both loads miss both stores under TSO and lkmm, never
// with smp_mb() on both sides.
TEST(Litmus, StoreBufferingAndTheFullBarrier) {
  const std::string p0 = R"({"write_once": {"var": "x", "value": 1}}, {"read_once": "y", "label": "a"})";
  const std::string p1 = R"({"write_once": {"var": "y", "value": 1}}, {"read_once": "x", "label": "b"})";
  const std::string weak = "a = 0; b = 0; x == 1; y == 1";
  EXPECT_FALSE(outcomes(litmus(p0, p1), MemoryModel::SC).count(weak));
  EXPECT_TRUE(outcomes(litmus(p0, p1), MemoryModel::TSO).count(weak));
  EXPECT_TRUE(outcomes(litmus(p0, p1), MemoryModel::LKMM).count(weak));
  const std::string m0 =
      R"({"write_once": {"var": "x", "value": 1}}, {"smp_mb": {}}, {"read_once": "y", "label": "a"})";
  const std::string m1 =
      R"({"write_once": {"var": "y", "value": 1}}, {"smp_mb": {}}, {"read_once": "x", "label": "b"})";
  EXPECT_FALSE(outcomes(litmus(m0, m1), MemoryModel::TSO).count(weak));
  EXPECT_FALSE(outcomes(litmus(m0, m1), MemoryModel::LKMM).count(weak));
}

// Every outcome a stronger model reaches, a weaker one reaches too (sc is in
// tso is in lkmm), on programs of every op kind.
TEST(Litmus, EachModelReachesWhatTheStrongerOnesReach) {
  const std::vector<std::pair<std::string, std::string>> programs = {
      {kW, kR},
      {R"({"write_once": {"var": "x", "value": 1}}, {"read_once": "x", "label": "a"}, {"read_once": "y", "label": "b"})",
       R"({"write_once": {"var": "y", "value": 1}}, {"smp_mb": {}}, {"read_once": "x", "label": "c"})"},
      {R"({"xchg": {"var": "x", "value": 2}, "label": "a"}, {"smp_store_release": {"var": "y", "value": 1}})",
       R"({"smp_load_acquire": "y", "label": "b"}, {"write_once": {"var": "x", "value": 3}})"},
      {R"({"spin_lock": "s"}, {"write_once": {"var": "x", "value": 1}}, {"spin_unlock": "s"}, {"read_once": "y", "label": "a"})",
       R"({"write_once": {"var": "y", "value": 1}}, {"spin_lock": "s"}, {"read_once": "x", "label": "b"}, {"spin_unlock": "s"})"},
  };
  for (const auto& [p0, p1] : programs) {
    const std::string json = litmus(p0, p1);
    const auto sc = outcomes(json, MemoryModel::SC), tso = outcomes(json, MemoryModel::TSO),
               lkmm = outcomes(json, MemoryModel::LKMM);
    for (const std::string& o : sc) EXPECT_TRUE(tso.count(o)) << "sc but not tso: " << o << " in " << json;
    for (const std::string& o : tso) EXPECT_TRUE(lkmm.count(o)) << "tso but not lkmm: " << o << " in " << json;
    EXPECT_FALSE(sc.empty());
  }
}

// The exact state hash covers the memory: a stateful search finds what DPOR
// finds.
TEST(Litmus, StatefulSearchFindsWhatDporFinds) {
  const std::string json = litmus(kW, kR);
  LoadResult r = load_scenario_text(json);
  ASSERT_TRUE(r.ok());
  ExploreOptions o = explore_options_for(*r.scenario, {});
  o.strategy = Strategy::Dfs;
  o.stateful = true;
  o.max_schedules = 1'000'000;
  const Verdict v = check_scenario(*r.scenario, o);
  EXPECT_TRUE(v.complete);
  std::set<std::string> got;
  for (const OutcomeClass& c : v.outcomes) got.insert(c.signature);
  EXPECT_EQ(got, outcomes(json, MemoryModel::LKMM));
}

// A traced run shows what the memory did: the store, its propagation to the
// reader's CPU, and the load with the store it read (a stale one says so).
TEST(Litmus, TheTraceShowsStoresPropagationsAndStaleLoads) {
  LoadResult r = load_scenario_text(litmus(kW, kR));
  ASSERT_TRUE(r.ok());
  RunConfig cfg;
  cfg.trace = true;
  Simulator simu(*r.scenario, cfg);
  // P0 runs to the end, P1's propagation of y (thread g) runs, then P1.
  const auto choices = sim::decode_schedule("a3b4g");
  ASSERT_TRUE(choices);
  sim::ReplayScheduler sched(*choices);
  simu.run(sched);
  std::vector<std::string> lines;
  for (const Event& e : simu.kernel().events())
    if (e.kind == Ev::memory) lines.push_back(event_text(e, simu).substr(13));
  const std::vector<std::string> want = {
      "P0-2             utsim_memory: op=store var=x value=1", "P0-2             utsim_memory: op=store var=y value=1",
      "P1-3             utsim_memory: op=propagate var=y value=1 from=P0-2",
      "P1-3             utsim_memory: op=load var=y value=1 from=P0-2",
      "P1-3             utsim_memory: op=load var=x value=0 from=init stale=\"a newer store is not visible here yet\""};
  EXPECT_EQ(lines, want);
}

// "Never" is a verdict only on a complete exploration.
TEST(Litmus, UnreachableNeedsACompleteExploration) {
  const std::string json = litmus(kW, kR, "sc", R"({"unreachable": [{"results": {"a": 1, "b": 0}}]})");
  LoadResult r = load_scenario_text(json);
  ASSERT_TRUE(r.ok());
  ExploreOptions o = explore_options_for(*r.scenario, {});
  EXPECT_TRUE(check_scenario(*r.scenario, o).passed());
  o.max_schedules = 1;
  const Verdict cut = check_scenario(*r.scenario, o);
  ASSERT_FALSE(cut.passed());
  EXPECT_NE(cut.problems.front().find("not a proof"), std::string::npos) << cut.problems.front();
  // Reached under lkmm: a failure naming the schedule.
  r.scenario->memory = MemoryModel::LKMM;
  const Verdict lk = check_scenario(*r.scenario, explore_options_for(*r.scenario, {}));
  ASSERT_FALSE(lk.passed());
  EXPECT_NE(lk.problems.front().find("unreachable outcome 0"), std::string::npos) << lk.problems.front();
}

}  // namespace
}  // namespace model
