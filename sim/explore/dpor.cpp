#include "sim/explore/dpor.h"

#include <algorithm>
#include <bit>
#include <unordered_map>

#include "sim/hash.h"

namespace sim {

namespace {

bool contains(const std::vector<Tid>& v, Tid t) { return std::find(v.begin(), v.end(), t) != v.end(); }

template <class S>
bool has_tid(const std::vector<S>& v, Tid t) {
  return std::any_of(v.begin(), v.end(), [t](const S& s) { return s.tid == t; });
}

// What the analysis of a run remembers of a shared object: its last write,
// lock acquire and release, and the reads since the last write.
struct ObjHistory {
  std::int64_t write = -1, acq = -1, rel = -1;
  std::vector<std::uint32_t> reads;  // since the last write, the latest per thread
};
using Objects = std::unordered_map<std::uint32_t, ObjHistory>;

// An earlier step that the step being analysed depends on directly.
struct Cand {
  std::uint32_t step;
  bool eligible;      // a race candidate (not only a happens-before edge)
  std::int64_t excl;  // a lock acquire's candidate: the release not to count
};

void add_cand(std::vector<Cand>& cands, std::int64_t s, bool eligible, std::int64_t excl = -1) {
  if (s < 0) return;
  for (Cand& c : cands)
    if (c.step == s) {
      if (eligible && !c.eligible) {
        c.eligible = true;
        c.excl = excl;
      }
      return;
    }
  cands.push_back(Cand{static_cast<std::uint32_t>(s), eligible, excl});
}

// The candidates a step's accesses give: the last conflicting accesses of
// each object it touches.
void object_cands(const std::vector<Dep>& deps, Objects& objs, std::vector<Cand>& cands) {
  for (const Dep& d : deps) {
    if (d.kind == DepKind::Global) continue;
    ObjHistory& o = objs[d.obj];
    switch (d.kind) {
      case DepKind::Read:
        add_cand(cands, o.write, true);
        add_cand(cands, o.rel, true);
        break;
      case DepKind::Write:
        add_cand(cands, o.write, true);
        for (std::uint32_t r : o.reads) add_cand(cands, r, true);
        add_cand(cands, o.acq, true);
        add_cand(cands, o.rel, true);
        break;
      case DepKind::Acquire:
        add_cand(cands, o.rel, false);
        add_cand(cands, o.acq, true, o.rel);
        add_cand(cands, o.write, true);
        for (std::uint32_t r : o.reads) add_cand(cands, r, true);
        break;
      case DepKind::Release:
        add_cand(cands, o.acq, true);
        add_cand(cands, o.write, true);
        for (std::uint32_t r : o.reads) add_cand(cands, r, true);
        break;
      case DepKind::Global: break;
    }
  }
}

// Step j of thread q becomes the latest access of each object it touches.
void record_accesses(const std::vector<Dep>& deps, std::size_t j, Tid q, const std::vector<Tid>& tid, Objects& objs) {
  for (const Dep& d : deps) {
    if (d.kind == DepKind::Global) continue;
    ObjHistory& o = objs[d.obj];
    switch (d.kind) {
      case DepKind::Read: {
        auto it = std::find_if(o.reads.begin(), o.reads.end(), [&](std::uint32_t r) { return tid[r] == q; });
        if (it != o.reads.end())
          *it = static_cast<std::uint32_t>(j);
        else
          o.reads.push_back(static_cast<std::uint32_t>(j));
        break;
      }
      case DepKind::Write:
        o.write = static_cast<std::int64_t>(j);
        o.reads.clear();
        break;
      case DepKind::Acquire: o.acq = static_cast<std::int64_t>(j); break;
      case DepKind::Release: o.rel = static_cast<std::int64_t>(j); break;
      case DepKind::Global: break;
    }
  }
}

}  // namespace

// Replays the choices down to the node being branched, takes the new
// thread there, then goes on with a thread that is not asleep (the current
// one if it can, else the lowest), keeping the sleep set step by step.
class DporExplorer::Sched final : public Scheduler {
 public:
  explicit Sched(DporExplorer& x) : x_(x) {}

