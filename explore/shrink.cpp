// The shrinker (explore/shrink.h): RapidCheck's shrink tree over choice vectors.
#include "explore/shrink.h"

#include "explore/check.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include <rapidcheck/Gen.h>
#include <rapidcheck/Random.h>
#include <rapidcheck/Seq.h>
#include <rapidcheck/Shrinkable.h>
#include <rapidcheck/seq/Transform.h>
#include <rapidcheck/shrink/Shrink.h>
#include <rapidcheck/shrinkable/Create.h>

#include "scenario/run.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"

namespace model {

namespace {

using Vec = std::vector<std::uint32_t>;

// The index of thread t among [default, the others ascending].
std::uint32_t index_of(const sim::ChoiceContext& c, sim::Tid t) {
  const sim::Tid def = sim::default_choice(c);
  if (t == def) return 0;
  std::uint32_t k = 1;
  for (sim::Tid e : c.enabled) {
    if (e == def) continue;
    if (e == t) return k;
    ++k;
  }
  return ~0u;  // not enabled
}

// Replays a schedule and records the index of each choice.
class RecordIndices final : public sim::Scheduler {
 public:
  explicit RecordIndices(std::vector<sim::Tid> s) : replay_(std::move(s)) {}
  void begin_run() override {
    replay_.begin_run();
    indices.clear();
  }
  sim::Tid choose(const sim::ChoiceContext& c) override {
    const sim::Tid t = replay_.choose(c);
    indices.push_back(index_of(c, t));
    return t;
  }
  Vec indices;

 private:
  sim::ReplayScheduler replay_;
};

// Follows a list of threads, taking the default where the named thread
// cannot run (a schedule edited in the middle stays meaningful after the
// edit); records the index of each choice and where it preempted.
class LenientReplay final : public sim::Scheduler {
 public:
  explicit LenientReplay(std::span<const sim::Tid> s) : s_(s) {}
  void begin_run() override {
    next_ = 0;
    taken.clear();
    preempted.clear();
  }
  sim::Tid choose(const sim::ChoiceContext& c) override {
    sim::Tid t = next_ < s_.size() ? s_[next_] : sim::default_choice(c);
    ++next_;
    if (!c.is_enabled(t)) t = sim::default_choice(c);
    if (c.is_enabled(c.current) && t != c.current) preempted.push_back(static_cast<std::uint32_t>(taken.size()));
    taken.push_back(index_of(c, t));
    return t;
  }
  Vec taken;
  Vec preempted;

 private:
  std::span<const sim::Tid> s_;
  std::size_t next_ = 0;
};

// Trailing defaults change nothing: drop them.
Vec trimmed(Vec v) {
  while (!v.empty() && v.back() == 0) v.pop_back();
  return v;
}

// RapidCheck's shrink tree of a container of integers rooted at `v`: remove
// chunks, then shrink each element towards 0 (what rc::gen::container of
// rc::gen::inRange shrinks by).
rc::Shrinkable<Vec> tree(Vec v) {
  return rc::shrinkable::shrinkRecur(std::move(v), [](const Vec& x) {
    return rc::seq::concat(rc::shrink::removeChunks(x), rc::shrink::eachElement(x, [](std::uint32_t e) {
                             return rc::shrink::towards<std::uint32_t>(e, 0);
                           }));
  });
}

// A generator whose every value is the given schedule, shrinking by its tree.
rc::Gen<Vec> from_schedule(Vec v) {
  return rc::Gen<Vec>([v](const rc::Random&, int) { return tree(v); });
}

class Runner {
 public:
  Runner(const Scenario& s, const ShrinkOptions& o)
      : simu_(s, explorer_run_config(o.run)), outcome_(o.outcome), max_tries_(o.max_tries), stop_(o.stop) {
    if (o.time_limit > 0)
      deadline_ =
          Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.time_limit));
    simu_.set_stop_flag(o.stop);
  }

  // The budget is spent: max_tries runs made, the deadline passed, or a
  // signal asked to stop.  Checked before each run; the last two are noted.
  bool spent() {
    if (tries >= max_tries_) return true;
    if (stop_ && stop_->load()) interrupted = true;
    if (deadline_ && Clock::now() >= *deadline_) timed_out = true;
    return interrupted || timed_out;
  }
  // Seconds left before the deadline (0: none set).
  double seconds_left() const {
    if (!deadline_) return 0;
    return std::max(1e-3, std::chrono::duration<double>(*deadline_ - Clock::now()).count());
  }

