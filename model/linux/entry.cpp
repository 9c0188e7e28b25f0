// arch/x86 of Linux 2.6.32: the syscall tracing hooks (syscall_trace_enter,
// syscall_trace_leave in arch/x86/kernel/ptrace.c), the way back to user mode
// (int_ret_from_sys_call and do_notify_resume in entry_64.S and signal.c),
// and signal delivery (do_signal, handle_signal).
#include "model/linux/kernel.h"

namespace model {

// ---- the threads of tasks ------------------------------------------------------------

// A user task's thread.  A forked child starts in ret_from_fork: the syscall
// exit path of the fork (syscall_trace_leave() if TIF_SYSCALL_TRACE is set by
// then), then back to user mode.  A task alive at the start starts in user
// mode.  Its program ends by calling exit: it never returns here.
sim::Co<void> Kernel::task_main(Task* tp) {
  Task& t = *tp;
  if (t.forked) co_await syscall_trace_leave(t);
  co_await return_to_user(t);
  co_await user->run_user(t);
  throw ModelBug("a task's user code returned without calling exit");
}

// kthread(): the thread function, then do_exit(0).
sim::Co<void> Kernel::kthread_main(Task* tp) {
  Task& t = *tp;
  co_await sim::point(sim::ObjId{}, sim::Acc::Local, "kthread");
  co_await user->run_kthread(t);
  co_await do_exit(t, 0);
}

// ---- system_call and int_ret_from_sys_call ------------------------------------------------

// system_call: the entry hook when TIF_SYSCALL_TRACE is set.  tracesys
// (arch/x86/kernel/entry_64.S) dispatches the number syscall_trace_enter()
// returns (arch/x86/kernel/ptrace.c: `return ret ?: regs->orig_ax;`): -1
// when the tracer aborted the syscall, which is above __NR_syscall_max, so
// the call returns -ENOSYS; else orig_ax, which a report_syscall_entry
// callback may have rewritten through the task's registers.
sim::Co<long> Kernel::syscall_entry(Task& t, int nr) {
  emit(Ev::sys_enter, t.pid, nr);
  t.orig_ax = nr;
  const unsigned long tif = co_await READ_ONCE(t.tif, "system_call");
  if (!(tif & tif_bit(TIF_SYSCALL_TRACE))) co_return nr;
  const bool abort = co_await syscall_trace_enter(t);
  co_return abort ? -1L : t.orig_ax;
}

// int_ret_from_sys_call: the exit hooks first, with the return value in
// regs->ax; what is there after them is what the task gets (and what the
// restart rules look at): a report_syscall_exit callback may rewrite it.
sim::Co<std::int64_t> Kernel::syscall_exit_work(Task& t, int nr, std::int64_t ret) {
  emit(Ev::sys_exit, t.pid, nr, ret);
  t.ax = ret;
  const unsigned long tif = co_await READ_ONCE(t.tif, "int_ret_from_sys_call");
  if (tif & (tif_bit(TIF_SYSCALL_TRACE) | tif_bit(TIF_SINGLESTEP))) co_await syscall_trace_leave(t);
  co_return t.ax;
}

// ... then the work loop with the syscall's registers in place.  Not a
// coroutine of its own: the registers are set when the caller awaits it (the
// same step), and the work loop is what it awaits.
sim::Co<void> Kernel::return_from_syscall(Task& t, const PtRegs& regs) {
  t.regs = regs;
  return return_to_user(t);
}

// rt_sigreturn: the blocked mask back, and the interrupted code's registers.
sim::Co<PtRegs> Kernel::restore_sigcontext(Task& t, const SigFrame& frame) {
  co_await t.sighand->siglock.lock("sys_rt_sigreturn");
  set_current_blocked(t, frame.blocked);
  t.sighand->siglock.unlock();
  PtRegs regs = frame.regs;
  regs.nr_valid = false;
  co_return regs;
}

// do_debug(): the trap flag raises a debug exception after the instruction.
sim::Co<void> Kernel::do_debug(Task& t) {
  (void)co_await force_sig_info(SIGTRAP, Siginfo{SIGTRAP, 2 /* TRAP_TRACE */, 0, 0}, t);
}

// syscall_trace_enter(): with TIF_SYSCALL_TRACE.  true: the tracer aborted
// the syscall (regs->orig_ax = -1; it returns -ENOSYS).
sim::Co<bool> Kernel::syscall_trace_enter(Task& cur) {
  if (!cur.test_tif(TIF_SYSCALL_TRACE)) co_return false;
  co_return co_await tracehook_report_syscall_entry(cur);
}

// syscall_trace_leave(): with TIF_SYSCALL_TRACE, or after a single-stepped
// syscall instruction (step != 0 even without TIF_SYSCALL_TRACE).
sim::Co<void> Kernel::syscall_trace_leave(Task& cur) {
  const bool step = cur.test_tif(TIF_SINGLESTEP);
  if (step || cur.test_tif(TIF_SYSCALL_TRACE)) co_await tracehook_report_syscall_exit(cur, step);
}

// The work loop on the way back to user mode: while TIF_SIGPENDING or
// TIF_NOTIFY_RESUME is set, do_notify_resume() handles signals first, then
// clears TIF_NOTIFY_RESUME and calls tracehook_notify_resume().
sim::Co<void> Kernel::return_to_user(Task& cur) {
  for (;;) {
    const unsigned long work =
        co_await READ_ONCE(cur.tif, "int_ret_from_sys_call") & (tif_bit(TIF_SIGPENDING) | tif_bit(TIF_NOTIFY_RESUME));
    if (!work) {
      for (LinuxHooks* h : hooks_) h->on_return_to_user(*this, cur);
      co_return;
    }
    const sim::Keep keep(co_await sim::this_frame, work);  // NOTIFY_RESUME is tested after do_signal()
    if (work & tif_bit(TIF_SIGPENDING)) co_await do_signal(cur);
    if (work & tif_bit(TIF_NOTIFY_RESUME)) {
      cur.clear_tif(TIF_NOTIFY_RESUME);
      co_await tracehook_notify_resume(cur);
    }
  }
}

// do_signal() (arch/x86/kernel/signal.c)
sim::Co<void> Kernel::do_signal(Task& cur) {
  Siginfo info;
  KSigaction ka;
  // get_signal_to_deliver() fills them in across its yields (sim/co.h).
  const sim::Keep keep(co_await sim::this_frame, info, ka);
  const int signr = co_await get_signal_to_deliver(cur, &info, &ka);
  if (signr > 0) {
    co_await handle_signal(cur, signr, info, ka);
    co_return;
  }
  // Did we come from a system call?  Restart it: no handler is present.
  PtRegs& s = cur.regs;
  if (s.nr_valid) {
    switch (-s.ret) {
      case ERESTARTNOHAND:
      case ERESTARTSYS:
      case ERESTARTNOINTR:
      case ERESTART_RESTARTBLOCK:  // via restart_syscall(): the rest of the sleep
        s.restart = true;
        emit(Ev::sys_restart, cur.pid, 0, s.ret, 1);
        break;
      default: break;
    }
    s.nr_valid = false;
  }
}

// handle_signal(): the restart rules for an interrupted syscall, then a
// signal frame for the handler (the handler's ops run next, then sigreturn).
sim::Co<void> Kernel::handle_signal(Task& cur, int sig, const Siginfo& info, const KSigaction& ka) {
  PtRegs& s = cur.regs;
  if (s.nr_valid) {
    switch (-s.ret) {
      case ERESTART_RESTARTBLOCK:
      case ERESTARTNOHAND: s.ret = -EINTR; break;
      case ERESTARTSYS:
        if (!(ka.flags & SA_RESTART)) {
          s.ret = -EINTR;
          break;
        }
        [[fallthrough]];
      case ERESTARTNOINTR: s.restart = true; break;
      default: break;
    }
    if (s.ret == -EINTR) {
      emit(Ev::sys_restart, cur.pid, 0, s.ret, 0);
    } else if (s.restart) {
      emit(Ev::sys_restart, cur.pid, 0, s.ret, 1);
    }
    s.nr_valid = false;
  }
  emit(Ev::signal_deliver, cur.pid, sig, static_cast<int>(SigDisp::Handler), info.code);

  // setup_rt_frame(): the frame saves the old mask and the registers.
  const SigFrame frame{cur.blocked, s};
  cur.regs = PtRegs{};
  user->setup_rt_frame(cur, sig, ka, frame);

  co_await cur.sighand->siglock.lock("handle_signal");
  cur.blocked.bits |= ka.mask.bits;
  if (!(ka.flags & SA_NODEFER)) cur.blocked.add(sig);
  cur.blocked.del(SIGKILL);
  cur.blocked.del(SIGSTOP);
  recalc_sigpending(cur);
  cur.sighand->siglock.unlock();

  co_await tracehook_signal_handler(cur, sig, cur.test_tif(TIF_SINGLESTEP));
}

}  // namespace model
