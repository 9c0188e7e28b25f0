// sim/explore/explore.h: what every explorer shares.
//
// An explorer runs a program again and again, one schedule per run, and
// decides the next schedule from what the previous runs did.  It knows the
// program only as a Program: something that runs from the same initial state
// under a scheduler (and, for the tree searches, records its steps).  sim/
// still knows nothing about Linux: the model implements Program.
//
// One explorer per file: dfs.h (bounded DFS, CHESS-style iterative
// preemption bounding), dpor.h (source-DPOR with sleep sets),
// sample.h (random and PCT sampling).  Each is driven one run at a
// time through next(), so that a caller can interleave several (a
// portfolio), poll a stop flag or a time limit, and draw a progress line.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/engine.h"

namespace sim {

// What the explorers record of a run: every executed step and the accesses
// noted inside the steps (Engine::record).
struct Trace {
  std::vector<StepRec> steps;
  std::vector<Access> notes;
  void clear() {
    steps.clear();
    notes.clear();
  }
};

// The program under test, as the explorers see it.
class Program {
 public:
  virtual ~Program() = default;
  // One run from the initial state under `s`.  With a trace, the run
  // records every step into it (cleared first).
  virtual RunResult run(Scheduler& s, Trace* trace) = 0;
  // Hash of the abstract state the run in progress has reached: called from
  // Scheduler::choose() (and once after run() returns) in stateful mode only.
  virtual std::uint64_t state_hash() { return 0; }
};

// A Program made of a set-up function that spawns threads on a fresh engine
// (tests, benchmarks, sim-only programs).
class EngineProgram final : public Program {
 public:
  EngineProgram(Engine& e, std::function<void(Engine&)> setup, std::function<std::uint64_t()> hash = {})
      : e_(e), setup_(std::move(setup)), hash_(std::move(hash)) {}
  RunResult run(Scheduler& s, Trace* trace) override {
    e_.reset();
    if (trace) trace->clear();
    e_.record(trace ? &trace->steps : nullptr, trace ? &trace->notes : nullptr);
    setup_(e_);
    RunResult r = e_.run(s);
    e_.record(nullptr, nullptr);
    return r;
  }
  std::uint64_t state_hash() override { return hash_ ? hash_() : 0; }

 private:
  Engine& e_;
  std::function<void(Engine&)> setup_;
  std::function<std::uint64_t()> hash_;
};

// Which part of the space this process covers: shard `index` of `count`.
// Shards of one exploration run the same explorer with the same options and
// cover disjoint parts whose union is the whole (see each explorer).
struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
  bool active() const noexcept { return count > 1; }
};

// Which shard owns a key (a hash of the first choices of a schedule, or a
// run index): a fixed mixing function, the same in every process.
std::uint32_t shard_owner(std::uint64_t key, std::uint32_t count) noexcept;

struct ExploreStats {
  std::uint64_t executions = 0;  // runs counted (their outcomes count)
  std::uint64_t redundant = 0;   // runs abandoned: sleep-set blocked, another shard's, a visited state
  std::uint64_t steps = 0;       // steps of every run, counted or not
};

class Explorer {
 public:
  virtual ~Explorer() = default;
  // Runs the next schedule.  False when the space is exhausted (nothing ran).
  virtual bool next() = 0;
  // Whether the last run counts as an execution (its outcome and violations
  // are the program's); false for an abandoned run.
  bool last_counted() const noexcept { return last_counted_; }
  const RunResult& last() const noexcept { return last_; }
  // Every schedule of the (bounded) space has been run.
  virtual bool complete() const = 0;
  // Estimated number of executions of the whole space, 0 when unknown.
  virtual double estimate() const { return 0; }
  virtual const char* name() const = 0;
  const ExploreStats& stats() const noexcept { return stats_; }

  // ---- memory (issue 11 "Bounded memory") ----
  // Bytes of the explorer's own records (its stacks, tables, the trace of
  // the run in progress and what its analysis will need), counted from
  // their sizes rather than measured, so that a budget stops a search at
  // the same point on every machine of a word size.  Allocator overhead
  // and the Program's own memory are not counted.
  virtual std::uint64_t memory() const { return 0; }
  // A budget on memory(), in bytes (0: none).  Checked at choice points:
  // once over it, the run in progress is abandoned (not counted),
  // out_of_memory() turns true and the caller is to stop.
  virtual void set_memory_budget(std::uint64_t bytes) { budget_ = bytes; }
  bool out_of_memory() const noexcept { return out_of_memory_; }

 protected:
  // True, from now on, once memory() is over the budget.  Explorers call it
  // at every 64th choice point of a run (and where their records grow
  // between runs), which keeps its cost out of the step loop.
  bool over_budget(std::size_t choice) {
    if (!out_of_memory_ && budget_ && (choice & 63) == 0 && memory() > budget_) out_of_memory_ = true;
    return out_of_memory_;
  }
  std::uint64_t budget_ = 0;
  bool out_of_memory_ = false;

  void finish_run(RunResult r, bool counted) {
    stats_.steps += r.steps;
    last_ = std::move(r);
    last_counted_ = counted;
    if (counted)
      ++stats_.executions;
    else
      ++stats_.redundant;
  }
  ExploreStats stats_;
  RunResult last_;
  bool last_counted_ = false;
};

}  // namespace sim
