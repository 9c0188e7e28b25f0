// explore/lock_graph.cpp: the lock-class dependency graph on Boost.Graph,
// and lockdep's reports of its cycles.
#include "explore/lock_graph.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>

#include "sim/schedule.h"

namespace model {

namespace {

struct EdgeProp {
  std::size_t edge = 0;  // index into Impl::edges
};
// vecS for both: vertices numbered in the order the classes were met, each
// out-edge list in the order the dependencies were taken, so a search
// visits them in an order that depends only on the exploration.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, EdgeProp>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using GEdge = boost::graph_traits<Graph>::edge_descriptor;

// Records, for each vertex the search reaches, the edge it was reached by.
class TreeRecorder : public boost::default_bfs_visitor {
 public:
  explicit TreeRecorder(std::vector<std::size_t>* via) : via_(via) {}
  void tree_edge(const GEdge& e, const Graph& g) const { (*via_)[boost::target(e, g)] = g[e].edge; }

 private:
  std::vector<std::size_t>* via_;
};

constexpr std::size_t kNone = ~std::size_t{0};

std::string at_text(const LockEdge& e) {
  return fmt::format("by {} at step {} of schedule '{}' (run {})", e.task, e.to_step, e.schedule, e.run + 1);
}

// lockdep's print_circular_bug() (kernel/locking/lockdep.c), without the
// addresses, the usage bits and the stack traces this model has no use for:
// each trace is the function that took the lock, the lock held then, and
// the schedule that replays it.
std::string circular_report(const LockCycle& c, const std::string& kernel) {
  const LockEdge& now = c.chain[0];          // A (held) -> B (acquired)
  const std::size_t k = c.chain.size() - 1;  // the existing path B = L0 -> L1 -> ... -> Lk = A
  std::string s;
  s += "======================================================\n";
  s += "WARNING: possible circular locking dependency detected\n";
  s += fmt::format("utsim {} (simulated)\n", kernel);
  s += "------------------------------------------------------\n";
  s += fmt::format("{} is trying to acquire lock:\n ({}), at: {}\n\n", now.task, now.to, now.to_where);
  s += fmt::format("but task is already holding lock:\n ({}), at: {}\n\n", now.from, now.from_where);
  s += "which lock already depends on the new lock.\n\n\n";
  s += "the existing dependency chain (in reverse order) is:\n";
  for (std::size_t i = k; i >= 1; --i) {
    const LockEdge& e = c.chain[i];  // L(i-1) -> L(i)
    s += fmt::format("\n-> #{} ({}):\n       {}, with {} held (taken in {})\n       {}\n", i, e.to, e.to_where, e.from,
                     e.from_where, at_text(e));
  }
  s += fmt::format("\n-> #0 ({}):\n       {}, with {} held (taken in {})\n       {}\n", now.to, now.to_where, now.from,
                   now.from_where, at_text(now));
  s += "\nother info that might help us debug this:\n\n";
  // print_circular_lock_scenario(): target = the held class A, source = the
  // acquired one B, parent = the class A is taken under on the path.
  const std::string& target = now.from;
  const std::string& source = now.to;
  const std::string& parent = c.chain[k].from;
  if (parent != source) s += fmt::format("Chain exists of:\n  {} --> {} --> {}\n\n", source, parent, target);
  s += " Possible unsafe locking scenario:\n\n";
  s += "       CPU0                    CPU1\n";
  s += "       ----                    ----\n";
  s += fmt::format("  lock({});\n", target);
  s += fmt::format("                               lock({});\n", parent);
  s += fmt::format("                               lock({});\n", target);
  s += fmt::format("  lock({});\n", source);
  s += "\n *** DEADLOCK ***\n";
  return s;
}

// lockdep's print_deadlock_bug(): a class taken while one of its own class
// is held (two locks of one class nested, or one lock taken twice).
std::string recursive_report(const LockEdge& e, const std::string& kernel) {
  std::string s;
  s += "=============================================\n";
  s += "WARNING: possible recursive locking detected\n";
  s += fmt::format("utsim {} (simulated)\n", kernel);
  s += "---------------------------------------------\n";
  s += fmt::format("{} is trying to acquire lock:\n ({}), at: {}\n\n", e.task, e.to, e.to_where);
  s += fmt::format("but task is already holding lock:\n ({}), at: {}\n       {}\n\n", e.from, e.from_where, at_text(e));
  s += "other info that might help us debug this:\n";
  s += " Possible unsafe locking scenario:\n\n";
  s += "       CPU0\n";
  s += "       ----\n";
  s += fmt::format("  lock({});\n  lock({});\n", e.from, e.to);
  s += "\n *** DEADLOCK ***\n\n May be due to missing lock nesting notation\n";
  return s;
}

std::string summary(const LockCycle& c) {
  const LockEdge& now = c.chain[0];
  if (c.chain.size() == 1)
    return fmt::format(
        "possible recursive locking: {} took {} in {} while holding {} (taken in {}), at step {} of "
        "schedule '{}'",
        now.task, now.to, now.to_where, now.from, now.from_where, now.to_step, now.schedule);
  std::string path = now.to;
  std::string earlier;
  for (std::size_t i = 1; i < c.chain.size(); ++i) {
    const LockEdge& e = c.chain[i];
    path += " -> " + e.to;
    earlier += fmt::format("{}{} took {} in {} holding {} in schedule '{}' (run {})", i > 1 ? "; " : "", e.task, e.to,
                           e.to_where, e.from, e.schedule, e.run + 1);
  }
  return fmt::format(
      "possible circular locking dependency: {} took {} in {} while holding {} (taken in {}) in "
      "schedule '{}' (run {}), but {} already depends on it: {}",
      now.task, now.to, now.to_where, now.from, now.from_where, now.schedule, now.run + 1, path, earlier);
}

}  // namespace

struct LockGraph::Impl {
  std::string kernel;
  Graph g;
  std::vector<std::string> classes;
  std::map<std::uint16_t, Vertex> vertex;  // by sim::LockClass: a lookup, never an output order
  std::vector<LockEdge> edges;
  std::vector<Vertex> edge_from;  // by edge index
  // Every edge's pair of classes (from << 16 | to), scanned first: nearly
  // every run takes only dependencies the graph has, and this keeps such a
  // run's cost to a few compares (the explorer calls add_run on each).
  std::vector<std::uint32_t> known;
  std::vector<LockCycle> cycles;

