#include "model/check.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/sched_pct.h"
#include "sim/sched_random.h"
#include "sim/sched_replay.h"
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
  const Kernel& k = simu.kernel();
  const Scenario& s = simu.scenario();
  std::string out;
  auto add = [&](const std::string& part) {
    if (!out.empty()) out += "; ";
    out += part;
  };
  for (std::size_t slot = 0; slot < s.task_names.size(); ++slot) {
    const Kernel::TaskEnd e = k.task_end(static_cast<int>(slot));
    if (!e.exists) continue;
    std::string what;
    if (e.died)
      what = describe_wait_status(e.status);
    else
      what = task_state_name(e.state);
    add(fmt::format("{}: {}", s.task_names[slot], what));
  }
  for (std::size_t l = 0; l < s.labels.size(); ++l) {
    if (const OpResult* r = k.result_of(static_cast<int>(l)))
      add(fmt::format("{} = {}", s.labels[l], k.describe_result(*r)));
  }
  for (std::size_t h = 0; h < s.handle_names.size(); ++h) {
    const auto calls = k.callbacks_of(static_cast<int>(h));
    if (calls.empty()) continue;
    std::string c;
    for (Callback cb : calls) c += (c.empty() ? "" : ",") + std::string(callback_name(cb));
    add(fmt::format("{}: [{}]", s.handle_names[h], c));
  }
  return out;
}

namespace {

// One schedule of the exploration: which scheduler, with what seed.
struct Plan {
  sim::RandomScheduler random{0};
  sim::PctScheduler pct{0, 2, 100};

  sim::Scheduler& next(const ExploreOptions& o, std::uint64_t i, std::uint64_t steps_seen) {
    const std::uint64_t seed = o.seed * 0x9e3779b97f4a7c15ULL + i;
    Strategy st = o.strategy;
    if (st == Strategy::Portfolio) {
      // Random, PCT depth 2, PCT depth `depth`, in turn.
      switch (i % 3) {
        case 0: st = Strategy::Random; break;
        default: st = Strategy::Pct; break;
      }
    }
    if (st == Strategy::Pct) {
      const unsigned d = o.strategy == Strategy::Portfolio ? (i % 3 == 1 ? 2u : std::max(2u, o.depth))
                                                          : o.depth;
      pct = sim::PctScheduler(seed, d, std::max<std::uint64_t>(steps_seen, 1));
      return pct;
    }
    random.set_seed(seed);
    return random;
  }
};

}  // namespace

Verdict check_scenario(const Scenario& s, const ExploreOptions& opt) {
  Verdict v;
  v.scenario = s.name;
  v.file = s.file;
  v.kernel = s.kernel;
  v.strategy = opt.strategy;
  if (opt.strategy == Strategy::Dfs || opt.strategy == Strategy::Dpor) {
    v.error = true;
    v.error_kind = Verdict::ErrorKind::NotImplemented;
    v.error_message = fmt::format("not implemented: strategy {} (exhaustive exploration is issue #5)",
                                  strategy_name(opt.strategy));
    return v;
  }

  Simulator simu(s, opt.run);
  simu.set_stop_flag(opt.stop);
  std::vector<bool> reached(s.expect.reachable.size(), false);
  std::uint64_t unmatched = 0;
  ScheduleRef unmatched_example;
  std::string unmatched_signature;
  Plan plan;
  std::uint64_t steps_seen = 0;

  try {
    // Schedule 0 is the default (non-preemptive) run; it also gives PCT its
    // estimate of the run length.
    for (std::uint64_t i = 0; i < opt.max_schedules; ++i) {
      if (opt.stop && opt.stop->load()) {
        v.interrupted = true;
        break;
      }
      sim::ReplayScheduler def;
      sim::Scheduler& sched = i == 0 ? static_cast<sim::Scheduler&>(def) : plan.next(opt, i, steps_seen);
      const RunOutput out = simu.run(sched);
      if (out.engine.end == sim::RunEnd::Interrupted) {
        v.interrupted = true;
        break;
      }
      ++v.schedules;
      v.steps += out.engine.steps;
      steps_seen = std::max(steps_seen, out.engine.steps);
      const ScheduleRef ref{
          sim::encode_schedule(std::span(out.engine.choices).first(out.engine.significant)), i};

      for (const Violation& viol : out.violations) {
        auto it = std::find_if(v.violations.begin(), v.violations.end(),
                               [&](const FoundViolation& f) { return f.property == viol.property; });
        if (it == v.violations.end())
          v.violations.push_back(FoundViolation{viol.property, viol.message, viol.step, ref, 1});
        else
          it->count++;
      }
      const std::string sig = outcome_signature(simu);
      auto oc = std::find_if(v.outcomes.begin(), v.outcomes.end(),
                             [&](const OutcomeClass& c) { return c.signature == sig; });
      if (oc == v.outcomes.end())
        v.outcomes.push_back(OutcomeClass{sig, 1, ref});
      else
        oc->count++;

      if (s.expect.has_outcomes) {
        bool any = false;
        for (const Outcome& o : s.expect.outcomes)
          if (simu.matches(o)) any = true;
        if (!any && unmatched++ == 0) {
          unmatched_example = ref;
          unmatched_signature = sig;
        }
      }
      for (std::size_t r = 0; r < s.expect.reachable.size(); ++r)
        if (!reached[r] && simu.matches(s.expect.reachable[r])) reached[r] = true;
      if (opt.progress) opt.progress(v.schedules, opt.max_schedules);
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

  // Judge.
  const PropertySet allowed = tolerated_properties(s);
  for (const FoundViolation& f : v.violations) {
    if (allowed.test(static_cast<std::size_t>(f.property))) continue;
    v.problems.push_back(fmt::format("{} broken in {} of {} schedules, first at step {}: {} (schedule '{}')",
                                     property_name(f.property), f.count, v.schedules, f.step,
                                     f.message, f.where.schedule));
  }
  for (std::size_t p = 0; p < kPropertyCount; ++p) {
    if (!s.expect.violations.test(p)) continue;
    const bool found = std::any_of(v.violations.begin(), v.violations.end(), [&](const FoundViolation& f) {
      return static_cast<std::size_t>(f.property) == p;
    });
    if (!found)
      v.problems.push_back(fmt::format("expected violation {} not found in {} schedules",
                                       property_name(static_cast<Property>(p)), v.schedules));
  }
  if (unmatched)
    v.problems.push_back(fmt::format("{} of {} schedules ended in no listed outcome, e.g. '{}' "
                                     "(schedule '{}')",
                                     unmatched, v.schedules, unmatched_signature,
                                     unmatched_example.schedule));
  for (std::size_t r = 0; r < reached.size(); ++r)
    if (!reached[r])
      v.problems.push_back(fmt::format("reachable outcome {} ({}) not reached in {} schedules", r,
                                       s.expect.reachable[r].ptr, v.schedules));
  return v;
}

}  // namespace model
