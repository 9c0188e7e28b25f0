// Is the state hash exact? (sim/explore/merge_check.h)
#include "sim/explore/merge_check.h"

#include <cstring>

#include <fmt/format.h>

#include "sim/rng.h"

namespace sim {

namespace {

// What one run looks like from the merge point on.
struct Tail {
  bool reached = false;          // the run got to the merge point
  std::uint64_t merge_step = 0;  // steps executed before it
  // At each choice point from the merge point on: the state and what could run.
  std::vector<std::uint64_t> hashes;
  std::vector<std::vector<Tid>> enabled;
  std::vector<Tid> current;
  std::vector<std::uint64_t> steps_at;  // steps executed before each of those choice points
  RunResult result;
  std::uint64_t final_hash = 0;
  Trace trace;
  std::vector<std::string> sites;  // at the merge point: each thread's frames (Engine::frame_sites)
};

// The prefix, then the continuation: the default policy, or random choices
// by position in the enabled set.
class MergeSched final : public Scheduler {
 public:
  MergeSched(Program& prog, const std::vector<Tid>& prefix, std::uint32_t continuation, std::uint64_t seed, Tail& t)
      : prog_(prog), prefix_(prefix), cont_(continuation), rng_(seed * 0x9e3779b97f4a7c15ULL + continuation), t_(t) {}
  Tid choose(const ChoiceContext& c) override {
    if (c.choice < prefix_.size()) return prefix_[c.choice];
    if (c.choice == prefix_.size()) {
      t_.reached = true;
      t_.merge_step = c.step;
      for (Tid t = 0; t < c.engine->thread_count(); ++t) t_.sites.push_back(c.engine->frame_sites(t));
    }
    t_.hashes.push_back(prog_.state_hash());
    t_.steps_at.push_back(c.step);
    t_.enabled.emplace_back(c.enabled.begin(), c.enabled.end());
    t_.current.push_back(c.current);
    if (cont_ == 0) return c.enabled.front();  // not the default policy: it depends on the thread running
    return c.enabled[rng_.below(c.enabled.size())];
  }

 private:
  Program& prog_;
  const std::vector<Tid>& prefix_;
  std::uint32_t cont_;
  Rng rng_;
  Tail& t_;
};

void run_tail(Program& prog, const std::vector<Tid>& prefix, std::uint32_t cont, std::uint64_t seed, Tail& t) {
  MergeSched s(prog, prefix, cont, seed, t);
  t.result = prog.run(s, &t.trace);

  t.final_hash = prog.state_hash();
}

std::string step_text(const StepRec& s) {
  return fmt::format("thread {} {} obj {:#x} ({})", s.tid, acc_name(s.acc.kind), s.acc.obj.v,
                     s.acc.where ? s.acc.where : "");
}

bool same_access(const Access& a, const Access& b) {
  return a.obj == b.obj && a.kind == b.kind && std::strcmp(a.where ? a.where : "", b.where ? b.where : "") == 0;
}

// The first difference of two tails, or "".
std::string compare(const Tail& a, const Tail& b, std::uint64_t& after) {
  after = 0;
  if (!a.reached || !b.reached)
    return fmt::format("the {} prefix does not reach its choice point when replayed", a.reached ? "second" : "first");
  const std::size_t na = a.trace.steps.size() - a.merge_step, nb = b.trace.steps.size() - b.merge_step;
  for (std::size_t i = 0; i < std::min(na, nb); ++i) {
    const StepRec& x = a.trace.steps[a.merge_step + i];
    const StepRec& y = b.trace.steps[b.merge_step + i];
    after = i;
    if (x.tid != y.tid || !same_access(x.acc, y.acc))
      return fmt::format("step {} after the merge: {} against {}", i + 1, step_text(x), step_text(y));
    const std::uint32_t nx = x.notes_end - x.notes_begin, ny = y.notes_end - y.notes_begin;
    bool notes = nx == ny;
    for (std::uint32_t k = 0; notes && k < nx; ++k)
      notes = same_access(a.trace.notes[x.notes_begin + k], b.trace.notes[y.notes_begin + k]);
    if (!notes)
      return fmt::format("step {} after the merge ({}): the accesses made inside it differ", i + 1, step_text(x));
  }
  after = std::min(na, nb);
  if (na != nb) return fmt::format("one run takes {} steps after the merge, the other {}", na, nb);
  for (std::size_t i = 0; i < std::min(a.hashes.size(), b.hashes.size()); ++i) {
    // (The thread that ran last may differ at the merge point itself: the
    // hash leaves it out, and these continuations do not look at it.)
    if (a.enabled[i] != b.enabled[i] || (i > 0 && a.current[i] != b.current[i]))
      return fmt::format("choice point {} after the merge: the threads that can run differ", i);
    // The last step before this choice point is the one that made the difference visible.
    after = a.steps_at[i] > a.merge_step ? a.steps_at[i] - a.merge_step - 1 : 0;
    if (a.hashes[i] != b.hashes[i])
      return fmt::format("choice point {} after the merge: the state hashes differ ({:016x} against {:016x})", i,
                         a.hashes[i], b.hashes[i]);
  }
  if (a.hashes.size() != b.hashes.size())
    return fmt::format("{} choice points after the merge against {}", a.hashes.size(), b.hashes.size());
  if (a.result.end != b.result.end)
    return fmt::format("the runs end differently: {} against {}", run_end_name(a.result.end),
                       run_end_name(b.result.end));
  if (a.result.time != b.result.time)
    return fmt::format("the runs end at different times: {} against {}", a.result.time, b.result.time);
  if (a.final_hash != b.final_hash)
    return fmt::format("the final states differ ({:016x} against {:016x})", a.final_hash, b.final_hash);
  return {};
}

}  // namespace

MergeCheckResult check_merge(Program& prog, const MergedPair& pair, std::uint32_t random, std::uint64_t seed) {
  MergeCheckResult out;
  for (std::uint32_t cont = 0; cont <= random; ++cont) {
    Tail a, b;
    run_tail(prog, pair.first, cont, seed, a);
    run_tail(prog, pair.second, cont, seed, b);
    if (a.result.end == RunEnd::Interrupted || b.result.end == RunEnd::Interrupted) {
      out.interrupted = true;  // the stop flag: nothing to compare
      return out;
    }
    std::uint64_t after = 0;
    std::string what = compare(a, b, after);
    if (!what.empty()) {
      // Where the thread that ran first after the merge stood (its frames
      // keep what the hash missed, or one of them does).
      const std::size_t at = a.merge_step + after;
      if (a.reached && at < a.trace.steps.size()) {
        const Tid t = a.trace.steps[at].tid;
        if (t < a.sites.size())
          what += fmt::format("; at the merge, thread {} (which runs {} steps after it) stood at {}", t, after + 1,
                              a.sites[t]);
      }
      out.same = false;
      out.diff = MergeDifference{cont, after, std::move(what)};
      return out;
    }
  }
  return out;
}

}  // namespace sim
