// explore/check.h: explore a scenario over many schedules and judge its
// `expect` (SCENARIOS.md "Expectations"): the per-op expectations and the
// default properties on every schedule, the listed violations found at least
// once, every schedule ending in one of `outcomes`, each `reachable` reached.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "explore/graph_analysis.h"
#include "explore/lock_graph.h"
#include "scenario/run.h"
#include "scenario/scenario.h"
#include "sim/explore/explore.h"
#include "sim/explore/merge_check.h"
#include "sim/explore/state_graph.h"

namespace model {

// Where an exploration stands, after each run (progress lines).
struct ExploreStatus {
  std::uint64_t schedules = 0;  // runs counted
  std::uint64_t redundant = 0;  // runs not counted (sleep-set blocked, other shards', visited states)
  std::uint64_t steps = 0;
  double estimate = 0;  // the explorer's estimate of the whole space, 0: unknown
  std::size_t outcomes = 0;
  std::size_t violations = 0;
  std::uint32_t level = 0;  // dfs: the preemption level being explored
};

// Shrinking the counterexamples an exploration found before they are shown
// (issue #14 "Short by default"): each violation's first example becomes
// the schedule with the fewest preemptions, then steps, that breaks the same
// property (shrink_schedule, explore/shrink.h), within a budget of runs.
struct CounterexampleShrink {
  enum class When : std::uint8_t {
    Never,     // as found (--no-shrink; and the default of the API)
    Always,    // every violation's example
    IfFailed,  // only when the verdict fails: a passing verdict shows none (utsim check's text table)
  };
  When when = When::Never;
  std::uint64_t max_tries = 20'000;  // runs per counterexample: the deterministic budget
  double time_limit = 0;             // wall-clock seconds per counterexample, 0: none
};

struct ExploreOptions {
  static constexpr std::uint32_t kUnbounded = ~0u;

  Strategy strategy = Strategy::Portfolio;
  std::uint64_t max_schedules = 1000;
  std::uint64_t seed = 1;
  unsigned depth = 3;                  // PCT depth (portfolio: PCT with 2 and with this)
  std::uint32_t preemption_bound = 2;  // dfs; kUnbounded: every schedule
  RunConfig run;
  const std::atomic<bool>* stop = nullptr;
  // Set by SIGINT/SIGTERM when `stop` is also set for other reasons (utsim
  // graph --max-states): the exploration then ends without the state
  // graph's analysis, which takes seconds on a large graph.
  const std::atomic<bool>* signalled = nullptr;
  // Called after each schedule (progress lines).
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;

  // ---- exploration (sim/explore/*.h) ----
  double time_limit = 0;  // seconds of wall-clock time, 0: none (decides only when to stop)
  sim::Shard shard;       // the part of the space this process covers
  bool iterative = true;  // dfs: every schedule with 0 preemptions, then 1, ...
  // dfs: prune abstract states seen before (explore/state_hash.h), keep the
  // state graph (in `graph`, else inside) and analyse it (Verdict::analysis):
  // hang cycles are `hang` violations when the graph is certain (complete
  // and unbounded), and each property's shortest path is confirmed by replay.
  bool stateful = false;
  sim::StateGraph* graph = nullptr;  // stateful dfs: record states and transitions here
  // A new state of the graph, while the run that reached it is still going.
  std::function<void(const Simulator&, std::uint32_t node)> on_state;
  std::function<void(const ExploreStatus&)> status;  // after each run
  PropertySet stop_when_found;                       // stop once every one of these has been broken
  std::string stop_when_outcome;                     // stop once a run ends in this outcome (non-empty)
  // dfs: run Knuth's estimator's random walks (uncounted runs, one before
  // each of the first 32 schedules, then one every 32) so that
  // ExploreStatus::estimate and Verdict::estimate are set.
  bool dfs_probes = false;
  CounterexampleShrink shrink;  // after the exploration, before the judging
  // A budget on what the exploration holds, in bytes (0: none): the
  // explorer's own records (sim::Explorer::memory()) and the state facts of
  // a stateful search, counted from their sizes, so that the budget stops
  // it at the same schedule on every machine.  Reached: the run in progress
  // is dropped, the exploration stops with what it found
  // (Verdict::memory_out).
  std::uint64_t max_memory = 0;
  bool stop_at_first = false;  // stop once a run breaks a property (Verdict::stopped_at_first)
  // Stateful dfs: check that the state hash is exact on the first this many
  // merges the search prunes (sim/explore/merge_check.h; Verdict::merges).
  // A merge of two states that differ is an internal error.
  std::uint32_t verify_merges = 0;
};

// What the caller set explicitly (command-line flags): it wins over the
// scenario's explore block, which wins over the defaults.
struct ExploreOverrides {
  std::optional<Strategy> strategy;
  std::optional<std::uint64_t> max_schedules;
  std::optional<std::uint64_t> seed;
  std::optional<unsigned> depth;
  std::optional<std::uint32_t> preemption_bound;
  std::optional<std::uint64_t> max_steps;
  std::optional<std::uint32_t> max_tasks;
};
ExploreOptions explore_options_for(const Scenario& s, ExploreOptions defaults, const ExploreOverrides& overrides = {});

// The properties a run of this scenario may break without failing: those it
// expects to find and those it allows; with a bug switched on, also hang and
// model-invariant (SCENARIOS.md "Expectations").
PropertySet tolerated_properties(const Scenario& s);

struct ScheduleRef {
  std::string schedule;     // the choices, as a schedule string
  std::uint64_t index = 0;  // which schedule of the exploration
  std::uint32_t preemptions = 0;
  std::uint64_t steps = 0;  // of the whole run
};

// What shrinking a violation's example did (CounterexampleShrink).
struct ShrinkFacts {
  ScheduleRef original;    // the exploration's own example (its index is where's too)
  std::string message;     // the original run's violation message
  std::uint64_t step = 0;  // and the step it was detected at
  std::uint64_t runs = 0;  // runs the shrinker made
  bool minimal = false;    // proven: no schedule with fewer preemptions breaks the property
  bool exhausted = false;  // the budget of runs ran out
  bool timed_out = false;  // the wall-clock limit ran out (the result then depends on the machine)
  bool interrupted = false;
  std::string error;  // not shrunk, why (where is the original then)
};

struct FoundViolation {
  Property property = Property::ModelInvariant;
  std::string message;
  std::uint64_t step = 0;
  ScheduleRef where;        // shrunk when `shrink` is set (and has no error)
  std::uint64_t count = 0;  // schedules that broke it
  std::optional<ShrinkFacts> shrink;
};

struct OutcomeClass {
  std::string signature;  // "C: exited 0; P: exited 0"
  std::uint64_t count = 0;
  ScheduleRef example;                // shrunk when `shrink` is set (and has no error)
  std::optional<ShrinkFacts> shrink;  // its message and step unused
};

struct Verdict {
  std::string scenario;
  std::string file;
  KernelVersion kernel = KernelVersion::V2010Rhel6;
  Strategy strategy = Strategy::Portfolio;
  std::uint64_t schedules = 0;
  std::uint64_t steps = 0;
  bool interrupted = false;
  std::vector<OutcomeClass> outcomes;      // distinct end states, in order first seen
  std::vector<FoundViolation> violations;  // every property broken, first example each
  std::vector<std::string> problems;       // why the verdict is a failure (empty: pass)
  bool error = false;                      // an internal error (not implemented, model bug)
  enum class ErrorKind : std::uint8_t { None, NotImplemented, ModelBug };
  ErrorKind error_kind = ErrorKind::None;
  std::string error_message;
  bool passed() const { return !error && problems.empty(); }

