// The state graph's liveness and shortest paths (explore/graph_analysis.h).
#include "explore/graph_analysis.h"

#include <algorithm>
#include <array>
#include <compare>
#include <functional>
#include <limits>
#include <queue>

#include <fmt/format.h>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/strong_components.hpp>

#include "scenario/run.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"

namespace model {

namespace {

struct EdgeProp {
  sim::Tid tid = sim::kNoTid;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property, EdgeProp>;
using Vertex = Graph::vertex_descriptor;
using EdgeD = Graph::edge_descriptor;
constexpr std::uint32_t kFar = std::numeric_limits<std::uint32_t>::max();

// Records, for a BFS, each vertex's distance and the tree edge that reached it.
template <class G>
class TreeRecorder : public boost::default_bfs_visitor {
 public:
  TreeRecorder(std::vector<std::uint32_t>& dist, std::vector<EdgeD>& pred, std::vector<bool>& has_pred)
      : dist_(&dist), pred_(&pred), has_pred_(&has_pred) {}
  template <class E>
  void tree_edge(E e, const G& g) const {
    const auto u = boost::source(e, g), v = boost::target(e, g);
    (*dist_)[v] = (*dist_)[u] + 1;
    (*pred_)[v] = e;
    (*has_pred_)[v] = true;
  }

 private:
  std::vector<std::uint32_t>* dist_;
  std::vector<EdgeD>* pred_;
  std::vector<bool>* has_pred_;
};

// Marks every vertex a BFS reaches.
class ReachRecorder : public boost::default_bfs_visitor {
 public:
  explicit ReachRecorder(std::vector<bool>& seen) : seen_(&seen) {}
  template <class V, class G>
  void discover_vertex(V v, const G&) const {
    (*seen_)[v] = true;
  }

 private:
  std::vector<bool>* seen_;
};

// Filters for boost::filtered_graph (default-constructible, assignable):
// the vertices and edges of one strongly connected component.
struct InComponentV {
  const std::vector<int>* comp = nullptr;
  int c = 0;
  bool operator()(Vertex v) const { return (*comp)[v] == c; }
};
struct InComponentE {
  const Graph* g = nullptr;
  const std::vector<int>* comp = nullptr;
  int c = 0;
  bool operator()(EdgeD e) const { return (*comp)[boost::source(e, *g)] == c && (*comp)[boost::target(e, *g)] == c; }
};

// The path from the BFS root to v along the recorded tree edges.
GraphPath path_to(const Graph& g, Vertex v, const std::vector<EdgeD>& pred, const std::vector<bool>& has_pred) {
  GraphPath p;
  std::vector<EdgeD> edges;
  while (has_pred[v]) {
    edges.push_back(pred[v]);
    v = boost::source(pred[v], g);
  }
  std::reverse(edges.begin(), edges.end());
  p.nodes.push_back(static_cast<std::uint32_t>(v));
  for (const EdgeD& e : edges) {
    p.nodes.push_back(static_cast<std::uint32_t>(boost::target(e, g)));
    p.choices.push_back(g[e].tid);
  }
  return p;
}

// Conflicts: one state, one thread, two successors (the state hash merged
// states that continue differently).
void count_conflicts(const Graph& g, std::size_t n, GraphAnalysis& a) {
  for (Vertex v = 0; v < n; ++v) {
    std::vector<std::pair<sim::Tid, Vertex>> out;
    for (auto [it, end] = boost::out_edges(v, g); it != end; ++it) out.emplace_back(g[*it].tid, boost::target(*it, g));
    std::sort(out.begin(), out.end());
    const auto same =
        std::adjacent_find(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.first == y.first; });
    if (same == out.end()) continue;
    if (a.conflicts++ == 0)
      std::copy_n(std::array<std::uint32_t, 3>{static_cast<std::uint32_t>(v), static_cast<std::uint32_t>(same->second),
                                               static_cast<std::uint32_t>(std::next(same)->second)}
                      .begin(),
                  3, a.conflict_example);
  }
}

// The shortest cycle through s inside its strongly connected component: a
// BFS from s within the component, closed by the in-edge back to s whose
// source is nearest.  false if there is none.
bool shortest_cycle(const Graph& g, std::size_t n, const std::vector<int>& comp, Vertex s, HangCycle& h) {
  const int cc = comp[s];
  boost::filtered_graph<Graph, InComponentE, InComponentV> fg(g, InComponentE{&g, &comp, cc}, InComponentV{&comp, cc});
  std::vector<std::uint32_t> d2(n, kFar);
  std::vector<EdgeD> p2(n);
  std::vector<bool> hp2(n, false);
  d2[s] = 0;
  std::vector<boost::default_color_type> color(n, boost::white_color);
  boost::breadth_first_search(
      fg, s,
      boost::visitor(TreeRecorder<decltype(fg)>(d2, p2, hp2))
          .color_map(boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g))));
  EdgeD back{};
  std::uint32_t best = kFar;
  for (auto [it, end] = boost::in_edges(s, g); it != end; ++it) {
    const Vertex u = boost::source(*it, g);
    if (comp[u] == cc && d2[u] < best) {
      best = d2[u];
      back = *it;
    }
  }
  if (best == kFar) return false;  // cannot happen in a cyclic component
  GraphPath loop = path_to(g, boost::source(back, g), p2, hp2);
  h.cycle = loop.nodes;
  h.cycle_choices = loop.choices;
  h.cycle_choices.push_back(g[back].tid);
  return true;
}

