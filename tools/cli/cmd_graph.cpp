// tools/cli/cmd_graph.cpp: utsim graph SCENARIO: a stateful exploration
// (bounded DFS that prunes the abstract states it has seen,
// explore/state_hash.h), what the graph tells (explore/graph_analysis.h):
// the cycles no schedule leaves (hang) and the path with the fewest
// preemptions to each violating state; and the graph as a person reads it
// (explore/graph_view.h: chains folded, each state labelled by what changed,
// --focus on one property's paths) copied into a boost::adjacency_list and
// written as DOT by boost::write_graphviz.
//
// Nodes are numbered in discovery order, edges listed per node in the order
// they were first taken: the same scenario gives the same bytes.
#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <sstream>

// GCC 12 warns of maybe-uninitialized edge iterators inside Boost's
// write_graphviz (a false positive in the headers, not in this file).
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#pragma GCC diagnostic pop
#include <fmt/format.h>

#include "explore/check.h"
#include "explore/graph_analysis.h"
#include "explore/graph_view.h"
#include "scenario/load/loader.h"
#include "sim/schedule.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/interrupt.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

struct VertexProp {
  std::string label;
  bool root = false, terminal = false, violating = false, hang = false;
};
struct EdgeProp {
  std::string label;
  bool hang = false;
  bool shortest = false;  // on a shortest counterexample
};
using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexProp, EdgeProp>;

// Graphviz quoted string: backslash-escape quotes; "\n" (two characters)
// stays a Graphviz line break.
std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Where a thread letter runs: "X" (the task of thread t in that state).
std::string thread_label(const std::vector<std::string>& names, sim::Tid t) {
  const std::string letter = thread_letter(t);
  if (t < names.size() && !names[t].empty() && names[t] != letter) return fmt::format("{} {}", letter, names[t]);
  return letter;
}

void print_path(std::ostream& os, const std::string& file, const std::string& flags, const model::GraphPath& p) {
  os << fmt::format("  reached after {} choice points: schedule '{}' ({} preemption{}, {} steps)\n", p.choices.size(),
                    p.schedule, p.preemptions, p.preemptions == 1 ? "" : "s", p.steps);
  os << "  replay: " << replay_command(file, p.schedule, flags) << '\n';
}

// Stateful DFS: unbounded unless --preemption-bound, at most a million
// schedules unless --max-schedules.
model::ExploreOptions graph_options(const GraphArgs& a, const model::Scenario& s) {
  model::ExploreOverrides ov;
  ov.strategy = model::Strategy::Dfs;
  ov.max_schedules = a.max_schedules;
  ov.max_steps = a.max_steps;
  ov.preemption_bound = a.unbounded || !a.preemption_bound ? model::ExploreOptions::kUnbounded : *a.preemption_bound;
  model::ExploreOptions defaults;
  defaults.max_schedules = 1'000'000;
  model::ExploreOptions opt = model::explore_options_for(s, defaults, ov);
  opt.stateful = true;
  return opt;
}

// The exploration and what the DOT needs besides its graph.
struct Explored {
  sim::StateGraph graph;
  model::Verdict verdict;
  std::vector<std::vector<std::string>> threads;  // per state: the task of each thread
  bool state_limit = false;                       // stopped at --max-states
  std::atomic<bool> stop{false};                  // ExploreOptions::stop
};

// Explores, stopping at --max-states, or on SIGINT/SIGTERM.
void explore_states(const GraphArgs& a, const model::Scenario& s, model::ExploreOptions& opt,
                    const InterruptGuard& guard, Explored& x) {
  opt.graph = &x.graph;
  opt.stop = &x.stop;
  opt.on_state = [&](const model::Simulator& simu, std::uint32_t n) {
    const model::Kernel& k = simu.kernel();
    if (x.threads.size() <= n) x.threads.resize(n + 1);
    for (sim::Tid t = 0; t < k.eng.thread_count(); ++t) x.threads[n].push_back(thread_task_name(k, t));
    if (n + 1 >= a.max_states) {
      x.state_limit = true;
      x.stop = true;
    }
    if (guard.interrupted()) x.stop = true;  // also inside a long run (each new state)
  };
  opt.status = [&](const model::ExploreStatus&) {
    if (guard.interrupted()) x.stop = true;
  };
  x.verdict = model::check_scenario(s, opt);
}

