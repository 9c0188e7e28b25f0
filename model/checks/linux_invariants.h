// model/checks/linux_invariants.h: the Linux-level invariants of the model (the task
// lists, pids, thread groups, job control and locks of the simulated
// 2.6.32), below the utrace invariants I1-I9 of utrace-semantics.md §6.
//
// Each broken one is reported once per run as
// Kernel::violation(Property::ModelInvariant, pid, "linux: ...").
#pragma once

#include "model/linux/hooks.h"
#include "sim/engine.h"
#include "sim/pooled.h"

namespace model {

class Kernel;
struct Task;

// The checks made while a run goes (as an observer of the Linux layer).
class LinuxInvariants final : public LinuxHooks, public sim::Pooled {
 public:
  void on_release(Kernel& k, Task& p) override;
  void on_children_reparented(Kernel& k, Task& father) override;
};

// The whole set, at the end of a run (Checks::end_of_run, called by scenario/run.cpp).  A run cut short
// (step limit, interrupted) may stop in the middle of a critical section:
// then only the checks that hold at any step are made.
void check_linux_invariants(Kernel& k, const sim::RunResult& r);

// Right after release_task() unlinked `p` (__exit_signal, __unhash_process):
// it is EXIT_DEAD and on no list, and its pid is free.
void check_released_task(Kernel& k, const Task& p);

// Right after forget_original_parent(): the exiting task has no children
// left (2.6.32: BUG_ON(!list_empty(&father->children))) and is on its own
// real parent's children list exactly once.
void check_exiting_task(Kernel& k, const Task& father);

}  // namespace model