  // ---- exploration (issue #5) ----
  bool complete = false;          // every schedule of the (bounded) space was run
  bool bounded = false;           // dfs: schedules beyond the preemption bound exist
  bool timed_out = false;         // the time limit stopped it
  bool memory_out = false;        // the memory budget (ExploreOptions::max_memory) stopped it
  bool stopped_at_first = false;  // ExploreOptions::stop_at_first stopped it
  std::uint32_t preemption_bound = ExploreOptions::kUnbounded;  // dfs
  std::uint64_t redundant = 0;  // runs not counted (sleep-set blocked, other shards', visited states)
  double estimate = 0;          // the explorer's estimate of the space (0: unknown)
  sim::Shard shard;
  std::uint64_t states = 0;               // stateful: distinct abstract states
  std::optional<GraphAnalysis> analysis;  // stateful: liveness and shortest paths (graph_analysis.h)
  std::vector<StateFacts> facts;          // stateful: each state's description, by node
  // ExploreOptions::verify_merges: the merges replayed, and the first that
  // continued differently (its two schedules up to the merge point).
  struct MergeCheck {
    std::uint32_t checked = 0;
    std::uint32_t differ = 0;
    std::string first, second;
    sim::MergeDifference diff;
  };
  std::optional<MergeCheck> merges;

  // Lock checking (explore/lock_graph.h): the lock classes and the
  // dependencies every counted run took, and the cycles they closed (each
  // also a lock-order violation).
  struct Lockdep {
    std::vector<std::string> classes;
    std::vector<LockEdge> dependencies;
    std::vector<LockCycle> cycles;
  };
  Lockdep lockdep;
};

// Explores, shrinks the counterexamples (ExploreOptions::shrink) and judges.
// Never throws for a scenario's content; internal errors are reported in
// Verdict::error.
Verdict check_scenario(const Scenario& s, const ExploreOptions& opt);

// Shrinks the example of each violation of `v` not shrunk yet (each within
// `how`'s budget; `stop` ends it early): FoundViolation::where, message
// and step become the shrunk run's, the original goes to
// FoundViolation::shrink.  Then the example of each outcome, the same way
// with "ends in this outcome" for "breaks this property" (OutcomeClass::
// example and shrink).  check_scenario calls it; so can a caller that
// explored with When::Never and decides later.
void shrink_counterexamples(const Scenario& s, const RunConfig& run, const CounterexampleShrink& how,
                            const std::atomic<bool>* stop, Verdict& v);

// The end state of the last run as one line (tasks, labelled results, engine callbacks).
std::string outcome_signature(const Simulator& sim);

}  // namespace model
