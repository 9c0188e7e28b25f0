// The state graph as a person reads it (explore/graph_view.h).
#include "explore/graph_view.h"

#include "explore/graph_analysis.h"

#include <algorithm>
#include <deque>

namespace model {

namespace {

constexpr std::uint32_t kNone = ~0u;

bool broken(std::span<const StateFacts> facts, std::uint32_t n, Property p) {
  return n < facts.size() && facts[n].broken.test(static_cast<std::size_t>(p));
}

PropertySet broken_set(std::span<const StateFacts> facts, std::uint32_t n) {
  return n < facts.size() ? facts[n].broken : PropertySet{};
}

// 0-1 breadth-first search: the fewest preemptions from the sources, along
// `next(key, visit)`, which calls visit(key', cost) for each step.
template <class Next>
std::vector<std::uint32_t> fewest(std::size_t size, const std::vector<std::size_t>& sources, Next next) {
  std::vector<std::uint32_t> d(size, kNone);
  std::deque<std::size_t> q;
  for (std::size_t k : sources) {
    d[k] = 0;
    q.push_back(k);
  }
  while (!q.empty()) {
    const std::size_t k = q.front();
    q.pop_front();
    next(k, [&](std::size_t k2, std::uint32_t c) {
      if (d[k] + c >= d[k2]) return;
      d[k2] = d[k] + c;
      if (c == 0)
        q.push_front(k2);
      else
        q.push_back(k2);
    });
  }
  return d;
}

// The edges on a path from the root to a state where `p` is first broken
// (one with a predecessor where it is not) with at most the fewest
// preemptions that reach such a state plus `slack` (all of them when
// `slack` is none); none leaves a state where `p` is broken.  Each kept
// edge: true at its index.  `least`: the fewest preemptions (kNone: not
// reachable).
std::vector<bool> focus_edges(const sim::StateGraph& g, std::span<const StateFacts> facts, Property p,
                              std::optional<std::uint32_t> slack, std::uint32_t& least) {
  const auto& edges = g.edges();
  const std::size_t n = g.nodes().size();
  const PreemptionSlots pr(g);
  const std::size_t size = n * pr.width;
  std::vector<std::vector<std::uint32_t>> out(n), in(n);
  for (std::uint32_t i = 0; i < edges.size(); ++i)
    if (!broken(facts, edges[i].from, p)) {
      out[edges[i].from].push_back(i);
      in[edges[i].to].push_back(i);
    }
  std::vector<std::size_t> targets;
  for (std::uint32_t v = 0; v < n; ++v)
    if (broken(facts, v, p) && !in[v].empty())
      for (std::size_t c = 0; c < pr.width; ++c) targets.push_back(v * pr.width + c);
  const std::vector<std::uint32_t> from_root = fewest(size, {pr.root()}, [&](std::size_t k, auto visit) {
    for (std::uint32_t i : out[k / pr.width]) visit(pr.to(edges[i]), pr.cost(edges[i], k % pr.width));
  });
  const std::vector<std::uint32_t> to_target = fewest(size, targets, [&](std::size_t k, auto visit) {
    for (std::uint32_t i : in[k / pr.width])
      if (pr.to(edges[i]) == k)
        for (std::size_t c = 0; c < pr.width; ++c) visit(edges[i].from * pr.width + c, pr.cost(edges[i], c));
  });
  least = kNone;
  for (std::size_t k : targets) least = std::min(least, from_root[k]);
  std::vector<bool> keep(edges.size(), false);
  if (least == kNone) return keep;
  const std::uint64_t budget = slack ? std::uint64_t{least} + *slack : UINT64_MAX;
  for (std::uint32_t v = 0; v < n; ++v)
    for (std::uint32_t i : out[v])
      for (std::size_t c = 0; c < pr.width; ++c) {
        const std::size_t k = v * pr.width + c;
        const std::uint32_t rest = to_target[pr.to(edges[i])];
        if (from_root[k] != kNone && rest != kNone &&
            std::uint64_t{from_root[k]} + pr.cost(edges[i], c) + rest <= budget)
          keep[i] = true;
      }
  return keep;
}

// The key of a line of StateFacts: the task it describes ("X" of "X: ..."),
// or the whole line ("!stop-without-engine").
std::string_view line_key(std::string_view l) {
  const std::size_t colon = l.find(": ");
  return colon == std::string_view::npos ? l : l.substr(0, colon);
}

}  // namespace

GraphView graph_view(const sim::StateGraph& g, std::span<const StateFacts> facts, const GraphViewOptions& o) {
  GraphView v;
  const std::size_t n = g.nodes().size();
  v.parent.assign(n, kNone);
  if (n == 0) return v;
  // The edges drawn: all, or those on the focus's paths.
  const auto& edges = g.edges();
  const std::vector<bool> drawn =
      o.focus ? focus_edges(g, facts, *o.focus, o.slack, v.least) : std::vector<bool>(edges.size(), true);
  std::vector<bool> in_view(n, !o.focus);
  in_view[g.root()] = true;
  for (std::uint32_t i = 0; i < edges.size(); ++i)
    if (drawn[i]) in_view[edges[i].from] = in_view[edges[i].to] = true;
  v.focused_out = static_cast<std::size_t>(std::count(in_view.begin(), in_view.end(), false));

  // Per state, the edges drawn out of it and the one way in.
  std::vector<std::vector<std::uint32_t>> out(n);
  std::vector<std::uint32_t> in_degree(n, 0), in_from(n, kNone);
  for (std::uint32_t i = 0; i < edges.size(); ++i) {
    const sim::StateGraph::Edge& e = edges[i];
    if (!drawn[i]) continue;
    out[e.from].push_back(i);
    ++in_degree[e.to];
    in_from[e.to] = e.from;
  }
  std::vector<bool> kept(n, false);
  for (std::uint32_t k : o.keep)
    if (k < n) kept[k] = true;
  // One way in, one way out, nothing to see of its own: folded.
  std::vector<bool> fold(n, false);
  if (o.fold)
    for (std::uint32_t s = 0; s < n; ++s)
      fold[s] = in_view[s] && s != g.root() && !g.nodes()[s].terminal && !kept[s] && in_degree[s] == 1 &&
                out[s].size() == 1 && in_from[s] != s && edges[out[s].front()].to != s &&
                broken_set(facts, s) == broken_set(facts, in_from[s]);

  for (std::uint32_t s = 0; s < n; ++s) {
    if (!in_view[s]) continue;
    if (fold[s]) {
      ++v.folded;
      continue;
    }
    v.nodes.push_back(s);
  }
  // Each edge out of a state shown, followed through the folded states.
  for (std::uint32_t s : v.nodes)
    for (std::uint32_t first : out[s]) {
      ViewEdge ve;
      ve.from = s;
      std::uint32_t e = first;
      for (std::size_t guard = 0; guard <= n;
           ++guard) {  // a folded state has one way in: no cycle of them is reachable
        ve.chain.push_back(e);
        ve.steps += edges[e].steps;
        if (!fold[edges[e].to]) break;
        e = out[edges[e].to].front();
      }
      ve.to = edges[e].to;
      v.edges.push_back(std::move(ve));
    }
  std::stable_sort(v.edges.begin(), v.edges.end(),
                   [](const ViewEdge& a, const ViewEdge& b) { return a.chain.front() < b.chain.front(); });

  // Parents: a breadth-first search of the view from the root.
  std::vector<std::vector<std::uint32_t>> view_out(n);
  for (std::uint32_t i = 0; i < v.edges.size(); ++i) view_out[v.edges[i].from].push_back(i);
  std::vector<bool> seen(n, false);
  std::deque<std::uint32_t> todo{g.root()};
  seen[g.root()] = true;
  while (!todo.empty()) {
    const std::uint32_t s = todo.front();
    todo.pop_front();
    for (std::uint32_t i : view_out[s]) {
      const std::uint32_t t = v.edges[i].to;
      if (seen[t]) continue;
      seen[t] = true;
      v.parent[t] = s;
      todo.push_back(t);
    }
  }
  return v;
}

std::vector<std::string> changed_lines(std::span<const StateFacts> facts, std::uint32_t n, std::uint32_t parent) {
  if (n >= facts.size()) return {};
  const std::vector<std::string>& now = facts[n].lines;
  if (parent >= facts.size()) return now;
  const std::vector<std::string>& before = facts[parent].lines;
  std::vector<std::string> out;
  for (const std::string& l : now)
    if (std::find(before.begin(), before.end(), l) == before.end()) out.push_back(l);
  for (const std::string& l : before) {  // a task (or a broken property) no longer there
    const std::string_view key = line_key(l);
    const bool still = std::any_of(now.begin(), now.end(), [&](const std::string& x) { return line_key(x) == key; });
    if (!still) out.push_back(std::string(key) + ": gone");
  }
  if (out.empty()) out.push_back("(no visible change)");
  return out;
}

}  // namespace model
