// The state graph as utsim graph draws it (explore/graph_view.h): folding
// and the focus must not draw a different graph.  Each folded edge is a
// path of the graph, every state is drawn or folded into exactly one edge,
// and the violations reachable and the distances to them (in choice points,
// each drawn edge counting the choices it folded) are the graph's own.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "explore/check.h"
#include "explore/graph_view.h"
#include "scenario/load/loader.h"
#include "tools/cli/cli.h"

namespace {

constexpr std::uint64_t kFar = std::numeric_limits<std::uint64_t>::max();

struct Explored {
  model::LoadResult loaded;
  sim::StateGraph graph;
  model::Verdict verdict;
};

void explore(const std::string& rel, Explored& x) {
  x.loaded = model::load_scenario_file(std::string(UTSIM_SOURCE_DIR) + "/" + rel);
  ASSERT_TRUE(x.loaded.ok()) << rel;
  model::ExploreOptions o = model::explore_options_for(*x.loaded.scenario, {});
  o.strategy = model::Strategy::Dfs;
  o.preemption_bound = model::ExploreOptions::kUnbounded;
  o.max_schedules = 1'000'000;
  o.stateful = true;
  o.graph = &x.graph;
  x.verdict = model::check_scenario(*x.loaded.scenario, o);
  ASSERT_FALSE(x.verdict.error) << x.verdict.error_message;
  ASSERT_EQ(x.verdict.facts.size(), x.graph.nodes().size());
}

// Fewest choice points from the root to each state: in the graph (each
// edge one), or in the view (each edge as many as it folded).
std::vector<std::uint64_t> graph_distances(const sim::StateGraph& g, const std::vector<bool>* only = nullptr) {
  std::vector<std::uint64_t> d(g.nodes().size(), kFar);
  std::vector<std::vector<std::uint32_t>> out(g.nodes().size());
  for (const sim::StateGraph::Edge& e : g.edges())
    if (!only || ((*only)[e.from] && (*only)[e.to])) out[e.from].push_back(e.to);
  std::deque<std::uint32_t> q{g.root()};
  d[g.root()] = 0;
  while (!q.empty()) {
    const std::uint32_t v = q.front();
    q.pop_front();
    for (std::uint32_t w : out[v])
      if (d[w] == kFar) {
        d[w] = d[v] + 1;
        q.push_back(w);
      }
  }
  return d;
}

std::vector<std::uint64_t> view_distances(const sim::StateGraph& g, const model::GraphView& view) {
  std::vector<std::uint64_t> d(g.nodes().size(), kFar);
  d[g.root()] = 0;
  // Bellman-Ford: the view is small and its weights positive.
  for (bool changed = true; changed;) {
    changed = false;
    for (const model::ViewEdge& e : view.edges)
      if (d[e.from] != kFar && d[e.from] + e.chain.size() < d[e.to]) {
        d[e.to] = d[e.from] + e.chain.size();
        changed = true;
      }
  }
  return d;
}

// Each drawn edge is a path of the graph from its source to its target,
// its steps their sum; every state is drawn or folded into one edge.
void expect_paths_of_the_graph(const sim::StateGraph& g, const model::GraphView& view) {
  std::map<std::uint32_t, int> folded_in;
  const std::set<std::uint32_t> drawn(view.nodes.begin(), view.nodes.end());
  for (const model::ViewEdge& ve : view.edges) {
    ASSERT_FALSE(ve.chain.empty());
    EXPECT_TRUE(drawn.count(ve.from) && drawn.count(ve.to));
    std::uint32_t at = ve.from;
    std::uint64_t steps = 0;
    for (std::size_t k = 0; k < ve.chain.size(); ++k) {
      const sim::StateGraph::Edge& e = g.edges().at(ve.chain[k]);
      EXPECT_EQ(e.from, at);
      steps += e.steps;
      at = e.to;
      if (k + 1 < ve.chain.size()) {
        EXPECT_FALSE(drawn.count(at)) << "a drawn state inside a folded edge";
        ++folded_in[at];
      }
    }
    EXPECT_EQ(at, ve.to);
    EXPECT_EQ(steps, ve.steps);
  }
  EXPECT_EQ(folded_in.size(), view.folded);
  for (const auto& [state, times] : folded_in) EXPECT_EQ(times, 1) << "state " << state << " folded twice";
}

TEST(GraphView, UnfocusedFoldingKeepsTheGraph) {
  for (const char* rel :
       {"scenarios/races/r2-detach-before-stop-bug.json", "scenarios/races/r6-attach-vs-release-bug.json",
        "scenarios/races/r1-attach-during-report-bug.json"}) {
    SCOPED_TRACE(rel);
    Explored x;
    explore(rel, x);
    const model::GraphView whole = model::graph_view(x.graph, x.verdict.facts, {std::nullopt, 0, false, {}});
    EXPECT_EQ(whole.nodes.size(), x.graph.nodes().size());
    EXPECT_EQ(whole.edges.size(), x.graph.edges().size());
    const model::GraphView folded = model::graph_view(x.graph, x.verdict.facts, {});
    expect_paths_of_the_graph(x.graph, folded);
    EXPECT_EQ(folded.nodes.size() + folded.folded, x.graph.nodes().size());
    // The same distances to every state drawn, the same violations reachable.
    const std::vector<std::uint64_t> d = graph_distances(x.graph), dv = view_distances(x.graph, folded);
    for (std::uint32_t n : folded.nodes) EXPECT_EQ(dv[n], d[n]) << "state " << n;
    model::PropertySet in_graph, in_view;
    for (std::uint32_t n = 0; n < x.graph.nodes().size(); ++n) in_graph |= x.verdict.facts[n].broken;
    for (std::uint32_t n : folded.nodes) in_view |= x.verdict.facts[n].broken;
    EXPECT_EQ(in_view, in_graph);
  }
}

TEST(GraphView, FocusDrawsThePathsToTheViolation) {
  Explored x;
  explore("scenarios/races/r2-detach-before-stop-bug.json", x);
  const model::Property p = model::Property::StopWithoutEngine;
  for (const std::optional<std::uint32_t> slack :
       {std::optional<std::uint32_t>(0), std::optional<std::uint32_t>(1), std::optional<std::uint32_t>()}) {
    SCOPED_TRACE(slack ? std::to_string(*slack) : "every path");
    const model::GraphView unfolded = model::graph_view(x.graph, x.verdict.facts, {p, slack, false, {}});
    const model::GraphView view = model::graph_view(x.graph, x.verdict.facts, {p, slack, true, {}});
    expect_paths_of_the_graph(x.graph, view);
    EXPECT_EQ(view.least, 1u);  // R2 needs one preemption
    EXPECT_EQ(view.nodes.size() + view.folded, unfolded.nodes.size());
    if (slack == 0u) {
      EXPECT_LT(view.nodes.size(), unfolded.nodes.size());  // every path: no chain left
    }
    // The same states where it is first broken, at the same distances as
    // in the unfolded focus; and no state drawn after it.
    const std::vector<std::uint64_t> du = view_distances(x.graph, unfolded), dv = view_distances(x.graph, view);
    std::set<std::uint32_t> hit_u, hit_v;
    for (std::uint32_t n : unfolded.nodes)
      if (x.verdict.facts[n].broken.test(static_cast<std::size_t>(p))) hit_u.insert(n);
    for (std::uint32_t n : view.nodes)
      if (x.verdict.facts[n].broken.test(static_cast<std::size_t>(p))) {
        hit_v.insert(n);
        EXPECT_EQ(dv[n], du[n]) << "state " << n;
      }
    EXPECT_EQ(hit_v, hit_u);
    EXPECT_FALSE(hit_v.empty());
    for (const model::ViewEdge& e : view.edges)
      EXPECT_FALSE(x.verdict.facts[e.from].broken.test(static_cast<std::size_t>(p))) << "an edge after the violation";
    // Every path to it: the nearest violating state is as near as in the whole graph.
    if (!slack) {
      const std::vector<std::uint64_t> d = graph_distances(x.graph);
      std::uint64_t nearest = kFar, nearest_v = kFar;
      for (std::uint32_t n = 0; n < x.graph.nodes().size(); ++n)
        if (x.verdict.facts[n].broken.test(static_cast<std::size_t>(p))) nearest = std::min(nearest, d[n]);
      for (std::uint32_t n : hit_v) nearest_v = std::min(nearest_v, dv[n]);
      EXPECT_EQ(nearest_v, nearest);
    }
  }
}

TEST(GraphView, LabelsSayWhatChanged) {
  Explored x;
  explore("scenarios/races/r2-detach-before-stop-bug.json", x);
  const model::GraphView view =
      model::graph_view(x.graph, x.verdict.facts, {model::Property::StopWithoutEngine, 0, true, {}});
  EXPECT_EQ(model::changed_lines(x.verdict.facts, x.graph.root(), view.parent[x.graph.root()]),
            x.verdict.facts[x.graph.root()].lines);
  for (std::uint32_t n : view.nodes) {
    if (n == x.graph.root()) continue;
    ASSERT_NE(view.parent[n], ~0u) << "state " << n << " has no parent in the view";
    for (const std::string& l : model::changed_lines(x.verdict.facts, n, view.parent[n])) {
      const auto& before = x.verdict.facts[view.parent[n]].lines;
      EXPECT_EQ(std::find(before.begin(), before.end(), l), before.end()) << l << " did not change";
    }
  }
}

// utsim graph --focus: a small DOT with the path in blue; a bad property
// and a graph larger than --max-states are said with stable ids, exit 2.
TEST(GraphView, CommandFocusAndLimits) {
  const std::string file = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r2-detach-before-stop-bug.json";
  std::ostringstream out, err;
  EXPECT_EQ(tools::run_cli({"graph", file, "--focus", "stop-without-engine"}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("color=blue"), std::string::npos);
  EXPECT_NE(err.str().find("drawn: 14 states"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("(1 preemption,"), std::string::npos) << err.str();
  std::ostringstream out2, err2;
  EXPECT_EQ(tools::run_cli({"graph", file, "--focus", "stop-without-engin"}, out2, err2), 2);
  EXPECT_NE(err2.str().find("cli.E009"), std::string::npos) << err2.str();
  EXPECT_NE(err2.str().find("did you mean 'stop-without-engine'"), std::string::npos) << err2.str();
  EXPECT_TRUE(out2.str().empty());
  std::ostringstream out3, err3;
  EXPECT_EQ(tools::run_cli({"graph", file, "--max-states", "50"}, out3, err3), 2);
  EXPECT_NE(err3.str().find("cli.E010"), std::string::npos) << err3.str();
  EXPECT_NE(err3.str().find("stopped at 50 states"), std::string::npos) << err3.str();
}

}  // namespace
