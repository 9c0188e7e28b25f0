#include "sim/explore/dfs.h"

#include <algorithm>
#include <bit>

#include "sim/hash.h"

namespace sim {

namespace {

std::uint64_t key_of(std::span<const Tid> choices, std::uint32_t depth) {
  const std::size_t n = std::min<std::size_t>(choices.size(), depth);
  std::uint64_t h = hash_mix(kHashSeed, n);
  for (std::size_t i = 0; i < n; ++i) h = hash_mix(h, choices[i]);
  return h;
}

// Knuth's estimator: a uniformly random walk within the preemption bound;
// the product of the number of children along it.
class ProbeSched final : public Scheduler {
 public:
  ProbeSched(Rng& rng, std::uint32_t bound) : rng_(rng), bound_(bound) {}
  void begin_run() override {
    product_ = 1;
    cost_ = 0;
  }
  Tid choose(const ChoiceContext& c) override {
    const bool cur = c.is_enabled(c.current);
    if (cur && cost_ >= bound_) return c.current;  // only the default child
    product_ *= static_cast<double>(c.enabled.size());
    const Tid t = c.enabled[rng_.below(c.enabled.size())];
    if (cur && t != c.current) ++cost_;
    return t;
  }
  double product() const { return product_; }

 private:
  Rng& rng_;
  std::uint32_t bound_;
  double product_ = 1;
  std::uint32_t cost_ = 0;
};

}  // namespace

// Follows a prefix, then the default policy; records what expand() needs.
class DfsExplorer::Sched final : public Scheduler {
 public:
  explicit Sched(DfsExplorer& x) : x_(x) {}

  void start(const Prefix& p) {
    prefix_ = &p;
    plen_ = p.len + (p.alt != kNoTid ? 1u : 0u);
  }
  void begin_run() override {
    en_off_.assign(1, 0);
    en_.clear();
    cur_en_.clear();
    last_.clear();
    cost_ = 0;
    chosen_.clear();
    aborted_at_ = ~0u;
    prev_node_ = ~0u;
    prev_tid_ = kNoTid;
    prev_step_ = 0;
  }
  Tid choose(const ChoiceContext& c) override {
    const std::uint32_t i = c.choice;
    if (x_.over_budget(i)) {
      aborted_at_ = i;
      return kNoTid;  // end the run (diverged): next() stops there
    }
    // States after the prefix are checked; the graph also needs the state
    // the prefix branches from.
    if (x_.opt_.stateful && (i >= plen_ || (x_.opt_.graph && i + 1 == plen_)) && visit(c, i >= plen_)) {
      aborted_at_ = i;
      return kNoTid;  // a state seen before: end the run (diverged)
    }
    en_.insert(en_.end(), c.enabled.begin(), c.enabled.end());
    en_off_.push_back(static_cast<std::uint32_t>(en_.size()));
    const bool cur = c.is_enabled(c.current);
    cur_en_.push_back(cur);
    last_.push_back(c.current);
    Tid t;
    if (i < prefix_->len)
      t = (*prefix_->base)[i];
    else if (i == prefix_->len && prefix_->alt != kNoTid)
      t = prefix_->alt;
    else
      t = default_choice(c);
    if (cur && t != c.current) ++cost_;
    prev_tid_ = t;
    if (x_.opt_.keep_merges) chosen_.push_back(t);
    return t;
  }
  // After the run: the final state of a stateful run.
  void end_state(const RunResult& r) {
    if (!x_.opt_.graph || aborted_at_ != ~0u) return;
    StateGraph& g = *x_.opt_.graph;
    const std::uint32_t n = g.node(x_.prog_.state_hash());
    if (prev_node_ != ~0u) g.edge(prev_node_, n, prev_tid_, static_cast<std::uint32_t>(r.steps - prev_step_));
    g.mark_terminal(n, r.end);
  }