  void begin_run() override {
    processed_ = 0;
    sleep_.clear();
    blocked_ = false;
    aborted_ = false;
    foreign_ = false;
  }

  Tid choose(const ChoiceContext& c) override {
    const std::size_t i = c.choice;
    std::vector<Node>& nodes = x_.nodes_;
    if (i < x_.target_) return nodes[i].chosen;
    if (i == x_.target_ && i < nodes.size()) {
      Node& n = nodes[i];
      sleep_ = n.sleep;
      sleep_.insert(sleep_.end(), n.done.begin(), n.done.end());
      if (!x_.opt_.sleep_sets) sleep_.clear();
      n.chosen = x_.target_choice_;
      processed_ = c.step;
      return n.chosen;
    }
    catch_up();
    if (blocked_) return abort();
    if (x_.over_budget(i)) return abort();  // next() stops without analysing the run
    if (x_.shard_depth_ && i == x_.shard_depth_ && !mine(i)) {
      foreign_ = true;
      return abort();
    }
    Node n;
    n.step = static_cast<std::uint32_t>(c.step);
    n.last = c.current;
    n.enabled.assign(c.enabled.begin(), c.enabled.end());
    n.sleep = sleep_;
    Tid t = kNoTid;
    if (c.is_enabled(c.current) && !has_tid(sleep_, c.current)) {
      t = c.current;
    } else {
      for (Tid e : c.enabled)
        if (!has_tid(sleep_, e)) {
          t = e;
          break;
        }
    }
    if (t == kNoTid) {
      blocked_ = true;  // every enabled thread is asleep
      return abort();
    }
    n.chosen = t;
    if (i < x_.shard_depth_) {
      for (Tid e : c.enabled)
        if (!has_tid(sleep_, e)) n.backtrack.push_back(e);
    } else {
      n.backtrack.push_back(t);
    }
    x_.node_bytes_ += node_bytes(n);
    x_.threads_seen_ = std::max<std::size_t>(x_.threads_seen_, c.enabled.back() + 1);
    nodes.push_back(std::move(n));
    return t;
  }

  // Steps since the last call wake the sleepers they depend on; a sleeping
  // thread that has to run means the run only repeats explored traces.
  void catch_up() {
    const auto& steps = x_.trace_.steps;
    for (; processed_ < steps.size(); ++processed_) {
      if (sleep_.empty()) {
        processed_ = steps.size();
        break;
      }
      step_deps(x_.trace_, processed_, deps_);
      const Tid t = steps[processed_].tid;
      if (has_tid(sleep_, t)) blocked_ = true;
      std::erase_if(sleep_, [&](const Sleeper& s) { return s.tid == t || dependent(s.deps, deps_); });
    }
  }

  // Whether the schedule's first choices (its shard key) are this shard's.
  bool mine(std::size_t n) const {
    if (!x_.opt_.shard.active()) return true;
    std::uint64_t h = hash_mix(kHashSeed, n);
    for (std::size_t k = 0; k < n; ++k) h = hash_mix(h, x_.nodes_[k].chosen);
    return shard_owner(h, x_.opt_.shard.count) == x_.opt_.shard.index;
  }

  bool blocked() const { return blocked_; }
  bool aborted() const { return aborted_; }
  bool foreign() const { return foreign_; }

 private:
  Tid abort() {
    aborted_ = true;
    return kNoTid;  // the engine ends the run as diverged
  }