// "a X: 3 steps" for one choice; for a folded chain, its threads (a run of
// one thread as "b T x3") and what it adds up to.
std::string chain_label(const Explored& x, const model::ViewEdge& ve) {
  const auto& edges = x.graph.edges();
  const std::vector<std::string> no_names;
  auto who = [&](std::uint32_t i) {
    const sim::StateGraph::Edge& e = edges[i];
    return thread_label(e.from < x.threads.size() ? x.threads[e.from] : no_names, e.tid);
  };
  if (ve.chain.size() == 1) return fmt::format("{}: {} step{}", who(ve.chain[0]), ve.steps, ve.steps == 1 ? "" : "s");
  std::vector<std::pair<std::string, std::size_t>> runs;
  for (std::uint32_t i : ve.chain) {
    std::string w = who(i);
    if (!runs.empty() && runs.back().first == w)
      ++runs.back().second;
    else
      runs.emplace_back(std::move(w), 1);
  }
  constexpr std::size_t kRunsShown = 4;
  std::string t;
  for (std::size_t r = 0; r < runs.size() && r < kRunsShown; ++r)
    t += (r ? ", " : "") + runs[r].first + (runs[r].second > 1 ? fmt::format(" x{}", runs[r].second) : "");
  if (runs.size() > kRunsShown) t += fmt::format(", ... ({} choices)", ve.chain.size());
  return fmt::format("{}: {} steps", t, ve.steps);
}

// The view as a boost::adjacency_list: labels (what changed since the
// state before), and the marks of roots, ends, violations, hang cycles and
// the shortest counterexamples.
DotGraph dot_graph(const Explored& x, const model::GraphView& view, const model::GraphAnalysis& an,
                   std::optional<model::Property> focus) {
  const auto& nodes = x.graph.nodes();
  const model::Verdict& v = x.verdict;
  std::vector<std::uint32_t> at(nodes.size(), ~0u);  // graph state -> vertex
  DotGraph g(view.nodes.size());
  for (std::size_t i = 0; i < view.nodes.size(); ++i) {
    const std::uint32_t n = view.nodes[i];
    at[n] = static_cast<std::uint32_t>(i);
    VertexProp& p = g[i];
    std::string label = fmt::format("{}", n);
    for (const std::string& l : model::changed_lines(v.facts, n, view.parent[n])) label += "\\n" + printable(l);
    p.root = n == x.graph.root();
    p.terminal = nodes[n].terminal;
    if (p.terminal) label += fmt::format("\\nend: {}", sim::run_end_name(nodes[n].end));
    p.violating = n < v.facts.size() && v.facts[n].broken.any();
    p.label = std::move(label);
  }
  for (const model::HangCycle& h : an.hangs)
    for (std::uint32_t n : h.cycle)
      if (at[n] != ~0u) g[at[n]].hang = true;
  // The edges of the shortest counterexamples (of the focus, else of each property).
  std::set<std::pair<std::uint32_t, std::uint32_t>> shortest;
  for (const model::ViolationPath& p : an.shortest)
    if (!focus || p.property == *focus)
      for (std::size_t k = 0; k + 1 < p.path.nodes.size(); ++k) shortest.emplace(p.path.nodes[k], p.path.nodes[k + 1]);
  for (const model::ViewEdge& ve : view.edges) {
    const auto& edges = x.graph.edges();
    const bool on_path = std::all_of(ve.chain.begin(), ve.chain.end(), [&](std::uint32_t i) {
      return shortest.count({edges[i].from, edges[i].to}) > 0;
    });
    EdgeProp p{chain_label(x, ve), g[at[ve.from]].hang && g[at[ve.to]].hang, on_path};
    boost::add_edge(at[ve.from], at[ve.to], p, g);
  }
  return g;
}

