// sim/explore/dpor.h: source-DPOR with sleep sets.
//
// Abdulla, Aronis, Jonsson, Sagonas, "Optimal Dynamic Partial Order
// Reduction", POPL 2014, Algorithm 1 (source sets; no wakeup trees).  Runs
// at least one schedule of every Mazurkiewicz trace of the dependency
// relation of sim/explore/deps.h, so every reachable end state and every
// violation of a property of the trace is found, usually with far fewer runs
// than a DFS.
//
// A run is recorded step by step (StepRec plus the accesses noted inside the
// step).  After the run, happens-before is computed with vector clocks, and
// each race e < e' (dependent steps of different threads, e not ordered
// before e' through any other direct predecessor of e') makes the choice
// point before e get an initial of v = notdep(e).e' in its backtrack set,
// unless one already is.  Refinements for the engine's blocking:
//  - a lock acquire races with the previous acquire of the lock, not with the
//    release it waited for (the release->acquire order is not reversible);
//  - a race whose later step could not run at the earlier point (it was
//    asleep, woken by e) is not reversible and is skipped;
//  - a step released by wait_idle or a timer is dependent with every step of
//    every other thread; it cannot be moved before a step that ran while it
//    was not yet released.
// Sleep sets carry each sleeping thread's recorded step, so independence is
// judged on whole steps.  A run whose only continuation is a sleeping thread
// is abandoned (counted as redundant, not as an execution).
//
// Sharding: the first `shard_depth` choice points branch fully (every
// enabled thread, sleep sets still apply), which makes the subtrees below
// them independent; a shard explores the subtrees whose first choices it
// owns and abandons the others there.  Every shard also runs the small full
// tree above; the union covers every trace.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "sim/explore/deps.h"
#include "sim/explore/explore.h"

namespace sim {

struct DporOptions {
  Shard shard;
  std::uint32_t shard_depth = 0;  // 0: automatic when sharded
  bool sleep_sets = true;         // off: for measuring what they save
};

struct DporStats {
  std::uint64_t races = 0;          // races that added a backtrack point
  std::uint64_t sleep_blocked = 0;  // runs abandoned because every continuation slept
};

class DporExplorer final : public Explorer {
 public:
  DporExplorer(Program& p, DporOptions o = {});
  ~DporExplorer() override;

  bool next() override;
  bool complete() const override { return done_; }
  // Executions so far divided by the fraction of the tree left of the
  // current path (every subtree assumed as big as the current one): the
  // estimator of Knuth's kind that an online search can afford.
  double estimate() const override;
  const char* name() const override { return "dpor"; }
  const DporStats& dpor_stats() const noexcept { return dstats_; }
  // The choice points of the current execution (their sets), the trace of
  // the last run and the analysis's per-step buffers (vector clocks: one
  // counter per thread per step), which together grow with the run's length.
  std::uint64_t memory() const override;

  // For debugging the relation: called for every choice point once it is
  // fully explored, with the choices leading to it, the threads explored
  // there, those asleep on entry and those enabled.
  struct NodeView {
    std::span<const Tid> prefix, done, sleep, enabled;
  };
  std::function<void(const NodeView&)> on_node_done;
  std::uint32_t shard_depth() const noexcept { return shard_depth_; }

 private:
  struct Sleeper {
    Tid tid = kNoTid;
    std::vector<Dep> deps;  // its step, as recorded when it was explored
  };
  struct Node {              // a choice point of the current execution
    std::uint32_t step = 0;  // index of the step it chooses
    Tid last = kNoTid;
    Tid chosen = kNoTid;
    std::vector<Tid> enabled;
    std::vector<Tid> backtrack;  // to explore here (explored ones included)
    std::vector<Sleeper> done;   // explored here, in order
    std::vector<Sleeper> sleep;  // the sleep set on entry
  };
  class Sched;
  friend class Sched;

  void analyse(std::size_t first_new);
  void race(std::size_t e, std::size_t j, std::int64_t lock_rel, const std::vector<std::uint32_t>& preds);
  bool pick_next();
  void starved();                      // a step-limited run: threads that never ran again
  void report_done(std::size_t from);  // on_node_done for nodes_[from, end)
  static std::uint64_t node_bytes(const Node& n);

  Program& prog_;
  DporOptions opt_;
  std::uint32_t shard_depth_ = 0;
  std::unique_ptr<Sched> sched_;
  Trace trace_;
  std::vector<Node> nodes_;
  std::size_t target_ = 0;      // the node the next run branches at
  Tid target_choice_ = kNoTid;  // ... and the thread it takes there
  bool done_ = false;
  DporStats dstats_;
  std::uint64_t node_bytes_ = 0;  // node_bytes() of nodes_ (kept up to date at choice points)
  std::size_t threads_seen_ = 0;  // the most threads a choice point offered

  // Analysis of the last run (reused buffers).
  std::size_t threads_ = 0;
  std::vector<Tid> tid_;
  std::vector<std::uint32_t> local_;  // 1-based index of the step in its thread
  std::vector<std::uint32_t> vc_;     // vector clocks, threads_ per step
  std::vector<std::uint8_t> global_;
  std::vector<std::vector<std::uint32_t>> by_thread_;  // step indices of each thread
  std::vector<Dep> deps_;
  std::vector<std::uint32_t> pred_;      // direct predecessors of the step analysed
  std::vector<std::uint32_t> acq_pred_;  // ... of its lock acquire alone
  std::vector<std::uint32_t> vcq_;
};

}  // namespace sim