  // Runs a choice vector; the point when it breaks `p` (any property when
  // none is given yet), else nothing.
  std::optional<ShrinkPoint> run(const Vec& v, std::optional<Property>& p) {
    IndexScheduler sched(v);
    return run_with(
        sched, [&] { return sched.taken(); }, [&] { return sched.preempted(); }, p);
  }
  // The same with the threads of a schedule, leniently (LenientReplay).
  std::optional<ShrinkPoint> run_threads(std::span<const sim::Tid> threads, std::optional<Property>& p) {
    LenientReplay sched(threads);
    return run_with(
        sched, [&] { return sched.taken; }, [&] { return sched.preempted; }, p);
  }
  template <class Taken, class Preempted>
  std::optional<ShrinkPoint> run_with(sim::Scheduler& sched, Taken taken, Preempted preempted,
                                      std::optional<Property>& p) {
    ++tries;
    const RunOutput out = simu_.run(sched);
    if (out.engine.end == sim::RunEnd::Interrupted) {  // cut short: its end-of-run checks mean nothing
      interrupted = true;
      return std::nullopt;
    }
    if (outcome_) {  // the same end state, whatever it broke
      const Violation ends{Property::ModelInvariant, outcome_signature(simu_), out.engine.steps};
      if (out.engine.end == sim::RunEnd::Diverged || ends.message != *outcome_) return std::nullopt;
      ShrinkPoint pt = point(out, taken(), ends);
      pt.preempted = preempted();
      return pt;
    }
    const Violation* hit = nullptr;
    for (const Violation& viol : out.violations)
      if (!p || viol.property == *p) {
        hit = &viol;
        break;
      }
    if (!hit) return std::nullopt;
    p = hit->property;
    ShrinkPoint pt = point(out, taken(), *hit);
    pt.preempted = preempted();
    return pt;
  }

  static ShrinkPoint point(const RunOutput& out, const Vec& taken, const Violation& v) {
    ShrinkPoint pt;
    pt.indices = trimmed(taken);
    pt.threads.assign(out.engine.choices.begin(),
                      out.engine.choices.begin() + static_cast<std::ptrdiff_t>(out.engine.significant));
    pt.schedule = sim::encode_schedule(std::span(out.engine.choices).first(out.engine.significant));
    pt.preemptions = out.engine.preemptions;
    pt.steps = out.engine.steps;
    pt.message = v.message;
    pt.step = v.step;
    return pt;
  }

  Simulator simu_;
  std::optional<std::string> outcome_;  // ShrinkOptions::outcome
  std::uint64_t tries = 0;
  bool timed_out = false, interrupted = false;

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t max_tries_;
  const std::atomic<bool>* stop_;
  std::optional<Clock::time_point> deadline_;
};

bool not_worse(const ShrinkPoint& a, const ShrinkPoint& b) {
  return std::tie(a.preemptions, a.steps) <= std::tie(b.preemptions, b.steps);
}

}  // namespace

sim::Tid IndexScheduler::choose(const sim::ChoiceContext& c) {
  const std::uint32_t k = next_ < v_.size() ? v_[next_] : 0;
  ++next_;
  const auto m = static_cast<std::uint32_t>(c.enabled.size());
  const std::uint32_t idx = k % m;
  const sim::Tid def = sim::default_choice(c);
  sim::Tid t = def;
  std::uint32_t i = 1;
  for (sim::Tid e : c.enabled) {
    if (idx == 0) break;
    if (e == def) continue;
    if (i == idx) {
      t = e;
      break;
    }
    ++i;
  }
  if (c.is_enabled(c.current) && t != c.current) preempted_.push_back(static_cast<std::uint32_t>(taken_.size()));
  taken_.push_back(idx);
  return t;
}

