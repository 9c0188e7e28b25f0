// model/utrace/tracehooks.cpp: the utrace side of each tracehook
// (utrace-semantics.md §5): the reports of syscall entry and exit, exec,
// job control, exit, clone and death, utrace_resume() on the way to user
// mode, the reap, and the signal handler hook.  utrace_get_signal() is in
// get_signal.cpp.
#include <algorithm>

#include "model/ptrace/ptrace.h"
#include "model/utrace/internal.h"

namespace model {

using namespace ut;

namespace {

sim::Co<std::uint32_t> do_report_syscall_entry(Kernel& k, Task& task, UtraceReport& report,
                                               std::uint32_t resume_report) {
  Utrace& u = U(task);
  (void)co_await start_report(k, task);
  co_await report_callbacks(
      k, task, report, true, ev(_UTRACE_EVENT_SYSCALL_ENTRY), Callback::report_syscall_entry,
      [resume_report](CallbackArgs& a, UtraceReport& r) { a.action = resume_report | r.result | r.action; });
  co_await finish_report(k, task, report, false);
  if (report.action != UTRACE_STOP) co_return 0;
  // The task stops here, at syscall entry.
  co_await utrace_stop(k, task, report.resume_action);
  co_await task.pending.read_point("utrace_report_syscall_entry");
  if (fatal_signal_pending(task)) {
    // Continuing despite UTRACE_STOP because of SIGKILL: the syscall must not run.
    report.result = UTRACE_SYSCALL_ABORT;
    co_return 0;
  }
  if (v2(k)) co_return 0;  // V2: a single pass
  if (co_await READ_ONCE(u.resume, "utrace_report_syscall_entry") <= UTRACE_REPORT) {
    // Asked for another report after the stop: report (and maybe stop)
    // again before the syscall runs, marked UTRACE_SYSCALL_RESUMED.
    report.detaches = false;
    report.spurious = true;
    report.action = report.resume_action = UTRACE_RESUME;
    co_return UTRACE_SYSCALL_RESUMED;
  }
  co_return 0;
}

}  // namespace

sim::Co<bool> utrace_report_syscall_entry(Kernel& k, Task& task) {
  UtraceReport report;
  std::uint32_t resume_report = 0;
  const sim::Keep keep(co_await sim::this_frame, report, resume_report);
  do {
    resume_report = co_await do_report_syscall_entry(k, task, report, resume_report);
  } while (resume_report);
  co_return utrace_syscall_action(report.result) == UTRACE_SYSCALL_ABORT;
}

sim::Co<void> utrace_report_syscall_exit(Kernel& k, Task& task) {
  UtraceReport report;
  const sim::Keep keep(co_await sim::this_frame, report);
  co_await report_event(k, task, report, ev(_UTRACE_EVENT_SYSCALL_EXIT), Callback::report_syscall_exit,
                        [](CallbackArgs& a, UtraceReport& r) { a.action = r.action; });
}

sim::Co<void> utrace_report_exec(Kernel& k, Task& task) {
  UtraceReport report;
  const sim::Keep keep(co_await sim::this_frame, report);
  co_await report_event(k, task, report, ev(_UTRACE_EVENT_EXEC), Callback::report_exec,
                        [](CallbackArgs& a, UtraceReport& r) { a.action = r.action; });
}

// Called with siglock held; the callbacks run without it.
sim::Co<void> utrace_report_jctl(Kernel& k, Task& task, int notify, int what) {
  UtraceReport report;
  const sim::Keep keep(co_await sim::this_frame, report);
  // kernel/utrace.c utrace_report_jctl(): "Called with siglock held."
  k.lockdep_assert_held(task.sighand->siglock, "utrace_report_jctl");
  task.sighand->siglock.unlock();
  co_await report_event(k, task, report, ev(_UTRACE_EVENT_JCTL), Callback::report_jctl,
                        [notify, what](CallbackArgs& a, UtraceReport& r) {
                          a.action = r.action;
                          a.type = what;
                          a.notify = notify;
                        });
  co_await task.sighand->siglock.lock("utrace_report_jctl");
}

sim::Co<void> utrace_report_exit(Kernel& k, Task& task, int* exit_code) {
  UtraceReport report;
  const long orig = *exit_code;
  const sim::Keep keep(co_await sim::this_frame, report, orig);
  co_await report_event(k, task, report, ev(_UTRACE_EVENT_EXIT), Callback::report_exit,
                        [orig, exit_code](CallbackArgs& a, UtraceReport& r) {
                          a.action = r.action;
                          a.orig_code = orig;
                          a.code = exit_code;
                        });
  // Stop right here: the task can still be examined with all its state.
  if (report.action == UTRACE_STOP) co_await utrace_stop(k, task, report.resume_action);
}

// utrace_report_clone(): in the parent, the child set up but not yet woken.
sim::Co<void> utrace_report_clone(Kernel& k, Task& task, std::uint64_t clone_flags, Task& child) {
  Utrace& u = U(task);
  UtraceReport report;
  const sim::Keep keep(co_await sim::this_frame, report);
  (void)co_await start_report(k, task);
  u.cloning = &child;
  co_await report_callbacks(k, task, report, false, ev(_UTRACE_EVENT_CLONE), Callback::report_clone,
                            [clone_flags, &child](CallbackArgs& a, UtraceReport& r) {
                              a.action = r.action;
                              a.clone_flags = clone_flags;
                              a.child = &child;
                            });
  u.cloning = nullptr;
  // The parent must not block while the child cannot even run: a STOP is
  // taken at utrace_resume(), or before the vfork wait.
  co_await finish_report(k, task, report, !(clone_flags & CLONE_VFORK));
  if (report.action == UTRACE_STOP && (clone_flags & CLONE_VFORK)) {
    co_await u.lock.lock("utrace_report_clone");
    u.vfork_stop.set(true);
    u.lock.unlock();
  }
}

// utrace_finish_vfork(): the STOP of the clone report, before the
// uninterruptible wait for the child.
sim::Co<void> utrace_finish_vfork(Kernel& k, Task& task) {
  if (!task.utrace || !task.utrace->vfork_stop) co_return;
  Utrace& u = U(task);
  co_await u.lock.lock("utrace_finish_vfork");
  u.vfork_stop.set(false);
  u.lock.unlock();
  co_await utrace_stop(k, task, UTRACE_RESUME);
}

namespace {

// The pass of utrace_resume(): report_quiesce(event = 0) only, for every
// engine (start_callback() with no event: nobody "takes" it).
sim::Co<void> quiesce_pass(Kernel& k, Task& task, UtraceReport& report) {
  Utrace& u = U(task);
  ++u.walking;
  hooks(k).walk_begin(task, false);
  std::size_t i = 0;
  const sim::Keep keep(co_await sim::this_frame, i);
  for (; i < u.attached.size(); ++i) (void)co_await start_callback(k, task, report, *u.attached[i], 0);
  --u.walking;
  hooks(k).walk_end(task);
}

// 2009-rfc's utrace_resume() (V2, ROCK-Kernel-Driver kernel/utrace.c
// utrace_resume()): a handler frame with no report owed, or an owed
// INTERRUPT, returns at once; otherwise start_report() and, whenever some
// engine has QUIESCE, a report_quiesce(0) pass, with nothing skipped as
// spurious: the final reset recomputes the flags.
sim::Co<void> utrace_resume_v2(Kernel& k, Task& task) {
  Utrace& u = U(task);
  UtraceReport report;
  const sim::Keep keep(co_await sim::this_frame, report);
  if (u.signal_handler) {
    co_await u.lock.lock("utrace_resume");
    u.signal_handler.set(false);
    const bool skip = !u.report;
    u.lock.unlock();
    if (skip) co_return;
  }
  // An INTERRUPT is reported and stopped for in utrace_get_signal(); make
  // sure a racing utrace_control() does not let us reach user mode first.
  if (co_await READ_ONCE(u.interrupt, "utrace_resume")) {
    task.set_tif(TIF_SIGPENDING);
    co_return;
  }
  (void)co_await start_report(k, task);
  if (task.utrace_flags & EVENT_QUIESCE) co_await quiesce_pass(k, task, report);
  co_await finish_resume_report(k, task, report);
}

}  // namespace

// utrace_resume(): TIF_NOTIFY_RESUME on the way to user mode.
sim::Co<void> utrace_resume(Kernel& k, Task& task) {
  if (v2(k)) {
    co_await utrace_resume_v2(k, task);
    co_return;
  }
  Utrace& u = U(task);
  UtraceReport report;
  const sim::Keep keep(co_await sim::this_frame, report);
  // A handler frame was set up but no signal report followed: clear the flag.
  if (u.signal_handler) {
    co_await u.lock.lock("utrace_resume");
    u.signal_handler.set(false);
    u.lock.unlock();
  }
  report.action = co_await start_report(k, task);
  switch (report.action) {
    case UTRACE_RESUME:
      // Already handled by utrace_get_signal(), or entirely spurious.
      co_return;
    case UTRACE_REPORT:
      if (!(task.utrace_flags & EVENT_QUIESCE)) break;
      // A simple pass: report_quiesce(event = 0) only.
      report.action = UTRACE_RESUME;
      co_await quiesce_pass(k, task, report);
      break;
    default:
      // INTERRUPT or a step: not spurious, even with no callback.
      report.spurious = false;
      break;
  }
  co_await finish_resume_report(k, task, report);
}

// utrace_report_death(): the task is a zombie (or about to self-reap).
sim::Co<void> utrace_report_death(Kernel& k, Task& task, bool group_dead, int signal) {
  Utrace& u = U(task);
  UtraceReport report;
  const sim::Keep keep(co_await sim::this_frame, report);
  k.BUG_ON(!task.exit_state, task, "report_death", "utrace_report_death() without exit_state (BUG_ON)");
  // Calls that come in while the callbacks run see `death` and know we are
  // not yet quiescent for detach bookkeeping (-EALREADY).
  co_await u.lock.lock("utrace_report_death");
  k.BUG_ON(u.death, task, "I7", "utrace->death already set (BUG_ON)");
  u.death.set(true);
  u.resume.set(UTRACE_RESUME);
  if (v2(k)) {
    u.report.set(false);
    u.interrupt.set(false);
  }
  splice_attaching(k, task);
  u.lock.unlock();
  hooks(k).report_begin(task);
  co_await report_callbacks(k, task, report, false, ev(_UTRACE_EVENT_DEATH), Callback::report_death,
                            [group_dead, signal](CallbackArgs& a, UtraceReport&) {
                              a.group_dead = group_dead;
                              a.signal = signal;
                            });
  co_await utrace_maybe_reap(k, task, false);
}

namespace {

// One engine of the teardown: report_reap if it wants it, then ops = NULL
// and no events.  No lock, and `reporting` is not set: utrace_barrier()
// does not wait for report_reap (§3.5).
sim::Co<void> reap_engine(Kernel& k, Task& target, Engine& e) {
  if (e.flags & EVENT_REAP) {
    CallbackArgs a;
    a.cb = Callback::report_reap;
    a.reaped = &target;
    const sim::Keep keep(co_await sim::this_frame, a);
    (void)co_await call_engine(k, target, e, e.current_ops(k), a);
  }
  e.ops.set(Engine::Ops::Null);
  e.flags.set(0);
}

// 2009-rfc's utrace_reap() (V2, ROCK-Kernel-Driver kernel/utrace.c
// utrace_reap()): splice, unlock, then walk `attached` in place.  Each
// engine gets report_reap while it and the engines after it are still
// listed with their ops: a lookup (utrace_attach_task without CREATE) from
// inside report_reap finds them, where 2010's utrace_reap(), which first
// moves the whole list aside, answers -ENOENT.  `reap` is set, so nobody
// else changes the list or the ops meanwhile.  Called with the lock held;
// returns with it released.
sim::Co<void> utrace_reap_v2(Kernel& k, Task& target) {
  Utrace& u = U(target);
  // 2009 kernel/utrace.c utrace_reap(): "Called with utrace->lock held."
  k.lockdep_assert_held(u.lock, "utrace_reap");
  splice_attaching(k, target);
  const bool under_lock = has_switch(k, Switch::ReapCallbacksUnderLock);
  if (!under_lock) u.lock.unlock();
  while (!u.attached.empty()) {
    Engine* e = u.attached.front();
    const sim::Keep keep(co_await sim::this_frame, e);
    co_await reap_engine(k, target, *e);
    // list_del_init(): a no-op when a second walk of the list (the R13
    // window: release_task() and the end of the death report both reaping)
    // has unlinked it already; that walk puts the engine a second time.
    if (auto it = std::find(u.attached.begin(), u.attached.end(), e); it != u.attached.end()) {
      hooks(k).list_change(target, "utrace_reap");
      u.attached.erase(it);
    }
    e->on_list = false;
    co_await utrace_engine_put(k, k.current(), *e);
  }
  if (under_lock) u.lock.unlock();
}

}  // namespace

// utrace_maybe_reap(): from release_task() (reap) and at the end of the
// death report.  The reap is deferred while the death report is pending
// or running (R7); whoever comes last tears down and calls report_reap.
sim::Co<void> utrace_maybe_reap(Kernel& k, Task& target, bool reap) {
  Utrace& u = U(target);
  co_await u.lock.lock("utrace_maybe_reap");
  if (reap) {
    u.reap.set(true);
    if ((target.utrace_flags & _UTRACE_DEATH_EVENTS) && !has_race(k, R7)) {
      u.lock.unlock();
      co_return;
    }
  } else {
    u.death.set(false);
    if (!u.reap) {
      // Just dead, not reaped yet: this leaves only REAP in utrace_flags,
      // so the later reap does not come back here.
      (void)co_await utrace_reset(k, target);
      co_return;
    }
  }
  // Teardown.  utrace_flags = 0 first: a late attach now fails its EXIT_DEAD check.
  co_await WRITE_ONCE(target.utrace_flags, 0, "utrace_maybe_reap");
  if (v2(k)) {
    co_await utrace_reap_v2(k, target);
    co_return;
  }
  auto list = u.attached;
  list.insert(list.end(), u.attaching.begin(), u.attaching.end());
  if (!list.empty()) hooks(k).list_change(target, "utrace_maybe_reap");
  u.attached.clear();
  u.attaching.clear();
  // The reap-callbacks-under-lock switch keeps the lock over the callbacks
  // and the puts: what the review asked for by objecting to the asymmetric
  // __releases(utrace->lock), and what McGrath answered would "obviously be
  // quite insane" (the 2009 review, seed thread).  report_reap and release
  // then run with a spinlock held (callback-with-lock, sleep-in-atomic).
  const bool under_lock = has_switch(k, Switch::ReapCallbacksUnderLock);
  if (!under_lock) u.lock.unlock();
  std::size_t i = 0;
  const sim::Keep keep(co_await sim::this_frame, list, i);
  for (; i < list.size(); ++i) {
    Engine* e = list[i];
    co_await reap_engine(k, target, *e);
    e->on_list = false;
    co_await utrace_engine_put(k, k.current(), *e);
  }
  if (under_lock) u.lock.unlock();
}

// utrace_signal_handler(): a handler frame was just set up.
sim::Co<void> utrace_signal_handler(Kernel& k, Task& task, bool stepping) {
  Utrace& u = U(task);
  co_await u.lock.lock("utrace_signal_handler");
  u.signal_handler.set(true);
  if (v2(k)) {
    // V2: stepping asks for a signal report; otherwise utrace_resume()
    // clears the flag before user mode.
    if (stepping) {
      u.interrupt.set(true);
      task.set_tif(TIF_SIGPENDING);
    } else {
      task.set_tif(TIF_NOTIFY_RESUME);
    }
  } else if (u.resume > UTRACE_INTERRUPT) {
    if (stepping) {
      // A report_signal(HANDLER) before the handler's first instruction.
      u.resume.set(UTRACE_INTERRUPT);
      task.set_tif(TIF_SIGPENDING);
    } else if (u.resume == UTRACE_RESUME) {
      set_notify_resume(k, task);  // only so that utrace_resume() clears the flag
    }
  }
  u.lock.unlock();
}

bool utrace_interrupt_pending(Kernel& k, Task& task) {
  // R11: without this, recalc_sigpending() may clear the TIF_SIGPENDING
  // that a UTRACE_INTERRUPT set.
  if (has_race(k, R11)) return false;
  // The test reads utrace->resume (that of a struct utrace a later attach
  // may allocate: the explorers see the object even when it is not there).
  SharedObject(obj(task, v2(k) ? Field::utrace_bits : Field::resume)).peek("utrace_interrupt_pending");
  if (!task.utrace) return false;
  return v2(k) ? task.utrace->interrupt.get() : task.utrace->resume == UTRACE_INTERRUPT;
}

}  // namespace model
