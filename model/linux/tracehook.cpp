// include/linux/tracehook.h of RHEL6 (2.6.32 + utrace): where the core
// kernel calls utrace (utrace-semantics.md §5.0).  Every hook first tests
// task->utrace_flags without a lock; that read is a yield point of its own,
// so an attach or set_events on another CPU can land on either side of it.
// The legacy ptrace code in these hooks tests PT_PTRACED, which
// ptrace-utrace never sets (§8.1): it is inert and left out.
#include "model/linux/kernel.h"
#include "model/utrace/utrace.h"

namespace model {

namespace {
constexpr unsigned long ev(UtraceEventBit b) { return UTRACE_EVENT(b); }
}  // namespace

sim::Co<bool> Kernel::tracehook_report_syscall_entry(Task& cur) {
  const unsigned long utrace_flags = co_await READ_ONCE(cur.utrace_flags, "tracehook_report_syscall_entry");
  // (No co_await inside a short-circuit condition: GCC 12 miscompiles it.)
  if (!(utrace_flags & ev(_UTRACE_EVENT_SYSCALL_ENTRY))) co_return false;
  const bool abort = co_await utrace_report_syscall_entry(*this, cur);
  co_return abort;
}

sim::Co<void> Kernel::tracehook_report_syscall_exit(Task& cur, bool step) {
  const unsigned long utrace_flags = co_await READ_ONCE(cur.utrace_flags, "tracehook_report_syscall_exit");
  if (utrace_flags & ev(_UTRACE_EVENT_SYSCALL_EXIT)) co_await utrace_report_syscall_exit(*this, cur);
}

sim::Co<void> Kernel::tracehook_notify_resume(Task& cur) {
  // Keeps the loads below after the caller's clear of TIF_NOTIFY_RESUME;
  // pairs with the barrier of set_notify_resume()'s test_and_set_bit()
  // (RHEL6 include/linux/tracehook.h, tracehook_notify_resume()).
  smp_mb();
  const unsigned long utrace_flags = co_await READ_ONCE(cur.utrace_flags, "tracehook_notify_resume");
  if (utrace_flags) co_await utrace_resume(*this, cur);
}

sim::Co<int> Kernel::tracehook_get_signal(Task& cur, Siginfo* info, KSigaction* return_ka) {
  // siglock is held: utrace_flags can still change (set_events takes only
  // utrace->lock), but the signal path reads it under siglock as one step.
  if (cur.utrace_flags.peek("tracehook_get_signal")) co_return co_await utrace_get_signal(*this, cur, info, return_ka);
  co_return 0;
}

// The tests of utrace_flags below are made inside other steps (under
// siglock): noted for the explorers (sim/note.h).
bool Kernel::tracehook_force_sigpending(Task& cur) {
  if (cur.utrace_flags.peek("tracehook_force_sigpending")) return utrace_interrupt_pending(*this, cur);
  return false;
}

bool Kernel::tracehook_consider_ignored_signal(Task& t, int) const {
  return (t.utrace_flags.peek("tracehook_consider_ignored_signal") & ev(_UTRACE_EVENT_SIGNAL_IGN)) != 0;
}

bool Kernel::tracehook_consider_fatal_signal(Task& t, int) const {
  return (t.utrace_flags.peek("tracehook_consider_fatal_signal") &
          (ev(_UTRACE_EVENT_SIGNAL_TERM) | ev(_UTRACE_EVENT_SIGNAL_CORE))) != 0;
}

sim::Co<void> Kernel::tracehook_signal_handler(Task& cur, int, bool stepping) {
  const unsigned long utrace_flags = co_await READ_ONCE(cur.utrace_flags, "tracehook_signal_handler");
  if (utrace_flags) co_await utrace_signal_handler(*this, cur, stepping);
}

sim::Co<void> Kernel::tracehook_report_clone(Task& cur, std::uint64_t clone_flags, Task& child) {
  const unsigned long utrace_flags = co_await READ_ONCE(cur.utrace_flags, "tracehook_report_clone");
  if (utrace_flags & ev(_UTRACE_EVENT_CLONE)) co_await utrace_report_clone(*this, cur, clone_flags, child);
  if (child.ptrace) {
    // It doesn't matter who attached to this task: the pending SIGSTOP is
    // right in any case.
    child.pending.signal.add(SIGSTOP);
    child.set_tif(TIF_SIGPENDING);
  }
}

sim::Co<void> Kernel::tracehook_report_clone_complete(Task& cur, std::uint64_t clone_flags, Task&) {
  if (clone_flags & CLONE_VFORK) co_await utrace_finish_vfork(*this, cur);
}

sim::Co<void> Kernel::tracehook_report_exec(Task& cur) {
  const unsigned long utrace_flags = co_await READ_ONCE(cur.utrace_flags, "tracehook_report_exec");
  if (utrace_flags & ev(_UTRACE_EVENT_EXEC)) co_await utrace_report_exec(*this, cur);
}

// Called with siglock held; utrace_report_jctl() drops it around the
// callbacks and takes it again.
//
// 2011-3x has no such hook: linux-3.1 removed tracehook_notify_jctl(), and
// "utrace for 3.1" calls utrace_report_jctl() from nowhere (its UTRACE_HOOK()s
// are CLONE in kernel/fork.c, EXEC in fs/exec.c and EXIT in kernel/exit.c; no
// utrace call in do_signal_stop() or get_signal_to_deliver(),
// kernel/signal.c:2005-2125, 2192-2250).  JCTL can be enabled but is never
// reported.
sim::Co<int> Kernel::tracehook_notify_jctl(Task& cur, int notify, int why) {
  // include/linux/tracehook.h tracehook_notify_jctl(): "Called with the siglock held."
  lockdep_assert_held(cur.sighand->siglock, "tracehook_notify_jctl");
  if (!jobctl_3x() && (cur.utrace_flags & ev(_UTRACE_EVENT_JCTL))) co_await utrace_report_jctl(*this, cur, notify, why);
  co_return notify ? notify : (cur.ptrace ? why : 0);
}

sim::Co<void> Kernel::tracehook_finish_jctl(Task& cur) {
  if (cur.utrace_flags) co_await utrace_finish_stop(*this, cur);
}

sim::Co<void> Kernel::tracehook_report_exit(Task& cur, int* code) {
  const unsigned long utrace_flags = co_await READ_ONCE(cur.utrace_flags, "tracehook_report_exit");
  if (utrace_flags & ev(_UTRACE_EVENT_EXIT)) co_await utrace_report_exit(*this, cur, code);
}

int Kernel::tracehook_notify_death(Task& task, bool) {
  if (task.exit_signal == -1) return task.ptrace ? SIGCHLD : DEATH_REAP;
  // If something other than our normal parent is ptracing us, send it a
  // SIGCHLD instead of honoring exit_signal.
  if (task.thread_group_empty() && task.real_parent == task.parent) return task.exit_signal;
  return task.ptrace ? SIGCHLD : DEATH_DELAYED_GROUP_LEADER;
}

sim::Co<void> Kernel::tracehook_report_death(Task& task, int signal, bool group_dead) {
  // utrace_set_events() checks exit_state under tasklist_lock to
  // synchronise with exit_notify(): a DEATH bit set before then is seen here.
  const unsigned long utrace_flags = co_await READ_ONCE(task.utrace_flags, "tracehook_report_death");
  if (utrace_flags & _UTRACE_DEATH_EVENTS) co_await utrace_report_death(*this, task, group_dead, signal);
}

sim::Co<void> Kernel::tracehook_prepare_release_task(Task& task) {
  // smp_mb(): see utrace_add_engine() (race R6).
  const unsigned long utrace_flags = co_await READ_ONCE(task.utrace_flags, "tracehook_prepare_release_task");
  if (utrace_flags) co_await utrace_maybe_reap(*this, task, true);
}

}  // namespace model