  Vertex vertex_of(sim::LockClass c) {
    auto it = vertex.find(c.v);
    if (it != vertex.end()) return it->second;
    const Vertex v = boost::add_vertex(g);
    vertex.emplace(c.v, v);
    classes.emplace_back(sim::lock_class_name(c));
    return v;
  }

  // The path from `from` to `to` already in the graph, as edge indices in
  // path order, or empty when there is none (a shortest one: breadth first).
  std::vector<std::size_t> path(Vertex from, Vertex to) {
    std::vector<std::size_t> via(boost::num_vertices(g), kNone);
    boost::breadth_first_search(g, from, boost::visitor(TreeRecorder(&via)));
    if (via[to] == kNone) return {};
    std::vector<std::size_t> out;
    for (Vertex v = to; v != from; v = edge_from[via[v]]) out.push_back(via[v]);
    std::reverse(out.begin(), out.end());
    return out;
  }
};

LockGraph::LockGraph(std::string kernel) : impl_(std::make_unique<Impl>()) { impl_->kernel = std::move(kernel); }
LockGraph::~LockGraph() = default;

std::vector<LockCycle> LockGraph::add_run(const Simulator& simu, const sim::RunResult& r, std::uint64_t run) {
  return add(
      simu.engine().lock_deps(), [&] { return sim::encode_schedule(std::span(r.choices).first(r.significant)); }, run,
      [&](sim::Tid tid) -> std::pair<std::string, int> {
        if (const auto* t = static_cast<const Task*>(simu.engine().user(tid))) return {simu.comm(t->pid), t->pid};
        return {"kernel", 0};
      });
}

std::vector<LockCycle> LockGraph::add(std::span<const sim::LockDep> deps, const std::function<std::string()>& sched,
                                      std::uint64_t run, const Who& who) {
  Impl& m = *impl_;
  std::vector<LockCycle> found;
  std::optional<std::string> schedule;  // made when the run first adds an edge
  for (const sim::LockDep& d : deps) {
    const std::uint32_t key = std::uint32_t{d.from.v} << 16 | d.to.v;
    if (std::find(m.known.begin(), m.known.end(), key) != m.known.end()) continue;
    m.known.push_back(key);
    const Vertex a = m.vertex_of(d.from), b = m.vertex_of(d.to);
    if (!schedule) schedule = sched();
    LockEdge e;
    e.from = m.classes[a];
    e.to = m.classes[b];
    e.from_where = d.from_where;
    e.to_where = d.to_where;
    e.from_step = d.from_step;
    e.to_step = d.to_step;
    std::tie(e.task, e.pid) = who(d.tid);
    e.schedule = *schedule;
    e.run = run;
    // Is B already before A?  Then A -> B closes a cycle (check_noncircular()).
    LockCycle c;
    if (a == b) {
      c.chain.push_back(e);
    } else if (const std::vector<std::size_t> back = m.path(b, a); !back.empty()) {
      c.chain.push_back(e);
      for (std::size_t i : back) c.chain.push_back(m.edges[i]);
    }
    const std::size_t index = m.edges.size();
    m.edges.push_back(std::move(e));
    m.edge_from.push_back(a);
    boost::add_edge(a, b, EdgeProp{index}, m.g);
    if (c.chain.empty()) continue;
    c.report = c.chain.size() == 1 ? recursive_report(c.chain[0], m.kernel) : circular_report(c, m.kernel);
    c.summary = summary(c);
    m.cycles.push_back(c);
    found.push_back(std::move(c));
  }
  return found;
}

const std::vector<std::string>& LockGraph::classes() const { return impl_->classes; }
const std::vector<LockEdge>& LockGraph::edges() const { return impl_->edges; }
const std::vector<LockCycle>& LockGraph::cycles() const { return impl_->cycles; }

Violation lock_order_violation(const LockCycle& c) {
  return Violation{Property::LockOrder, c.summary, c.chain[0].to_step, c.chain[0].pid};
}

}  // namespace model
