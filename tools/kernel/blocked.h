// tools/kernel/blocked.h: when a task of a real run can no longer go on by
// itself, and when a whole run can never go on again.  Pure decisions over
// what the runner (tasks.cpp) reads of each task: its /proc state letter
// and the op it is in.  No allocation, no system call: the runner and
// `settle` call them from the scenario's processes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ukern {

// What the op a task is in waits for.  Only another task (or a timer) ends
// these waits: pause() needs a signal (kernel/signal.c sys_pause), a blocking
// wait4() a child's change or a signal (kernel/exit.c do_wait), a vfork
// parent its child's exec or exit (kernel/fork.c wait_for_vfork_done).
enum class WaitsFor : std::uint8_t {
  Nothing,     // running code, a timed sleep (nanosleep), settle, or between ops
  Signal,      // pause
  Child,       // waitpid without WNOHANG
  Completion,  // wait_for_completion
  VforkChild,  // vfork / clone(CLONE_VFORK): the parent sleeps until the child lets go
  State,       // await: polling /proc until a task is in a state
  Held,        // an await that timed out: held for good (it never returns in the model)
};

struct TaskView {
  char state = 0;  // /proc/PID/stat letter; 0 gone
  WaitsFor waits = WaitsFor::Nothing;
  bool state_reached = false;  // State: the awaited task is in that state now
};

// Gone, dead or a zombie: nothing left to run.
bool is_gone(const TaskView& t);

// The task cannot go on unless another task acts: asleep in a wait that
// only another task ends, stopped or traced (only SIGCONT or its tracer
// resumes it), or held.  An await whose state is reached is about to return.
bool waits_on_others(const TaskView& t);

// Every task that is not gone waits on the others: none can ever wake
// another, so the run is over (the caller rules out timers: an alarm can
// end a pause).  True for an empty run too.
bool all_blocked_for_good(const TaskView* tasks, std::size_t n);

// `settle`: the task is blocked, stopped, a zombie or gone, as the model's
// wait_idle() sees it, not a poll about to return (an await whose state is
// reached).
bool settled(const TaskView& t);

}  // namespace ukern
