// kernel/utrace.c: utrace_get_signal() (utrace-semantics.md §5.4), called
// by get_signal_to_deliver() with siglock held.  Returns 0 (dequeue
// normally, siglock held), -1 (siglock dropped, loop again) or a signal
// number with *info and *return_ka filled (siglock held).
#include "model/linux/sigdefs.h"
#include "model/utrace/internal.h"

namespace model {

using namespace ut;

namespace {

// push_back_signal(): re-queue *info at the front of the private queue.
// Returns with siglock held.
sim::Co<void> push_back_signal(Kernel& k, Task& task, const Siginfo& info) {
  co_await task.sighand->siglock.lock("push_back_signal");
  if (!info.signo) co_return;  // "Oh, a wise guy!"
  task.pending.signal.add(info.signo);
  task.pending.list.insert(task.pending.list.begin(), info);
  task.set_tif(TIF_SIGPENDING);
  (void)k;
}

// The event a dequeued signal is reported as, and the pass's first guess at
// what to do with it (report->result), from its disposition.
unsigned long utrace_signal_event(const KSigaction& ka, int signr, std::uint32_t* result) {
  struct Kind {
    unsigned long event;
    std::uint32_t result;
  };
  Kind kind;
  if (ka.handler == KSigaction::Handler::Ignore)
    kind = {ev(_UTRACE_EVENT_SIGNAL_IGN), UTRACE_SIGNAL_IGN};
  else if (ka.handler == KSigaction::Handler::User)
    kind = {ev(_UTRACE_EVENT_SIGNAL), UTRACE_SIGNAL_DELIVER};
  else if (sig_kernel_coredump(signr))
    kind = {ev(_UTRACE_EVENT_SIGNAL_CORE), UTRACE_SIGNAL_CORE};
  else if (sig_kernel_ignore(signr))
    kind = {ev(_UTRACE_EVENT_SIGNAL_IGN), UTRACE_SIGNAL_IGN};
  else if (signr == SIGSTOP)
    kind = {ev(_UTRACE_EVENT_SIGNAL_STOP), UTRACE_SIGNAL_STOP};
  else if (sig_kernel_stop(signr))
    kind = {ev(_UTRACE_EVENT_SIGNAL_STOP), UTRACE_SIGNAL_TSTP};
  else
    kind = {ev(_UTRACE_EVENT_SIGNAL_TERM), UTRACE_SIGNAL_TERM};
  *result = kind.result;
  return kind.event;
}

// The pass that chooses the disposition.  Open-coded in utrace_get_signal():
// no start_callback(), so ENGINE_STOP does not force a STOP here; each
// return value decides.
sim::Co<void> report_signal_pass(Kernel& k, Task& task, UtraceReport& report, unsigned long event, Siginfo* info,
                                 const KSigaction* ka, KSigaction* return_ka) {
  Utrace& u = U(task);
  ++u.walking;
  hooks(k).walk_begin(task, false);
  std::size_t i = 0;
  const sim::Keep keep(co_await sim::this_frame, i);
  for (; i < u.attached.size(); ++i) {
    Engine& e = *u.attached[i];
    const sim::Keep keep_engine(co_await sim::this_frame, e);
    co_await WRITE_ONCE(u.reporting, &e, "utrace_get_signal");
    const unsigned long want = co_await READ_ONCE(e.flags, "utrace_get_signal");
    const sim::Keep keep_want(co_await sim::this_frame, want);
    co_await READ_ONCE(e.ops, "utrace_get_signal");  // the load current_ops() makes
    EngineOps* ops = e.current_ops(k);
    if ((want & (event | EVENT_QUIESCE)) == 0) {
      co_await WRITE_ONCE(u.reporting, nullptr, "utrace_get_signal");
      continue;
    }
    std::uint32_t ret;
    CallbackArgs a;
    const sim::Keep keep_args(co_await sim::this_frame, ops, a);
    if (ops && ops->has(Callback::report_signal)) {
      a.cb = Callback::report_signal;
      a.action = report.result | report.action;
      a.event = event;  // which of its events (or QUIESCE) it is called for: disabled-callback
      a.info = info;
      a.orig_ka = ka;
      a.return_ka = return_ka;
      ret = co_await call_engine(k, task, e, ops, a);
    } else {
      a.cb = Callback::report_quiesce;
      a.action = report.action;
      a.event = event;
      const std::uint32_t q = co_await call_engine(k, task, e, ops, a);
      ret = report.result | q;
    }
    // Avoid a tight loop of reports if some engine asks again and again.
    const std::uint32_t act = utrace_resume_action_of(ret);
    if (act == UTRACE_INTERRUPT || act == UTRACE_REPORT) ret = (ret & ~UTRACE_RESUME_MASK) | UTRACE_RESUME;
    (void)co_await finish_callback(k, task, report, e, ret);
  }
  --u.walking;
  hooks(k).walk_end(task);
}

sim::Co<int> finish_signal(Kernel& k, Task& task, UtraceReport& report, int signr, Siginfo* info,
                           KSigaction* return_ka);

// "spin_unlock_irq(&task->sighand->siglock); spin_lock(&utrace->lock);"
// (kernel/utrace.c utrace_get_signal(), every version): siglock is never
// held while utrace->lock is taken, because utrace_stop(), utrace_do_stop()
// and utrace_wakeup() take siglock inside utrace->lock.  The lock-inversion
// switch takes utrace->lock first and drops siglock after: siglock ->
// utrace->lock, the reverse order, which lockdep reports as a possible
// circular dependency even on the schedules that do not deadlock.
sim::Co<void> lock_utrace_dropping_siglock(Kernel& k, Task& task) {
  if (!has_switch(k, Switch::LockInversion)) {
    task.sighand->siglock.unlock();
    co_await U(task).lock.lock("utrace_get_signal");
    co_return;
  }
  co_await U(task).lock.lock("utrace_get_signal");
  task.sighand->siglock.unlock();
}

}  // namespace

sim::Co<int> utrace_get_signal(Kernel& k, Task& task, Siginfo* info, KSigaction* return_ka) {
  Utrace& u = U(task);
  UtraceReport report;
  unsigned long event = 0;
  const KSigaction* ka = nullptr;
  int signr = 0;
  const sim::Keep keep(co_await sim::this_frame, report, event, ka, signr);
  // include/linux/tracehook.h tracehook_get_signal(): "Called with
  // @task->sighand->siglock held, before dequeuing pending signals."
  k.lockdep_assert_held(task.sighand->siglock, "utrace_get_signal");

  // The test reads the requests without the lock: utrace->resume and
  // pending_attach; 2009-rfc's interrupt and report bits.
  bool asked = false;
  if (v2(k)) {
    co_await u.interrupt.read_point("utrace_get_signal");
    co_await u.report.read_point("utrace_get_signal");
    asked = u.interrupt || u.report || u.signal_handler;
  } else {
    co_await u.resume.read_point("utrace_get_signal");
    co_await u.pending_attach.read_point("utrace_get_signal");
    asked = u.resume < UTRACE_RESUME || u.pending_attach || u.signal_handler;
  }
  if (asked && v2(k)) {
    // Branch A, 2009-rfc: an explicit report before any dequeue.  Only a
    // handler frame to forget (neither bit): SIGNAL_IGN, and no pass.
    co_await lock_utrace_dropping_siglock(k, task);
    splice_attaching(k, task);
    if (!u.interrupt && !u.report)
      report.result = UTRACE_SIGNAL_IGN;
    else
      report.result = u.signal_handler ? UTRACE_SIGNAL_HANDLER : UTRACE_SIGNAL_REPORT;
    u.interrupt.set(false);
    u.report.set(false);
    u.signal_handler.set(false);
    // Make signal_pending() true only for real signals (under utrace->lock in V2).
    if (task.test_tif(TIF_SIGPENDING)) {
      co_await task.sighand->siglock.lock("utrace_get_signal");
      k.recalc_sigpending(task);
      task.sighand->siglock.unlock();
    }
    u.lock.unlock();
    hooks(k).report_begin(task);
    if (!(task.utrace_flags & EVENT_QUIESCE) || report.result == UTRACE_SIGNAL_IGN) co_return -1;
    event = 0;
    ka = nullptr;
    *return_ka = KSigaction{};
  } else if (asked) {
    // Branch A: an explicit report was asked for, before any dequeue.
    co_await lock_utrace_dropping_siglock(k, task);
    splice_attaching(k, task);
    report.result = u.signal_handler ? UTRACE_SIGNAL_HANDLER : UTRACE_SIGNAL_REPORT;
    u.signal_handler.set(false);
    const std::uint32_t resume = u.resume.set(UTRACE_RESUME);
    const sim::Keep keep_resume(co_await sim::this_frame, resume);
    u.lock.unlock();
    hooks(k).report_begin(task);
    // Make signal_pending() true only for real signals.
    if (task.test_tif(TIF_SIGPENDING)) {
      co_await task.sighand->siglock.lock("utrace_get_signal");
      k.recalc_sigpending(task);
      task.sighand->siglock.unlock();
    }
    if (resume > UTRACE_REPORT) {
      // Only here to apply utrace->resume (a step, or nothing): not spurious.
      report.action = resume;
      report.spurious = false;
      co_await finish_resume_report(k, task, report);
      co_return -1;
    }
    if (!(task.utrace_flags & EVENT_QUIESCE)) co_return -1;  // only to clear signal_handler
    // A pass for no signal, for QUIESCE: the callbacks may fill in *info and
    // *return_ka; orig_ka is NULL ("no original signal").
    event = 0;
    ka = nullptr;
    *return_ka = KSigaction{};
  } else if (!(task.utrace_flags & UTRACE_EVENT_SIGNAL_ALL) ||
             (v4(k) ? (task.jobctl & JOBCTL_PENDING_MASK) != 0 : task.signal->group_stop_count != 0)) {
    // Branch B: nobody intercepts signals, or a group stop must proceed: V4
    // asks whether this thread is to stop (linux-3.1 kernel/utrace.c:2060-2061,
    // utrace_get_signal(), `task->jobctl & JOBCTL_PENDING_MASK`), V2/V3 the
    // group (`signal->group_stop_count`).
    co_return 0;
  } else {
    // Branch C: steal the next signal so the engines can examine it.
    signr = k.dequeue_signal(task, task.blocked, info);
    if (!signr) co_return 0;
    ka = &(*task.sighand)[signr];
    *return_ka = *ka;
    // We are never allowed to interfere with SIGKILL.
    if (signr == SIGKILL) co_return signr;
    event = utrace_signal_event(*ka, signr, &report.result);
    // Nobody cares about this kind of signal: normal handling.
    if ((task.utrace_flags & (event | EVENT_QUIESCE)) == 0) co_return signr;
    task.sighand->siglock.unlock();
    hooks(k).report_begin(task);
  }

  co_await report_signal_pass(k, task, report, event, info, ka, return_ka);
  co_return co_await finish_signal(k, task, report, signr, info, return_ka);
}

namespace {

// After the pass: the chosen action, and the signal number that stands for it.
sim::Co<int> finish_signal(Kernel& k, Task& task, UtraceReport& report, int signr, Siginfo* info,
                           KSigaction* return_ka) {
  // The chosen action, expressed as a representative signal whose default
  // action does it; info->signo is what is reported.
  bool tail = true;
  const sim::Keep keep(co_await sim::this_frame, signr);  // a by-value parameter changed below
  switch (utrace_signal_action(report.result)) {
    case UTRACE_SIGNAL_TERM: signr = SIGTERM; break;
    case UTRACE_SIGNAL_CORE: signr = SIGQUIT; break;
    case UTRACE_SIGNAL_STOP: signr = SIGSTOP; break;
    case UTRACE_SIGNAL_TSTP: signr = SIGTSTP; break;
    case UTRACE_SIGNAL_DELIVER:
      signr = info->signo;
      if (return_ka->handler == KSigaction::Handler::Default) {
        // signr's normal default action; an ignored one falls through.
        if (signr && !sig_kernel_ignore(signr)) break;
      } else if (return_ka->handler != KSigaction::Handler::Ignore && signr) {
        // The handler will run.  If an engine wanted to stop or step, make
        // sure another report comes after the handler frame is set up.
        if (report.action != UTRACE_RESUME) report.action = UTRACE_INTERRUPT;
        co_await finish_report(k, task, report, true);
        if (report.result & UTRACE_SIGNAL_HOLD)
          co_await push_back_signal(k, task, *info);
        else
          co_await task.sighand->siglock.lock("utrace_get_signal");
        // SA_ONESHOT here: the normal path now only looks at *return_ka.
        if (return_ka->flags & SA_RESETHAND) {
          return_ka->flags &= ~SA_RESETHAND;
          if (signr >= 1 && signr <= kNSig) {
            KSigaction& real = (*task.sighand)[signr];
            real.handler = KSigaction::Handler::Default;
            real.user = nullptr;
          }
        }
        co_return signr;
      }
      tail = false;  // an ignored signal
      break;
    default:
      tail = false;  // IGN, REPORT, HANDLER
      break;
  }

  if (!tail) {
    // On the way straight back to user mode: stop or step here, as in
    // utrace_resume().  Our caller relocks and comes back through here.
    co_await finish_resume_report(k, task, report);
    co_await task.pending.read_point("utrace_get_signal");
    if (fatal_signal_pending(task)) {
      // Woken by SIGKILL: dequeue only SIGKILL, so that nothing else changes
      // the state the debugger saw.
      co_await task.sighand->siglock.lock("utrace_get_signal");
      SigSet all_but_kill;
      all_but_kill.bits = ~SigSet::bit(SIGKILL);
      signr = k.dequeue_signal(task, all_but_kill, info);
      k.BUG_ON(signr != SIGKILL, task, "SIGKILL", "dequeue of SIGKILL after a stop got another signal (BUG_ON)");
      *return_ka = (*task.sighand)[SIGKILL];
      co_return signr;
    }
    if (report.result & UTRACE_SIGNAL_HOLD) {
      co_await push_back_signal(k, task, *info);
      task.sighand->siglock.unlock();
    }
    co_return -1;
  }

  // A STOP here becomes a pending REPORT.
  co_await finish_report(k, task, report, true);
  return_ka->handler = KSigaction::Handler::Default;
  return_ka->user = nullptr;
  // A bogus si_signo would become the exit code of a fatal signal: V3 and V4
  // replace one with bit 0x80 set by SIGTRAP, with a WARN (the tail of
  // utrace_get_signal(): seyko2/openvz_rhel6_kernel_mirror kernel/utrace.c,
  // linux-3.1 kernel/utrace.c:2298-2301); V2 has no such check
  // (ROCm/ROCK-Kernel-Driver kernel/utrace.c, the same tail).
  if (!v2(k) && (info->signo & 0x80)) {
    k.BUG_ON(true, task, "si_signo", "utrace engine left bogus si_signo value (WARN)");
    info->signo = SIGTRAP;
  }
  if (report.result & UTRACE_SIGNAL_HOLD)
    co_await push_back_signal(k, task, *info);
  else
    co_await task.sighand->siglock.lock("utrace_get_signal");
  if (sig_kernel_stop(signr)) task.signal->flags |= SIGNAL_STOP_DEQUEUED;
  co_return signr;
}

}  // namespace

}  // namespace model