std::string state_graph_dot(const DotGraph& g, const std::string& title) {
  auto vertex_writer = [&](std::ostream& os, DotGraph::vertex_descriptor n) {
    const VertexProp& p = g[n];
    os << "[label=" << dot_quote(p.label);
    if (p.terminal) os << ", peripheries=2";
    if (p.root) os << ", penwidth=2";
    if (p.violating)
      os << ", style=filled, fillcolor=\"#ffd0d0\", color=red";
    else if (p.hang)
      os << ", style=filled, fillcolor=\"#ffe8c0\"";
    if (p.hang) os << ", color=orange, penwidth=2";
    os << "]";
  };
  auto edge_writer = [&](std::ostream& os, DotGraph::edge_descriptor e) {
    const EdgeProp& p = g[e];
    os << "[label=" << dot_quote(p.label);
    if (p.hang) os << ", color=orange, penwidth=2";
    if (p.shortest) os << ", color=blue, fontcolor=blue, penwidth=2.5";
    os << "]";
  };
  auto graph_writer = [&](std::ostream& os) {
    os << "label=" << dot_quote(title)
       << ";\nnode [shape=box, fontname=\"monospace\", fontsize=10];\nedge [fontsize=9];\n";
  };
  std::ostringstream dot;
  boost::write_graphviz(dot, g, vertex_writer, edge_writer, graph_writer);
  return dot.str();
}

// What the graph tells: its size, how the exploration ended, the hang
// cycles and the shortest counterexamples, each with its replay command.
void print_summary(std::ostream& os, const GraphArgs& a, const model::Scenario& s, const model::ExploreOptions& opt,
                   const Explored& x, const model::GraphAnalysis& an) {
  const model::Verdict& v = x.verdict;
  const std::string bound = opt.preemption_bound == model::ExploreOptions::kUnbounded
                                ? std::string("unbounded")
                                : fmt::format("preemption bound {}", opt.preemption_bound);
  std::string how = v.complete      ? "complete"
                    : x.state_limit ? fmt::format("stopped at {} states (--max-states)", a.max_states)
                    : v.interrupted ? "interrupted"
                                    : fmt::format("stopped at {} schedules", v.schedules);
  os << fmt::format(
      "{}: {} states, {} transitions, {} end states, {} cyclic components; {} schedules ({} pruned), "
      "{}, {}{}\n",
      s.name, x.graph.nodes().size(), x.graph.edges().size(), an.end_states, an.cyclic_components, v.schedules,
      v.redundant, bound, how, v.bounded ? " (some schedules lie beyond the bound)" : "");
  if (an.conflicts)
    os << fmt::format(
        "warning: {} states have two successors for one thread: the state hash merged states "
        "that differ (explore/state_hash.h); the graph is approximate (e.g. state {} goes to {} and {})\n",
        an.conflicts, an.conflict_example[0], an.conflict_example[1], an.conflict_example[2]);
  if (an.hangs.empty()) os << "hang: no cycle that never ends\n";
  constexpr std::size_t kShown = 3;  // the nearest ones; the DOT marks them all
  for (std::size_t i = 0; i < an.hangs.size(); ++i) {
    const model::HangCycle& h = an.hangs[i];
    if (i == kShown) {
      os << fmt::format("... and {} more cycles that never end (orange in the DOT)\n", an.hangs.size() - kShown);
      break;
    }
    os << fmt::format("hang{}: {}\n",
                      an.certain ? "" : " (possible: the graph is not the whole unbounded space, or is approximate)",
                      printable(model::describe_hang(h, v.facts)));
    if (!h.step_limit) os << "  the cycle's choices: '" << sim::encode_schedule(h.cycle_choices) << "'\n";
    print_path(os, a.file, model_flags(s), h.reach);
  }
  for (const model::ViolationPath& p : an.shortest) {
    os << fmt::format("shortest counterexample for {}: state {}{}\n", model::property_name(p.property), p.node,
                      p.path.confirmed ? "" : " (NOT confirmed by its replay: the state hash merged states)");
    print_path(os, a.file, model_flags(s), p.path);
  }
  if (!v.problems.empty())
    for (const std::string& pr : v.problems) os << "problem: " << printable(pr) << '\n';
  if (s.file_model) os << "note: " << expect_caveat(s) << '\n';
}

