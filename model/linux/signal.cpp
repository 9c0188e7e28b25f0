// model/linux/signal.cpp: kernel/signal.c of Linux 2.6.32 (with the RHEL6
// tracehooks), as far as the scenarios need it: classification, generation
// (send_signal and friends), the signal syscalls (kill, tkill, sigaction,
// sigprocmask).  Job control, parent notification and delivery
// (get_signal_to_deliver) are in signal_deliver.cpp.
#include <algorithm>

#include "model/linux/kernel.h"
#include "model/linux/sigdefs.h"

namespace model {

namespace {

SigSet stop_mask() {
  SigSet s;
  s.add(SIGSTOP);
  s.add(SIGTSTP);
  s.add(SIGTTIN);
  s.add(SIGTTOU);
  return s;
}

// rm_from_queue(): drop the signals of `mask` from a pending queue.
void rm_from_queue(SigSet mask, SigPending& p) {
  p.signal.bits &= ~mask.bits;
  std::erase_if(p.list, [&](const Siginfo& i) { return mask.has(i.signo); });
}

// For the explorers (sim/note.h): other CPUs read a task's private pending
// set at their yield points, so a step that changes it says so.
void note_pending(const Task& t) { t.pending.touch("pending"); }
void rm_from_queue(SigSet mask, Task& t) {
  note_pending(t);
  rm_from_queue(mask, t.pending);
}

// next_signal(): the lowest-numbered pending signal not in `mask` (2.6.32
// has no preference for synchronous signals yet).
int next_signal(const SigPending& p, SigSet mask) {
  const std::uint64_t x = p.signal.bits & ~mask.bits;
  if (!x) return 0;
  return __builtin_ctzll(x) + 1;
}

// collect_signal() / __dequeue_signal()
int dequeue_from(SigPending& p, SigSet mask, Siginfo* info) {
  const int sig = next_signal(p, mask);
  if (!sig) return 0;
  auto it = std::find_if(p.list.begin(), p.list.end(), [&](const Siginfo& i) { return i.signo == sig; });
  bool more = false;
  if (it != p.list.end()) {
    *info = *it;
    p.list.erase(it);
    more = std::any_of(p.list.begin(), p.list.end(), [&](const Siginfo& i) { return i.signo == sig; });
  } else {
    // Fast-pathed (SEND_SIG_FORCED) signal: no siginfo was queued.
    *info = Siginfo{sig, SI_USER, 0, 0};
  }
  if (!more) p.signal.del(sig);
  return sig;
}

bool pending_unblocked(const SigPending& p, SigSet blocked) { return (p.signal.bits & ~blocked.bits) != 0; }

Task& next_thread(const Task& t) {
  auto& th = t.signal->threads;
  auto it = std::find(th.begin(), th.end(), &t);
  ++it;
  return it == th.end() ? *th.front() : **it;
}

}  // namespace

// ---- classification --------------------------------------------------------------

// The default actions of include/linux/signal.h's table (model/linux/sigdefs.h).
const char* default_action_name(DefaultAction a) {
  switch (a) {
    case DefaultAction::Terminate: return "terminate";
    case DefaultAction::Core: return "core";
    case DefaultAction::Ignore: return "ignore";
    case DefaultAction::Stop: return "stop";
    case DefaultAction::Continue: return "continue";
  }
  return "?";
}

// sig_handler_ignored(): explicitly or implicitly ignored
bool Kernel::sig_handler_ignored(const KSigaction& ka, int sig) const {
  return ka.handler == KSigaction::Handler::Ignore ||
         (ka.handler == KSigaction::Handler::Default && sig_kernel_ignore(sig));
}

// sig_ignored(): blocked signals are never ignored (the handler may change
// before they are unblocked); tracers may want to see ignored ones.
bool Kernel::sig_ignored(Task& t, int sig) const {
  if (t.blocked.has(sig) || t.real_blocked.has(sig)) return false;
  const KSigaction& ka = (*t.sighand)[sig];
  bool ignored;
  if ((t.signal->flags & SIGNAL_UNKILLABLE) && ka.handler == KSigaction::Handler::Default)
    ignored = true;  // sig_task_ignored(): init gets no signal it has no handler for
  else
    ignored = sig_handler_ignored(ka, sig);
  if (!ignored) return false;
  return !tracehook_consider_ignored_signal(t, sig);
}

// ---- generation ------------------------------------------------------------------------

// prepare_signal(): the side effects of a stop signal or SIGCONT at send
// time, and whether the signal is to be queued at all.  Siglock held.
bool Kernel::prepare_signal(int sig, Task& p) {
  SignalStruct& signal = *p.signal;
  if (signal.flags & SIGNAL_GROUP_EXIT) {
    // The process is in the middle of dying, nothing to do.
  } else if (sig_kernel_stop(sig)) {
    // A stop signal: remove SIGCONT from all queues.
    SigSet cont;
    cont.add(SIGCONT);
    rm_from_queue(cont, signal.shared_pending);
    for (Task* t : signal.threads) rm_from_queue(cont, *t);
  } else if (sig == SIGCONT) {
    // Remove all stop signals from all queues, and wake all threads.
    rm_from_queue(stop_mask(), signal.shared_pending);
    for (Task* t : signal.threads) {
      // 3.1 (kernel/signal.c:911-916): the thread's part of a group stop
      // is cancelled with the stop signals.
      if (jobctl_3x()) task_clear_jobctl_pending(*t, JOBCTL_STOP_PENDING);
      rm_from_queue(stop_mask(), *t);
      unsigned state = __TASK_STOPPED;
      const KSigaction& ka = (*t->sighand)[SIGCONT];
      if (ka.handler == KSigaction::Handler::User && !t->blocked.has(SIGCONT)) {
        // Make sure no thread returns to user mode before the SIGCONT
        // handler can run: TIF_SIGPENDING before the wake-up.
        t->set_tif(TIF_SIGPENDING);
        state |= TASK_INTERRUPTIBLE;
      }
      // 3.1 wakes with wake_up_quiescent(t, __TASK_STOPPED): a thread that
      // utrace also holds (__TASK_UTRACED) loses only the job-control bit
      // and stays stopped for its engine.
      if (jobctl_3x())
        wake_up_quiescent(*t, state);
      else
        wake_up_state(*t, state);
    }
    // Notify the parent with CLD_CONTINUED if we were stopped; in the middle
    // of a group stop, pretend it finished and report CLD_STOPPED only.
    unsigned why = 0;
    if (signal.flags & SIGNAL_STOP_STOPPED)
      why |= SIGNAL_CLD_CONTINUED;
    else if (signal.group_stop_count)
      why |= SIGNAL_CLD_STOPPED;
    if (why) {
      // The first thread which returns from do_signal_stop() notices
      // SIGNAL_CLD_MASK in get_signal_to_deliver() and notifies the parent.
      signal.flags = why | SIGNAL_STOP_CONTINUED;
      signal.group_stop_count = 0;
      signal.group_exit_code = 0;
    } else {
      // A stop signal could be in the middle of being processed after its
      // dequeue: clear that too.
      signal.flags &= ~SIGNAL_STOP_DEQUEUED;
    }
  }
  return !sig_ignored(p, sig);
}

// wants_signal(): could this thread take the signal now?
bool Kernel::wants_signal(int sig, Task& p) const {
  if (p.blocked.has(sig)) return false;
  if (p.flags & PF_EXITING) return false;
  if (sig == SIGKILL) return true;
  // task_is_stopped_or_traced().  In 3.1 (2011-3x) it does not include
  // __TASK_UTRACED (include/linux/sched.h:223-224): a utrace-stopped thread
  // can be chosen, and a fatal signal then takes the group down below.
  if (p.state & (__TASK_STOPPED | __TASK_TRACED)) return false;
  const bool task_curr = p.on_cpu && p.state == TASK_RUNNING;
  return task_curr || !p.test_tif(TIF_SIGPENDING);
}

// complete_signal(): find a thread to wake to take the signal; a fatal signal
// starts taking the whole group down at once.
void Kernel::complete_signal(int sig, Task& p, bool group) {
  SignalStruct& signal = *p.signal;
  Task* t;
  if (wants_signal(sig, p)) {
    t = &p;
  } else if (!group || p.thread_group_empty()) {
    // One thread, and it does not need to be woken: it dequeues unblocked
    // signals before it runs again.
    return;
  } else {
    if (!signal.curr_target) signal.curr_target = &p;
    t = signal.curr_target;
    while (!wants_signal(sig, *t)) {
      t = &next_thread(*t);
      if (t == signal.curr_target) return;  // any eligible thread will see it soon
    }
    signal.curr_target = t;
  }

  const KSigaction& ka = (*p.sighand)[sig];
  const bool sig_fatal = !sig_kernel_ignore(sig) && !sig_kernel_stop(sig) && ka.handler == KSigaction::Handler::Default;
  if (sig_fatal && !(signal.flags & (SIGNAL_UNKILLABLE | SIGNAL_GROUP_EXIT)) && !t->real_blocked.has(sig) &&
      (sig == SIGKILL || !tracehook_consider_fatal_signal(*t, sig))) {
    if (!sig_kernel_coredump(sig)) {
      // This signal will be fatal to the whole group: start a group exit and
      // wake everybody up.
      signal.flags = SIGNAL_GROUP_EXIT;
      signal.group_exit_code = sig;
      signal.group_stop_count = 0;
      for (Task* th : signal.threads) {
        if (jobctl_3x()) task_clear_jobctl_pending(*th, JOBCTL_PENDING_MASK);  // 3.1 signal.c:1029
        th->pending.signal.add(SIGKILL);
        signal_wake_up(*th, true);
      }
      return;
    }
  }
  // The signal is already in the shared-pending queue: tell the chosen thread
  // to wake up and dequeue it.
  signal_wake_up(*t, sig == SIGKILL);
}

// __send_signal(): siglock held.  `info` NULL is SEND_SIG_FORCED (no siginfo).
int Kernel::send_signal(int sig, const Siginfo& info, Task& t, bool group, int sender) {
  // kernel/signal.c __send_signal(): assert_spin_locked(&t->sighand->siglock).
  lockdep_assert_held(t.sighand->siglock, "__send_signal");
  if (!prepare_signal(sig, t)) {
    emit(Ev::signal_generate, t.pid, sig, sender, group, 1);
    return 0;
  }
  SigPending& pending = group ? t.signal->shared_pending : t.pending;
  // Queue exactly one instance of a legacy (non-rt) signal.
  if (sig < SIGRTMIN && pending.signal.has(sig)) {
    emit(Ev::signal_generate, t.pid, sig, sender, group, 2);
    return 0;
  }
  if (info.signo) pending.list.push_back(info);
  pending.signal.add(sig);
  if (!group) note_pending(t);
  emit(Ev::signal_generate, t.pid, sig, sender, group, 0);
  complete_signal(sig, t, group);
  return 0;
}

// signal_wake_up(): TIF_SIGPENDING, and wake the task if it sleeps
// interruptibly (or, for SIGKILL, in any TASK_WAKEKILL state).
void Kernel::signal_wake_up(Task& t, bool resume) {
  note_pending(t);  // callers have just queued a signal (SIGKILL for each thread)
  t.set_tif(TIF_SIGPENDING);
  unsigned mask = TASK_INTERRUPTIBLE;
  if (resume) mask |= TASK_WAKEKILL;
  const bool woken = wake_up_state(t, mask);
  emit(Ev::signal_wakeup, t.pid, resume, woken);
  // else kick_process(): the task sees TIF_SIGPENDING at its next return to user mode
}

// wake_up_quiescent() (2011-3x; linux-3.1 kernel/signal.c:704-724, siglock
// held): `state` is the stop bit its caller ends (__TASK_STOPPED for SIGCONT,
// __TASK_UTRACED for utrace_wakeup()).  While another stop bit is left the
// task only loses that one and sleeps on; otherwise it is woken.
bool Kernel::wake_up_quiescent(Task& p, unsigned state) {
  constexpr unsigned STATE_QUIESCENT = __TASK_STOPPED | __TASK_TRACED | __TASK_UTRACED;
  const unsigned cur = p.state.peek("wake_up_quiescent");
  const unsigned quiescent = cur & STATE_QUIESCENT;
  if (quiescent) {
    state &= ~TASK_INTERRUPTIBLE;
    if (quiescent & ~state) {
      set_task_state(p, cur & ~state);
      return false;
    }
  }
  return wake_up_state(p, state);
}

// recalc_sigpending_tsk(): never clears the flag (only current may).
bool Kernel::recalc_sigpending_tsk(Task& t) {
  // 3.1 (kernel/signal.c:125-132) tests the thread's own JOBCTL_PENDING_MASK;
  // 2.6.32 the group's group_stop_count.
  const bool stop_pending = jobctl_3x() ? (t.jobctl & JOBCTL_PENDING_MASK) != 0 : t.signal->group_stop_count > 0;
  if (stop_pending || pending_unblocked(t.pending, t.blocked) ||
      pending_unblocked(t.signal->shared_pending, t.blocked)) {
    t.set_tif(TIF_SIGPENDING);
    return true;
  }
  return false;
}

void Kernel::recalc_sigpending(Task& cur) {
  if (tracehook_force_sigpending(cur))
    cur.set_tif(TIF_SIGPENDING);
  else if (!recalc_sigpending_tsk(cur)) {
    if (cur.test_tif(TIF_SIGPENDING))
      for (LinuxHooks* h : hooks_) h->on_clear_sigpending(*this, cur);
    cur.clear_tif(TIF_SIGPENDING);
  }
}

void Kernel::recalc_sigpending_and_wake(Task& t) {
  if (recalc_sigpending_tsk(t)) signal_wake_up(t, false);
}

// dequeue_signal(): private queue first, then the shared one.  Siglock held.
int Kernel::dequeue_signal(Task& cur, SigSet mask, Siginfo* info) {
  // kernel/signal.c dequeue_signal(): "All callers have to hold the siglock."
  lockdep_assert_held(cur.sighand->siglock, "dequeue_signal");
  int signr = dequeue_from(cur.pending, mask, info);
  if (!signr) signr = dequeue_from(cur.signal->shared_pending, mask, info);
  recalc_sigpending(cur);
  if (!signr) return 0;
  if (sig_kernel_stop(signr)) {
    // A stop signal left the queue; a SIGCONT or SIGKILL must still be able
    // to cancel the stop it is about to start.  Not once the group is
    // exiting: flags stays exactly SIGNAL_GROUP_EXIT.
    if (!(cur.signal->flags & SIGNAL_GROUP_EXIT)) cur.signal->flags |= SIGNAL_STOP_DEQUEUED;
  }
  return signr;
}

// zap_other_threads(): SIGKILL to every other live thread.  Siglock held.
int Kernel::zap_other_threads(Task& p) {
  int count = 0;
  p.signal->group_stop_count = 0;
  for (Task* t : p.signal->threads) {
    if (t == &p) continue;
    if (jobctl_3x()) task_clear_jobctl_pending(*t, JOBCTL_PENDING_MASK);  // 3.1 signal.c:1264
    ++count;
    if (t->exit_state) continue;  // don't bother with already dead threads
    t->pending.signal.add(SIGKILL);
    signal_wake_up(*t, true);
  }
  return count;
}

// group_send_sig_info() / __group_send_sig_info()
sim::Co<int> Kernel::group_send_sig_info(int sig, Siginfo info, Task& p, int sender) {
  if (!sig) co_return 0;  // kill(pid, 0): permission check only
  co_await p.sighand->siglock.lock("group_send_sig_info");
  const int ret = send_signal(sig, info, p, true, sender);
  p.sighand->siglock.unlock();
  co_return ret;
}

// send_sig_info() / specific_send_sig_info(): to one thread.
sim::Co<int> Kernel::send_sig_info(int sig, Siginfo info, Task& p, int sender) {
  if (!sig) co_return 0;
  co_await p.sighand->siglock.lock("send_sig_info");
  const int ret = send_signal(sig, info, p, false, sender);
  p.sighand->siglock.unlock();
  co_return ret;
}

// kill_pid_info(): kill(2) with pid > 0.
// The task is looked up first: a bad signal to a pid that does not exist is
// -ESRCH, and valid_signal() is tested in check_kill_permission() (the
// scenario format only writes signals 0..64, so this is for fidelity).
sim::Co<int> Kernel::kill_pid_info(Task& cur, int pid, int sig) {
  Task* p = find_task_by_vpid(pid);
  if (!p) co_return -ESRCH;
  if (sig < 0 || sig > kNSig) co_return -EINVAL;  // check_kill_permission()
  Siginfo info{sig, SI_USER, cur.tgid, 0};
  co_return co_await group_send_sig_info(sig, info, *p, cur.pid);
}

// do_tkill(): tgkill(2) (tgid > 0) and tkill(2) (tgid <= 0).
sim::Co<int> Kernel::do_tkill(Task& cur, int tgid, int pid, int sig) {
  Task* p = find_task_by_vpid(pid);
  if (!p || (tgid > 0 && p->tgid != tgid)) co_return -ESRCH;
  if (sig < 0 || sig > kNSig) co_return -EINVAL;  // check_kill_permission()
  if (!sig) co_return 0;
  Siginfo info{sig, SI_TKILL, cur.tgid, 0};
  // The signal is sent only while the task still has its sighand (it may be
  // exiting between the lookup and here).
  if (p->released) co_return 0;
  co_return co_await send_sig_info(sig, info, *p, cur.pid);
}

// do_sigaction(): rt_sigaction(2).  A NULL `act` only reads the old action
// (kernel/signal.c do_sigaction(): "if (!valid_signal(sig) || sig < 1 ||
// (act && sig_kernel_only(sig))) return -EINVAL"): SIGKILL and SIGSTOP may
// be queried, never changed.
sim::Co<int> Kernel::do_sigaction(Task& cur, int sig, const KSigaction* act) {
  if (!sig_valid(sig) || (act && sig_kernel_only(sig))) co_return -EINVAL;
  co_await cur.sighand->siglock.lock("do_sigaction");
  if (!act) {  // *oact = *k: nothing the model keeps
    cur.sighand->siglock.unlock();
    co_return 0;
  }
  KSigaction& k = (*cur.sighand)[sig];
  k = *act;
  // POSIX 3.3.1.3: setting a signal to be ignored (or to a default action
  // of ignore) discards the pending instances, in every thread.
  if (sig_handler_ignored(k, sig)) {
    SigSet m;
    m.add(sig);
    rm_from_queue(m, cur.signal->shared_pending);
    for (Task* t : cur.signal->threads) {
      rm_from_queue(m, *t);
      recalc_sigpending_and_wake(*t);
    }
  }
  cur.sighand->siglock.unlock();
  co_return 0;
}

// force_sig_info(): a signal the task cannot block or ignore.
sim::Co<int> Kernel::force_sig_info(int sig, Siginfo info, Task& t) {
  co_await t.sighand->siglock.lock("force_sig_info");
  KSigaction& action = (*t.sighand)[sig];
  const bool ignored = action.handler == KSigaction::Handler::Ignore;
  const bool blocked = t.blocked.has(sig);
  if (blocked || ignored) {
    action.handler = KSigaction::Handler::Default;
    action.user = nullptr;
    if (blocked) {
      t.blocked.del(sig);
      recalc_sigpending_and_wake(t);
    }
  }
  if (action.handler == KSigaction::Handler::Default) t.signal->flags &= ~SIGNAL_UNKILLABLE;
  const int ret = send_signal(sig, info, t, false, 0);
  t.sighand->siglock.unlock();
  co_return ret;
}

// set_current_blocked() (as sigprocmask does it): SIGKILL and SIGSTOP cannot
// be blocked.
void Kernel::set_current_blocked(Task& cur, SigSet newset) {
  newset.del(SIGKILL);
  newset.del(SIGSTOP);
  cur.blocked = newset;
  recalc_sigpending(cur);
}

// sigprocmask(2)
sim::Co<int> Kernel::sigprocmask(Task& cur, SigHow how, SigSet set) {
  co_await cur.sighand->siglock.lock("sigprocmask");
  SigSet n = cur.blocked;
  switch (how) {
    case SigHow::Block: n.bits |= set.bits; break;
    case SigHow::Unblock: n.bits &= ~set.bits; break;
    case SigHow::SetMask: n = set; break;
  }
  set_current_blocked(cur, n);
  cur.sighand->siglock.unlock();
  co_return 0;
}

}  // namespace model