// Fewest preemptions, then fewest steps, from the root to every state
// (the order counterexamples are shrunk in, explore/shrink.h).  Whether a
// choice preempts depends on the thread that ran into the state (a switch
// away from it while it can still run), so the search is Dijkstra's over
// (state, running thread), each edge costing (1 if it preempts, its steps).
struct Cost {
  std::uint32_t preemptions = kFar;
  std::uint64_t steps = 0;
  auto operator<=>(const Cost&) const = default;
};

class FewestPreemptions {
 public:
  explicit FewestPreemptions(const sim::StateGraph& g) : g_(g), slots_(g), width_(slots_.width) {
    const std::size_t n = g.nodes().size();
    out_.resize(n);
    for (std::uint32_t i = 0; i < g.edges().size(); ++i) out_[g.edges()[i].from].push_back(i);
    cost_.assign(n * width_, Cost{});
    pred_.assign(n * width_, Pred{});
    run();
  }

  // The cheapest way to reach state v (any running thread); preemptions kFar if none.
  Cost cost(std::uint32_t v) const {
    Cost best;
    for (std::size_t c = 0; c < width_; ++c) best = std::min(best, cost_[v * width_ + c]);
    return best;
  }
  GraphPath path(std::uint32_t v) const {
    std::size_t key = v * width_;
    for (std::size_t c = 0; c < width_; ++c)
      if (cost_[v * width_ + c] < cost_[key]) key = v * width_ + c;
    std::vector<std::uint32_t> edges;
    while (pred_[key].edge != kFar) {
      edges.push_back(pred_[key].edge);
      key = pred_[key].from;
    }
    std::reverse(edges.begin(), edges.end());
    GraphPath p;
    p.nodes.push_back(g_.root());
    for (std::uint32_t e : edges) {
      p.nodes.push_back(g_.edges()[e].to);
      p.choices.push_back(g_.edges()[e].tid);
    }
    return p;
  }

 private:
  struct Pred {
    std::size_t from = 0;
    std::uint32_t edge = kFar;
  };
  void run() {
    using Item = std::pair<Cost, std::size_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> q;
    const std::size_t start = slots_.root();
    cost_[start] = Cost{0, 0};
    q.emplace(cost_[start], start);
    while (!q.empty()) {
      const auto [c, key] = q.top();
      q.pop();
      if (cost_[key] < c) continue;
      const auto v = static_cast<std::uint32_t>(key / width_);
      const std::size_t cur_slot = key % width_;
      for (std::uint32_t i : out_[v]) {
        const sim::StateGraph::Edge& e = g_.edges()[i];
        const Cost next{c.preemptions + slots_.cost(e, cur_slot), c.steps + e.steps};
        const std::size_t to = slots_.to(e);
        if (!(next < cost_[to])) continue;
        cost_[to] = next;
        pred_[to] = Pred{key, i};
        q.emplace(next, to);
      }
    }
  }

