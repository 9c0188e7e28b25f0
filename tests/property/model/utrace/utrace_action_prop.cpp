// tests/property/model/utrace/utrace_action_prop.cpp: the resume-action minimum of one
// reporting pass (utrace-semantics.md §4.3, §4.4, §4.6, §4.9, §5.9) against a
// plain reference implementation, over generated engine sets; and the
// determinism of a run (DESIGN.md contract 1).
//
// The pass is X's report_exit.  An "anchor" engine holds X inside its
// report_syscall_entry of the exit syscall while the kthread T attaches the
// generated engines E0..En-1, sets their events and, for some, asks
// utrace_control(UTRACE_STOP) (-EINPROGRESS: ENGINE_STOP is set "from a
// previous pass", utrace->resume becomes REPORT).  Then X goes on, straight
// into do_exit: start_report() splices the new engines, consumes the REPORT,
// and the EXIT pass runs.  EXIT is always in utrace_flags (every engine had
// it once), so the pass happens even when no engine still wants the event.
// After the pass X either stops in utrace_stop() (nobody resumes it: the run
// ends there) or goes on to die; the state is read from the trace at that
// point.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "model/utrace/utrace.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/random.h"

namespace model {
namespace {

constexpr std::array<std::uint32_t, 7> kActions = {UTRACE_STOP,      UTRACE_INTERRUPT, UTRACE_REPORT, UTRACE_SINGLESTEP,
                                                   UTRACE_BLOCKSTEP, UTRACE_RESUME,    UTRACE_DETACH};
const char* action_name(std::uint32_t a) {
  static constexpr std::array<const char*, 7> names = {"UTRACE_STOP",       "UTRACE_INTERRUPT", "UTRACE_REPORT",
                                                       "UTRACE_SINGLESTEP", "UTRACE_BLOCKSTEP", "UTRACE_RESUME",
                                                       "UTRACE_DETACH"};
  return names[a];
}

struct GenEngine {
  bool quiesce = false;                // UTRACE_EVENT(QUIESCE) in its mask
  bool interested = false;             // UTRACE_EVENT(EXIT) in its mask
  bool pre_stop = false;               // ENGINE_STOP already set when the pass starts
  std::uint32_t qret = UTRACE_RESUME;  // report_quiesce's return
  std::uint32_t eret = UTRACE_RESUME;  // report_exit's return
};

// What the pass leaves behind.
struct PassOutcome {
  bool stopped = false;                  // X parked in TASK_TRACED right after the pass
  std::uint32_t resume = UTRACE_RESUME;  // utrace->resume then
  bool task_stop = false;                // ENGINE_STOP in utrace_flags then
  std::vector<bool> detached;            // per engine
  std::vector<bool> engine_stop;         // per engine still attached
  bool operator==(const PassOutcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const PassOutcome& o) {
  os << "{stopped=" << o.stopped << " resume=" << action_name(o.resume) << " task_stop=" << o.task_stop
     << " detached=[";
  for (bool b : o.detached) os << b;
  os << "] engine_stop=[";
  for (bool b : o.engine_stop) os << b;
  return os << "]}";
}

// ---- the reference: §4.9 as pseudo-code, then finish_report(will_not_stop)
// and utrace_report_exit's immediate stop (§4.6, §4.8, §5.9, §5.12) ------------------------

// 2009-rfc (v2) keeps the owed request in two bits, utrace->report and
// utrace->interrupt (docs/model.md "2009-rfc, checked against its source");
// `resume` then stands for them: INTERRUPT if `interrupt`, else REPORT if
// `report`, else RESUME.
PassOutcome reference(const std::vector<GenEngine>& es, bool v2) {
  const std::size_t n = es.size();
  std::uint32_t action = UTRACE_RESUME, resume_action = UTRACE_RESUME;
  bool detaches = false, spurious = true, task_stop = false;
  std::vector<bool> det(n, false), stop(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    stop[i] = es[i].pre_stop;  // utrace_control(STOP) marked engine and task
    task_stop = task_stop || stop[i];
  }

  auto apply = [&](std::size_t i, std::uint32_t a) {  // finish_callback()
    if (a == UTRACE_DETACH) {
      det[i] = detaches = true;
      return;
    }
    action = std::min(action, a);
    if (a != UTRACE_STOP) {
      resume_action = std::min(resume_action, a);
      stop[i] = false;
    } else if (!stop[i]) {
      stop[i] = task_stop = true;
    }
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (es[i].quiesce) {
      apply(i, es[i].qret);
      if (det[i]) continue;
    }
    if (stop[i]) action = UTRACE_STOP;  // forced before the event callback
    if (es[i].interested) {
      spurious = false;
      apply(i, es[i].eret);
    }
  }
  PassOutcome o;
  // utrace_reset(): recompute the task's ENGINE_STOP from the engines left.
  // (The anchor engine stays attached, so "no engine left" never happens.)
  auto reset = [&] {
    task_stop = false;
    for (std::size_t i = 0; i < n; ++i) task_stop = task_stop || (!det[i] && stop[i]);
  };
  // finish_report(will_not_stop = true): a STOP becomes a pending REPORT.
  // V2: any action up to REPORT leaves `interrupt` (INTERRUPT) or `report`.
  bool report = false, interrupt = false;
  if (v2) {
    if (action == UTRACE_INTERRUPT)
      interrupt = true;
    else if (action <= UTRACE_REPORT)
      report = true;
  }
  const std::uint32_t r = action == UTRACE_STOP ? UTRACE_REPORT : action;
  o.resume = std::min<std::uint32_t>(UTRACE_RESUME, r);
  if (spurious || detaches) reset();
  // utrace_report_exit(): STOP -> utrace_stop(resume_action) right away.
  if (action == UTRACE_STOP) {
    o.resume = std::min(o.resume, resume_action);
    // V2's utrace_stop(): `interrupt` for INTERRUPT, else `report` below RESUME
    // (steps included: V2 never defers them).
    if (resume_action == UTRACE_INTERRUPT)
      interrupt = true;
    else if (resume_action < UTRACE_RESUME)
      report = true;
    if (task_stop)
      o.stopped = true;
    else
      reset();
  }
  if (v2) o.resume = interrupt ? UTRACE_INTERRUPT : report ? UTRACE_REPORT : UTRACE_RESUME;
  o.task_stop = task_stop;
  o.detached = det;
  for (std::size_t i = 0; i < n; ++i) o.engine_stop.push_back(!det[i] && stop[i]);
  return o;
}

// ---- the model --------------------------------------------------------------------------------

std::string scenario_json(const std::vector<GenEngine>& es, const char* kernel) {
  std::string engines = R"({"A": {"report_syscall_entry": {"return": "UTRACE_RESUME",
      "do": [{"complete": "in-anchor"}, {"wait_for_completion": "go"}]}})";
  std::string t = R"({"utrace_attach_task": {"target": "X", "ops": "A", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "a"},
      {"utrace_set_events": {"target": "X", "engine": "a", "events": ["SYSCALL_ENTRY"]}},
      {"complete": "ready"}, {"wait_for_completion": "in-anchor"})";
  for (std::size_t i = 0; i < es.size(); ++i) {
    const std::string e = "E" + std::to_string(i), h = "e" + std::to_string(i);
    engines += ", \"" + e + R"(": {"report_quiesce": ")" + action_name(es[i].qret) + R"(", "report_exit": ")" +
               action_name(es[i].eret) + R"(", "report_death": {}})";
    std::string mask = es[i].quiesce ? R"("QUIESCE")" : "";
    const std::string with_exit = mask.empty() ? R"("EXIT")" : mask + R"(, "EXIT")";
    if (es[i].interested) mask = with_exit;
    t += R"(, {"utrace_attach_task": {"target": "X", "ops": ")" + e +
         R"(", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": ")" + h +
         R"("}, {"utrace_set_events": {"target": "X", "engine": ")" + h + R"(", "events": [)" + with_exit +
         R"(]}}, {"utrace_set_events": {"target": "X", "engine": ")" + h + R"(", "events": [)" + mask + "]}}";
    if (es[i].pre_stop)
      t += R"(, {"utrace_control": {"target": "X", "engine": ")" + h +
           R"(", "action": "UTRACE_STOP"}, "expect": "-EINPROGRESS"})";
  }
  t += R"(, {"complete": "go"})";
  return std::string(R"({"utsim": 1, "name": "pass", "summary": "one report_exit pass", "model": {"kernel": ")") +
         kernel + R"("}, "engines": )" + engines + R"(}, "tasks": [
      {"name": "X", "program": [{"wait_for_completion": "ready"}, {"exit": 0}]},
      {"name": "T", "kind": "kthread", "program": [)" +
         t + "]}]}";
}

std::string field_of(const Event& e, const TraceNames& names) {
  for (const EventField& f : utrace_event_fields(e, names))
    if (std::string(f.key) == "field") return std::get<std::string>(f.value);
  return {};
}

PassOutcome observe(const Simulator& sim, int x, std::size_t n) {
  const auto& ev = sim.kernel().events();
  std::size_t cut = ev.size();
  for (std::size_t i = 0; i < ev.size() && cut == ev.size(); ++i)
    if (ev[i].pid == x && ((ev[i].kind == Ev::utrace_stop && ev[i].a == 1) || ev[i].kind == Ev::task_exit)) cut = i;
  PassOutcome o;
  o.stopped = cut < ev.size() && ev[cut].kind == Ev::utrace_stop;
  o.detached.assign(n, false);
  std::vector<unsigned long> flags(n, 0);
  bool v2 = false, report = false, interrupt = false;  // 2009-rfc's request bits
  for (std::size_t i = 0; i < cut; ++i) {
    const Event& e = ev[i];
    if (e.kind != Ev::utrace_state || e.pid != x) continue;
    const std::string f = field_of(e, sim);
    // Engine ids: the anchor is e1, the generated engines e2..
    const std::int64_t g = e.d - 2;
    if (f == "utrace->resume") o.resume = static_cast<std::uint32_t>(e.c);
    if (f == "utrace->report") v2 = true, report = e.c != 0;
    if (f == "utrace->interrupt") v2 = true, interrupt = e.c != 0;
    if (f == "utrace_flags") o.task_stop = (e.c & ENGINE_STOP) != 0;
    if (g >= 0 && static_cast<std::size_t>(g) < n) {
      if (f == "engine->ops") o.detached[static_cast<std::size_t>(g)] = true;
      if (f == "engine->flags") flags[static_cast<std::size_t>(g)] = static_cast<unsigned long>(e.c);
    }
  }
  if (v2) o.resume = interrupt ? UTRACE_INTERRUPT : report ? UTRACE_REPORT : UTRACE_RESUME;
  for (std::size_t i = 0; i < n; ++i) o.engine_stop.push_back(!o.detached[i] && (flags[i] & ENGINE_STOP));
  return o;
}

std::string gen_kernel() {
  return *rc::gen::element(std::string("2009-rfc"), std::string("2010-rhel6"), std::string("2011-3x"));
}

std::vector<GenEngine> gen_engines() {
  const int n = *rc::gen::inRange(1, 5);
  std::vector<GenEngine> es(static_cast<std::size_t>(n));
  for (GenEngine& e : es) {
    e.quiesce = *rc::gen::arbitrary<bool>();
    e.interested = *rc::gen::arbitrary<bool>();
    e.pre_stop = *rc::gen::arbitrary<bool>();
    e.qret = *rc::gen::elementOf(kActions);
    e.eret = *rc::gen::elementOf(kActions);
  }
  return es;
}

std::string describe(const std::vector<GenEngine>& es) {
  std::string s;
  for (const GenEngine& e : es)
    s += std::string("{") + (e.quiesce ? "QUIESCE " : "") + (e.interested ? "EXIT " : "") +
         (e.pre_stop ? "ENGINE_STOP " : "") + "q=" + action_name(e.qret) + " e=" + action_name(e.eret) + "} ";
  return s;
}

RC_GTEST_PROP(UtraceActionProp, OnePassMatchesTheReferenceMinimum, ()) {
  const std::vector<GenEngine> es = gen_engines();
  const std::string kernel = gen_kernel();
  const std::uint64_t seed = *rc::gen::inRange<std::uint64_t>(0, 1000);
  RC_TAG(kernel);
  LoadResult lr = load_scenario_text(scenario_json(es, kernel.c_str()));
  RC_ASSERT(lr.ok());
  Simulator sim(*lr.scenario, RunConfig{1'000'000, 64, true});
  sim::RandomScheduler sched(seed);
  const RunOutput out = sim.run(sched);
  // A stop that nobody releases ends the run with the task stopped (hang,
  // and stop-without-engine in the §4.9 edge case); nothing else may break.
  for (const Violation& v : out.violations)
    RC_ASSERT(v.property == Property::Hang || v.property == Property::StopWithoutEngine);
  const int x = sim.interp().slot_pid(0);
  const PassOutcome got = observe(sim, x, es.size());
  const PassOutcome want = reference(es, kernel == "2009-rfc");
  RC_LOG() << describe(es) << "\n  model:     " << got << "\n  reference: " << want << "\n";
  RC_ASSERT(got == want);
}

// The §4.9 edge case, spelled out: ENGINE_STOP without QUIESCE forces STOP
// before the callback; the callback's RESUME clears the engine's bit, but not
// the task's, and the task parks with no engine wanting it.
TEST(UtraceActionProp, EngineStopWithoutQuiesceStopsWithNobodyWantingIt) {
  const std::vector<GenEngine> es = {{false, true, true, UTRACE_RESUME, UTRACE_RESUME}};
  const PassOutcome want = reference(es, false);
  EXPECT_TRUE(want.stopped);
  EXPECT_TRUE(want.task_stop);
  EXPECT_EQ(want.engine_stop, std::vector<bool>{false});
  LoadResult lr = load_scenario_text(scenario_json(es, "2010-rhel6"));
  ASSERT_TRUE(lr.ok());
  Simulator sim(*lr.scenario, RunConfig{1'000'000, 64, true});
  sim::RandomScheduler sched(1);
  const RunOutput out = sim.run(sched);
  EXPECT_EQ(observe(sim, sim.interp().slot_pid(0), es.size()), want);
  bool stop_without_engine = false;
  for (const Violation& v : out.violations) stop_without_engine |= v.property == Property::StopWithoutEngine;
  EXPECT_TRUE(stop_without_engine);
  // With QUIESCE, the quiesce callback's RESUME clears the bit first: no stop.
  const std::vector<GenEngine> with_q = {{true, true, true, UTRACE_RESUME, UTRACE_RESUME}};
  EXPECT_FALSE(reference(with_q, false).stopped);
}

// ---- determinism ----------------------------------------------------------------------------------

std::string text_trace(const Simulator& sim) {
  std::string s;
  for (const Event& e : sim.kernel().events()) s += event_text(e, sim) + "\n";
  return s;
}

RC_GTEST_PROP(UtraceActionProp, SameScenarioAndSeedGiveByteIdenticalTraces, ()) {
  const std::vector<GenEngine> es = gen_engines();
  const std::string kernel = gen_kernel();
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  LoadResult lr = load_scenario_text(scenario_json(es, kernel.c_str()));
  RC_ASSERT(lr.ok());
  const RunConfig cfg{1'000'000, 64, true};
  // Two simulators, and the first one run twice: all three traces equal.
  Simulator a(*lr.scenario, cfg), b(*lr.scenario, cfg);
  sim::RandomScheduler sa(seed), sb(seed);
  const RunOutput oa = a.run(sa);
  const std::string ta = text_trace(a);
  const RunOutput ob = b.run(sb);
  RC_ASSERT(ta == text_trace(b));
  RC_ASSERT(oa.trace_hash == ob.trace_hash);
  sim::RandomScheduler sa2(seed);
  (void)a.run(sa2);
  RC_ASSERT(ta == text_trace(a));
  RC_ASSERT(!ta.empty());
}

}  // namespace
}  // namespace model
