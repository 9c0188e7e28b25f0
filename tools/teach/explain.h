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
  std::string kind;  // state, api, callback, signal, life, property, sched, other
};

// One step, or a run of quiet steps (no events) of one task.
struct NarrativeStep {
  std::uint64_t first = 0, last = 0;
  std::string task;                    // "X-2"
  std::vector<std::string> functions;  // the kernel functions of those steps, in order, no repeats
  std::string access;                  // one step: "locks X-2 utrace->lock"; several: ""
  bool chosen = false;                 // a choice point picked this task here
  std::vector<NarrativeLine> lines;
};

std::vector<NarrativeStep> narrate(const model::Simulator& run, const StepLog& log);

}  // namespace tools
