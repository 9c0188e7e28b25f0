// tests/unit/tools/teach/narrate_test.cpp: what `utsim explain` and `utsim
// step` say about a run (tools/teach/explain.h, step.h): the value each
// lockless read saw and the store it came from (model/values.h), the kernel
// whose rule each "why" states and the race switch that decided a step, and
// step mode's screen (narrative, task states, locks, engines, 80 columns,
// goto, undo, redo, save and load).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "scenario/load/loader.h"
#include "sim/sched/replay.h"
#include "tools/teach/explain.h"
#include "tools/teach/step.h"

namespace fs = std::filesystem;

namespace {

const std::string kR2Bug = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r2-detach-before-stop-bug.json";
const std::string kR2Fixed = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r2-detach-before-stop.json";
// docs/tutorial.md's race: X reads engine->ops, then T detaches the engine
// before X takes utrace->lock.
const std::string kR2Race = "a3b3cbcc";

model::Scenario load(const std::string& path) {
  model::LoadResult r = model::load_scenario_file(path);
  EXPECT_TRUE(r.ok()) << path;
  return std::move(*r.scenario);
}

struct Narrated {
  model::Scenario scn;
  std::unique_ptr<tools::TracedRun> run;
  std::vector<tools::NarrativeStep> steps;
};

Narrated narrated(const std::string& path, const std::string& schedule) {
  Narrated n{load(path), nullptr, {}};
  n.run = tools::traced_run(n.scn, schedule, std::nullopt, std::nullopt);
  n.steps = tools::narrate(n.run->run(), n.run->log);
  return n;
}

// The one-step entry of `function` whose access starts with `access`.
const tools::NarrativeStep* find_step(const Narrated& n, const std::string& function, const std::string& access) {
  for (const tools::NarrativeStep& st : n.steps)
    if (st.first == st.last && !st.functions.empty() && st.functions.front() == function &&
        st.access.rfind(access, 0) == 0)
      return &st;
  return nullptr;
}

// The first line (of any step) whose `what` contains `text`.
const tools::NarrativeLine* find_line(const Narrated& n, const std::string& text) {
  for (const tools::NarrativeStep& st : n.steps)
    for (const tools::NarrativeLine& l : st.lines)
      if (l.what.find(text) != std::string::npos) return &l;
  return nullptr;
}

// R2's crux: finish_callback_report's lockless read of engine->ops sees the
// real ops, stored by nobody since the engine was created.
TEST(Narrate, R2ReadOfEngineOpsShowsItsValueAndWhereItCameFrom) {
  const Narrated n = narrated(kR2Bug, kR2Race);
  const tools::NarrativeStep* read = find_step(n, "finish_callback_report", "reads e1(e) engine->ops");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->task, "X-2");
  EXPECT_EQ(read->access, "reads e1(e) engine->ops = ops (its initial value)");
  // The value log itself: the load of that step, its value, no store before it.
  const model::SharedRead* r = n.run->run().values().read_once_at(read->first);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->read_once);
  EXPECT_EQ(r->value, 0);  // Engine::Ops::Real
  EXPECT_STREQ(r->from.where, "");
}

// Then T detaches the engine: a later read of engine->ops by X names T's
// store, its step and its function.
TEST(Narrate, R2LaterReadOfEngineOpsNamesTheDetachingStore) {
  const Narrated n = narrated(kR2Bug, kR2Race);
  const model::ValueLog& log = n.run->run().values();
  const model::SharedRead* seen = nullptr;
  for (const model::SharedRead& r : log.reads())
    if (r.from.where[0] && r.value == 1 && r.from.tid != r.tid) seen = &r;  // &utrace_detached_ops, T's store
  ASSERT_NE(seen, nullptr) << "no read of the detached ops stored by another task";
  const std::string text = tools::read_value_text(n.run->run(), n.run->log, *seen);
  EXPECT_EQ(text.rfind("&utrace_detached_ops (stored at step ", 0), 0u) << text;
  EXPECT_NE(text.find(" by T-3 in "), std::string::npos) << text;
}

