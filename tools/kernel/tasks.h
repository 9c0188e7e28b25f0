// tools/kernel/tasks.h: the scenario's side of a run (tasks.cpp) as the
// utsim-kernel process that starts it (launch.cpp) sees it.  Internal to
// utsim-kernel.
#pragma once

#include "scenario/scenario.h"
#include "tools/kernel/replay.h"

namespace ukern {

// Points the code of the tasks at a run: the shared area, the scenario,
// its ops and the options; no clone stack handed out, no handler installed.
// Called before the runner is forked, and in a re-executed image before its
// task goes on.
void bind_run(Shared* shared, const model::Scenario& s, const OpIndex& idx, const RunOptions& o, int memfd);
void unbind_run();

// The runner: a child subreaper that plays init, starts the top-level tasks
// and ends the run when it hangs or every task may block forever.
[[noreturn]] void runner_main(const model::Scenario& s);

// In an image re-executed by an exec op: the task of `slot` (now thread
// `tid`) records the exec's 0 and runs the exec'd program.
[[noreturn]] void resume_after_exec(int slot, int tid, const model::Op& exec_op, const model::Program& prog);

// CLOCK_MONOTONIC in microseconds (vDSO, no system call) and a nanosleep.
long now_us();
void sleep_us(long us);

}  // namespace ukern
