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

// A choice point of a run: the thread chosen, and the one the
// non-preemptive default would have run (sim/sched/scheduler.h: keep the
// current thread while it can run, else the lowest enabled one).
struct ChoiceRec {
  std::uint64_t step = 0;  // the step the chosen thread ran next
  sim::Tid chosen = sim::kNoTid, dflt = sim::kNoTid;
  bool preemption = false;  // the current thread could have gone on
};

// Every executed step of a run, with the access it began with, and its
// choice points.
struct StepLog {
  std::vector<sim::StepRec> steps;  // steps[i] is step i + 1 (Event::step numbering)
  std::vector<sim::Access> notes;
  std::vector<ChoiceRec> choices;
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
  sim::Tid choose(const sim::ChoiceContext& ctx) override;
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
// A callback event's argument as the kernel passes it: the action
// ("UTRACE_RESUME"), or the event mask of report_quiesce; "" for the others
// (report_death, report_reap ...).
std::string callback_arg(const model::Event& e, const model::TraceNames& names);
// The task whose thread ran a step (0 when none does: an hrtimer's thread).
int step_pid(const model::Kernel& k, const StepLog& log, std::uint64_t step);
// The task that ran an event's step: the runner of a callback (the reaper
// for report_reap), else the event's own task.
int runner_pid(const model::Kernel& k, const StepLog& log, const model::Event& e);
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
// A callback or a syscall, from its call to its return, on the lane of the
// task whose thread runs it (report_reap is run by the reaper, for the task
// it reaps), whatever happens to either task's state meanwhile; properly
// nested per lane.  One that never returned ends where its thread ended, or
// at the end of the run.
struct Slice {
  int pid = 0;                 // the lane: the task whose thread made the call
  std::string name, category;  // category: "callback" or "syscall"
  double begin = 0, end = 0;
  int depth = 0;
  std::string detail;
  int subject = 0;       // a callback's task (the one reported on); the lane's own task for a syscall
  bool returned = true;  // false: its thread, or the run, ended first
  std::uint64_t call_step = 0, return_step = 0;  // return_step 0: it never returned
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
// A spinlock held, from the step that took it (a step that begins with
// Acc::Lock) to the step that released it (its Acc::Unlock note), both read
// from the step log.  Whole steps: the hold covers the acquiring step from
// its start (+0.1) and the releasing one to its end (+0.9), since the step
// log does not order a release among the events of its step.
struct LockHold {
  std::size_t lock = 0;  // index into Timeline::locks
  int pid = 0;           // the holder's task (0: a thread of no task)
  std::string holder;    // "P-2"
  std::string where;     // the kernel function that took it
  double begin = 0, end = 0;
  std::uint64_t acquired = 0, released = 0;  // steps; released 0: still held at the end
};
struct LockLane {
  sim::ObjId id;
  std::string name;  // "X-4 utrace->lock", "X-4 siglock", "tasklist_lock"
};

// One access a step made: the one it began with, or one made inside it.
struct StepAccess {
  std::uint64_t step = 0;
  int pid = 0;      // the task whose thread made it
  std::string who;  // "P-2"
  sim::Access acc;
  std::string text;  // "P-2 writes X-4 utrace_flags in utrace_maybe_reap (step 65)"
};
// A race window: at a choice point the schedule ran another thread than the
// default one (a preemption when the passed-over thread could have gone on),
// and the passed-over thread ran again only later.  `conflicts` pairs an
// access made inside the window by another thread with a later access of the
// passed-over thread that conflicts with it (same object, not both reads:
// sim::conflicts), the earliest such pair per object: what the reordering
// put the other way round.
struct RaceWindow {
  int passed_pid = 0;  // the thread passed over (its task)
  std::string passed, chosen;
  int chosen_pid = 0;
  bool preemption = false;
  std::uint64_t from = 0, to = 0;  // steps [from, to): to 0 when it never ran again
  std::vector<std::pair<StepAccess, StepAccess>> conflicts;
};

struct Timeline {
  std::vector<Lane> lanes;  // by pid
  std::vector<Span> spans;
  std::vector<Slice> slices;
  std::vector<Mark> marks;
  std::vector<Flow> flows;
  std::vector<LockLane> locks;  // the spinlocks the run took, a lane each
  std::vector<LockHold> holds;
  std::vector<RaceWindow> races;  // the non-default choices whose windows hold conflicting accesses
  double begin = 0;               // where the picture starts (0, or the start of a window: clip_timeline)
  double end = 0;                 // the last step + 1
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

// The formats `utsim run --trace` knows, and the one dispatch.  "svg" is
// the report's timeline as a standalone picture (teach/report_svg.h);
// "png" is that picture rasterised by rsvg-convert, which cmd_run does
// itself (teach/rasterize.h), since it can fail for want of the program.
inline constexpr const char* kTraceFormats[] = {"text", "json", "chrome", "mermaid", "dot", "svg", "png"};
void write_trace_as(std::ostream& os, std::string_view format, const model::Simulator& run, const StepLog& log);
// The picture `--trace svg` writes: the timeline of the whole run, titled
// with the scenario's name.
std::string trace_svg(const model::Simulator& run, const StepLog& log);

}  // namespace tools
