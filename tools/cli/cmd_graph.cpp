// tools/cli/cmd_graph.cpp: utsim graph SCENARIO: a stateful exploration
// (bounded DFS that prunes the abstract states it has seen,
// explore/state_hash.h), what the graph tells (explore/graph_analysis.h):
// the cycles no schedule leaves (hang) and the path with the fewest
// preemptions to each violating state; and the graph as a person reads it
// (explore/graph_view.h: chains folded, each state labelled by what changed,
// --focus on one property's paths) written as DOT straight to the output,
// state by state and edge by edge (issue 11: no copy of the graph, no DOT
// text in memory; the bytes are those boost::write_graphviz wrote before,
// without its regex check of every id).
//
// Nodes are numbered in discovery order, edges listed per node in the order
// they were first taken: the same scenario gives the same bytes.
//
// SIGINT/SIGTERM stop the search at once (the engine and the explorer poll
// the flag at every step and run), and the DOT written then covers what was
// explored; one that comes while the DOT is written ends it early with a
// label that says so.  Either way utsim exits with 130.
#include <algorithm>
#include <atomic>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "explore/check.h"
#include "explore/graph_analysis.h"
#include "explore/graph_view.h"
#include "scenario/load/loader.h"
#include "sim/schedule.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/interrupt.h"
#include "tools/cli/memory.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

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
  opt.verify_merges = a.verify_merges;
  return opt;
}

// The exploration and what the DOT needs besides its graph.
struct Explored {
  sim::StateGraph graph;
  model::Verdict verdict;
  std::vector<std::vector<std::string>> threads;  // per state: the task of each thread
  bool state_limit = false;                       // stopped at --max-states
};

