// explore/graph_analysis.h: what a stateful exploration's state graph tells
// (issue #5, DESIGN.md "State graph"), computed with Boost.Graph.
//
// - Liveness: boost::strong_components.  A strongly connected component with
//   a cycle (two states or more, or one with a self loop) from which no state
//   where a run ended is reachable is a set of states the system can never
//   leave, whatever the scheduler does: a livelock, a task that can never
//   leave TASK_TRACED while another loops, report passes that never end.  It
//   is a `hang` with the cycle.  A cycle from which an end is reachable is
//   not: a fair scheduler leaves it (a thread spinning while the one it waits
//   for is not scheduled).  A run that went on for max-steps steps without a
//   choice point to close a cycle (a loop while one thread runs) is a hang
//   too, with no cycle to show (the nearest such state is reported).
// - Shortest counterexamples: for each property, the state where it is
//   broken that the fewest preemptions reach, then the fewest steps (the
//   order the shrinker minimises in, explore/shrink.h), and the choices that
//   lead there: Dijkstra's search over (state, running thread), since
//   whether a choice preempts depends on the thread that ran into the
//   state.  (Fewest choice points, the breadth-first distance, is not
//   fewest preemptions: R2's nearest violating state is reached with 2
//   preemptions, its cheapest with 1.)
//
// The graph is only what was explored: with a preemption bound, or stopped
// by a limit, some transitions are missing and a cycle's way out may be one
// of them; and where the state hash merged states that differ (a state with
// two successors for one thread: `conflicts`), a cycle may be one no run
// follows.  The hangs are then possible, not certain (`certain`).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "explore/state_hash.h"
#include "scenario/scenario.h"
#include "sim/explore/state_graph.h"

namespace model {

// The choices of a state graph with what they cost in preemptions: state s
// reached with thread c running is (s, c), slot c of s (the last slot: no
// thread, a run ended); a choice of thread t there preempts c if c can still
// run and t is not c (sim/explore/dfs.cpp counts them so).  Shared by the
// shortest counterexample (graph_analysis.cpp) and utsim graph's focus
// (graph_view.cpp).
class PreemptionSlots {
 public:
  explicit PreemptionSlots(const sim::StateGraph& g);
  std::size_t slot(sim::Tid t) const { return t == sim::kNoTid ? width - 1 : static_cast<std::size_t>(t); }
  std::size_t key(std::uint32_t s, sim::Tid t) const { return s * width + slot(t); }
  std::size_t root() const { return key(g_.root(), g_.nodes()[g_.root()].current); }
  std::size_t to(const sim::StateGraph::Edge& e) const { return key(e.to, e.then); }
  // The cost of edge e taken with slot c of its source running.
  std::uint32_t cost(const sim::StateGraph::Edge& e, std::size_t c) const;
  std::size_t width = 1;

 private:
  const sim::StateGraph& g_;
};

// A path in the graph from the root: its states and the choices made.
struct GraphPath {
  std::vector<std::uint32_t> nodes;  // root first
  std::vector<sim::Tid> choices;     // choices[i]: the thread of the edge nodes[i] -> nodes[i + 1]
  // Filled by confirm_path(): the replayed run.
  std::string schedule;  // the choices up to the last non-default one
  std::uint32_t preemptions = 0;
  std::uint64_t steps = 0;
  bool confirmed = false;  // the replay broke the property (violations)
};

struct HangCycle {
  std::vector<std::uint32_t> cycle;     // states of one cycle, in order (back to cycle[0])
  std::vector<sim::Tid> cycle_choices;  // the thread of each edge of the cycle
  std::uint32_t component_size = 0;     // states in its strongly connected component
  std::uint64_t traced_throughout = 0;  // tasks (bit = creation index) TASK_TRACED in every state of it
  GraphPath reach;                      // shortest path from the root to cycle[0]
  bool step_limit = false;              // no cycle: a run reached max-steps between two recorded states
};

struct ViolationPath {
  Property property = Property::ModelInvariant;
  std::uint32_t node = 0;  // the nearest state where it is broken
  GraphPath path;
};

struct GraphAnalysis {
  std::vector<HangCycle> hangs;  // in order of distance from the root
  std::vector<ViolationPath>
      shortest;  // one per property broken in some state, in property order (fewest preemptions, then steps)
  std::size_t cyclic_components = 0;  // components with a cycle (hang or not)
  std::size_t end_states = 0;         // states where a run ended (step limit excluded)
  // States with two different successors for one thread: the state hash
  // merged states that are not equivalent (explore/state_hash.h).
  std::size_t conflicts = 0;
  std::uint32_t conflict_example[3] = {0, 0, 0};  // the first: a state and two successors (for one thread)
  bool certain = false;                           // the whole unbounded space, no conflicts (set by the caller)
};

// `facts[n]` describes node n (empty span: no violations are looked for).
GraphAnalysis analyse_graph(const sim::StateGraph& g, std::span<const StateFacts> facts);

// Replays a path's choices (the default policy after them) and fills its
// schedule, preemptions and steps; `confirmed` when the run broke `p`.
void confirm_path(const Scenario& s, const RunConfig& cfg, GraphPath& path, Property p);

// One line per state of a hang cycle ("X: TASK_TRACED in getpid, ..."), for
// reports; `facts` as above.
std::string describe_hang(const HangCycle& h, std::span<const StateFacts> facts);

}  // namespace model
