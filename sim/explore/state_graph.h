// sim/explore/state_graph.h: the abstract states a stateful exploration reached and
// the transitions between them.
//
// A node is an abstract state, named by the hash the Program gives
// (Program::state_hash(): the model's state plus every thread's position);
// an edge is one scheduling choice: the thread that ran, and the steps it
// took until the next choice point (or the end of the run).  Nodes where a
// run ended are terminal.  The graph algorithms (strongly connected
// components, shortest paths) are explore/graph_analysis's business
// (Boost.Graph), the DOT output tools/': this is only the record.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sim/engine.h"

namespace sim {

class StateGraph {
 public:
  struct Edge {
    std::uint32_t from = 0, to = 0;
    Tid tid = kNoTid;
    std::uint32_t steps = 0;  // steps from one choice point to the next
    // The running thread at `to`'s choice point (kNoTid: the run ended
    // there): a choice there preempts it if it can still run.
    Tid then = kNoTid;
  };
  struct Node {
    std::uint64_t hash = 0;
    bool terminal = false;  // a run ended here
    RunEnd end = RunEnd::Finished;
    // At its choice point, as first reached: the threads that could run
    // and the one running (which tells the root's preemptions; elsewhere
    // the edge in says it).  Empty for a state where a run only ended.
    std::vector<Tid> enabled;
    Tid current = kNoTid;
  };

  // Called once per new state, while the run that reached it is still going
  // (the Program's state can be inspected then): for labels and facts.
  std::function<void(std::uint32_t node)> on_new_node;

  // The node of a state, created on first sight (then on_new_node runs).
  std::uint32_t node(std::uint64_t hash);
  // What a choice point of state n offers (kept from the first time).
  void at_choice(std::uint32_t n, std::span<const Tid> enabled, Tid current);
  void edge(std::uint32_t from, std::uint32_t to, Tid tid, std::uint32_t steps, Tid then = kNoTid);
  void mark_terminal(std::uint32_t n, RunEnd end) {
    nodes_[n].terminal = true;
    nodes_[n].end = end;
  }
  const std::vector<Node>& nodes() const noexcept { return nodes_; }
  const std::vector<Edge>& edges() const noexcept { return edges_; }
  std::uint32_t root() const noexcept { return 0; }
  // What the record holds, counted from its sizes (Explorer::memory()).
  std::uint64_t bytes() const noexcept;

 private:
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::unordered_map<std::uint64_t, std::uint32_t> index_;
  std::unordered_set<std::uint64_t> edge_keys_;
  std::uint64_t enabled_ = 0;  // threads in every node's `enabled`
};

}  // namespace sim
