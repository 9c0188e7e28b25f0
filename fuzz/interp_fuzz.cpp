// fuzz/interp_fuzz.cpp: a generated valid scenario and a schedule, run in
// model::Simulator.
//
// The input's first bytes steer fuzz/scenario_gen.cpp; the rest is the
// schedule: at choice point i the byte i picks among the enabled threads
// (byte % count), and past the last byte the default policy applies.  The
// run has a small step limit, so a scenario that never ends stops there
// (RunEnd::StepLimit is a clean result).
//
// Findings (each aborts, after printing the scenario and the replay command):
// - the loader refuses the generated scenario (the generator's contract, or
//   a loader bug);
// - a crash, a sanitizer report, a hang (libFuzzer's -timeout) or a leak;
// - model::ModelBug, sim::EngineError or any other exception but
//   model::NotImplemented (a documented "not modelled" stop);
// - a model-invariant violation in a scenario without model.bugs;
// - a run that does not replay: the same choices through ReplayScheduler
//   must give the same end, steps and trace hash (DESIGN.md contract 1), and
//   the trace must describe itself (text and JSON) without throwing.
// With UTSIM_FUZZ_STRICT=1 in the environment, every utrace guarantee
// (the properties of SCENARIOS.md but unexpected-result and hang) broken
// without model.bugs is a finding too.  UTSIM_FUZZ_PRINT=1 prints each
// scenario before it runs.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "explore/check.h"
#include "model/events.h"
#include "model/linux/kernel.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "scenario_gen.h"
#include "sim/engine.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"

namespace {

constexpr std::uint64_t kMaxSteps = 20'000;
constexpr unsigned kMaxTasks = 16;

// Choice i is enabled[bytes[i] % n]; then the default policy.
class ByteScheduler final : public sim::Scheduler {
 public:
  explicit ByteScheduler(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  void begin_run() override {
    next_ = 0;
    made_.clear();
  }
  sim::Tid choose(const sim::ChoiceContext& ctx) override {
    const sim::Tid t =
        next_ < bytes_.size() ? ctx.enabled[bytes_[next_++] % ctx.enabled.size()] : sim::default_choice(ctx);
    made_.push_back(t);
    return t;
  }
  // The choices made so far: the schedule of a run that threw, too.
  const std::vector<sim::Tid>& made() const { return made_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t next_ = 0;
  std::vector<sim::Tid> made_;
};

struct Case {
  std::string json;      // the generated scenario
  std::string schedule;  // the run's schedule string, once known
};

[[noreturn]] void finding(const Case& c, const std::string& what) {
  std::fprintf(stderr,
               "\nfuzz_interp: %s\n"
               "---- scenario (save as repro.json) ----\n%s\n"
               "---- replay: utsim replay repro.json --max-steps %llu --max-tasks %u --schedule '%s'\n",
               what.c_str(), c.json.c_str(), static_cast<unsigned long long>(kMaxSteps), kMaxTasks, c.schedule.c_str());
  std::abort();
}

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && *v != '0';
}
bool strict() {
  static const bool on = env_flag("UTSIM_FUZZ_STRICT");
  return on;
}
// UTSIM_FUZZ_PRINT=1: print each scenario before its run (to turn a timeout
// or a corpus file into a scenario file: ./fuzz_interp FILE).
bool print() {
  static const bool on = env_flag("UTSIM_FUZZ_PRINT");
  return on;
}

// A finding in the violations of a run of a scenario without model.bugs.
void judge(const Case& c, const model::Scenario& s, const std::vector<model::Violation>& vs) {
  if (s.bugs.any()) return;
  for (const model::Violation& v : vs) {
    const bool guarantee = v.property != model::Property::UnexpectedResult && v.property != model::Property::Hang;
    if (v.property == model::Property::ModelInvariant || (strict() && guarantee))
      finding(c,
              std::string(model::property_name(v.property)) + " at step " + std::to_string(v.step) + ": " + v.message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Case c;
  c.json = fuzzgen::generate_scenario(in).dump(1);
  if (print()) std::fprintf(stderr, "%s\n", c.json.c_str());
  const model::LoadResult loaded = model::load_scenario_text(c.json, "repro.json");
  if (!loaded.ok()) {
    std::string why = "the loader refused a generated scenario:";
    for (const model::ScenarioError& e : loaded.errors) why += "\n  " + e.to_string();
    finding(c, why);
  }
  const model::Scenario& s = *loaded.scenario;
  ByteScheduler sched(in.ConsumeRemainingBytes<std::uint8_t>());

  model::RunConfig cfg;
  cfg.max_steps = kMaxSteps;
  cfg.max_tasks = kMaxTasks;
  try {
    model::Simulator simu(s, cfg);
    const model::RunOutput first = simu.run(sched);
    c.schedule = sim::encode_schedule(first.engine.choices);
    if (first.engine.end == sim::RunEnd::Diverged) finding(c, "a choice among the enabled threads diverged");
    judge(c, s, first.violations);

    // Replays to the same run, and its trace describes itself.
    model::RunConfig traced = cfg;
    traced.trace = true;
    model::Simulator again(s, traced);
    sim::ReplayScheduler replay(first.engine.choices);
    const model::RunOutput second = again.run(replay);
    if (second.engine.end != first.engine.end || second.engine.steps != first.engine.steps ||
        second.trace_hash != first.trace_hash)
      finding(c, std::string("the replay differs: ") + sim::run_end_name(first.engine.end) + " after " +
                     std::to_string(first.engine.steps) + " steps, then " + sim::run_end_name(second.engine.end) +
                     " after " + std::to_string(second.engine.steps));
    for (const model::Event& e : again.kernel().events()) {
      (void)model::event_text(e, again);
      (void)model::event_json(e, again).dump();
    }
    (void)model::outcome_signature(again);
  } catch (const model::NotImplemented&) {
    return 0;  // a documented stop: "not implemented" (exit 70), never a silent skip
  } catch (const model::ModelBug& e) {
    if (c.schedule.empty()) c.schedule = sim::encode_schedule(sched.made());
    finding(c, std::string("model bug: ") + e.what());
  } catch (const sim::EngineError& e) {
    if (c.schedule.empty()) c.schedule = sim::encode_schedule(sched.made());
    finding(c, std::string("engine error: ") + e.what());
  } catch (const std::exception& e) {
    if (c.schedule.empty()) c.schedule = sim::encode_schedule(sched.made());
    finding(c, std::string("exception: ") + e.what());
  }
  return 0;
}
