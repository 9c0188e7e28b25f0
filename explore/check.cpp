#include "explore/check.h"

#include <algorithm>

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <tuple>

#include "explore/shrink.h"
#include "explore/state_hash.h"
#include "sim/explore/dfs.h"
#include "sim/explore/dpor.h"
#include "sim/explore/portfolio.h"
#include "sim/explore/sample.h"
#include "sim/schedule.h"

namespace model {

ExploreOptions explore_options_for(const Scenario& s, ExploreOptions o, const ExploreOverrides& ov) {
  const ExploreConfig& e = s.explore;
  o.strategy = ov.strategy.value_or(e.strategy.value_or(o.strategy));
  o.max_schedules = ov.max_schedules.value_or(e.max_schedules.value_or(o.max_schedules));
  o.seed = ov.seed.value_or(e.seed.value_or(o.seed));
  o.depth = ov.depth.value_or(e.depth.value_or(o.depth));
  o.preemption_bound = ov.preemption_bound.value_or(e.preemption_bound.value_or(o.preemption_bound));
  o.run.max_steps = ov.max_steps.value_or(e.max_steps.value_or(o.run.max_steps));
  if (ov.max_tasks) o.run.max_tasks = *ov.max_tasks;
  return o;
}

PropertySet tolerated_properties(const Scenario& s) {
  PropertySet ok = s.expect.allowed | s.expect.violations;
  if (s.bugs.any()) {
    ok.set(static_cast<std::size_t>(Property::Hang));
    ok.set(static_cast<std::size_t>(Property::ModelInvariant));
  }
  return ok;
}

std::string outcome_signature(const Simulator& simu) {
  const Interpreter& k = simu.interp();
  const Scenario& s = simu.scenario();
  // Every run of an exploration builds it (Tally::record): appended in
  // place, without a formatted temporary per part.
  std::string out;
  out.reserve(128);
  auto next_part = [&] {
    if (!out.empty()) out += "; ";
  };
  // A litmus program's tasks are CPUs that never exit: its outcome is its
  // results and final values.
  for (std::size_t slot = 0; !s.litmus && slot < s.task_names.size(); ++slot) {
    const TaskEnd e = k.task_end(static_cast<int>(slot));
    if (!e.exists) continue;
    next_part();
    out += s.task_names[slot];
    out += ": ";
    if (e.died)
      out += describe_wait_status(e.status);
    else
      out += task_state_name(e.state);
  }
  for (std::size_t l = 0; l < s.labels.size(); ++l) {
    if (const OpResult* r = k.result_of(static_cast<int>(l))) {
      next_part();
      out += s.labels[l];
      out += " = ";
      out += k.describe_result(*r);
    }
  }
  if (const Memory* m = k.memory()) {
    for (std::size_t v = 0; v < s.var_names.size(); ++v) {
      next_part();
      out += s.var_names[v];
      out += " == ";
      out += std::to_string(m->final_value(static_cast<std::uint32_t>(v)));
    }
  }
  for (std::size_t h = 0; h < s.handle_names.size(); ++h) {
    const auto calls = k.callbacks_of(static_cast<int>(h));
    if (calls.empty()) continue;
    next_part();
    out += s.handle_names[h];
    out += ": [";
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (i) out += ',';
      out += callback_name(calls[i]);
    }
    out += ']';
  }
  return out;
}

namespace {

// "2010-rhel6 +lock-inversion": the model simulated, for lockdep's reports.
std::string model_text(const Scenario& s) {
  std::string t = kernel_version_name(s.kernel);
  bool first = true;
  for (int id = 1; id <= kMaxBugId; ++id)
    if (s.bugs.test(static_cast<std::size_t>(id - 1))) {
      t += (first ? " +" : ",") + bug_name(id);
      first = false;
    }
  return t;
}

// The scenario as the explorers see it: one run of the Simulator per
// schedule, with step recording when an explorer asks for it.
class ScenarioProgram final : public sim::Program {
 public:
  explicit ScenarioProgram(Simulator& s) : simu_(s) {}
  sim::RunResult run(sim::Scheduler& sched, sim::Trace* trace) override {
    if (trace) trace->clear();
    simu_.engine().record(trace ? &trace->steps : nullptr, trace ? &trace->notes : nullptr);
    out_ = simu_.run(sched);
    return out_.engine;
  }
  std::uint64_t state_hash() override { return model::state_hash(simu_); }
  const RunOutput& output() const { return out_; }

