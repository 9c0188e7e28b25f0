// tools/export/export_dot.cpp: DOT of each task's state machine as visited in
// this run: one node per (task, state), one edge per transition taken, labelled
// with the kernel function of the step that made it (and the task that ran that
// step when it was another one) and the step numbers.  Built as a Boost.Graph
// adjacency_list and written by boost::write_graphviz; render it with
// `dot -Tsvg`.
#include <map>

// GCC 12 sees uninitialised optionals inside Boost.Graph's edge iterator
// (a known false positive in boost/graph/detail/adj_list_edge_iterator.hpp).
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include "scenario/scenario.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

struct Node {
  std::string label;
  std::string shape;
  std::string fill;  // "" for the task's name node
};
struct Edge {
  std::string label;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Node, Edge>;

std::string fill_of(const std::string& state) {
  if (state == "TASK_TRACED") return "#f4b6b6";
  if (state == "TASK_STOPPED") return "#f7d9a8";
  if (state == "TASK_RUNNING") return "#bfe3c0";
  if (state.rfind("EXIT_", 0) == 0 || state == "TASK_DEAD") return "#d0d0d0";
  return "#cfe0f5";  // sleeping
}

}  // namespace

void write_dot(std::ostream& os, const model::Simulator& run, const StepLog& log) {
  Graph g;
  for (const TaskMachine& m : state_machines(run, log)) {
    const auto task = boost::add_vertex(Node{m.name, "box", ""}, g);
    std::vector<Graph::vertex_descriptor> vs;
    for (const std::string& s : m.states) vs.push_back(boost::add_vertex(Node{s, "ellipse", fill_of(s)}, g));
    boost::add_edge(task, vs.front(), Edge{"start"}, g);
    for (const StateEdge& e : m.edges) boost::add_edge(vs[e.from], vs[e.to], Edge{e.label}, g);
  }
  // write_graphviz quotes nothing itself: labels go through escape_dot_string,
  // after printable() (a label is one line, whatever a scenario's names hold).
  auto quote = [](const std::string& s) { return boost::escape_dot_string(printable(s)); };
  const std::string title = run.scenario().name + " (" + kernel_text(run.scenario()) + "): task states as visited";
  boost::write_graphviz(
      os, g,
      [&](std::ostream& o, Graph::vertex_descriptor v) {
        const Node& n = g[v];
        o << "[label=" << quote(n.label) << ", shape=" << n.shape;
        if (n.fill.empty())
          o << ", style=bold]";
        else
          o << ", style=filled, fillcolor=\"" << n.fill << "\"]";
      },
      [&](std::ostream& o, Graph::edge_descriptor e) { o << "[label=" << quote(g[e].label) << "]"; },
      [&](std::ostream& o) {
        o << "label=" << quote(title) << ";\nlabelloc=t;\nrankdir=LR;\n"
          << "node [fontname=\"Helvetica\", fontsize=11];\nedge [fontname=\"Helvetica\", fontsize=9];\n";
      });
}

}  // namespace tools

#pragma GCC diagnostic pop