// With R2 switched on, the step that marks the stop says R2 decided it, and
// each why of that step names the switch; the fixed kernel's say 2010-rhel6.
TEST(Narrate, WhyNamesTheKernelAndTheRaceSwitchThatDecidedTheStep) {
  const Narrated bug = narrated(kR2Bug, kR2Race);
  const tools::NarrativeLine* race = find_line(bug, "R2 decides this step");
  ASSERT_NE(race, nullptr);
  EXPECT_EQ(race->kind, "race");
  EXPECT_EQ(race->rule, "2010-rhel6 +R2");
  EXPECT_NE(race->why.find("R2 is switched on"), std::string::npos) << race->why;
  EXPECT_NE(race->why.find("not the fixed rule of 2010-rhel6"), std::string::npos) << race->why;
  const tools::NarrativeLine* stop = find_line(bug, "ENGINE_STOP set");
  ASSERT_NE(stop, nullptr);
  EXPECT_EQ(stop->rule, "2010-rhel6 +R2");

  const Narrated fixed = narrated(kR2Fixed, kR2Race);
  EXPECT_EQ(find_line(fixed, "R2 decides this step"), nullptr);
  for (const tools::NarrativeStep& st : fixed.steps)
    for (const tools::NarrativeLine& l : st.lines)
      if (!l.why.empty()) {
        EXPECT_EQ(l.rule, "2010-rhel6") << l.what;
      }
}

// A race the kernel version has as written (R5 before 2011-3x) decides a
// step with no switch on: the step says so, and its read shows the stale
// table it saw, stored by the detaching task.
TEST(Narrate, ARaceInTheVersionsCodeIsNotASwitch) {
  const Narrated n =
      narrated(std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r5-stale-flags-sentinel-2010-rhel6.json", "a3b12c");
  const tools::NarrativeLine* race = find_line(n, "R5 decides this step");
  ASSERT_NE(race, nullptr);
  EXPECT_EQ(race->rule, "2010-rhel6");
  EXPECT_NE(race->why.find("2010-rhel6 has R5 in its code as written"), std::string::npos) << race->why;
  const tools::NarrativeStep* read = find_step(n, "start_callback", "reads e1(e) engine->ops = &utrace_detached_ops");
  ASSERT_NE(read, nullptr);
  EXPECT_NE(read->access.find(" by T-3 in mark_engine_detached)"), std::string::npos) << read->access;
}

// A run of another kernel states that kernel's rule.
TEST(Narrate, WhyNamesTheVersionSimulated) {
  model::Scenario scn = load(kR2Fixed);
  scn.kernel = model::KernelVersion::V2009Rfc;
  auto run = tools::traced_run(scn, std::nullopt, std::nullopt, std::nullopt);
  std::size_t whys = 0;
  for (const tools::NarrativeStep& st : tools::narrate(run->run(), run->log))
    for (const tools::NarrativeLine& l : st.lines)
      if (!l.why.empty()) {
        ++whys;
        EXPECT_EQ(l.rule.rfind("2009-rfc", 0), 0u) << l.what;
      }
  EXPECT_GT(whys, 0u);
}

// An untraced run (the explorers') keeps no values.
TEST(Narrate, UntracedRunsLogNoValues) {
  const model::Scenario scn = load(kR2Bug);
  model::RunConfig cfg;
  cfg.trace = false;
  model::Simulator simu(scn, cfg);
  sim::ReplayScheduler def;
  simu.run(def);
  EXPECT_TRUE(simu.values().reads().empty());
  cfg.trace = true;
  model::Simulator traced(scn, cfg);
  traced.run(def);
  EXPECT_FALSE(traced.values().reads().empty());
}

// ---- utsim step ------------------------------------------------------------------

std::string step_session(const std::string& keys, const std::string& path = kR2Bug) {
  const model::Scenario scn = load(path);
  tools::StepSetup setup;
  setup.file = "r2.json";
  setup.echo = true;
  std::istringstream in(keys);
  std::ostringstream out;
  tools::step_through(scn, setup, in, out);
  return out.str();
}

std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

// The keys of docs/tutorial.md: seven defaults, b, c, then to the end.
const std::string kTutorialKeys = "\n\n\n\n\n\n\nb\nc\n!\n";

TEST(Step, NarratesLikeExplainWithValuesAndFitsEightyColumns) {
  const std::string out = step_session(kTutorialKeys + "q\n");
  EXPECT_NE(out.find("finish_callback_report: reads e1(e) engine->ops = ops"), std::string::npos) << out;
  EXPECT_NE(out.find("(its initial value)"), std::string::npos);
  EXPECT_NE(out.find("why (2010-rhel6 +R2): "), std::string::npos);
  EXPECT_NE(out.find("R2 decides this step"), std::string::npos);
  EXPECT_NE(out.find("VIOLATED stop-without-engine at step"), std::string::npos);
  EXPECT_EQ(out.find("utsim_"), std::string::npos) << "a raw trace line";
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(columns(line), 80u) << line;
  EXPECT_NE(out.find("\nstep> b\n"), std::string::npos) << "the keys are echoed";
}

// Every scenario of the catalogue, a few defaults then to the end: long
// flags words, outcome lists and replay commands wrap too.
TEST(Step, EveryScenarioFitsEightyColumns) {
  std::size_t sessions = 0;
  for (const auto& f : fs::recursive_directory_iterator(fs::path(UTSIM_SOURCE_DIR) / "scenarios")) {
    if (f.path().extension() != ".json") continue;
    ++sessions;
    const std::string out = step_session("\n\n\n\n\n\n\n\n!\nq\n", f.path().string());
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) EXPECT_LE(columns(line), 80u) << f.path() << ": " << line;
  }
  EXPECT_GT(sessions, 100u);
}