namespace {

// Strictly better: fewer preemptions, then fewer steps.
bool better(const ShrinkPoint& a, const ShrinkPoint& b) {
  return std::tie(a.preemptions, a.steps) < std::tie(b.preemptions, b.steps);
}

// Walk RapidCheck's shrink tree greedily from `best`.
void walk_shrink_tree(Runner& runner, ShrinkPoint& best, std::optional<Property>& prop, const ShrinkOptions& o,
                      ShrinkResult& r) {
  rc::Shrinkable<Vec> cur = from_schedule(best.indices)(rc::Random(), 0);
  bool moved = true;
  while (moved && !runner.spent()) {
    moved = false;
    rc::Seq<rc::Shrinkable<Vec>> shrinks = cur.shrinks();
    while (auto next = shrinks.next()) {
      if (runner.spent()) break;
      const std::optional<ShrinkPoint> pt = runner.run(next->value(), prop);
      if (!pt || !not_worse(*pt, best)) continue;
      best = *pt;
      ++r.accepted;
      // Continue from the vector the run used (reduced indices, no trailing
      // defaults): its tree is the accepted shrink's, made smaller.
      cur = tree(best.indices);
      moved = true;
      break;
    }
  }
}

// The final pass: each non-default choice replaced by the default, until
// nothing changes.  Three ways, tried in order: in the choice vector (the
// choices after it keep their indices); in the schedule's threads (the
// choices after it keep their threads where they can run, the default
// where they cannot); the choice dropped from the threads (the later ones
// one choice point earlier).  Accepted only when strictly better, so the
// pass ends.
void default_each_choice(Runner& runner, ShrinkPoint& best, std::optional<Property>& prop, const ShrinkOptions& o,
                         ShrinkResult& r) {
  bool changed = true;
  while (changed && !runner.spent()) {
    changed = false;
    for (std::size_t i = 0; i < best.indices.size() && !runner.spent(); ++i) {
      if (best.indices[i] == 0) continue;
      Vec v = best.indices;
      v[i] = 0;
      std::optional<ShrinkPoint> pt = runner.run(v, prop);
      if ((!pt || !better(*pt, best)) && i < best.threads.size()) {
        std::vector<sim::Tid> threads = best.threads;
        threads[i] = sim::kNoTid;  // never enabled: the default
        pt = runner.run_threads(threads, prop);
        if (!pt || !better(*pt, best)) {  // or the choice dropped, the later ones one point earlier
          threads.erase(threads.begin() + static_cast<std::ptrdiff_t>(i));
          pt = runner.run_threads(threads, prop);
        }
      }
      if (!pt || !better(*pt, best)) continue;
      best = *pt;
      ++r.final_removed;
      changed = true;
    }
  }
}

// Then, while it helps: one preemption removed and another replaced by a
// switch to any thread of the schedule at any choice point (a bug that
// needs one switch at the right place, which the walk left as two).
void merge_two_preemptions(Runner& runner, ShrinkPoint& best, std::optional<Property>& prop, const ShrinkOptions& o,
                           ShrinkResult& r) {
  bool changed = true;
  while (changed && !runner.spent()) {
    changed = false;
    const ShrinkPoint from = best;
    for (std::uint32_t i : from.preempted) {
      for (std::uint32_t k : from.preempted) {
        if (k == i || k >= from.threads.size() || changed) continue;
        // The preempting thread first, then every other thread of the schedule.
        std::vector<sim::Tid> threads_of{from.threads[k]};
        for (sim::Tid t : from.threads)
          if (std::find(threads_of.begin(), threads_of.end(), t) == threads_of.end()) threads_of.push_back(t);
        for (sim::Tid u : threads_of)
          for (std::size_t j = 0; j < from.threads.size() + 16 && !changed && !runner.spent(); ++j) {
            std::vector<sim::Tid> threads = from.threads;
            threads.resize(std::max(threads.size(), j + 1), sim::kNoTid);
            if (i < threads.size()) threads[i] = sim::kNoTid;
            threads[k] = sim::kNoTid;
            threads[j] = u;
            const std::optional<ShrinkPoint> pt = runner.run_threads(threads, prop);
            if (!pt || !better(*pt, best)) continue;
            best = *pt;
            ++r.final_removed;
            changed = true;
          }
      }
      if (changed) break;
    }
  }
}

// Last, the proof: every schedule with fewer preemptions than the best,
// fewest first (iterative preemption bounding, CHESS-style), looking for
// the same property.  A hit is a counterexample the local moves could not
// reach (it then goes through the final pass again for its steps); a
// search that ends without one proves the preemption count minimal.
void search_fewer_preemptions(const Scenario& s, Runner& runner, ShrinkPoint& best, std::optional<Property>& prop,
                              const ShrinkOptions& o, ShrinkResult& r) {
  while (best.preemptions > 0 && !runner.spent()) {
    ExploreOptions x;
    x.strategy = Strategy::Dfs;
    x.iterative = true;
    x.preemption_bound = best.preemptions - 1;
    x.max_schedules = std::min<std::uint64_t>(o.max_search, o.max_tries - runner.tries);
    x.run = o.run;
    x.stop = o.stop;
    x.time_limit = runner.seconds_left();
    if (o.outcome)
      x.stop_when_outcome = *o.outcome;
    else
      x.stop_when_found.set(static_cast<std::size_t>(*prop));
    const Verdict v = check_scenario(s, x);
    runner.tries += v.schedules + v.redundant;
    runner.timed_out = runner.timed_out || v.timed_out;
    runner.interrupted = runner.interrupted || v.interrupted;
    const ScheduleRef* hit = nullptr;
    if (o.outcome) {
      const auto c = std::find_if(v.outcomes.begin(), v.outcomes.end(),
                                  [&](const OutcomeClass& oc) { return oc.signature == *o.outcome; });
      if (c != v.outcomes.end()) hit = &c->example;
    } else {
      const auto f = std::find_if(v.violations.begin(), v.violations.end(),
                                  [&](const FoundViolation& fv) { return fv.property == *prop; });
      if (f != v.violations.end()) hit = &f->where;
    }
    if (!hit) {
      r.minimal = v.complete;
      break;
    }
    const std::optional<std::vector<sim::Tid>> threads = sim::decode_schedule(hit->schedule);
    std::optional<ShrinkPoint> pt = threads ? runner.run_threads(*threads, prop) : std::nullopt;
    if (!pt || !better(*pt, best)) break;  // cannot happen: a replay of the search's own run
    best = *pt;
    ++r.searched;
    // Fewer steps at the same preemption count, by the final pass's first move.
    for (bool again = true; again && !runner.spent();) {
      again = false;
      for (std::size_t i = 0; i < best.indices.size() && !runner.spent(); ++i) {
        if (best.indices[i] == 0) continue;
        Vec w = best.indices;
        w[i] = 0;
        const std::optional<ShrinkPoint> q = runner.run(w, prop);
        if (!q || !better(*q, best)) continue;
        best = *q;
        again = true;
      }
    }
  }
}

}  // namespace

