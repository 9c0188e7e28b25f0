// model/ptrace.h: ptrace implemented on utrace (RHEL6 kernel/ptrace-utrace.c,
// utrace-semantics.md §8): the tracer/tracee links and the requests.
#pragma once

#include "model/kernel.h"

namespace model {

// __ptrace_link(): `child` is now traced by `new_parent`.  tasklist_lock held.
void ptrace_link(Kernel& k, Task& child, Task& new_parent);
// __ptrace_unlink(): back to the real parent.  tasklist_lock held.
void ptrace_unlink(Kernel& k, Task& child);
// ptrace_release_task() (tracehook_finish_release_task): tasklist_lock held.
void ptrace_release_task(Kernel& k, Task& p);
// exit_ptrace(): the tracer exits; every tracee is detached.
sim::Co<void> exit_ptrace(Kernel& k, Task& tracer);

}  // namespace model

namespace model {
// sys_ptrace(): the ptrace system call.  Returns the syscall's value; *res
// gets the op's result (GETEVENTMSG's message, ...).
sim::Co<std::int64_t> sys_ptrace(Kernel& k, Task& cur, const PtraceOp& op, OpCtx& ctx, OpResult* res);
}  // namespace model

namespace model {
// ptrace_notify_stop(): called by utrace_stop() after TASK_TRACED (RHEL6,
// utrace-semantics.md §8.5): the tracer's wait() learns of the stop.
sim::Co<void> ptrace_notify_stop(Kernel& k, Task& task);
}  // namespace model
