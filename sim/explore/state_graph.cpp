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
  enabled_ += enabled.size();
}

std::uint64_t StateGraph::bytes() const noexcept {
  // A hash table entry: its value, the node's next pointer and a bucket.
  constexpr std::uint64_t kEntry = 2 * sizeof(void*);
  return nodes_.size() * sizeof(Node) + enabled_ * sizeof(Tid) + edges_.size() * sizeof(Edge) +
         index_.size() * (sizeof(std::pair<const std::uint64_t, std::uint32_t>) + kEntry) +
         edge_keys_.size() * (sizeof(std::uint64_t) + kEntry);
}

void StateGraph::edge(std::uint32_t from, std::uint32_t to, Tid tid, std::uint32_t steps, Tid then) {
  std::uint64_t key = hash_mix(hash_mix(hash_mix(0, from), to), tid);
  if (edge_keys_.insert(key).second) edges_.push_back(Edge{from, to, tid, steps, then});
}

}  // namespace sim
