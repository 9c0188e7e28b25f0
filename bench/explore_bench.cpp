// bench/explore_bench.cpp: exploration on the model (issue #5, "Benchmarks").
//
//   cmake --preset release -B build-release && cmake --build build-release --target utsim_bench
//   ./build-release/bench/utsim_bench --benchmark_filter='Catalogue|Dpor|Find'
//
// (a) BM_Catalogue*: steps/s and schedules/s over the race catalogue
//     (scenarios/races/*.json), one core, tracing off, every property checked
//     (the model always checks): plain random runs of the Simulator, and
//     check_scenario's default portfolio (explorer overhead included).
// (b) BM_DporVsTraces: DPOR's executions on small scenarios against the
//     number of Mazurkiewicz traces found by running every schedule (brute
//     force, tests/support/sim_enumerate.h's prefix search over the model).
// (c) BM_Find: schedules and time until each bug switch's violation is found
//     (stop_when_found) by random, PCT d=2, PCT d=3, DFS, DPOR and the
//     portfolio.
// Goals (issue #5): >= 10 M steps/s and >= 50 k schedules/s on the catalogue
// with checks on; every bug found in < 1 s by the default strategy; DPOR
// within 1.5x of the trace count.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../tests/support/explore_toy.h"    // trace_key()
#include "../tests/support/sim_enumerate.h"  // PrefixScheduler
#include "explore/check.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/random.h"

namespace {

namespace fs = std::filesystem;
using model::Strategy;

std::string source(const std::string& rel) { return fmt::format("{}/{}", UTSIM_SOURCE_DIR, rel); }

struct Loaded {
  std::string name;
  model::Scenario scenario;
};

std::vector<std::string> catalogue_files() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(source("scenarios/races")))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

Loaded load(const std::string& file) {
  model::LoadResult r = model::load_scenario_file(file);
  if (!r.ok()) throw std::runtime_error("cannot load " + file);
  return Loaded{fs::path(file).stem().string(), std::move(*r.scenario)};
}

const std::vector<Loaded>& catalogue() {
  static const std::vector<Loaded> c = [] {
    std::vector<Loaded> v;
    for (const auto& f : catalogue_files()) v.push_back(load(f));
    return v;
  }();
  return c;
}

// ---- (a) throughput on the catalogue -----------------------------------------------------

// One random schedule of every catalogue scenario per iteration.
void BM_CatalogueRandomRuns(benchmark::State& state) {
  const auto& cat = catalogue();
  std::vector<std::unique_ptr<model::Simulator>> sims;
  model::RunConfig cfg;  // trace off
  for (const Loaded& l : cat) sims.push_back(std::make_unique<model::Simulator>(l.scenario, cfg));
  sim::RandomScheduler sched;
  std::uint64_t seed = 1, steps = 0, schedules = 0;
  for (auto _ : state) {
    for (auto& s : sims) {
      sched.set_seed(seed++);
      const model::RunOutput out = s->run(sched);
      steps += out.engine.steps;
      ++schedules;
      benchmark::DoNotOptimize(out.trace_hash);
    }
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["schedules/s"] = benchmark::Counter(static_cast<double>(schedules), benchmark::Counter::kIsRate);
  state.counters["steps/sched"] =
      static_cast<double>(steps) / static_cast<double>(std::max<std::uint64_t>(schedules, 1));
}
BENCHMARK(BM_CatalogueRandomRuns)->Unit(benchmark::kMillisecond);

// check_scenario over the whole catalogue with one strategy, 1000 schedules each.
void BM_CatalogueCheck(benchmark::State& state) {
  const auto strategy = static_cast<Strategy>(state.range(0));
  const auto& cat = catalogue();
  std::uint64_t steps = 0, schedules = 0;
  for (auto _ : state) {
    for (const Loaded& l : cat) {
      model::ExploreOptions o;
      o.strategy = strategy;
      o.max_schedules = 1000;
      const model::Verdict v = model::check_scenario(l.scenario, o);
      steps += v.steps;
      schedules += v.schedules;
    }
  }
  state.SetLabel(model::strategy_name(strategy));
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["schedules/s"] = benchmark::Counter(static_cast<double>(schedules), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CatalogueCheck)
    ->Arg(static_cast<int>(Strategy::Random))
    ->Arg(static_cast<int>(Strategy::Pct))
    ->Arg(static_cast<int>(Strategy::Dpor))
    ->Arg(static_cast<int>(Strategy::Portfolio))
    ->ArgName("strategy")
    ->Unit(benchmark::kMillisecond);

// ---- (b) DPOR executions against Mazurkiewicz traces ---------------------------------------

struct SpaceCount {
  std::uint64_t schedules = 0;
  std::uint64_t traces = 0;
  bool complete = false;
};

// Every schedule of the scenario (depth-first over choice prefixes), and the
// distinct Mazurkiewicz traces among them (trace_key: the per-thread steps
// and the order of dependent pairs).
SpaceCount brute_force(const model::Scenario& s, std::uint64_t max_runs) {
  model::RunConfig cfg;
  model::Simulator simu(s, cfg);
  simtest::PrefixScheduler sched;
  sim::Trace trace;
  std::set<std::uint64_t> keys;
  SpaceCount c;
  std::vector<std::vector<sim::Tid>> todo{{}};
  while (!todo.empty()) {
    if (c.schedules == max_runs) return c;
    std::vector<sim::Tid> prefix = std::move(todo.back());
    todo.pop_back();
    sched.set_prefix(prefix);
    trace.clear();
    simu.engine().record(&trace.steps, &trace.notes);
    const model::RunOutput out = simu.run(sched);
    simu.engine().record(nullptr, nullptr);
    ++c.schedules;
    keys.insert(toy::trace_key(trace));
    const auto& sets = sched.enabled_sets();
    for (std::size_t i = prefix.size(); i < out.engine.choices.size(); ++i)
      for (sim::Tid alt : sets[i]) {
        if (alt == out.engine.choices[i]) continue;
        std::vector<sim::Tid> next(out.engine.choices.begin(),
                                   out.engine.choices.begin() + static_cast<std::ptrdiff_t>(i));
        next.push_back(alt);
        todo.push_back(std::move(next));
      }
  }
  c.traces = keys.size();
  c.complete = true;
  return c;
}

// Small scenarios whose whole schedule space brute force can still run (the
// catalogue's are too big: r6-attach-vs-release alone has > 400 k schedules).
const std::vector<std::pair<std::string, std::string>>& small_scenarios() {
  static const std::vector<std::pair<std::string, std::string>> v{
      {"two-getpid", R"({"utsim": 1, "name": "two-getpid", "summary": "s", "tasks": [
          {"name": "A", "program": [{"syscall": "getpid"}]}, {"name": "B", "program": [{"syscall": "getpid"}]}]})"},
      {"kill-exit", R"({"utsim": 1, "name": "kill-exit", "summary": "s", "tasks": [
          {"name": "A", "program": [{"compute": 1}]},
          {"name": "B", "program": [{"kill": {"pid": "A", "sig": "SIGKILL"}}]}]})"},
      {"attach-exit", R"({"utsim": 1, "name": "attach-exit", "summary": "s", "engines": {"E": {"report_reap": {}}},
          "tasks": [{"name": "X", "program": [{"exit": 0}]},
          {"name": "T", "kind": "kthread", "program": [
            {"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"}]}]})"},
  };
  return v;
}

