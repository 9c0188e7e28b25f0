// tools/export/export_run.cpp: the recorded run and the names exporters print:
// who ran a step, which shared object it touched, an event's fields by name;
// and the one dispatch of `utsim run --trace FORMAT`.
#include <fmt/format.h>

#include "explore/check.h"
#include "model/linux/task.h"
#include "sim/sched/random.h"
#include "sim/sched/replay.h"
#include "sim/schedule.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/teach/report_svg.h"

namespace tools {

RecordingScheduler::~RecordingScheduler() {
  // The engine must not keep pointers into a log that may die before it.
  if (installed_) simu_.kernel().eng.record(nullptr, nullptr);
}

void RecordingScheduler::begin_run() {
  // Simulator::run() has built this run's Kernel before the engine starts,
  // so the engine is reachable here, before the first step.
  log_.steps.clear();
  log_.notes.clear();
  log_.choices.clear();
  simu_.kernel().eng.record(&log_.steps, &log_.notes);
  installed_ = true;
  inner_.begin_run();
}

sim::Tid RecordingScheduler::choose(const sim::ChoiceContext& ctx) {
  const sim::Tid t = inner_.choose(ctx);
  // The default as the engine counts it (sim::Engine::run): the current
  // thread while it can run, else the lowest enabled one.
  const bool current_enabled = ctx.current != sim::kNoTid && ctx.is_enabled(ctx.current);
  const sim::Tid dflt = current_enabled ? ctx.current : ctx.enabled.front();
  log_.choices.push_back({ctx.step + 1, t, dflt, current_enabled && t != ctx.current});
  return t;
}

RunScheduler scheduler_for(const std::optional<std::uint64_t>& seed, const std::optional<std::string>& schedule) {
  if (seed) return {std::make_unique<sim::RandomScheduler>(*seed), fmt::format("random, seed {}", *seed)};
  if (schedule)
    return {std::make_unique<sim::ReplayScheduler>(sim::decode_schedule(*schedule).value_or(std::vector<sim::Tid>{})),
            fmt::format("the schedule '{}'", *schedule)};
  return {std::make_unique<sim::ReplayScheduler>(), "the default schedule (non-preemptive)"};
}

std::unique_ptr<TracedRun> traced_run(const model::Scenario& scn, const std::optional<std::string>& schedule,
                                      const std::optional<std::uint64_t>& seed,
                                      const std::optional<std::uint64_t>& max_steps) {
  model::RunConfig cfg = model::explore_options_for(scn, {}).run;
  if (max_steps) cfg.max_steps = *max_steps;
  cfg.trace = true;
  auto r = std::make_unique<TracedRun>();
  RunScheduler sched = scheduler_for(seed, schedule);
  r->scheduled_by = std::move(sched.scheduled_by);
  r->simu = std::make_unique<model::Simulator>(scn, cfg);
  {
    RecordingScheduler rec(*sched.scheduler, *r->simu, r->log);
    r->out = r->simu->run(rec);
  }
  r->schedule = schedule_of(r->out.engine.choices, r->out.engine.significant);
  return r;
}

std::string thread_task_name(const model::Kernel& k, sim::Tid t) {
  for (const auto& task : k.tasks) {
    if (task->tid == t) return k.comm(task->pid);
    // The ITIMER_REAL hrtimer of a thread group (model/linux/itimer.cpp).
    if (task->signal && task->signal->real_timer_tid == t && task->signal->real_timer_owner == task.get())
      return "hrtimer(" + k.comm(task->pid) + ")";
  }
  for (const auto& [tid, name] : k.named_threads)
    if (tid == t) return name;
  return fmt::format("thread {}", t);
}

int step_pid(const model::Kernel& k, const StepLog& log, std::uint64_t step) {
  if (step == 0 || step > log.steps.size()) return 0;
  const sim::Tid t = log.steps[step - 1].tid;
  for (const auto& task : k.tasks)
    if (task->tid == t) return task->pid;
  return 0;
}

int runner_pid(const model::Kernel& k, const StepLog& log, const model::Event& e) {
  const int pid = step_pid(k, log, e.step);
  return pid ? pid : e.pid;
}

std::string object_name(const model::Simulator& run, sim::ObjId o) {
  if (o.v == 0) return "";
  if (o == sim::kGlobalObj) return "(the whole system: released by the engine)";
  if (sim::is_engine_obj(o)) return fmt::format("(thread {} created)", o.v & 0xffffffu);
  return run.object(o.v);
}

const char* access_verb(sim::Acc a) {
  switch (a) {
    case sim::Acc::Local: return "runs";
    case sim::Acc::Read: return "reads";
    case sim::Acc::Write: return "writes";
    case sim::Acc::Lock: return "locks";
    case sim::Acc::Unlock: return "unlocks";
    case sim::Acc::Callback: return "calls back";
    case sim::Acc::Sleep: return "wakes from";
    case sim::Acc::Spawn: return "starts";
  }
  return "?";
}

std::string EventView::str(const char* key) const {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

EventView view(const model::Event& e, const model::TraceNames& names) {
  EventView v;
  v.e = &e;
  v.name = model::event_name(e.kind);
  v.j = model::event_json(e, names);
  return v;
}

std::string api_call_text(const EventView& v) {
  std::string call = v.str("call");
  if (v.has("action"))
    call += "(" + v.str("action") + ")";
  else if (v.has("events"))
    call += "(" + v.str("events") + ")";
  return call + " = " + v.str("ret");
}

std::string callback_arg(const model::Event& e, const model::TraceNames& names) {
  if (e.kind != model::Ev::utrace_callback) return "";
  // From the fields themselves: in event_json an "event" field of
  // report_quiesce shares its key with the event's own name.
  for (const model::EventField& f : model::utrace_event_fields(e, names))
    if (std::string_view(f.key) == "action" || std::string_view(f.key) == "event")
      if (const auto* s = std::get_if<std::string>(&f.value)) return *s;
  return "";
}

std::optional<bool> engine_stop_change(const EventView& v) {
  const bool had = v.str("old").find("ENGINE_STOP") != std::string::npos;
  const bool has = v.str("new").find("ENGINE_STOP") != std::string::npos;
  if (had == has) return std::nullopt;
  return has;
}

const model::PtraceOp* ptrace_op(const model::Event& e) {
  const auto* op = static_cast<const model::Op*>(e.ref);
  return op ? op->as_if<model::PtraceOp>() : nullptr;
}

std::string trace_svg(const model::Simulator& run, const StepLog& log) {
  return timeline_svg_document(build_timeline(run, log), "utsim: " + run.scenario().name);
}

void write_trace_as(std::ostream& os, std::string_view format, const model::Simulator& run, const StepLog& log) {
  if (format == "chrome") return write_chrome_trace(os, run, log);
  if (format == "mermaid") return write_mermaid(os, run, log);
  if (format == "dot") return write_dot(os, run, log);
  if (format == "svg") {
    os << trace_svg(run, log);
    return;
  }
  const bool json = format == "json";
  for (const model::Event& e : run.kernel().events()) {
    if (json)
      os << model::event_json(e, run).dump() << '\n';
    else
      os << printable(model::event_text(e, run)) << '\n';  // names and messages from the scenario
  }
}

}  // namespace tools