 private:
  Simulator& simu_;
  RunOutput out_;
};

std::unique_ptr<sim::Explorer> make_explorer(const ExploreOptions& o, sim::Program& prog) {
  switch (o.strategy) {
    case Strategy::Random:
    case Strategy::Pct: {
      sim::SampleOptions so;
      so.kind = o.strategy == Strategy::Pct ? sim::SampleOptions::Kind::Pct : sim::SampleOptions::Kind::Random;
      so.depth = o.depth;
      so.seed = o.seed;
      so.shard = o.shard;
      return std::make_unique<sim::SampleExplorer>(prog, so);
    }
    case Strategy::Dfs: {
      sim::DfsOptions d;
      if (o.preemption_bound != ExploreOptions::kUnbounded) d.preemption_bound = o.preemption_bound;
      d.iterative = o.iterative;
      d.shard = o.shard;
      d.stateful = o.stateful || o.graph;
      d.graph = o.graph;
      d.seed = o.seed;
      if (d.stateful) d.keep_merges = o.verify_merges;
      return std::make_unique<sim::DfsExplorer>(prog, d);
    }
    case Strategy::Dpor: return std::make_unique<sim::DporExplorer>(prog, sim::DporOptions{o.shard, 0});
    case Strategy::Portfolio: break;
  }
  return std::make_unique<sim::PortfolioExplorer>(prog, sim::PortfolioOptions{o.seed, o.depth, o.shard});
}

// Replays the merges the stateful search kept (ExploreOptions::
// verify_merges): a pair that continues differently is an internal error,
// the state hash's (explore/state_hash.h), not the scenario's.
void check_merges(Simulator& simu, sim::Program& prog, const sim::DfsExplorer& dfs, const ExploreOptions& opt,
                  Verdict& v) {
  Verdict::MergeCheck m;
  // Only SIGINT and SIGTERM stop the check, not a stop flag that --max-states raised.
  const std::atomic<bool>* interrupt = opt.signalled ? opt.signalled : opt.stop;
  simu.set_stop_flag(interrupt);
  for (const sim::MergedPair& pair : dfs.merges()) {
    if (interrupt && interrupt->load()) break;
    const sim::MergeCheckResult r = sim::check_merge(prog, pair, 2, opt.seed);
    if (r.interrupted) break;
    ++m.checked;
    if (r.same) continue;
    if (m.differ++ == 0) {
      m.first = sim::encode_schedule(pair.first);
      m.second = sim::encode_schedule(pair.second);
      m.diff = r.diff;
    }
  }
  if (m.differ && !v.error) {
    v.error = true;
    v.error_kind = Verdict::ErrorKind::ModelBug;
    v.error_message = fmt::format(
        "model bug: the state hash merged states that differ ({} of {} merges checked): schedules \"{}\" and \"{}\" "
        "reach one state hash, then {}{}",
        m.differ, m.checked, m.first, m.second, m.diff.what,
        m.diff.continuation ? fmt::format(" (random continuation {})", m.diff.continuation) : "");
  }
  v.merges = std::move(m);
  simu.set_stop_flag(opt.stop);  // the runs after it (analysis, shrinking) stop as they did without the check
}

// The state graph's liveness and shortest paths (explore/graph_analysis.h).
// A hang cycle is a `hang` violation only when the graph is the whole
// unbounded space and no state has two successors for one thread (the hash
// merged no states that differ); each property's shortest path replaces the first example
// when its replay confirms it and it has fewer preemptions, or as many and fewer steps.
void analyse(const Scenario& s, const ExploreOptions& opt, const sim::StateGraph& g, Verdict& v) {
  GraphAnalysis a = analyse_graph(g, v.facts);
  a.certain = v.complete && !v.bounded && !v.interrupted && !v.timed_out && !v.memory_out && a.conflicts == 0 &&
              opt.preemption_bound == ExploreOptions::kUnbounded;
  for (ViolationPath& p : a.shortest) {
    confirm_path(s, opt.run, p.path, p.property);
    if (!p.path.confirmed) continue;
    auto it = std::find_if(v.violations.begin(), v.violations.end(),
                           [&](const FoundViolation& f) { return f.property == p.property; });
    if (it != v.violations.end() &&
        std::tie(p.path.preemptions, p.path.steps) < std::tie(it->where.preemptions, it->where.steps)) {
      it->where.schedule = p.path.schedule;
      it->where.preemptions = p.path.preemptions;
      it->where.steps = p.path.steps;
    }
  }
  for (HangCycle& h : a.hangs) {
    confirm_path(s, opt.run, h.reach, Property::Hang);
    if (!a.certain) continue;
    auto it = std::find_if(v.violations.begin(), v.violations.end(),
                           [&](const FoundViolation& f) { return f.property == Property::Hang; });
    if (it == v.violations.end())  // (counts are of schedules: a cycle adds none)
      v.violations.push_back(FoundViolation{Property::Hang, describe_hang(h, v.facts), 0,
                                            ScheduleRef{h.reach.schedule, 0, h.reach.preemptions, h.reach.steps}, 1,
                                            std::nullopt});
  }
  v.analysis = std::move(a);
}

// What the runs of one exploration add up to: the violations and outcomes
// found (into the Verdict), and what the scenario's expect asks of them.
class Tally {
 public:
  explicit Tally(const Scenario& s)
      : s_(s), reached_(s.expect.reachable.size(), false), unreached_(s.expect.unreachable.size()) {}