  std::span<const Tid> enabled(std::size_t i) const {
    return std::span<const Tid>(en_).subspan(en_off_[i], en_off_[i + 1] - en_off_[i]);
  }
  bool current_enabled(std::size_t i) const { return cur_en_[i]; }
  Tid last(std::size_t i) const { return last_[i]; }
  std::size_t points() const { return cur_en_.size(); }
  std::uint32_t aborted_at() const { return aborted_at_; }
  // What the run in progress records per choice point.
  std::uint64_t bytes() const {
    return (en_.size() + en_off_.size() + last_.size()) * sizeof(Tid) + cur_en_.size() / 8;
  }

 private:
  // Records the state; true when it was reached before with no more preemptions.
  bool visit(const ChoiceContext& c, bool prune) {
    const std::uint64_t h = x_.prog_.state_hash();
    if (StateGraph* g = x_.opt_.graph) {
      const std::uint32_t n = g->node(h);
      g->at_choice(n, c.enabled, c.current);
      if (prev_node_ != ~0u)
        g->edge(prev_node_, n, prev_tid_, static_cast<std::uint32_t>(c.step - prev_step_), c.current);
      prev_node_ = n;
      prev_step_ = c.step;
    }
    if (!prune) return false;
    const std::uint64_t key = hash_mix(h, c.current);
    auto [it, fresh] = x_.visited_.try_emplace(key, cost_);
    // keep_merges: each state (by its hash alone: the running thread only
    // decides what the default policy does next) remembers the schedule that
    // reached it first; a later one is a merge: pruned here, explored again
    // with fewer preemptions, or continued from it with another thread
    // running.  The graph takes the two for one state either way.
    if (x_.merges_.size() < x_.opt_.keep_merges) {
      auto [f, first] = x_.first_.try_emplace(h, chosen_);
      if (first)
        x_.first_bytes_ += 64 + chosen_.size() * sizeof(Tid);
      else
        x_.merges_.push_back(MergedPair{f->second, chosen_});
    }
    if (fresh) return false;
    if (it->second <= cost_) return true;
    it->second = cost_;
    return false;
  }

