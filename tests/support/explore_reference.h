// tests/support/explore_reference.h: what brute force says about a toy
// program (every schedule, its outcome, its trace), and what an explorer
// found, in the same shape, so that tests compare the two.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "explore_toy.h"
#include "sim/explore/explore.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"
#include "sim_enumerate.h"

namespace toy {

struct Found {
  std::uint64_t runs = 0;                            // counted executions
  std::vector<std::string> schedules;                // full choice lists, in run order
  std::map<std::string, std::uint32_t> preemptions;  // by schedule
  std::set<std::string> outcomes;
  std::set<std::uint64_t> traces;
  bool complete = false;
};

inline Found brute_force(const Prog& p) {
  Runner runner(p);
  sim::Trace trace;
  Found f;
  sim::Engine& e = runner.engine();
  auto setup = [&](sim::Engine& eng) {
    trace.clear();
    eng.record(&trace.steps, &trace.notes);
    runner.setup(eng);
  };
  auto visit = [&](const sim::RunResult& r, std::span<const std::vector<sim::Tid>>) {
    const std::string s = sim::encode_schedule(r.choices);
    f.schedules.push_back(s);
    f.preemptions[s] = r.preemptions;
    f.outcomes.insert(runner.outcome(r));
    f.traces.insert(trace_key(trace));
  };
  const simtest::EnumStats st = simtest::enumerate_schedules(e, setup, visit);
  e.record(nullptr, nullptr);
  f.runs = st.runs;
  f.complete = !st.truncated;
  return f;
}

// Runs an explorer to the end (or `limit` runs), collecting the counted
// runs.  `traced` replays each counted schedule with recording on to get
// its trace key (the explorers need not record).
template <class MakeExplorer>
Found explore_all(const Prog& p, MakeExplorer make, std::uint64_t limit = 1'000'000) {
  Runner runner(p);
  auto x = make(runner);
  Found f;
  std::uint64_t n = 0;
  while (n++ < limit && x->next()) {
    if (!x->last_counted()) continue;
    const sim::RunResult& r = x->last();
    const std::string s = sim::encode_schedule(r.choices);
    f.schedules.push_back(s);
    f.preemptions[s] = r.preemptions;
    f.outcomes.insert(runner.outcome(r));
    ++f.runs;
  }
  f.complete = x->complete();
  // Traces: replay each schedule with recording on.
  Runner again(p);
  sim::Trace trace;
  for (const std::string& s : f.schedules) {
    sim::ReplayScheduler rs(*sim::decode_schedule(s));
    again.run(rs, &trace);
    f.traces.insert(trace_key(trace));
  }
  return f;
}

}  // namespace toy