  // One counted run; `ref()` makes its schedule reference (only when needed).
  // `more`: violations found outside the run itself (lock-order, from the
  // exploration's lock graph).
  template <class Ref>
  void record(Verdict& v, const Simulator& simu, const RunOutput& out, const std::vector<Violation>& more,
              const Ref& ref) {
    for (const std::vector<Violation>* list : {&out.violations, &more})
      for (const Violation& viol : *list) {
        found_.set(static_cast<std::size_t>(viol.property));
        auto it = std::find_if(v.violations.begin(), v.violations.end(),
                               [&](const FoundViolation& f) { return f.property == viol.property; });
        if (it == v.violations.end())
          v.violations.push_back(FoundViolation{viol.property, viol.message, viol.step, ref(), 1, std::nullopt});
        else
          it->count++;
      }
    const std::string sig = outcome_signature(simu);
    auto oc =
        std::find_if(v.outcomes.begin(), v.outcomes.end(), [&](const OutcomeClass& c) { return c.signature == sig; });
    if (oc == v.outcomes.end())
      v.outcomes.push_back(OutcomeClass{sig, 1, ref(), std::nullopt});
    else
      oc->count++;
    if (s_.expect.has_outcomes) {
      bool any = false;
      for (const Outcome& o : s_.expect.outcomes)
        if (simu.matches(o)) any = true;
      if (!any && unmatched_++ == 0) {
        unmatched_example_ = ref();
        unmatched_signature_ = sig;
      }
    }
    for (std::size_t rr = 0; rr < s_.expect.reachable.size(); ++rr)
      if (!reached_[rr] && simu.matches(s_.expect.reachable[rr])) reached_[rr] = true;
    for (std::size_t u = 0; u < s_.expect.unreachable.size(); ++u) {
      if (!simu.matches(s_.expect.unreachable[u])) continue;
      if (unreached_[u].count++ == 0) {
        unreached_[u].example = ref();
        unreached_[u].signature = sig;
      }
    }
  }

  const PropertySet& found() const { return found_; }
  bool unreached_any() const {
    return std::any_of(unreached_.begin(), unreached_.end(), [](const Unreached& u) { return u.count > 0; });
  }