// Explores, stopping at --max-states, or on SIGINT/SIGTERM: the search's
// stop flag is the signal handler's own, which the engine polls at every
// step and the explorer before every run, pruned or not (issue 11: a
// search of pruned runs only, which reached no new state, used to run on
// for minutes).  --max-states raises it too (InterruptGuard::stop()).
void explore_states(const GraphArgs& a, const model::Scenario& s, model::ExploreOptions& opt, InterruptGuard& guard,
                    Explored& x) {
  opt.graph = &x.graph;
  opt.stop = guard.flag();
  opt.signalled = guard.signalled();
  opt.on_state = [&](const model::Simulator& simu, std::uint32_t n) {
    const model::Kernel& k = simu.kernel();
    if (x.threads.size() <= n) x.threads.resize(n + 1);
    for (sim::Tid t = 0; t < k.eng.thread_count(); ++t) x.threads[n].push_back(thread_task_name(k, t));
    if (n + 1 >= a.max_states && !guard.interrupted()) {
      x.state_limit = true;
      guard.stop();
    }
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

// Writes the view as DOT: labels (what changed since the state before), and
// the marks of roots, ends, violations, hang cycles and the shortest
// counterexamples; the bytes boost::write_graphviz wrote (the states in
// order, then the edges grouped by their source state).  A signal that
// comes while it writes (polled every kPoll items) ends the DOT there, with
// a label that says so; false then.
bool write_dot(std::ostream& os, const Explored& x, const model::GraphView& view, const model::GraphAnalysis& an,
               std::optional<model::Property> focus, const std::string& title, const InterruptGuard& guard) {
  constexpr std::size_t kPoll = 256;
  const auto& nodes = x.graph.nodes();
  const auto& edges = x.graph.edges();
  const model::Verdict& v = x.verdict;
  std::vector<std::uint32_t> at(nodes.size(), ~0u);  // graph state -> vertex
  for (std::size_t i = 0; i < view.nodes.size(); ++i) at[view.nodes[i]] = static_cast<std::uint32_t>(i);
  std::vector<bool> hang(view.nodes.size(), false);
  for (const model::HangCycle& h : an.hangs)
    for (std::uint32_t n : h.cycle)
      if (at[n] != ~0u) hang[at[n]] = true;
  std::size_t vertices = 0, drawn = 0;
  auto interrupted = [&](std::size_t i) { return i % kPoll == kPoll - 1 && guard.interrupted(); };
  auto end = [&](bool complete) {
    if (!complete)
      os << "label="
         << dot_quote(fmt::format("{} (interrupted: {} of {} states and {} of {} edges written)", title, vertices,
                                  view.nodes.size(), drawn, view.edges.size()))
         << ";\n";
    os << "}\n";
    return complete;
  };

  os << "digraph G {\nlabel=" << dot_quote(title)
     << ";\nnode [shape=box, fontname=\"monospace\", fontsize=10];\nedge [fontsize=9];\n";
  for (; vertices < view.nodes.size(); ++vertices) {
    if (interrupted(vertices)) return end(false);
    const std::uint32_t n = view.nodes[vertices];
    std::string label = fmt::format("{}", n);
    for (const std::string& l : model::changed_lines(v.facts, n, view.parent[n])) label += "\\n" + printable(l);
    const bool terminal = nodes[n].terminal;
    if (terminal) label += fmt::format("\\nend: {}", sim::run_end_name(nodes[n].end));
    const bool violating = n < v.facts.size() && v.facts[n].broken.any();
    os << vertices << "[label=" << dot_quote(label);
    if (terminal) os << ", peripheries=2";
    if (n == x.graph.root()) os << ", penwidth=2";
    if (violating)
      os << ", style=filled, fillcolor=\"#ffd0d0\", color=red";
    else if (hang[vertices])
      os << ", style=filled, fillcolor=\"#ffe8c0\"";
    if (hang[vertices]) os << ", color=orange, penwidth=2";
    os << "];\n";
  }
  // The edges of the shortest counterexamples (of the focus, else of each property).
  std::set<std::pair<std::uint32_t, std::uint32_t>> shortest;
  for (const model::ViolationPath& p : an.shortest)
    if (!focus || p.property == *focus)
      for (std::size_t k = 0; k + 1 < p.path.nodes.size(); ++k) shortest.emplace(p.path.nodes[k], p.path.nodes[k + 1]);
  std::vector<std::uint32_t> order(view.edges.size());  // grouped by source, each source's in order
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return at[view.edges[a].from] < at[view.edges[b].from]; });
  for (; drawn < order.size(); ++drawn) {
    if (interrupted(drawn)) return end(false);
    const model::ViewEdge& ve = view.edges[order[drawn]];
    const bool on_path = std::all_of(ve.chain.begin(), ve.chain.end(), [&](std::uint32_t i) {
      return shortest.count({edges[i].from, edges[i].to}) > 0;
    });
    os << at[ve.from] << "->" << at[ve.to] << " [label=" << dot_quote(chain_label(x, ve));
    if (hang[at[ve.from]] && hang[at[ve.to]]) os << ", color=orange, penwidth=2";
    if (on_path) os << ", color=blue, fontcolor=blue, penwidth=2.5";
    os << "];\n";
  }
  return end(true);
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
                    : v.memory_out  ? fmt::format("stopped by the memory budget ({}, --max-memory) at {} schedules",
                                                  memory_text(opt.max_memory), v.schedules)
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
  if (v.merges)
    os << fmt::format("merges: {} checked (--verify-merges), {}\n", v.merges->checked,
                      v.merges->differ ? fmt::format("{} continued differently", v.merges->differ)
                                       : std::string("each continued alike: the hash kept the states apart"));
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

// A signal stopped the search: no analysis, no drawing (seconds on a large
// graph); a DOT that says so and one summary line, exit 130.
int interrupted(const GraphArgs& a, const model::Scenario& s, const Explored& x, Io io) {
  const std::string what =
      fmt::format("{}: {} states, {} transitions; {} schedules ({} pruned), interrupted: not analysed, not drawn",
                  s.name, x.graph.nodes().size(), x.graph.edges().size(), x.verdict.schedules, x.verdict.redundant);
  if (!write_output(a.output, a.output_through, io,
                    [&](std::ostream& os) { os << "digraph G {\nlabel=" << dot_quote(what) << ";\n}\n"; }))
    return kExitOutput;
  (a.output.empty() ? io.err : io.out) << what << '\n';
  return kExitInterrupted;
}

}  // namespace

int cmd_graph(const GraphArgs& a, Io io) {
  InterruptGuard guard;  // before loading: a FIFO that never opens is interrupted too
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, a.model, io, loaded, guard.flag()); code != kExitOk) return code;
  const model::Scenario& s = *loaded.scenario;

  model::ExploreOptions opt = graph_options(a, s);
  opt.max_memory = memory_budget(a.max_memory.bytes);
  Explored x;
  explore_states(a, s, opt, guard, x);
  const model::Verdict& v = x.verdict;
  if (v.error) {
    io.err << printable(v.error_message) << '\n';
    return kExitInternal;
  }
  if (guard.interrupted()) return interrupted(a, s, x, io);
  const model::GraphAnalysis none;
  const model::GraphAnalysis& an = v.analysis ? *v.analysis : none;
  const std::optional<model::Property> focus = a.focus ? model::property_from_name(*a.focus) : std::nullopt;
  std::vector<std::uint32_t> keep;  // the hang cycles stay visible
  for (const model::HangCycle& h : an.hangs) keep.insert(keep.end(), h.cycle.begin(), h.cycle.end());
  const model::GraphView view =
      model::graph_view(x.graph, v.facts, model::GraphViewOptions{focus, a.focus_slack, !a.no_fold, keep});

  // DOT to -o FILE or stdout; the summary to stdout, or stderr when the DOT is there.
  const std::string title = view_title(s, x, view, focus);
  if (!write_output(a.output, a.output_through, io,
                    [&](std::ostream& os) { write_dot(os, x, view, an, focus, title, guard); }))
    return kExitOutput;
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