  const sim::StateGraph& g_;
  const PreemptionSlots slots_;
  const std::size_t width_;
  std::vector<std::vector<std::uint32_t>> out_;
  std::vector<Cost> cost_;
  std::vector<Pred> pred_;
};

}  // namespace

GraphAnalysis analyse_graph(const sim::StateGraph& sg, std::span<const StateFacts> facts) {
  GraphAnalysis a;
  const std::size_t n = sg.nodes().size();
  if (n == 0) return a;
  Graph g(n);
  for (const sim::StateGraph::Edge& e : sg.edges()) boost::add_edge(e.from, e.to, EdgeProp{e.tid}, g);

  count_conflicts(g, n, a);

  // Distances from the root (fewest choice points).
  std::vector<std::uint32_t> dist(n, kFar);
  std::vector<EdgeD> pred(n);
  std::vector<bool> has_pred(n, false);
  dist[sg.root()] = 0;
  boost::breadth_first_search(g, sg.root(), boost::visitor(TreeRecorder<Graph>(dist, pred, has_pred)));

  // Which states can still end: a reverse BFS from every end state.
  std::vector<bool> can_end(n, false);
  {
    std::vector<Vertex> ends;
    for (Vertex v = 0; v < n; ++v) {
      const sim::StateGraph::Node& node = sg.nodes()[v];
      if (node.terminal && node.end != sim::RunEnd::StepLimit) ends.push_back(v);
    }
    a.end_states = ends.size();
    if (!ends.empty()) {
      const auto rg = boost::make_reverse_graph(g);
      boost::queue<Vertex> q;
      std::vector<boost::default_color_type> color(n, boost::white_color);
      boost::breadth_first_search(
          rg, ends.begin(), ends.end(), q, ReachRecorder(can_end),
          boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, rg)));
    }
  }

  // Strongly connected components.
  std::vector<int> comp(n);
  const int ncomp =
      boost::strong_components(g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));
  std::vector<std::uint32_t> size(static_cast<std::size_t>(ncomp), 0);
  std::vector<bool> cyclic(static_cast<std::size_t>(ncomp), false);
  for (Vertex v = 0; v < n; ++v) {
    const auto c = static_cast<std::size_t>(comp[v]);
    if (++size[c] > 1) cyclic[c] = true;
  }
  for (const sim::StateGraph::Edge& e : sg.edges())
    if (e.from == e.to) cyclic[static_cast<std::size_t>(comp[e.from])] = true;
  a.cyclic_components = static_cast<std::size_t>(std::count(cyclic.begin(), cyclic.end(), true));

  // Each cyclic component nothing can leave for an end: its nearest state
  // from the root, and the shortest cycle through it inside the component.
  std::vector<Vertex> entry(static_cast<std::size_t>(ncomp), n);
  for (Vertex v = 0; v < n; ++v) {
    const auto c = static_cast<std::size_t>(comp[v]);
    if (!cyclic[c] || can_end[v]) continue;
    if (entry[c] == n || dist[v] < dist[entry[c]]) entry[c] = v;  // ties: first discovered
  }
  for (std::size_t c = 0; c < entry.size(); ++c) {
    const Vertex s = entry[c];
    if (s == n) continue;
    HangCycle h;
    h.component_size = size[c];
    h.reach = path_to(g, s, pred, has_pred);
    if (!shortest_cycle(g, n, comp, s, h)) continue;
    h.traced_throughout = ~std::uint64_t{0};
    for (std::uint32_t v : h.cycle) h.traced_throughout &= v < facts.size() ? facts[v].traced : 0;
    a.hangs.push_back(std::move(h));
  }
  // The nearest run that hit the step limit without a choice point to close a cycle.
  Vertex limit = n;
  for (Vertex v = 0; v < n; ++v) {
    const sim::StateGraph::Node& node = sg.nodes()[v];
    if (node.terminal && node.end == sim::RunEnd::StepLimit && (limit == n || dist[v] < dist[limit])) limit = v;
  }
  if (limit != n) {
    HangCycle h;
    h.step_limit = true;
    h.reach = path_to(g, limit, pred, has_pred);
    h.cycle.push_back(static_cast<std::uint32_t>(limit));
    a.hangs.push_back(std::move(h));
  }
  // Cycles that keep a task in TASK_TRACED first, then the nearest.
  std::stable_sort(a.hangs.begin(), a.hangs.end(), [](const HangCycle& x, const HangCycle& y) {
    return std::make_pair(x.traced_throughout == 0, x.reach.nodes.size()) <
           std::make_pair(y.traced_throughout == 0, y.reach.nodes.size());
  });

  // The state breaking each property that the fewest preemptions, then
  // the fewest steps, reach (ties: the first discovered).
  const FewestPreemptions fewest(sg);
  for (std::size_t p = 0; p < kPropertyCount; ++p) {
    std::uint32_t best = kFar;
    Cost best_cost;
    for (std::uint32_t v = 0; v < n && v < facts.size(); ++v) {
      if (!facts[v].broken.test(p)) continue;
      const Cost c = fewest.cost(v);
      if (c.preemptions != kFar && (best == kFar || c < best_cost)) best = v, best_cost = c;
    }
    if (best == kFar) continue;
    a.shortest.push_back(ViolationPath{static_cast<Property>(p), best, fewest.path(best)});
  }
  return a;
}

