// tools/kernel/blocked.cpp: tasks that can no longer go on by themselves
// (blocked.h).
#include "tools/kernel/blocked.h"

namespace ukern {

namespace {

// /proc/PID/stat letters (fs/proc/array.c task_state_array).
bool asleep(char c) { return c == 'S' || c == 'D' || c == 'I'; }
bool stopped_or_traced(char c) { return c == 'T' || c == 't'; }

}  // namespace

bool is_gone(const TaskView& t) { return t.state == 0 || t.state == 'Z' || t.state == 'X'; }

bool waits_on_others(const TaskView& t) {
  if (t.waits == WaitsFor::Held) return true;
  if (stopped_or_traced(t.state)) return true;
  switch (t.waits) {
    case WaitsFor::Signal:
    case WaitsFor::Child:
    case WaitsFor::Completion:
    case WaitsFor::VforkChild: return asleep(t.state);
    // An await polls: it sleeps between two looks at /proc, and runs when
    // it looks; it waits on the others as long as the state is not there.
    case WaitsFor::State: return !t.state_reached && (asleep(t.state) || t.state == 'R');
    case WaitsFor::Nothing:
    case WaitsFor::Held: break;
  }
  return false;
}

bool all_blocked_for_good(const TaskView* tasks, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!is_gone(tasks[i]) && !waits_on_others(tasks[i])) return false;
  return true;
}

bool settled(const TaskView& t) {
  if (t.waits == WaitsFor::Held) return true;
  // The model's await sleeps until the state is there (scenario/interp
  // kernel_ops.cpp await_op): blocked while it is not, whatever the poll is
  // doing; about to run when it is.
  if (t.waits == WaitsFor::State) return !t.state_reached;
  return is_gone(t) || asleep(t.state) || stopped_or_traced(t.state);
}

}  // namespace ukern
