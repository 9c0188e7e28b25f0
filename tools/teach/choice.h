// tools/teach/choice.h: the user as the scheduler, the part `utsim step` and
// `utsim serve` share: a scheduler that replays the choices made so far and
// then hands each new choice point to the tool, and a choice point described
// in kernel words (each runnable thread and what it would do next).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scenario/run.h"
#include "sim/sched/scheduler.h"

namespace tools {

// A runnable thread at a choice point and the step it would take: its
// pending access (the kernel function, the access, the shared object).
struct ChoiceOption {
  sim::Tid tid = sim::kNoTid;
  std::string letter;    // "b": its name in a schedule string
  std::string task;      // "X-2"
  std::string function;  // "finish_callback_report"
  std::string verb;      // "reads", "writes", "locks" ... (access_verb)
  std::string object;    // "e1(e) engine->ops"; "" when the access names none
  bool is_default = false;
};

struct ChoicePoint {
  std::uint32_t index = 0;  // of the choice point in the run (the schedule's position)
  std::uint64_t step = 0;   // steps executed before it
  sim::Tid def = sim::kNoTid;
  std::vector<ChoiceOption> options;  // ascending thread ids
};

// The runnable threads of `ctx` in the run `run` is making.
ChoicePoint describe_choice_point(const model::Simulator& run, const sim::ChoiceContext& ctx);

// Replays `choices` (the choices made so far: the live vector, which the tool
// may extend), then calls `ask` at each later choice point.  What `ask`
// returns is the choice; sim::kNoTid ends the run as diverged (a tool that
// wants to stop there, or undo).  A replayed choice that does not fit ends
// it as diverged too (sim::Scheduler).
class PrefixScheduler final : public sim::Scheduler {
 public:
  using Ask = std::function<sim::Tid(const sim::ChoiceContext&)>;
  PrefixScheduler(const std::vector<sim::Tid>& choices, Ask ask) : choices_(choices), ask_(std::move(ask)) {}
  void begin_run() override { next_ = 0; }
  sim::Tid choose(const sim::ChoiceContext& ctx) override;

 private:
  const std::vector<sim::Tid>& choices_;
  Ask ask_;
  std::size_t next_ = 0;
};

}  // namespace tools
