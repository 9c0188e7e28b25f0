// tools/export/export.h: the exporters of the one event stream (DESIGN.md
// contract 4) and the recorded run that the teaching commands (explain, step,
// report) read.
//
// A run's events say *what* happened; the step log says *who* ran each step
// and in which kernel function (sim::Engine::record).  Exporters read both
// and never change the run: everything here is a pure function of the
// kernel's events, the step log and the names of the run, so the output is
// byte-identical for the same (scenario, model version, schedule).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/linux/kernel.h"
#include "scenario/run.h"
#include "scenario/scenario.h"
#include "sim/engine.h"

namespace tools {

// ---- the step log --------------------------------------------------------------

// Every executed step of a run, with the access it began with.
struct StepLog {
  std::vector<sim::StepRec> steps;  // steps[i] is step i + 1 (Event::step numbering)
  std::vector<sim::Access> notes;
};

// Wraps a scheduler and records every step of the runs it schedules into
// `log` (it installs Engine::record when the run begins).  Choices are the
// inner scheduler's, so a recorded run is the same run.
class RecordingScheduler final : public sim::Scheduler {
 public:
  RecordingScheduler(sim::Scheduler& inner, const model::Simulator& simu, StepLog& log)
      : inner_(inner), simu_(simu), log_(log) {}
  ~RecordingScheduler() override;
  void begin_run() override;
  sim::Tid choose(const sim::ChoiceContext& ctx) override { return inner_.choose(ctx); }
  void on_spawn(sim::Tid t) override { inner_.on_spawn(t); }
  bool wants_steps() const override { return inner_.wants_steps(); }
  void on_step(sim::Tid t, std::uint64_t step) override { inner_.on_step(t, step); }