void BM_DporVsTraces(benchmark::State& state) {
  const auto& [name, text] = small_scenarios()[static_cast<std::size_t>(state.range(0))];
  model::LoadResult r = model::load_scenario_text(text, name);
  if (!r.ok()) {
    state.SkipWithError("does not load");
    return;
  }
  SpaceCount bf;
  model::Verdict v;
  for (auto _ : state) {
    bf = brute_force(*r.scenario, 200'000);
    model::ExploreOptions o;
    o.strategy = Strategy::Dpor;
    o.max_schedules = 1'000'000;
    v = model::check_scenario(*r.scenario, o);
  }
  state.SetLabel(fmt::format("{}{}{}", name, bf.complete ? "" : " (brute force truncated)",
                             v.complete ? "" : " (dpor incomplete)"));
  state.counters["schedules"] = static_cast<double>(bf.schedules);
  state.counters["traces"] = static_cast<double>(bf.traces);
  state.counters["dpor_execs"] = static_cast<double>(v.schedules);
  state.counters["dpor_redundant"] = static_cast<double>(v.redundant);
  state.counters["execs/traces"] = bf.traces ? static_cast<double>(v.schedules) / static_cast<double>(bf.traces) : 0.0;
}
BENCHMARK(BM_DporVsTraces)->DenseRange(0, 2)->Iterations(1)->Unit(benchmark::kMillisecond);

// ---- (c) finding each bug switch's violation ----------------------------------------------

std::vector<std::string> bug_files() {
  std::vector<std::string> out;
  for (const auto& f : catalogue_files())
    if (f.ends_with("-bug.json")) out.push_back(f);
  return out;
}

void BM_Find(benchmark::State& state, std::string file, Strategy strategy, unsigned depth) {
  const Loaded l = load(file);
  model::ExploreOptions o;
  o.strategy = strategy;
  o.depth = depth;
  o.max_schedules = 100'000;
  o.preemption_bound = 2;
  o.stop_when_found = l.scenario.expect.violations;
  std::uint64_t schedules = 0, found = 0, runs = 0;
  for (auto _ : state) {
    const model::Verdict v = model::check_scenario(l.scenario, o);
    schedules += v.schedules;
    ++runs;
    bool all = true;
    for (std::size_t p = 0; p < model::kPropertyCount; ++p) {
      if (!o.stop_when_found.test(p)) continue;
      bool hit = false;
      for (const auto& f : v.violations) hit = hit || static_cast<std::size_t>(f.property) == p;
      all = all && hit;
    }
    found += all ? 1 : 0;
  }
  state.counters["schedules"] = static_cast<double>(schedules) / static_cast<double>(runs);
  state.counters["found"] = static_cast<double>(found) / static_cast<double>(runs);
}

[[maybe_unused]] const bool registered = [] {
  const std::vector<std::pair<std::string, std::pair<Strategy, unsigned>>> strategies{
      {"random", {Strategy::Random, 3}}, {"pct2", {Strategy::Pct, 2}},  {"pct3", {Strategy::Pct, 3}},
      {"dfs", {Strategy::Dfs, 3}},       {"dpor", {Strategy::Dpor, 3}}, {"portfolio", {Strategy::Portfolio, 3}}};
  for (const auto& f : bug_files()) {
    const std::string name = fs::path(f).stem().string();
    for (const auto& [sname, sd] : strategies)
      benchmark::RegisterBenchmark(fmt::format("BM_Find/{}/{}", name, sname).c_str(), BM_Find, f, sd.first, sd.second)
          ->Unit(benchmark::kMillisecond)
          ->MinTime(0.2);
  }
  return true;
}();

}  // namespace
