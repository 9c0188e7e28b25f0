#include "sim/explore/state_graph.h"

#include "sim/hash.h"

namespace sim {

std::uint32_t StateGraph::node(std::uint64_t hash) {
  auto [it, fresh] = index_.try_emplace(hash, static_cast<std::uint32_t>(nodes_.size()));
  if (fresh) {
    nodes_.push_back(Node{hash, false, RunEnd::Finished, {}, kNoTid});
    if (on_new_node) on_new_node(it->second);
  }
  return it->second;
}

void StateGraph::at_choice(std::uint32_t n, std::span<const Tid> enabled, Tid current) {
  Node& node = nodes_[n];
  if (node.current != kNoTid || !node.enabled.empty()) return;
  node.enabled.assign(enabled.begin(), enabled.end());
  node.current = current;
}

void StateGraph::edge(std::uint32_t from, std::uint32_t to, Tid tid, std::uint32_t steps, Tid then) {
  std::uint64_t key = hash_mix(hash_mix(hash_mix(0, from), to), tid);
  if (edge_keys_.insert(key).second) edges_.push_back(Edge{from, to, tid, steps, then});
}

}  // namespace sim