  // The verdict: every broken property not tolerated, every expected one
  // not found, the outcomes not listed, the reachable ones not reached.
  void judge(Verdict& v) const {
    const PropertySet allowed = tolerated_properties(s_);
    for (const FoundViolation& f : v.violations) {
      if (allowed.test(static_cast<std::size_t>(f.property))) continue;
      v.problems.push_back(fmt::format("{} broken in {} of {} schedules, first at step {}: {} (schedule '{}')",
                                       property_name(f.property), f.count, v.schedules, f.step, f.message,
                                       f.where.schedule));
    }
    for (std::size_t p = 0; p < kPropertyCount; ++p) {
      if (!s_.expect.violations.test(p)) continue;
      const bool found = std::any_of(v.violations.begin(), v.violations.end(), [&](const FoundViolation& f) {
        return static_cast<std::size_t>(f.property) == p;
      });
      if (!found)
        v.problems.push_back(fmt::format("expected violation {} not found in {} schedules",
                                         property_name(static_cast<Property>(p)), v.schedules));
    }
    if (unmatched_) {
      // An example: its beginning is enough (a signature can be megabytes);
      // the schedule replays the whole of it.
      constexpr std::size_t kShown = 1000;
      std::string example = unmatched_signature_;
      if (example.size() > kShown) {
        std::size_t keep = kShown;
        while (keep > 0 && (static_cast<unsigned char>(example[keep]) & 0xc0) == 0x80) --keep;
        example = example.substr(0, keep) + fmt::format("… ({} more bytes)", example.size() - keep);
      }
      v.problems.push_back(
          fmt::format("{} of {} schedules ended in no listed outcome, e.g. '{}' "
                      "(schedule '{}')",
                      unmatched_, v.schedules, example, unmatched_example_.schedule));
    }
    for (std::size_t r = 0; r < reached_.size(); ++r)
      if (!reached_[r])
        v.problems.push_back(fmt::format("reachable outcome {} ({}) not reached in {} schedules", r,
                                         s_.expect.reachable[r].ptr, v.schedules));
    // "Never" is a verdict only when every schedule was run.
    if (!s_.expect.unreachable.empty() && !unreached_any() && !(v.complete && !v.bounded))
      v.problems.push_back(fmt::format(
          "the unreachable outcomes were not reached in {} schedules, but the exploration is not complete{} "
          "(not a proof: let DPOR run to the end, --strategy dpor with a larger --max-schedules, or --stateful)",
          v.schedules, v.bounded ? " (a preemption bound)" : ""));
    for (std::size_t u = 0; u < unreached_.size(); ++u) {
      if (!unreached_[u].count) continue;
      // The example shown is the outcome's, shrunk when the verdict's
      // counterexamples were (its outcome class ends in the same outcome).
      const ScheduleRef* example = &unreached_[u].example;
      for (const OutcomeClass& c : v.outcomes)
        if (c.signature == unreached_[u].signature) example = &c.example;
      v.problems.push_back(
          fmt::format("unreachable outcome {} ({}) reached in {} of {} schedules, e.g. '{}' "
                      "(schedule '{}')",
                      u, s_.expect.unreachable[u].ptr, unreached_[u].count, v.schedules, unreached_[u].signature,
                      example->schedule));
    }
  }

 private:
  const Scenario& s_;
  std::vector<bool> reached_;
  struct Unreached {
    std::uint64_t count = 0;
    ScheduleRef example;
    std::string signature;
  };
  std::vector<Unreached> unreached_;  // per `unreachable` outcome: the runs that reached it
  std::uint64_t unmatched_ = 0;
  ScheduleRef unmatched_example_;
  std::string unmatched_signature_;
  PropertySet found_;
};

// What one state's facts hold, counted as Explorer::memory() counts.
std::uint64_t facts_bytes(const StateFacts& f) {
  std::uint64_t b = sizeof(StateFacts) + f.label.size();
  for (const std::string& l : f.lines) b += sizeof(std::string) + l.size();
  for (const auto& t : f.traced_tasks) b += sizeof(t) + t.second.size();
  return b;
}

// Whether the exploration must stop before its next run.
bool must_stop(const ExploreOptions& opt, Verdict& v, std::chrono::steady_clock::time_point started,
               std::uint64_t held) {
  if (opt.max_memory && held > opt.max_memory) {
    v.memory_out = true;
    return true;
  }
  if (opt.stop && opt.stop->load()) {
    v.interrupted = true;
    return true;
  }
  if (opt.time_limit > 0 &&
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >= opt.time_limit) {
    v.timed_out = true;
    return true;
  }
  return false;
}

// One example shrunk by `o` (a property's or an outcome's predicate): the
// facts of the shrink, and the shrunk example in `where` unless it failed.
ShrinkResult shrink_example(const Scenario& s, ShrinkOptions o, const CounterexampleShrink& how,
                            const std::atomic<bool>* stop, ScheduleRef& where, ShrinkFacts& facts) {
  facts.original = where;
  ShrinkResult r;
  const std::optional<std::vector<sim::Tid>> threads = sim::decode_schedule(where.schedule);
  if (!threads) {  // cannot happen: the explorer encoded it
    facts.error = "its schedule does not decode";
    return r;
  }
  o.max_tries = how.max_tries;
  o.time_limit = how.time_limit;
  o.stop = stop;
  r = shrink_schedule(s, *threads, o);
  facts.runs = r.tries;
  if (!r.ok) {
    // A hang cycle of the state graph (check --stateful) reaches the
    // cycle, and its replay alone need not hang: shown as found.
    facts.error = r.error;
    return r;
  }
  facts.minimal = r.minimal;
  facts.exhausted = r.exhausted;
  facts.timed_out = r.timed_out;
  facts.interrupted = r.interrupted;
  where = ScheduleRef{r.after.schedule, where.index, r.after.preemptions, r.after.steps};
  return r;
}

}  // namespace