  DfsExplorer& x_;
  const Prefix* prefix_ = nullptr;
  std::uint32_t plen_ = 0;
  std::vector<Tid> en_;
  std::vector<std::uint32_t> en_off_;
  std::vector<bool> cur_en_;
  std::vector<Tid> last_;
  std::uint32_t cost_ = 0;
  std::vector<Tid> chosen_;  // keep_merges: the choices of the run so far
  std::uint32_t aborted_at_ = ~0u;
  std::uint32_t prev_node_ = ~0u;
  Tid prev_tid_ = kNoTid;
  std::uint64_t prev_step_ = 0;
};

DfsExplorer::DfsExplorer(Program& p, DfsOptions o)
    : prog_(p), opt_(o), sched_(std::make_unique<Sched>(*this)), rng_(o.seed) {
  if (opt_.preemption_bound) bound_ = *opt_.preemption_bound;
  if (!opt_.iterative) level_ = bound_;
  if (opt_.shard.active())
    shard_depth_ =
        opt_.shard_depth ? opt_.shard_depth : static_cast<std::uint32_t>(std::bit_width(opt_.shard.count - 1)) + 3;
  stack_.push_back(Prefix{});
}

DfsExplorer::~DfsExplorer() = default;

bool DfsExplorer::next() {
  if (over_budget(0)) return false;  // what the last run left is too much
  for (;;) {
    while (stack_.empty()) {
      // The next preemption level that has schedules waiting.
      std::size_t next = std::size_t{level_} + 1;
      while (next < deferred_.size() && deferred_[next].empty()) ++next;
      if (level_ >= bound_ || next >= deferred_.size()) {
        done_ = true;
        return false;
      }
      level_ = static_cast<std::uint32_t>(next);
      stack_.swap(deferred_[level_]);
      frontier_ -= stack_.size();
      std::reverse(stack_.begin(), stack_.end());  // first deferred, first run
    }
    const Prefix p = std::move(stack_.back());
    stack_.pop_back();
    sched_->start(p);
    RunResult r = prog_.run(*sched_, nullptr);
    if (out_of_memory_ || (p.parent && r.end == RunEnd::Interrupted)) {
      finish_run(std::move(r), false);  // the caller stops: what p stood for is not needed
      return true;
    }
    if (p.parent) {  // its children of this level come back; the run itself was counted before
      expand(p, r, true);
      continue;
    }
    sched_->end_state(r);
    const bool mine =
        !opt_.shard.active() || shard_owner(key_of(r.choices, shard_depth_), opt_.shard.count) == opt_.shard.index;
    const bool aborted = sched_->aborted_at() != ~0u;
    expand(p, r);
    finish_run(std::move(r), mine && !aborted);
    if (stack_.empty() && !waiting()) done_ = true;  // complete() without another call
    return true;
  }
}

bool DfsExplorer::waiting() const {
  if (level_ >= bound_) return false;
  for (std::size_t c = std::size_t{level_} + 1; c < deferred_.size(); ++c)
    if (!deferred_[c].empty()) return true;
  return false;
}

void DfsExplorer::expand(const Prefix& p, const RunResult& r, bool regrow) {
  const Sched& s = *sched_;
  const std::uint32_t plen = p.len + (p.alt != kNoTid ? 1u : 0u);
  std::size_t end = s.points();  // choice points with a record (an aborted run stops early)
  const bool mine =
      !opt_.shard.active() || shard_owner(key_of(r.choices, shard_depth_), opt_.shard.count) == opt_.shard.index;
  if (!mine) end = std::min<std::size_t>(end, shard_depth_);
  if (end <= plen) return;
  // The choices the children share, counted in base_bytes_ while one lives.
  const std::uint64_t bytes = sizeof(std::vector<Tid>) + end * sizeof(Tid);
  base_bytes_ += bytes;
  std::shared_ptr<const std::vector<Tid>> base(
      new std::vector<Tid>(r.choices.begin(), r.choices.begin() + static_cast<std::ptrdiff_t>(end)),
      [this, bytes](const std::vector<Tid>* v) {
        base_bytes_ -= bytes;
        delete v;
      });
  bool deferred = false;
  std::vector<Prefix> regrown;  // regrow: the deferred children, in the order they were deferred
  // Children in reverse so that the stack pops them in order (shallow first).
  for (std::size_t i = end; i-- > plen;) {
    const auto en = s.enabled(i);
    for (std::size_t k = en.size(); k-- > 0;) {
      const Tid alt = en[k];
      if (alt == r.choices[i]) continue;
      const std::uint32_t cost = p.cost + (s.current_enabled(i) && alt != s.last(i) ? 1u : 0u);
      if (cost > bound_) {
        cut_ = true;
        continue;
      }
      Prefix child{base, static_cast<std::uint32_t>(i), alt, cost};
      if (regrow) {
        if (cost > p.cost) regrown.push_back(std::move(child));
      } else if (cost <= level_) {
        stack_.push_back(std::move(child));
      } else if (opt_.stateful) {
        defer(std::move(child), cost);
      } else {
        deferred = true;  // one entry for them all: this run's prefix (DfsExplorer, above)
      }
    }
  }
  if (deferred) {
    Prefix again = p;
    again.parent = true;
    defer(std::move(again), p.cost + 1);
  }
  stack_.insert(stack_.end(), std::make_move_iterator(regrown.rbegin()), std::make_move_iterator(regrown.rend()));
}

void DfsExplorer::defer(Prefix p, std::uint32_t level) {
  if (deferred_.size() <= level) deferred_.resize(level + 1);
  deferred_[level].push_back(std::move(p));
  ++frontier_;
}

std::uint64_t DfsExplorer::memory() const {
  // An unordered_map entry: its pair, the node's next pointer and a bucket.
  constexpr std::uint64_t kVisited = sizeof(std::pair<const std::uint64_t, std::uint32_t>) + 2 * sizeof(void*);
  std::uint64_t b =
      base_bytes_ + (stack_.size() + frontier_) * sizeof(Prefix) + sched_->bytes() + visited_.size() * kVisited;
  if (opt_.graph) b += opt_.graph->bytes();
  return b + first_bytes_;
}

void DfsExplorer::probe() {
  ProbeSched ps(rng_, bound_);
  RunResult r = prog_.run(ps, nullptr);
  probe_sum_ += ps.product();
  ++probes_;
  stats_.steps += r.steps;
}

}  // namespace sim