ShrinkResult shrink_schedule(const Scenario& s, std::span<const sim::Tid> schedule, const ShrinkOptions& o) {
  ShrinkResult r;
  Runner runner(s, o);

  // The original, and its choice vector.
  Simulator simu(s, explorer_run_config(o.run));
  RecordIndices rec(std::vector<sim::Tid>(schedule.begin(), schedule.end()));
  const RunOutput out = simu.run(rec);
  ++runner.tries;
  if (out.engine.end == sim::RunEnd::Diverged) {
    r.error = "the schedule diverged: it names a thread that cannot run at that point";
    r.failure = ShrinkResult::Failure::Diverged;
    return r;
  }
  const Violation* first = nullptr;
  const Violation ends{Property::ModelInvariant, o.outcome ? outcome_signature(simu) : std::string(), out.engine.steps};
  if (o.outcome) {
    if (ends.message == *o.outcome) first = &ends;
  } else {
    for (const Violation& v : out.violations)
      if (!o.property || v.property == *o.property) {
        first = &v;
        break;
      }
  }
  if (!first) {
    r.error = o.outcome    ? std::string("the schedule does not end in that outcome")
              : o.property ? std::string("the schedule does not break ") + property_name(*o.property)
                           : std::string("the schedule breaks no property");
    r.failure = ShrinkResult::Failure::NothingBroken;
    return r;
  }
  std::optional<Property> prop = first->property;
  r.property = first->property;
  r.before = Runner::point(out, rec.indices, *first);
  ShrinkPoint best = r.before;
  if (auto again = runner.run(best.indices, prop)) best = *again;  // the same run, with its preemption points

  walk_shrink_tree(runner, best, prop, o, r);
  if (o.final_pass) {
    default_each_choice(runner, best, prop, o, r);
    merge_two_preemptions(runner, best, prop, o, r);
    search_fewer_preemptions(s, runner, best, prop, o, r);
  }
  if (best.preemptions == 0) r.minimal = true;
  if (runner.tries >= o.max_tries) r.exhausted = true;
  r.timed_out = runner.timed_out;
  r.interrupted = runner.interrupted;
  r.after = best;
  r.tries = runner.tries;
  r.ok = true;
  return r;
}

}  // namespace model
