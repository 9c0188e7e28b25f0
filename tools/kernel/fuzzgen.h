// tools/kernel/fuzzgen.h: utsim-kernel fuzz's pure parts: the scenarios it
// generates, how a run is split into shards, and the shrinker of a
// disagreement (tools/kernel/fuzz.cpp runs them on the model and the kernel).
//
// Determinism: scenario i of seed S depends on (S, i) only, through an own
// std::mt19937_64 (whose output the standard fixes) and no standard
// distribution (whose output it does not): the same seed gives the same
// files byte for byte on every library, and a shard regenerates exactly the
// scenarios it owns.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace ukern::fuzz {

// The seeded generator: a number below n, a percent chance, a pick.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : g_(seed) {}
  std::uint64_t below(std::uint64_t n) { return n ? g_() % n : 0; }
  int in(int lo, int hi) { return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1))); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  std::mt19937_64 g_;
};

// Scenario `index` of `seed`: SCENARIOS.md format 1, loadable, in the subset
// a real kernel runs (fork, vfork, threads, signals, handlers, masks, job
// control, exec, exit, waits with their options, ptrace with its requests
// and options), bounded: every task ends or is left blocked for good
// (`"allowed": ["hang"]`), which the replayer ends at once.
std::string generate(std::uint64_t seed, std::uint64_t index);

// --shard i/N: scenario `index` belongs to shard index % N.  Shards are
// disjoint and their union is the whole run.
struct Shard {
  std::uint64_t index = 0, count = 1;
  bool owns(std::uint64_t scenario) const { return scenario % count == index; }
};
// "i/N" with 0 <= i < N; false when malformed.
bool parse_shard(const std::string& text, Shard* out);

// Delta debugging of a scenario's JSON text: drops tasks and ops, shortens
// lists, simplifies values (exit codes to 0, counts to 1, option lists
// emptied), keeping each change only while `keep` (the same class of
// disagreement; false for a text that does not load) holds.  Deterministic:
// the candidates come in a fixed order.  At most `max_tries` calls of keep.
struct ShrinkResult {
  std::string text;
  unsigned tries = 0, accepted = 0;
};
ShrinkResult shrink(const std::string& text, const std::function<bool(const std::string&)>& keep,
                    unsigned max_tries = 300);

}  // namespace ukern::fuzz