void confirm_path(const Scenario& s, const RunConfig& cfg, GraphPath& path, Property p) {
  Simulator simu(s, explorer_run_config(cfg));
  sim::ReplayScheduler sched(path.choices);
  const RunOutput out = simu.run(sched);
  path.schedule = sim::encode_schedule(std::span(out.engine.choices).first(out.engine.significant));
  path.preemptions = out.engine.preemptions;
  path.steps = out.engine.steps;
  path.confirmed =
      out.engine.end != sim::RunEnd::Diverged &&
      std::any_of(out.violations.begin(), out.violations.end(), [&](const Violation& v) { return v.property == p; });
}

std::string describe_hang(const HangCycle& h, std::span<const StateFacts> facts) {
  auto label = [&](std::uint32_t v) { return v < facts.size() ? facts[v].label : fmt::format("state {}", v); };
  if (h.step_limit)
    return fmt::format("a run went on until the step limit, to state {} ({})", h.cycle.front(), label(h.cycle.front()));
  std::string out;
  if (h.traced_throughout && !h.cycle.empty() && h.cycle.front() < facts.size()) {
    std::string who;
    for (const auto& [idx, name] : facts[h.cycle.front()].traced_tasks)
      if (h.traced_throughout >> idx & 1) who += (who.empty() ? "" : ", ") + name;
    out = fmt::format("{} never leave{} TASK_TRACED: ", who, who.find(',') == std::string::npos ? "s" : "");
  }
  out += fmt::format("a cycle of {} state{} that no schedule leaves for an end ({} in its component):", h.cycle.size(),
                     h.cycle.size() == 1 ? "" : "s", h.component_size);
  for (std::size_t i = 0; i < h.cycle.size(); ++i)
    out += fmt::format(" [{}] {} -{}->", h.cycle[i], label(h.cycle[i]),
                       sim::encode_schedule(std::span(&h.cycle_choices[i], 1)));
  out += fmt::format(" [{}]", h.cycle.front());
  return out;
}

PreemptionSlots::PreemptionSlots(const sim::StateGraph& g) : g_(g) {
  sim::Tid top = 0;
  for (const sim::StateGraph::Edge& e : g.edges()) {
    if (e.tid != sim::kNoTid) top = std::max(top, e.tid);
    if (e.then != sim::kNoTid) top = std::max(top, e.then);
  }
  for (const sim::StateGraph::Node& nd : g.nodes())
    if (nd.current != sim::kNoTid) top = std::max(top, nd.current);
  width = static_cast<std::size_t>(top) + 2;  // the last slot: no thread (a run ended)
}

std::uint32_t PreemptionSlots::cost(const sim::StateGraph::Edge& e, std::size_t c) const {
  if (c == width - 1 || slot(e.tid) == c) return 0;
  const std::vector<sim::Tid>& en = g_.nodes()[e.from].enabled;
  return std::find(en.begin(), en.end(), static_cast<sim::Tid>(c)) != en.end() ? 1 : 0;
}

}  // namespace model
