// tools/teach/explain.h: the narrative of a run, as `utsim explain` prints it
// and `utsim report` shows it: for each step the task, the kernel function,
// what it read or changed, and why (a table of explanations keyed by the
// function and the outcome, in tools/teach/explain_why.cpp).
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

// Where utrace-semantics.md states what a property guards: "G18" and a short
// quote of the guarantee (§6), or a race of §7, or an invariant.
struct Guarantee {
  std::string id;       // "G18", "R2", "I1-I9"
  std::string section;  // "utrace-semantics.md §6"
  std::string quote;
};
std::vector<Guarantee> guarantees_of(model::Property p);
// One sentence: what the property promises (SCENARIOS.md "Properties").
std::string property_promise(model::Property p);

}  // namespace tools