TEST(Step, ChoicePointShowsTasksLocksEnginesAndNextSteps) {
  const std::string out = step_session("\n\n\n\n\n\n\nq\n");
  const std::size_t at = out.find("── choice point 7 ");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string cp = out.substr(at);
  EXPECT_NE(cp.find("   tasks:   "), std::string::npos);
  EXPECT_NE(cp.find("X-2 TASK_RUNNING"), std::string::npos) << cp;
  EXPECT_NE(cp.find("   locks:   "), std::string::npos);
  EXPECT_NE(cp.find("   engines: e1(e) on X-2: ->ops = ops, ->flags = "), std::string::npos) << cp;
  EXPECT_NE(cp.find("> b  X-2    finish_callback_report: reads e1(e) engine->ops without a lock"), std::string::npos)
      << cp;
}

TEST(Step, LocksHeldAreNamedWithTheirHolder) {
  // Somewhere in R2's run a choice point falls while a lock is held.
  const std::string out = step_session(std::string(40, '\n') + "q\n");
  EXPECT_NE(out.find("utrace->lock held by "), std::string::npos) << out;
}

TEST(Step, UndoRedoGotoSaveAndLoad) {
  const fs::path dir = fs::temp_directory_path() / "utsim-step-test";
  fs::create_directories(dir);
  const std::string file = (dir / "r2.sched").string();
  fs::remove(file);
  const std::string out = step_session(kTutorialKeys + "s " + file + "\nu\nr\ngoto 20\nr\nl " + file + "\n?\nq\n");
  EXPECT_NE(out.find("saved 'a3b3cbcc' to " + file), std::string::npos) << out;
  std::ifstream f(file);
  std::string saved;
  std::getline(f, saved);
  EXPECT_EQ(saved, kR2Race);
  EXPECT_NE(out.find("undo: 'c' is taken back"), std::string::npos);
  EXPECT_NE(out.find("redo: 'c' again"), std::string::npos);
  EXPECT_NE(out.find("goto step 20: replaying"), std::string::npos);
  // goto stops at the first choice point at or after step 20, and the
  // choices past it can be redone.
  EXPECT_NE(out.find("redo: '"), std::string::npos);
  EXPECT_NE(out.find("loaded 'a3b3cbcc' from " + file), std::string::npos);
  for (const char* key : {"goto N", "  u ", "  r ", "s FILE", "s! FILE", "l FILE", "  q ", "  ? ", "  !  "})
    EXPECT_NE(out.find(key), std::string::npos) << "help lacks " << key;
  // The saved schedule stops at the choice ! made (the later ones were the
  // default): redo and load both come back to the choice point after it.
  const std::string after = "── choice point 10 · after step 35 · schedule so far 'a3b3cbcc'";
  const std::size_t redone = out.find(after, out.find("redo: 'c' again"));
  ASSERT_NE(redone, std::string::npos) << out;
  EXPECT_NE(out.find(after, out.find("loaded 'a3b3cbcc'")), std::string::npos) << out;
}

}  // namespace
