// model/ptrace/ptrace.h: ptrace implemented on utrace, as RHEL6's
// kernel/ptrace-utrace.c did it (Oleg Nesterov; utrace-semantics.md §8).
//
// A tracee has one ptrace engine whose data is a struct ptrace_context; the
// requests of the ptrace system call become utrace calls on it.  The
// tracer/tracee links (__ptrace_link and friends) are kernel/ptrace.c's.
#pragma once

#include "model/linux/kernel.h"

namespace model {

// Internal ptrace "options" and event numbers (§8.1).
inline constexpr int PTRACE_O_SYSEMU = 0x100, PTRACE_O_DETACHED = 0x200;
inline constexpr int PTRACE_EVENT_SYSCALL = 1 << 16, PTRACE_EVENT_SIGTRAP = 2 << 16, PTRACE_EVENT_SIGNAL = 3 << 16,
                     PTRACE_EVENT_MASK = 0xffff;

// struct ptrace_context: the engine's data.
struct PtraceContext : sim::Pooled {
  int options = 0;
  int signr = 0;
  Siginfo* siginfo = nullptr;  // the tracee's siginfo (on its stack) at a signal-delivery stop
  int stop_code = 0;           // why it stops; 0 = no ptrace event pending
  std::int64_t eventmsg = 0;
  std::uint32_t resume = UTRACE_RESUME;
  bool freed = false;  // ptrace_release() ran
};

// __ptrace_link(): `child` is now traced by `new_parent`.  tasklist_lock held.
void ptrace_link(Kernel& k, Task& child, Task& new_parent);
// __ptrace_unlink(): back to the real parent.  tasklist_lock held.
void ptrace_unlink(Kernel& k, Task& child);
// ptrace_release_task() (tracehook_finish_release_task): tasklist_lock held.
void ptrace_release_task(Kernel& k, Task& p);
// exit_ptrace(): the tracer exits; every tracee is detached implicitly.
sim::Co<void> exit_ptrace(Kernel& k, Task& tracer);

// sys_ptrace(): the ptrace system call on the task `child` (the pid looked
// up; NULL: no such task).  `data` is the request's data argument (the
// signal of CONT, SYSCALL, DETACH...; the options of SETOPTIONS).  Returns
// the syscall's value; *peek gets what GETEVENTMSG and GETSIGINFO write to
// user memory (the message; si_signo) when they return 0.
sim::Co<std::int64_t> sys_ptrace(Kernel& k, Task& cur, long request, Task* child, std::int64_t data,
                                 std::int64_t* peek);

// ptrace_notify_stop(): called by utrace_stop() after TASK_TRACED (§8.5): the
// tracer's wait() learns of the stop (CLD_TRAPPED).
sim::Co<void> ptrace_notify_stop(Kernel& k, Task& task);

// Per-run set-up: the ptrace engine's callback table.
void ptrace_setup(Kernel& k);

// Frame identity (sim/co.h): by its values (a context is passed with its task).
inline std::uint64_t frame_digest(const PtraceContext& c) noexcept {
  return sim::hash_mix(sim::digest_all(c.options, c.signr, c.siginfo, c.stop_code),
                       sim::digest_all(c.eventmsg, c.resume, c.freed));
}

}  // namespace model
