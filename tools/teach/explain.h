// tools/teach/explain.h: the narrative of a run, as `utsim explain` prints it
// and `utsim report` shows it: for each step the task, the kernel function,
// what it read or changed, and why (model::why_of, model/why.h: the
// explanations live in the model, next to the typed events they explain).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "tools/export/export.h"

namespace tools {

struct NarrativeLine {
  std::string what;  // "utrace_control(e1(e), UTRACE_DETACH) returned -EINPROGRESS"
  std::string why;   // "" when there is nothing to add
  std::string kind;  // state, api, callback, signal, life, property, sched, read, race, other
  // The kernel whose rule `why` states: "2010-rhel6", or "2010-rhel6 +R2"
  // when a race switched on (model.bugs, --bug) decided the step.
  std::string rule;
};

// One step, or a run of quiet steps (no events) of one task.
struct NarrativeStep {
  std::uint64_t first = 0, last = 0;
  std::string task;                    // "X-2"
  std::vector<std::string> functions;  // the kernel functions of those steps, in order, no repeats
  // One step: "locks X-2 utrace->lock", "reads e1(e) engine->ops = ops (its
  // initial value)" (a READ_ONCE: the value it saw and its store); several: "".
  std::string access;
  bool chosen = false;  // a choice point picked this task here
  std::vector<NarrativeLine> lines;
};

// Which steps of a long run the narrative and the timeline show: the first
// and the last kShownSteps / 2, and a line saying what was left out between
// them (`utsim explain` and `utsim report` without --full).  A million-step
// run would otherwise be hundreds of megabytes of text or HTML.
inline constexpr std::uint64_t kShownSteps = 2000;
struct StepWindow {
  std::uint64_t steps = 0;       // of the run (the narrative's last step)
  std::uint64_t head_last = 0;   // steps 1..head_last are shown,
  std::uint64_t tail_first = 1;  // and tail_first..steps
  bool elided() const { return tail_first > head_last + 1; }
  std::uint64_t hidden() const { return elided() ? tail_first - head_last - 1 : 0; }
  bool shows(std::uint64_t step) const { return step <= head_last || step >= tail_first; }
};
// Every step when `full` or when the run has at most kShownSteps.
StepWindow step_window(std::uint64_t steps, bool full);
// The last step a narrative of this run has (its steps, or its last event's).
std::uint64_t narrated_steps(const model::Simulator& run, const StepLog& log);

// What a lockless load of a traced run saw, and the store it came from:
// "ops (its initial value)", "&utrace_detached_ops (stored at step 38 by T-3
// in mark_engine_detached)".
std::string read_value_text(const model::Simulator& run, const StepLog& log, const model::SharedRead& r);
// The access of a step as the narrative says it: "reads e1(e) engine->ops
// = ops (its initial value)".
std::string step_access_text(const model::Simulator& run, const StepLog& log, std::uint64_t step);
// The lines of step `step` for the races of §7 that decided its code, and
// the rule its explanations state ("2010-rhel6 +R2").
std::vector<NarrativeLine> race_lines(const model::Simulator& run, std::uint64_t step, std::string* rule);

// The narrative of the steps `window` shows (default: every step).
std::vector<NarrativeStep> narrate(const model::Simulator& run, const StepLog& log, const StepWindow* window = nullptr);

}  // namespace tools