 private:
  sim::Scheduler& inner_;
  const model::Simulator& simu_;
  StepLog& log_;
  bool installed_ = false;
};

// One run kept whole for the teaching commands: the simulator (its Kernel
// holds the events), the step log and the summary.  `scn` must outlive it.
struct TracedRun {
  std::unique_ptr<model::Simulator> simu;
  StepLog log;
  model::RunOutput out;
  std::string scheduled_by;  // "the schedule 'cab'", "random, seed 7", "the default schedule"
  std::string schedule;      // the schedule string of the run (replays it)
  const model::Kernel& kernel() const { return simu->kernel(); }
  const model::Simulator& run() const { return *simu; }
};
// The scheduler of one run: random from --seed N, else following
// --schedule S, else the default (non-preemptive) schedule; and how the run
// names it ("random, seed 7", "the schedule 'cab'").
struct RunScheduler {
  std::unique_ptr<sim::Scheduler> scheduler;
  std::string scheduled_by;
};
RunScheduler scheduler_for(const std::optional<std::uint64_t>& seed, const std::optional<std::string>& schedule);

// Runs `scn` once with tracing on: --schedule S, --seed N, else the default
// (non-preemptive) schedule.  Throws what Simulator::run throws.
std::unique_ptr<TracedRun> traced_run(const model::Scenario& scn, const std::optional<std::string>& schedule,
                                      const std::optional<std::uint64_t>& seed,
                                      const std::optional<std::uint64_t>& max_steps);

// ---- names ---------------------------------------------------------------------------

// The task a sim thread runs ("X-2"), "thread c" if none.
std::string thread_task_name(const model::Kernel& k, sim::Tid t);
// A shared object of a yield point: "X-2 utrace->lock", "e1(e) engine->flags",
// "completion engine-ready", "tasklist_lock".
std::string object_name(const model::Simulator& run, sim::ObjId o);
// "lock", "read", "write" ... of an access, as a verb: "locks", "reads".
const char* access_verb(sim::Acc a);

// An event's fields by name (from model::event_json), for matching.
struct EventView {
  const model::Event* e = nullptr;
  std::string name;  // "utrace_api" (no utsim_ prefix)
  nlohmann::json j;
  std::string str(const char* key) const;  // "" when absent; integers as decimal
  bool has(const char* key) const { return j.contains(key); }
};
EventView view(const model::Event& e, const model::TraceNames& names);

// A utrace API call as the pictures label it: "utrace_control(UTRACE_DETACH) = 0"
// (the action, else the events, in parentheses).
std::string api_call_text(const EventView& v);
// A utrace_state event of utrace_flags: whether ENGINE_STOP is now set, if it
// changed; nothing if it did not.
std::optional<bool> engine_stop_change(const EventView& v);
// The ptrace op an op_result event reports, null for another op.
const model::PtraceOp* ptrace_op(const model::Event& e);

// ---- the timeline: what the visual exporters draw ----------------------------------------

// Time is counted in steps.  Positions inside a step are fixed so that
// things that happen in one step still have an order: causes at +0.2,
// state changes at +0.5, effects at +0.8.
struct Lane {
  int pid = 0, tgid = 0;
  std::string name;  // "X-2"
  bool kthread = false;
};
struct Span {  // the task is in one state from begin to end
  int pid = 0;
  std::string state;  // TASK_RUNNING, TASK_TRACED, EXIT_ZOMBIE ...
  double begin = 0, end = 0;
};
struct Slice {  // a callback or a syscall: begin to end, properly nested per lane
  int pid = 0;
  std::string name, category;  // category: "callback" or "syscall"
  double begin = 0, end = 0;
  int depth = 0;
  std::string detail;
};
struct Mark {  // one instant: an API call, a signal, an exit, a violation ...
  int pid = 0;
  double at = 0;
  std::string name, category, detail;  // category: api, signal, wait, life, property, ptrace
};
struct Flow {  // cause -> effect, possibly across tasks
  int from_pid = 0, to_pid = 0;
  double from = 0, to = 0;
  std::string name, category;  // category: wake, wait, signal
};
struct Timeline {
  std::vector<Lane> lanes;  // by pid
  std::vector<Span> spans;
  std::vector<Slice> slices;
  std::vector<Mark> marks;
  std::vector<Flow> flows;
  double begin = 0;  // where the picture starts (0, or the start of a window: clip_timeline)
  double end = 0;    // the last step + 1
};
Timeline build_timeline(const model::Simulator& run, const StepLog& log);
// The part of `t` in [from, to): spans and slices cut at its edges, the marks
// inside it, the flows with both ends inside it, every lane.
Timeline clip_timeline(const Timeline& t, double from, double to);

// The states each task went through, in first-visit order, and the
// transitions between them (from, to, what did it), for the DOT exporter and
// the report's state diagram.
struct StateEdge {
  std::size_t from = 0, to = 0;  // indexes into TaskMachine::states
  std::string label;             // "utrace_stop (step 40)"
  std::vector<std::uint64_t> steps;
  std::string cause;  // the kernel function or event that did it
};
struct TaskMachine {
  int pid = 0;
  std::string name;
  std::vector<std::string> states;
  std::vector<StateEdge> edges;
};
std::vector<TaskMachine> state_machines(const model::Simulator& run, const StepLog& log);

// ---- exporters -------------------------------------------------------------------------------

// Chrome trace JSON (the Trace Event Format; opens in Perfetto and chrome://tracing).
void write_chrome_trace(std::ostream& os, const model::Simulator& run, const StepLog& log);
// A Mermaid sequence diagram (participants: tasks and engines).
void write_mermaid(std::ostream& os, const model::Simulator& run, const StepLog& log);
// DOT of each task's state machine as visited (Boost.Graph write_graphviz).
void write_dot(std::ostream& os, const model::Simulator& run, const StepLog& log);

// The formats `utsim run --trace` knows, and the one dispatch.
inline constexpr const char* kTraceFormats[] = {"text", "json", "chrome", "mermaid", "dot"};
void write_trace_as(std::ostream& os, std::string_view format, const model::Simulator& run, const StepLog& log);

}  // namespace tools