// The DOT's title: what is drawn of how much.
std::string view_title(const model::Scenario& s, const Explored& x, const model::GraphView& view,
                       std::optional<model::Property> focus) {
  std::string t = fmt::format("{}: state graph, {} of {} states, {} edges for {} transitions", s.name,
                              view.nodes.size(), x.graph.nodes().size(), view.edges.size(), x.graph.edges().size());
  if (view.folded) t += fmt::format(" ({} states folded into edges)", view.folded);
  if (focus) t += fmt::format("; the paths to {}", model::property_name(*focus));
  return t + "; blue: the path with the fewest preemptions to a violation";
}

// What the DOT draws, after the summary of the graph.
void print_view(std::ostream& os, const GraphArgs& a, const Explored& x, const model::GraphView& view,
                const model::GraphAnalysis& an, std::optional<model::Property> focus) {
  os << fmt::format("drawn: {} states, {} edges", view.nodes.size(), view.edges.size());
  if (focus && view.least != ~0u)
    os << fmt::format("; --focus {}: the {} states on its paths with at most {} preemption{} ({} left out)",
                      model::property_name(*focus), x.graph.nodes().size() - view.focused_out,
                      view.least + a.focus_slack, view.least + a.focus_slack == 1 ? "" : "s", view.focused_out);
  if (view.folded) os << fmt::format("; {} states with one way in and one way out folded into edges", view.folded);
  os << '\n';
  constexpr std::size_t kReadable = 200;  // states Graphviz draws in seconds and a person can follow
  if (!focus && view.nodes.size() > kReadable && !an.shortest.empty())
    os << fmt::format(
        "note: {} states are too many to read (Graphviz takes minutes on a few thousand); --focus {} draws only "
        "the paths to it with the fewest preemptions\n",
        view.nodes.size(), model::property_name(an.shortest.front().property));
  if (focus && view.least == ~0u)
    os << fmt::format("note: no state explored breaks {}: the graph drawn is the root alone\n",
                      model::property_name(*focus));
}

}  // namespace

int cmd_graph(const GraphArgs& a, Io io) {
  InterruptGuard guard;  // before loading: a FIFO that never opens is interrupted too
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, a.model, io, loaded, guard.flag()); code != kExitOk) return code;
  const model::Scenario& s = *loaded.scenario;

  model::ExploreOptions opt = graph_options(a, s);
  Explored x;
  explore_states(a, s, opt, guard, x);
  const model::Verdict& v = x.verdict;
  if (v.error) {
    io.err << printable(v.error_message) << '\n';
    return kExitInternal;
  }
  const model::GraphAnalysis none;
  const model::GraphAnalysis& an = v.analysis ? *v.analysis : none;
  const std::optional<model::Property> focus = a.focus ? model::property_from_name(*a.focus) : std::nullopt;
  std::vector<std::uint32_t> keep;  // the hang cycles stay visible
  for (const model::HangCycle& h : an.hangs) keep.insert(keep.end(), h.cycle.begin(), h.cycle.end());
  const model::GraphView view =
      model::graph_view(x.graph, v.facts, model::GraphViewOptions{focus, a.focus_slack, !a.no_fold, keep});
  const std::string dot = state_graph_dot(dot_graph(x, view, an, focus), view_title(s, x, view, focus));

  // DOT to -o FILE or stdout; the summary to stdout, or stderr when the DOT is there.
  if (!write_output(a.output, a.output_through, io, [&](std::ostream& os) { os << dot; })) return kExitOutput;
  std::ostream& summary = a.output.empty() ? io.err : io.out;
  print_summary(summary, a, s, opt, x, an);
  print_view(summary, a, x, view, an, focus);
  if (guard.interrupted()) return kExitInterrupted;
  if (x.state_limit) {
    // Not the whole graph: a script must not take it for one (docs/errors.md).
    io.err << fmt::format(
        "utsim graph: cli.E010: the state graph has more than {} states (--max-states {}): the exploration stopped "
        "there, and the DOT and the summary cover only the part explored; raise --max-states, or explore less with "
        "--preemption-bound\n",
        a.max_states, a.max_states);
    return kExitUsage;
  }
  return v.passed() ? kExitOk : kExitFailed;
}

}  // namespace tools