void shrink_counterexamples(const Scenario& s, const RunConfig& run, const CounterexampleShrink& how,
                            const std::atomic<bool>* stop, Verdict& v) {
  for (FoundViolation& f : v.violations) {
    if (f.shrink) continue;
    if (stop && stop->load()) return;  // not shrunk: shown as found, without facts
    if (f.property == Property::LockOrder) {
      // A cycle is the exploration's graph, not one run: its first example
      // closed it, the others took its other edges (Verdict::lockdep).
      ShrinkFacts facts;
      facts.original = f.where;
      facts.message = f.message;
      facts.step = f.step;
      facts.error =
          "a lock-order cycle is the exploration's lock graph, whose edges may come from several schedules (the report "
          "names each)";
      f.shrink = std::move(facts);
      continue;
    }
    ShrinkFacts facts;
    facts.message = f.message;
    facts.step = f.step;
    ShrinkOptions o;
    o.property = f.property;
    o.run = run;
    const ShrinkResult r = shrink_example(s, o, how, stop, f.where, facts);
    // The message of a run becomes the shrunk run's; one that no run gave
    // (check --stateful's hang cycle, described from the state graph) stays.
    if (r.ok && r.before.message == f.message) {
      f.message = r.after.message;
      f.step = r.after.step;
    }
    f.shrink = std::move(facts);
  }
  for (OutcomeClass& c : v.outcomes) {
    if (c.shrink) continue;
    if (stop && stop->load()) return;
    ShrinkFacts facts;
    ShrinkOptions o;
    o.outcome = c.signature;
    o.run = run;
    shrink_example(s, o, how, stop, c.example, facts);
    c.shrink = std::move(facts);
  }
}

