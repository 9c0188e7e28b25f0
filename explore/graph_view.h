// explore/graph_view.h: the state graph as a person reads it (utsim graph,
// issue #14).  A stateful exploration's graph (sim/explore/state_graph.h)
// has a state at every choice point; drawn whole, R2's 2,238 states take
// Graphviz a minute and a half and nobody can follow them.  The view:
//
// - focus (optional): only the states on a path from the root to a state
//   where one property is first broken (those states included, nothing
//   after them), and of those paths only the ones with the fewest
//   preemptions that break it (plus a slack; or all of them);
// - folding: a chain of states with one way in and one way out (in the
//   states shown) becomes one edge, which keeps the choices it folded (and
//   so their count and steps); the root, end states, violating states and
//   the states of hang cycles are never folded;
// - labels: each state shown is described by what differs from its parent
//   in the view (the state before it on a shortest path from the root),
//   the root by everything.
//
// The view is a function of the graph: it draws no transition the graph
// does not have, and the folded edges add up to paths of the graph (the
// test, tests/unit/explore/graph_view_test.cpp, checks that the states
// reachable, the violations and the shortest distances are the graph's).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "explore/state_hash.h"
#include "model/checks/property.h"
#include "sim/explore/state_graph.h"

namespace model {

struct GraphViewOptions {
  std::optional<Property> focus;  // only the states on a path to where it is first broken
  // With a focus: only the paths with at most the fewest preemptions that
  // reach it plus `slack` (none: every path).  Whether a choice preempts
  // depends on the thread that ran into the state: a path is kept when one
  // way along it has few enough (each edge drawn is on such a path).
  std::optional<std::uint32_t> slack = 0;
  bool fold = true;  // fold chains of single-successor states into one edge
  // States that must stay visible (a hang cycle's, say): never folded.
  std::span<const std::uint32_t> keep;
};

struct ViewEdge {
  std::uint32_t from = 0, to = 0;    // states of the graph (both shown)
  std::vector<std::uint32_t> chain;  // the graph's edges folded, in order (indices into StateGraph::edges())
  std::uint64_t steps = 0;           // their steps, added up
};

struct GraphView {
  std::vector<std::uint32_t> nodes;  // the graph's states shown, in discovery order
  std::vector<ViewEdge> edges;       // in the order of their first graph edge
  // For each state of the graph: the state shown before it on a shortest
  // path of the view (its labels are relative to it); ~0u for the root, and
  // for a state not shown.
  std::vector<std::uint32_t> parent;
  std::size_t folded = 0;       // states folded into edges
  std::size_t focused_out = 0;  // states left out by the focus
  std::uint32_t least = ~0u;    // with a focus: the fewest preemptions that reach it (~0u: none does)
};

GraphView graph_view(const sim::StateGraph& g, std::span<const StateFacts> facts, const GraphViewOptions& o);

// The lines of `facts[n]` that differ from its parent's (a task whose line
// changed or that is new, a property newly broken), all of them for the
// root; "(no visible change)" when the tasks look the same.
std::vector<std::string> changed_lines(std::span<const StateFacts> facts, std::uint32_t n, std::uint32_t parent);

}  // namespace model