  DporExplorer& x_;
  std::size_t processed_ = 0;
  std::vector<Sleeper> sleep_;
  std::vector<Dep> deps_;
  bool blocked_ = false, aborted_ = false, foreign_ = false;
};

DporExplorer::DporExplorer(Program& p, DporOptions o) : prog_(p), opt_(o), sched_(std::make_unique<Sched>(*this)) {
  if (opt_.shard.active())
    shard_depth_ =
        opt_.shard_depth ? opt_.shard_depth : static_cast<std::uint32_t>(std::bit_width(opt_.shard.count - 1)) + 3;
}

DporExplorer::~DporExplorer() = default;

bool DporExplorer::next() {
  if (done_ || over_budget(0)) return false;  // over_budget: what the last run left is too much
  RunResult r = prog_.run(*sched_, &trace_);
  if (out_of_memory_) {  // abandoned at a choice point: its analysis would need more
    finish_run(std::move(r), false);
    return true;
  }
  sched_->catch_up();  // the steps after the last choice point
  // The explored step of every node this run created or branched at.
  const std::size_t first_node = target_;
  std::vector<Dep> deps;
  for (std::size_t k = first_node; k < nodes_.size(); ++k) {
    Node& n = nodes_[k];
    if (n.step >= trace_.steps.size()) break;
    step_deps(trace_, n.step, deps);
    n.done.push_back(Sleeper{n.chosen, deps});
  }
  const std::size_t first_new = first_node < nodes_.size() ? nodes_[first_node].step : 0;
  analyse(first_new);
  if (r.end == RunEnd::StepLimit) starved();
  bool counted = !sched_->aborted() && !sched_->blocked();
  if (counted && shard_depth_ && nodes_.size() <= shard_depth_) counted = sched_->mine(nodes_.size());
  if (sched_->blocked()) ++dstats_.sleep_blocked;
  finish_run(std::move(r), counted);
  if (!pick_next()) done_ = true;
  node_bytes_ = 0;
  for (const Node& n : nodes_) node_bytes_ += node_bytes(n);
  return true;
}

std::uint64_t DporExplorer::node_bytes(const Node& n) {
  std::uint64_t b = sizeof(Node) + (n.enabled.size() + n.backtrack.size()) * sizeof(Tid);
  for (const std::vector<Sleeper>* set : {&n.done, &n.sleep})
    for (const Sleeper& s : *set) b += sizeof(Sleeper) + s.deps.size() * sizeof(Dep);
  return b;
}

std::uint64_t DporExplorer::memory() const {
  const std::uint64_t steps = trace_.steps.size();
  const std::uint64_t threads = std::max<std::size_t>({threads_, threads_seen_, 1});
  // analyse(): tid_, local_, global_, by_thread_ and the vector clocks.
  const std::uint64_t per_step = sizeof(StepRec) + sizeof(Tid) + 4 + 1 + 4 + 4 * threads;
  return node_bytes_ + steps * per_step + trace_.notes.size() * sizeof(Access) +
         nodes_.size() * sizeof(Tid);  // the run's choices
}

// A run cut at the step limit is not maximal: a thread p that was enabled
// but never ran again has a next step that was never executed, so no race
// of it can be seen (a `forever` loop beside another thread would be one
// schedule).  Its unknown step is taken as dependent with everything: for
// each other thread q that ran after p's last step, p races with q's last
// step there, so p is tried at the choice point of that step (or the
// nearest earlier one after p's last step where p was enabled).  A
// truncated space is therefore never reported complete on a guess.
void DporExplorer::starved() {
  const auto& steps = trace_.steps;
  if (nodes_.empty()) return;
  std::vector<std::int64_t> last;  // each thread's last executed step, by thread id
  for (std::size_t k = 0; k < steps.size(); ++k) {
    if (steps[k].tid >= last.size()) last.resize(steps[k].tid + 1, -1);
    last[steps[k].tid] = static_cast<std::int64_t>(k);
  }
  for (Tid p : nodes_.back().enabled) {
    const std::int64_t lp = p < last.size() ? last[p] : -1;
    for (Tid q = 0; q < last.size(); ++q) {
      const std::int64_t lq = last[q];
      if (q == p || lq <= lp) continue;
      // The last node at or before q's last step, after p's, where p could run.
      for (std::size_t k = nodes_.size(); k-- > 0;) {
        Node& m = nodes_[k];
        if (static_cast<std::int64_t>(m.step) <= lp) break;
        if (static_cast<std::int64_t>(m.step) > lq || !contains(m.enabled, p)) continue;
        if (m.chosen != p && !has_tid(m.sleep, p) && !contains(m.backtrack, p)) m.backtrack.push_back(p);
        break;
      }
    }
  }
}

bool DporExplorer::pick_next() {
  for (std::size_t k = nodes_.size(); k-- > 0;) {
    const Node& n = nodes_[k];
    for (Tid t : n.backtrack) {
      if (has_tid(n.done, t) || has_tid(n.sleep, t)) continue;
      report_done(k + 1);
      nodes_.resize(k + 1);
      target_ = k;
      target_choice_ = t;
      return true;
    }
  }
  report_done(0);
  return false;
}

void DporExplorer::report_done(std::size_t from) {
  if (!on_node_done) return;
  std::vector<Tid> prefix, done, sleep;
  for (const Node& n : nodes_) prefix.push_back(n.chosen);
  for (std::size_t k = nodes_.size(); k-- > from;) {
    const Node& n = nodes_[k];
    done.clear();
    sleep.clear();
    for (const Sleeper& s : n.done) done.push_back(s.tid);
    for (const Sleeper& s : n.sleep) sleep.push_back(s.tid);
    on_node_done(NodeView{std::span<const Tid>(prefix).first(k), done, sleep, n.enabled});
  }
}

// Happens-before over the whole run (vector clocks), and the races of every
// step from `first_new` on (the earlier ones were handled by earlier runs).
void DporExplorer::analyse(std::size_t first_new) {
  const auto& steps = trace_.steps;
  const std::size_t n = steps.size();
  Tid max_tid = 0;
  for (const StepRec& s : steps) max_tid = std::max(max_tid, s.tid);
  threads_ = n ? max_tid + 1 : 0;
  const std::size_t T = threads_;
  tid_.resize(n);
  local_.resize(n);
  global_.resize(n);
  vc_.assign(n * T, 0);
  by_thread_.assign(T, {});
  std::vector<std::uint32_t> count(T, 0);
  std::vector<std::int64_t> last(T, -1);
  std::int64_t last_global = -1;
  Objects objs;
  std::vector<Cand> cands;

  for (std::size_t j = 0; j < n; ++j) {
    const Tid q = steps[j].tid;
    step_deps(trace_, j, deps_);
    const bool g = has_global(deps_);
    tid_[j] = q;
    local_[j] = ++count[q];
    global_[j] = g;
    by_thread_[q].push_back(static_cast<std::uint32_t>(j));

    cands.clear();
    add_cand(cands, last[q], false);
    if (last_global >= 0 && tid_[last_global] != q) add_cand(cands, last_global, true);
    if (g)
      for (Tid s = 0; s < T; ++s)
        if (s != q && last[s] >= 0) add_cand(cands, last[s], true);
    object_cands(deps_, objs, cands);
    pred_.clear();
    for (const Cand& c : cands) pred_.push_back(c.step);
    // A step that begins with a lock acquire is, for the lock's race, only
    // its acquire: what it does inside the critical section comes after.
    acq_pred_.clear();
    if (last[q] >= 0) acq_pred_.push_back(static_cast<std::uint32_t>(last[q]));
    if (last_global >= 0 && tid_[last_global] != q) acq_pred_.push_back(static_cast<std::uint32_t>(last_global));

    if (j >= first_new) {
      for (const Cand& c : cands) {
        const std::uint32_t e = c.step;
        if (!c.eligible || tid_[e] == q) continue;
        const Tid p = tid_[e];
        const std::vector<std::uint32_t>& preds = c.excl >= 0 ? acq_pred_ : pred_;
        bool direct = true;
        for (std::uint32_t d : preds) {
          if (d == e || static_cast<std::int64_t>(d) == c.excl) continue;
          if (vc_[d * T + p] >= local_[e]) {
            direct = false;
            break;
          }
        }
        if (direct) race(e, j, c.excl, preds);
      }
    }

    std::uint32_t* row = &vc_[j * T];
    for (std::uint32_t d : pred_) {
      const std::uint32_t* pr = &vc_[d * T];
      for (std::size_t s = 0; s < T; ++s) row[s] = std::max(row[s], pr[s]);
    }
    row[q] = local_[j];

    last[q] = static_cast<std::int64_t>(j);
    if (g) last_global = static_cast<std::int64_t>(j);
    record_accesses(deps_, j, q, tid_, objs);
  }
}

// e < j is a race: make the choice point before e try an initial of
// v = notdep(e).j, unless it already tries one.
void DporExplorer::race(std::size_t e, std::size_t j, std::int64_t lock_rel, const std::vector<std::uint32_t>& preds) {
  const std::uint32_t ci = trace_.steps[e].choice;
  if (ci == ~0u || ci >= nodes_.size()) return;  // e ran alone: nothing else could go first
  Node& n = nodes_[ci];
  const std::size_t T = threads_;
  const Tid p = tid_[e], q = tid_[j];
  const std::uint32_t le = local_[e];
  auto hb_after_e = [&](std::size_t x) { return vc_[x * T + p] >= le; };

  // The first step of each thread in v (its later v-steps cannot be initial).
  std::vector<std::int64_t> first(T, -1);
  for (Tid s = 0; s < T; ++s) {
    if (s == p) continue;
    const auto& L = by_thread_[s];
    auto it = std::upper_bound(L.begin(), L.end(), static_cast<std::uint32_t>(e));
    if (it != L.end() && *it < j && !hb_after_e(*it)) first[s] = *it;
  }
  // j's clock without what happens after e.
  vcq_.assign(T, 0);
  for (std::uint32_t d : preds) {
    if (d == e || static_cast<std::int64_t>(d) == lock_rel || hb_after_e(d)) continue;
    for (std::size_t s = 0; s < T; ++s) vcq_[s] = std::max(vcq_[s], vc_[d * T + s]);
  }
  auto no_v_pred = [&](auto clock_of, Tid self) {
    for (Tid s = 0; s < T; ++s)
      if (s != self && first[s] >= 0 && clock_of(s) >= local_[first[s]]) return false;
    return true;
  };
  std::vector<Tid> initials;
  for (Tid s = 0; s < T; ++s) {
    if (first[s] < 0) continue;
    const std::size_t x = static_cast<std::size_t>(first[s]);
    if (no_v_pred([&](Tid t) { return vc_[x * T + t]; }, s)) initials.push_back(s);
  }
  if (first[q] < 0 && no_v_pred([&](Tid t) { return vcq_[t]; }, q)) initials.push_back(q);

  // j could not run there (it was asleep and e or a release woke it): not
  // reversible.  A released step cannot come before a step of a thread that
  // could run, whatever else goes first.
  const bool q_initial = contains(initials, q);
  if ((q_initial || global_[j]) && !contains(n.enabled, q)) return;
  for (Tid s : initials)
    if (contains(n.backtrack, s) || has_tid(n.done, s)) return;
  Tid pick = kNoTid;
  if (q_initial) {
    pick = q;
  } else {
    for (Tid s : initials)
      if (contains(n.enabled, s)) {
        pick = s;
        break;
      }
  }
  if (pick != kNoTid) {
    n.backtrack.push_back(pick);
  } else {
    for (Tid s : n.enabled)  // cannot happen when every enabling is recorded; stay sound
      if (!contains(n.backtrack, s)) n.backtrack.push_back(s);
  }
  ++dstats_.races;
}

double DporExplorer::estimate() const {
  double frac = 0, weight = 1;
  for (const Node& n : nodes_) {
    std::size_t children = 0;
    for (Tid t : n.backtrack)
      if (!has_tid(n.sleep, t)) ++children;
    if (!children) continue;
    const double done = n.done.empty() ? 0 : static_cast<double>(n.done.size() - 1);
    frac += weight * done / static_cast<double>(children);
    weight /= static_cast<double>(children);
  }
  const double runs = static_cast<double>(stats_.executions + stats_.redundant);
  return frac > 0 ? runs / frac : 0;
}

}  // namespace sim
