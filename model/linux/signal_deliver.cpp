// model/linux/signal_deliver.cpp: the rest of kernel/signal.c of Linux 2.6.32
// with the RHEL6 tracehooks: job control (do_signal_stop), the parent's
// notification (do_notify_parent, do_notify_parent_cldstop) and delivery
// (get_signal_to_deliver, which the tracehooks hand to utrace).
#include <algorithm>

#include "model/linux/kernel.h"
#include "model/linux/sigdefs.h"

namespace model {

// ---- job control ------------------------------------------------------------------

// do_signal_stop(): initiate or join a group stop.  Called with siglock
// held; returns with it released when it stopped (true), held otherwise.
sim::Co<bool> Kernel::do_signal_stop(Task& cur, int signr) {
  // kernel/signal.c do_signal_stop(): "Returns zero if we didn't stop and
  // still hold the siglock": called with it.
  lockdep_assert_held(cur.sighand->siglock, "do_signal_stop");
  if (jobctl_3x()) co_return co_await do_signal_stop_jobctl(cur, signr);
  SignalStruct& sig = *cur.signal;
  if (!sig.group_stop_count) {
    if (!(sig.flags & SIGNAL_STOP_DEQUEUED) || (sig.flags & SIGNAL_GROUP_EXIT) || sig.group_exit_task) co_return false;
    // There is no group stop already in progress: initiate one.
    sig.group_exit_code = signr;
    sig.group_stop_count = 1;
    for (Task* t : sig.threads) {
      if (t == &cur) continue;
      // Setting TASK_STOPPED for a group stop is always done with siglock
      // held, so this check has no races.
      if (!(t->flags & PF_EXITING) && !(t->state & (__TASK_STOPPED | __TASK_TRACED))) {
        sig.group_stop_count++;
        signal_wake_up(*t, false);
      }
    }
  }
  // With no other thread, or as the last to stop, report to the parent.
  // When ptraced, every thread reports itself (tracehook_notify_jctl).
  int notify = sig.group_stop_count == 1 ? CLD_STOPPED : 0;
  notify = co_await tracehook_notify_jctl(cur, notify, CLD_STOPPED);
  // tracehook_notify_jctl() can drop and retake siglock: keep
  // group_stop_count != 0 before the call.  A SIGCONT or SIGKILL in between
  // sets it to 0, and then we do not stop.
  if (sig.group_stop_count) {
    if (!--sig.group_stop_count) sig.flags = SIGNAL_STOP_STOPPED;
    cur.exit_code = sig.group_exit_code;
    set_task_state(cur, TASK_STOPPED);
  }
  emit(Ev::group_stop, cur.pid, sig.group_stop_count, sig.flags, sig.group_exit_code);
  cur.sighand->siglock.unlock();

  if (notify) co_await do_notify_parent_cldstop(cur, notify);

  // Now we don't run again until woken by SIGCONT or SIGKILL.
  co_await schedule(cur, "do_signal_stop");
  co_await tracehook_finish_jctl(cur);
  cur.exit_code = 0;
  co_return true;
}

// ---- job control of linux-3.1 (2011-3x) ----------------------------------------------
//
// "utrace for 3.x" leaves group stops to the upstream JOBCTL_* code
// (utrace-semantics.md §5.8 last paragraph, §9 "Group-stop checks"):
// utrace_stop() takes no part in them, and a thread is asked to stop by a
// bit of its own, JOBCTL_STOP_PENDING, that it consumes when it stops.  The
// stop bit of utrace, __TASK_UTRACED, is not a job-control stop: a thread
// parked in utrace_stop() is asked to stop like a running one and takes part
// once utrace lets it go.  ptrace (PT_SEIZED, JOBCTL_TRAP_*) is not modelled
// on 2011-3x.

// task_set_jobctl_pending() (linux-3.1 kernel/signal.c:246-261).  Siglock held.
bool Kernel::task_set_jobctl_pending(Task& task, unsigned mask) {
  if (fatal_signal_pending(task) || (task.flags & PF_EXITING)) return false;
  task.jobctl |= mask;
  return true;
}

// task_clear_jobctl_pending() (kernel/signal.c:297-307).  Siglock held.
void Kernel::task_clear_jobctl_pending(Task& task, unsigned mask) {
  if (mask & JOBCTL_STOP_PENDING) mask |= JOBCTL_STOP_CONSUME;
  task.jobctl &= ~mask;
}

// task_participate_group_stop() (kernel/signal.c:326-346): consume this
// thread's share of the group stop; true when that completes a fresh group
// stop (the parent is to be told).  Siglock held.
bool Kernel::task_participate_group_stop(Task& task) {
  SignalStruct& sig = *task.signal;
  const bool consume = task.jobctl & JOBCTL_STOP_CONSUME;
  BUG_ON(!(task.jobctl & JOBCTL_STOP_PENDING), task, "jobctl",
         "task_participate_group_stop() without JOBCTL_STOP_PENDING (WARN_ON_ONCE)");
  task_clear_jobctl_pending(task, JOBCTL_STOP_PENDING);
  if (!consume) return false;
  if (!BUG_ON(sig.group_stop_count == 0, task, "jobctl", "group_stop_count 0 in a group stop (WARN_ON_ONCE)"))
    --sig.group_stop_count;
  if (!sig.group_stop_count && !(sig.flags & SIGNAL_STOP_STOPPED)) {
    sig.flags = SIGNAL_STOP_STOPPED;
    return true;
  }
  return false;
}

// do_signal_stop() of linux-3.1 (kernel/signal.c:2005-2125), the !ptrace
// branch.  Siglock held; returns with it released when it stopped (true).
// No job-control report: 3.1 calls utrace_report_jctl() nowhere (the
// UTRACE_HOOK()s of that tree are CLONE, EXEC and EXIT only).
sim::Co<bool> Kernel::do_signal_stop_jobctl(Task& cur, int signr) {
  SignalStruct& sig = *cur.signal;
  if (!(cur.jobctl & JOBCTL_STOP_PENDING)) {
    constexpr unsigned gstop = JOBCTL_STOP_PENDING | JOBCTL_STOP_CONSUME;
    if (!(sig.flags & SIGNAL_STOP_DEQUEUED) || (sig.flags & SIGNAL_GROUP_EXIT) || sig.group_exit_task) co_return false;
    // There is no group stop already in progress: initiate one.
    if (!(sig.flags & SIGNAL_STOP_STOPPED)) sig.group_exit_code = signr;
    sig.group_stop_count = 0;
    if (task_set_jobctl_pending(cur, gstop)) ++sig.group_stop_count;
    for (Task* t : sig.threads) {
      if (t == &cur) continue;
      // !task_is_stopped(t): a thread parked for utrace (__TASK_UTRACED
      // only) is asked to stop too; signal_wake_up(t, 0) does not wake it,
      // it takes part once utrace_wakeup() lets it run.
      if (!(t->state & __TASK_STOPPED) && task_set_jobctl_pending(*t, gstop)) {
        ++sig.group_stop_count;
        signal_wake_up(*t, false);
      }
    }
  }
  // With no other thread, or as the last to stop, report to the parent.
  const int notify = task_participate_group_stop(cur) ? CLD_STOPPED : 0;
  set_task_state(cur, TASK_STOPPED);
  emit(Ev::group_stop, cur.pid, sig.group_stop_count, sig.flags, sig.group_exit_code);
  cur.sighand->siglock.unlock();

  if (notify) co_await do_notify_parent_cldstop(cur, notify);

  // Now we don't run again until woken by SIGCONT or SIGKILL.
  co_await schedule(cur, "do_signal_stop");
  co_await tracehook_finish_jctl(cur);  // utrace_end_stop()
  co_return true;
}

// do_notify_parent_cldstop(): CLD_STOPPED / CLD_CONTINUED / CLD_TRAPPED to
// the parent (the tracer when ptraced).
sim::Co<void> Kernel::do_notify_parent_cldstop(Task& tsk_in, int why) {
  co_await tasklist_lock.lock("do_notify_parent_cldstop");
  Task* tsk = &tsk_in;
  Task* parent;
  if (tsk->ptrace) {
    parent = tsk->parent;
  } else {
    tsk = tsk->group_leader;
    parent = tsk->real_parent;
  }
  Siginfo info{SIGCHLD, why, tsk->pid, 0};
  switch (why) {
    case CLD_CONTINUED: info.status = SIGCONT; break;
    case CLD_STOPPED: info.status = tsk->signal->group_exit_code & 0x7f; break;
    case CLD_TRAPPED: info.status = tsk->exit_code & 0x7f; break;
    default: throw ModelBug("do_notify_parent_cldstop: bad why");
  }
  const sim::Keep keep(co_await sim::this_frame, tsk, parent, info);
  co_await parent->sighand->siglock.lock("do_notify_parent_cldstop");
  const KSigaction& ka = (*parent->sighand)[SIGCHLD];
  int sent = -1;
  if (ka.handler != KSigaction::Handler::Ignore && !(ka.flags & SA_NOCLDSTOP)) {
    send_signal(SIGCHLD, info, *parent, true, 0);
    sent = SIGCHLD;
  }
  emit(Ev::notify_parent, tsk->pid, parent->pid, sent, why, info.status);
  // Even if SIGCHLD is not generated, we must wake up wait4 calls.
  wake_up(parent->signal->wait_chldexit, TASK_INTERRUPTIBLE);
  parent->sighand->siglock.unlock();
  tasklist_lock.unlock();
}

// do_notify_parent(): the death notification.  tasklist_lock held (write);
// takes the parent's siglock inside the same step.  Returns the signal, or
// DEATH_REAP (-1) when the parent does not care and the child self-reaps.
int Kernel::do_notify_parent(Task& tsk, int sig) {
  Siginfo info{sig, 0, tsk.pid, tsk.exit_code & 0x7f};
  if (tsk.exit_code & 0x80)
    info.code = CLD_DUMPED;
  else if (tsk.exit_code & 0x7f)
    info.code = CLD_KILLED;
  else {
    info.code = CLD_EXITED;
    info.status = tsk.exit_code >> 8;
  }
  Task& parent = *tsk.parent;
  int ret = sig;
  const KSigaction& ka = (*parent.sighand)[SIGCHLD];
  if (!tsk.ptrace && sig == SIGCHLD && (ka.handler == KSigaction::Handler::Ignore || (ka.flags & SA_NOCLDWAIT))) {
    // POSIX: the parent does not care; we are reaped automatically.  We still
    // wake the waiters: a blocked wait4 may now return -ECHILD.
    ret = tsk.exit_signal = -1;
    if (ka.handler == KSigaction::Handler::Ignore) sig = -1;
  }
  // spin_lock_irqsave(&psig->siglock, flags), inside this step.
  const LockedInStep psig_lock(*this, parent.sighand->siglock, "do_notify_parent");
  if (sig > 0 && sig <= kNSig) send_signal(sig, info, parent, true, 0);
  emit(Ev::notify_parent, tsk.pid, parent.pid, sig, info.code, info.status);
  wake_up(parent.signal->wait_chldexit, TASK_INTERRUPTIBLE);
  return ret;
}

// ---- delivery ------------------------------------------------------------------------

// get_signal_to_deliver(): the signal to handle now (0: none).  Never
// returns for a fatal signal; stops here for a stop signal.
sim::Co<int> Kernel::get_signal_to_deliver(Task& cur, Siginfo* info, KSigaction* return_ka) {
  SighandStruct& sighand = *cur.sighand;
  SignalStruct& signal = *cur.signal;
  int signr = 0;
relock:
  co_await sighand.siglock.lock("get_signal_to_deliver");
  // Every stopped thread comes here after its wake-up: notify the parent of
  // the stop or continue that prepare_signal(SIGCONT) recorded.
  if (signal.flags & SIGNAL_CLD_MASK) {
    int why = (signal.flags & SIGNAL_STOP_CONTINUED) ? CLD_CONTINUED : CLD_STOPPED;
    signal.flags &= ~SIGNAL_CLD_MASK;
    why = co_await tracehook_notify_jctl(cur, why, CLD_CONTINUED);
    sighand.siglock.unlock();
    if (why) co_await do_notify_parent_cldstop(*cur.group_leader, why);
    goto relock;
  }

  for (;;) {
    KSigaction ka_copy;
    const KSigaction* ka;
    // Tracing can induce an artificial signal and choose the sigaction; the
    // return value decides the action, info->signo is what is reported.
    signr = co_await tracehook_get_signal(cur, info, return_ka);
    if (signr < 0) goto relock;  // siglock was dropped
    if (signr != 0) {
      ka = return_ka;
    } else {
      // 3.1 asks the thread (JOBCTL_STOP_PENDING); 2.6.32 the group.
      const bool stop_pending = jobctl_3x() ? (cur.jobctl & JOBCTL_STOP_PENDING) != 0 : signal.group_stop_count > 0;
      if (stop_pending) {
        const bool stopped = co_await do_signal_stop(cur, 0);
        if (stopped) goto relock;
      }
      signr = dequeue_signal(cur, cur.blocked, info);
      if (!signr) break;  // will return 0
      // ptrace_signal(): the legacy ptrace hook tests PT_PTRACED, which
      // ptrace-utrace never sets (utrace-semantics.md §8.1): inert here.
      ka = &sighand[signr];
    }
    ka_copy = *ka;

    if (ka_copy.handler == KSigaction::Handler::Ignore) {
      emit(Ev::signal_deliver, cur.pid, signr, static_cast<int>(SigDisp::Ignore), info->code);
      continue;
    }
    if (ka_copy.handler == KSigaction::Handler::User) {
      // Run the handler.
      *return_ka = ka_copy;
      if (ka_copy.flags & SA_RESETHAND) {
        KSigaction& real = sighand[signr];
        real.handler = KSigaction::Handler::Default;
        real.user = nullptr;
      }
      break;  // will return non-zero signr
    }
    // Now we are doing the default action for this signal.
    if (sig_kernel_ignore(signr)) {
      emit(Ev::signal_deliver, cur.pid, signr, static_cast<int>(signr == SIGCONT ? SigDisp::Continue : SigDisp::Ignore),
           info->code);
      continue;
    }
    // Global init gets no signal it does not want.
    if ((signal.flags & SIGNAL_UNKILLABLE) && !sig_kernel_only(signr)) continue;

    if (sig_kernel_stop(signr)) {
      // The job control signals do nothing in an orphaned process group, but
      // SIGSTOP always works.  utsim has no orphaned process groups: every
      // task's parent is init or another task of the scenario, as if the
      // scenario ran as one job of an interactive shell (docs/model.md).
      emit(Ev::signal_deliver, cur.pid, signr, static_cast<int>(SigDisp::Stop), info->code);
      const bool stopped = co_await do_signal_stop(cur, info->signo);
      if (stopped) goto relock;  // it released siglock
      // We didn't actually stop, due to a race with SIGCONT or the like.
      continue;
    }

    sighand.siglock.unlock();
    // Anything else is fatal, maybe with a core dump.
    cur.flags.set(cur.flags | PF_SIGNALED);
    const bool core = sig_kernel_coredump(signr);
    emit(Ev::signal_deliver, cur.pid, signr, static_cast<int>(core ? SigDisp::Core : SigDisp::Terminate), info->code);
    if (core) {
      // do_coredump(): coredump_wait() kills the other threads first.  No core
      // file is written (RLIMIT_CORE is 0), so the status has no 0x80 bit.
      co_await sighand.siglock.lock("do_coredump");
      if (!(signal.flags & SIGNAL_GROUP_EXIT)) {
        signal.flags = SIGNAL_GROUP_EXIT;
        signal.group_exit_code = info->signo;
        zap_other_threads(cur);
      }
      sighand.siglock.unlock();
    }
    co_await do_group_exit(cur, info->signo);
    // NOTREACHED
  }
  sighand.siglock.unlock();
  co_return signr;
}

// flush_signal_handlers(): at exec, handlers go back to SIG_DFL; ignored
// signals stay ignored.
void Kernel::flush_signal_handlers(Task& t) {
  for (KSigaction& k : t.sighand->action) {
    if (k.handler != KSigaction::Handler::Ignore) {
      k.handler = KSigaction::Handler::Default;
      k.user = nullptr;
    }
    k.flags = 0;
    k.mask = SigSet{};
  }
}

}  // namespace model
