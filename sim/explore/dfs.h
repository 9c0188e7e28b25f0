// sim/explore/dfs.h: bounded depth-first search with iterative preemption
// bounding.
//
// Musuvathi and Qadeer, "Iterative Context Bounding for Systematic Testing
// of Multithreaded Programs", PLDI 2007 (CHESS).  A schedule is named by its
// prefix: the choices up to its last non-default one; the default policy
// (keep the current thread, else the lowest enabled) never preempts, so a
// run's preemptions are those of its prefix.  After running prefix P, every
// choice point i >= |P| and every enabled thread other than the one taken
// there is a child prefix, costing one more preemption when it takes the CPU
// from a thread that could have gone on.  Each schedule is run exactly once.
//
// Iterative bounding runs every schedule with 0 preemptions, then every one
// with 1, and so on up to the bound: a child costing more than the current
// level waits in a frontier of its level.  Bugs that need few preemptions
// come first.  The frontier holds, for each run of the current level that
// has children costing one more, that run's own prefix, not its children:
// when the next level comes, the run is made again (not counted: it adds
// nothing to the stats) and its children are pushed then, in the order
// they would have been deferred.  That costs one run per parent, a small
// fraction of the next level's runs, and keeps the frontier at one entry
// per run instead of a dozen children and a copy of its choices (issue 11:
// ~0.5 KB per schedule of an unbounded search).  Stateful mode defers the
// children themselves: a second run would stop at the states it visited.
//
// Sharding: the key of a schedule is its first `shard_depth` choices; a key
// belongs to shard_owner(hash(key)).  A shard runs the schedules of its keys;
// to reach them it also runs (uncounted) the first schedule of each other key
// and expands only the children that change the key.  Shards are disjoint and
// their union is the unsharded exploration.
//
// Stateful mode prunes a choice point whose abstract state (and current
// thread) was reached before with no more preemptions: everything below it
// was or will be explored from the first visit.  Pruning is approximate when
// the state hash is (sim does not know what the Program leaves out).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/explore/explore.h"
#include "sim/explore/merge_check.h"
#include "sim/explore/state_graph.h"
#include "sim/rng.h"

namespace sim {

struct DfsOptions {
  std::optional<std::uint32_t> preemption_bound;  // none: every schedule
  bool iterative = true;                          // level by level (else straight DFS within the bound)
  Shard shard;
  std::uint32_t shard_depth = 0;  // 0: automatic from the shard count
  bool stateful = false;
  StateGraph* graph = nullptr;  // stateful mode: record states and transitions here
  std::uint64_t seed = 1;       // Knuth's estimator's random walks
  // Stateful mode: keep the first this many pruned merges (the schedule that
  // reached the state first and the one pruned there) for check_merge()
  // (merge_check.h).  Each state then keeps the schedule that reached it.
  std::uint32_t keep_merges = 0;
};

class DfsExplorer final : public Explorer {
 public:
  DfsExplorer(Program& p, DfsOptions o);
  ~DfsExplorer() override;

  bool next() override;
  bool complete() const override { return done_; }
  // Knuth's estimator of the number of schedules within the bound: the mean,
  // over random root-to-leaf walks (probe()), of the product of the number of
  // children along the walk.  0 before the first probe.
  double estimate() const override { return probes_ ? probe_sum_ / static_cast<double>(probes_) : 0; }
  const char* name() const override { return "dfs"; }
  // The work stack, the frontiers, the shared choice lists of prefixes, the
  // run in progress, the visited states and the state graph.
  std::uint64_t memory() const override;

  // One random walk for the estimator: a run that is not counted.
  void probe();
  std::uint32_t level() const noexcept { return level_; }
  // Some schedule was left out because of the preemption bound.
  bool bounded() const noexcept { return cut_; }
  std::uint32_t shard_depth() const noexcept { return shard_depth_; }
  // Stateful mode with keep_merges: the merges pruned so far, first ones first.
  const std::vector<MergedPair>& merges() const noexcept { return merges_; }

 private:
  struct Prefix {
    std::shared_ptr<const std::vector<Tid>> base;  // the parent's choices
    std::uint32_t len = 0;                         // base[0, len) then alt
    Tid alt = kNoTid;                              // kNoTid: the root (empty prefix)
    std::uint32_t cost = 0;                        // preemptions
    bool parent = false;  // in a frontier: run it again, then push its children costing `cost + 1`
  };
  class Sched;
  // Pushes the children of the run of `p`: those within the level on the
  // stack, the others deferred (with `regrow`: only those of the level, the
  // parent's deferred children coming back).
  void expand(const Prefix& p, const RunResult& r, bool regrow = false);
  void defer(Prefix p, std::uint32_t level);
  bool waiting() const;  // prefixes wait for a higher level

  Program& prog_;
  DfsOptions opt_;
  std::unique_ptr<Sched> sched_;
  std::uint64_t base_bytes_ = 0;  // the choice lists prefixes share (before the prefixes: they outlive them)
  std::uint64_t frontier_ = 0;    // prefixes in deferred_
  std::vector<Prefix> stack_;     // this level's work, depth first
  std::vector<std::vector<Prefix>> deferred_;  // deferred_[c]: prefixes costing c
  std::uint32_t level_ = 0;
  std::uint32_t bound_ = ~0u;
  std::uint32_t shard_depth_ = 0;
  bool done_ = false;
  bool cut_ = false;
  std::unordered_map<std::uint64_t, std::uint32_t> visited_;  // state key -> fewest preemptions
  // keep_merges: the schedule that first reached each state key, and the merges kept.
  std::unordered_map<std::uint64_t, std::vector<Tid>> first_;
  std::vector<MergedPair> merges_;
  std::uint64_t first_bytes_ = 0;
  Rng rng_;
  double probe_sum_ = 0;
  std::uint64_t probes_ = 0;
};

}  // namespace sim