Verdict check_scenario(const Scenario& s, const ExploreOptions& opt) {
  Verdict v;
  v.scenario = s.name;
  v.file = s.file;
  v.kernel = s.kernel;
  v.strategy = opt.strategy;
  v.shard = opt.shard;
  if (opt.strategy == Strategy::Dfs) v.preemption_bound = opt.preemption_bound;

  Simulator simu(s, explorer_run_config(opt.run));
  simu.set_stop_flag(opt.stop);
  ScenarioProgram prog(simu);
  // Stateful dfs keeps the state graph (the caller's, else its own) and
  // each state's facts, for the analysis after the exploration.
  const bool stateful = opt.strategy == Strategy::Dfs && (opt.stateful || opt.graph);
  // A stateful search hashes every frame's parameters (sim/co.h): on for
  // each of its runs alike.
  const sim::FrameTracking track_frames(stateful);
  sim::StateGraph own_graph;
  ExploreOptions xopt = opt;
  if (stateful && !xopt.graph) xopt.graph = &own_graph;
  std::uint64_t facts_held = 0;  // bytes of v.facts
  if (xopt.graph)
    xopt.graph->on_new_node = [&](std::uint32_t n) {
      if (v.facts.size() <= n) v.facts.resize(n + 1);
      v.facts[n] = state_facts(simu);
      facts_held += facts_bytes(v.facts[n]);
      if (opt.on_state) opt.on_state(simu, n);
    };
  Tally tally(s);
  LockGraph lockdep(model_text(s));
  const auto started = std::chrono::steady_clock::now();

  try {
    const std::unique_ptr<sim::Explorer> x = make_explorer(xopt, prog);
    x->set_memory_budget(opt.max_memory);
    auto* dfs = dynamic_cast<sim::DfsExplorer*>(x.get());
    std::uint64_t index = 0;  // runs so far, counted or not
    while (v.schedules < opt.max_schedules) {
      if (must_stop(opt, v, started, x->memory() + facts_held)) break;
      const bool ran = x->next();
      if (x->out_of_memory()) {  // the run it abandoned is not counted
        v.memory_out = true;
        break;
      }
      if (!ran) break;
      const sim::RunResult& r = x->last();
      const std::uint64_t i = index++;
      if (r.end == sim::RunEnd::Interrupted) {
        v.interrupted = true;
        break;
      }
      v.steps += r.steps;
      if (!x->last_counted()) {
        ++v.redundant;
        continue;
      }
      const RunOutput& out = prog.output();
      ++v.schedules;
      // The schedule string is made only when this run becomes an example.
      const auto ref = [&] {
        return ScheduleRef{sim::encode_schedule(std::span(r.choices).first(r.significant)), i, r.preemptions, r.steps};
      };

      // Lock checking: this run's dependencies join the exploration's graph.
      std::vector<Violation> lock_order;
      if (!simu.engine().lock_deps().empty())
        for (const LockCycle& c : lockdep.add_run(simu, r, i)) lock_order.push_back(lock_order_violation(c));
      tally.record(v, simu, out, lock_order, ref);
      // After the run is judged: a probe runs the simulator again.
      if (dfs && opt.dfs_probes && (v.schedules <= 32 || v.schedules % 32 == 0)) dfs->probe();
      if (opt.progress) opt.progress(v.schedules, opt.max_schedules);
      if (opt.status)
        opt.status(ExploreStatus{v.schedules, v.redundant, v.steps, x->estimate(), v.outcomes.size(),
                                 v.violations.size(), dfs ? dfs->level() : 0});
      if (opt.stop_when_found.any() && (tally.found() & opt.stop_when_found) == opt.stop_when_found) break;
      if (opt.stop_at_first && !v.violations.empty()) {
        v.stopped_at_first = true;
        break;
      }
      if (!opt.stop_when_outcome.empty() &&
          std::any_of(v.outcomes.begin(), v.outcomes.end(),
                      [&](const OutcomeClass& c) { return c.signature == opt.stop_when_outcome; }))
        break;
    }
    v.lockdep = Verdict::Lockdep{lockdep.classes(), lockdep.edges(), lockdep.cycles()};
    v.complete = x->complete() && !v.interrupted;
    if (v.complete) v.memory_out = false;  // the budget ran out after the last run: moot
    v.estimate = x->estimate();
    if (dfs) v.bounded = dfs->bounded();
    if (dfs && stateful && opt.verify_merges) check_merges(simu, prog, *dfs, opt, v);
    if (xopt.graph) {
      v.states = xopt.graph->nodes().size();
      xopt.graph->on_new_node = nullptr;
      if (stateful && !(opt.signalled && opt.signalled->load())) analyse(s, opt, *xopt.graph, v);
    }
    // The counterexamples shown are shrunk first, and the verdict's
    // problems quote them; a verdict that passes shows none with
    // When::IfFailed, so only a failing one is shrunk (then judged again).
    using When = CounterexampleShrink::When;
    if (opt.shrink.when == When::Always && !v.interrupted) shrink_counterexamples(s, opt.run, opt.shrink, opt.stop, v);
    tally.judge(v);
    if (opt.shrink.when == When::IfFailed && !v.interrupted && !v.passed() &&
        (!v.violations.empty() || tally.unreached_any())) {
      shrink_counterexamples(s, opt.run, opt.shrink, opt.stop, v);
      v.problems.clear();
      tally.judge(v);
    }
  } catch (const NotImplemented& e) {
    v.error = true;
    v.error_kind = Verdict::ErrorKind::NotImplemented;
    v.error_message = std::string("not implemented: ") + e.what();
    return v;
  } catch (const std::exception& e) {
    v.error = true;
    v.error_kind = Verdict::ErrorKind::ModelBug;
    v.error_message = std::string("model bug: ") + e.what();
    return v;
  }

  return v;
}

}  // namespace model
