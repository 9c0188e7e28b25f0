// model/ptrace/request.cpp: the ptrace system call on utrace
// (kernel/ptrace-utrace.c: sys_ptrace, ptrace_attach, ptrace_traceme,
// ptrace_check_attach, ptrace_resume, ptrace_request; utrace-semantics.md
// §8.4) and ptrace_notify_stop() (§8.5).
#include <algorithm>

#include "model/ptrace/internal.h"

namespace model {

using namespace pt;

namespace pt {

sim::Co<int> ptrace_attach(Kernel& k, Task& cur, Task& task) {
  if (task.flags & PF_KTHREAD) co_return -EPERM;
  if (task.signal == cur.signal) co_return -EPERM;  // same thread group
  // cred_guard_mutex, __ptrace_may_access(): utsim runs everything as one user.
  int ret = co_await ptrace_attach_task(k, cur, task, 0);
  if (ret) co_return ret;
  co_await k.tasklist_lock.lock("ptrace_attach");
  ret = -EPERM;
  if (!task.exit_state) {  // the engine is left to be reaped otherwise (R17f)
    if (task.ptrace) throw ModelBug("ptrace_attach: already ptraced (BUG_ON)");
    task.ptrace = PT_UTRACED;
    ptrace_link(k, task, cur);
    // send_sig_info(SIGSTOP, SEND_SIG_FORCED, task) takes its siglock: inside this step.
    const Kernel::LockedInStep siglock(k, task.sighand->siglock, "ptrace_attach");
    k.send_signal(SIGSTOP, Siginfo{}, task, false, cur.pid);
    ret = 0;
  }
  k.tasklist_lock.unlock();
  co_return ret;
}

sim::Co<int> ptrace_traceme(Kernel& k, Task& cur) {
  const int err = co_await ptrace_attach_task(k, cur, cur, 0);
  if (err) co_return err;
  bool detach = true;
  const sim::Keep keep(co_await sim::this_frame, detach);
  co_await k.tasklist_lock.lock("ptrace_traceme");
  // PF_EXITING: real_parent may have passed exit_ptrace(); pretend it
  // untraces us right after we return (R17e).
  if (!(cur.real_parent->flags & PF_EXITING)) {
    cur.ptrace = PT_UTRACED;
    ptrace_link(k, cur, *cur.real_parent);
    detach = false;
  }
  k.tasklist_lock.unlock();
  if (detach) co_await ptrace_detach_task(k, cur, cur, 0);  // ptrace_abort_attach()
  co_return 0;
}

// ptrace_check_attach(): the tracee must be ours and stopped for us.
sim::Co<int> ptrace_check_attach(Kernel& k, Task& cur, Task& child, bool kill) {
  Engine* e = co_await ptrace_lookup_engine(k, cur, child);
  if (!e) co_return -ESRCH;
  int ret = -ESRCH;
  const sim::Keep keep(co_await sim::this_frame, e, ret);
  if (child.parent == &cur) {
    if (kill) ret = 0;
    if (co_await READ_ONCE(child.state, "ptrace_check_attach") & (__TASK_STOPPED | __TASK_TRACED)) {
      // RHEL6: freeze the stop while we use the registers (R9, R17h).
      utrace_freeze_stop(k, child);
      const int stop = co_await utrace_control(k, cur, &child, *e, UTRACE_STOP);
      const sim::Keep keep_stop(co_await sim::this_frame, stop);
      int exam = -1;
      if (!stop) exam = co_await utrace_prepare_examine(k, cur, &child, *e);
      if (!stop && !exam)
        ret = 0;
      else
        utrace_unfreeze_stop(k, child);
    }
  }
  co_await utrace_engine_put(k, cur, *e);
  co_return ret;
}

// ptrace_resume_action(): the utrace action and events for a resume request.
sim::Co<int> ptrace_resume_action(Kernel& k, Task& cur, Task& tracee, Engine& e, int request) {
  PtraceContext& ctx = ctx_of(k, e);
  ctx.options &= ~PTRACE_O_SYSEMU;
  unsigned long events = e.flags & ~UTRACE_EVENT_SYSCALL & ~ENGINE_STOP;
  int action = UTRACE_RESUME;
  const sim::Keep keep(co_await sim::this_frame, action);
  switch (request) {
    case PTRACE_SINGLESTEP:
      action = UTRACE_SINGLESTEP;
      events |= EV_SYSCALL_EXIT;
      break;
    case PTRACE_SYSCALL: events |= UTRACE_EVENT_SYSCALL; break;
    case PTRACE_CONT: break;
    default: co_return -EIO;
  }
  if (events != (e.flags & ~ENGINE_STOP)) {
    const int err = co_await utrace_set_events(k, cur, &tracee, e, events);
    if (err) co_return -ESRCH;
  }
  co_return action;
}

sim::Co<int> ptrace_resume(Kernel& k, Task& cur, Task& tracee, Engine& e, int request, int data) {
  PtraceContext& ctx = ctx_of(k, e);
  if (data < 0 || data > kNSig) co_return -EIO;
  int action = co_await ptrace_resume_action(k, cur, tracee, e, request);
  if (action < 0) co_return action;
  const sim::Keep keep(co_await sim::this_frame, action);
  switch (get_stop_event(ctx)) {
    case PTRACE_EVENT_VFORK:
      if (ctx.options & PTRACE_O_TRACEVFORKDONE) {
        set_stop_code(ctx, PTRACE_EVENT_VFORK_DONE);
        action = UTRACE_REPORT;
      }
      break;
    case PTRACE_EVENT_EXEC:
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_CLONE:
    case PTRACE_EVENT_VFORK_DONE:
      if (request == PTRACE_SYSCALL) {
        // Convert to a syscall-exit stop without resuming.
        set_syscall_code(ctx);
        tracee.exit_code = ctx.stop_code & PTRACE_EVENT_MASK;
        co_await k.do_notify_parent_cldstop(tracee, CLD_TRAPPED);
        co_return 0;
      }
      if (action != UTRACE_RESUME) {
        // Single-stepping: UTRACE_SIGNAL_REPORT synthesizes the trap.
        ctx.signr = SIGTRAP;
        action = UTRACE_INTERRUPT;
      }
      break;
    case PTRACE_EVENT_SYSCALL:
      if (data) {
        Siginfo info{data, SI_KERNEL, 0, 0};
        (void)co_await k.send_sig_info(data, info, tracee, cur.pid);
      }
      break;
    case PTRACE_EVENT_SIGNAL: ctx.signr = data; break;
  }
  ctx.resume = static_cast<std::uint32_t>(action);
  (void)co_await ptrace_wake_up(k, cur, tracee, e, static_cast<std::uint32_t>(action), true);
  co_return 0;
}

// ptrace_rw_siginfo(): PTRACE_GETSIGINFO (the result is si_signo) / SETSIGINFO.
sim::Co<int> ptrace_rw_siginfo(Kernel& k, Task& tracee, PtraceContext& ctx, bool write, Siginfo* out) {
  switch (get_stop_event(ctx)) {
    case 0:  // a job-control stop
      co_return -EINVAL;
    case PTRACE_EVENT_SIGNAL: {
      int err = -ESRCH;
      const sim::Keep keep(co_await sim::this_frame, err);
      if (!tracee.released) {
        co_await tracee.sighand->siglock.lock("ptrace_rw_siginfo");
        if ((tracee.state & __TASK_TRACED) && ctx.siginfo) {
          if (!write) *out = *ctx.siginfo;
          err = 0;
        }
        tracee.sighand->siglock.unlock();
      }
      co_return err;
    }
    default:
      if (!write) *out = Siginfo{SIGTRAP, ctx.stop_code & PTRACE_EVENT_MASK, tracee.pid, 0};
      co_return 0;
  }
  (void)k;
}

sim::Co<std::int64_t> ptrace_request(Kernel& k, Task& cur, Task& child, long request, std::int64_t data,
                                     std::int64_t* peek) {
  Engine* e = co_await ptrace_lookup_engine(k, cur, child);
  if (!e) co_return -ESRCH;
  PtraceContext& ctx = ctx_of(k, *e);
  std::int64_t ret = 0;
  const sim::Keep keep(co_await sim::this_frame, e, ret);
  switch (request) {
    case PTRACE_PEEKTEXT:
    case PTRACE_PEEKDATA:
    case PTRACE_PEEKUSR:
    case PTRACE_POKETEXT:
    case PTRACE_POKEDATA:
    case PTRACE_POKEUSR:
    case PTRACE_GETREGS:
    case PTRACE_SETREGS:
      ret = 0;  // utsim has no memory or registers: the access succeeds
      break;
    case PTRACE_SETOPTIONS:
      (void)co_await ptrace_set_events(k, cur, child, *e, static_cast<int>(data & PTRACE_O_MASK));
      ret = (data & ~std::int64_t{PTRACE_O_MASK}) ? -EINVAL : 0;
      break;
    case PTRACE_GETEVENTMSG:
      *peek = ctx.eventmsg;
      ret = 0;
      break;
    case PTRACE_GETSIGINFO: {
      Siginfo info;
      const sim::Keep keep_info(co_await sim::this_frame, info);  // ptrace_rw_siginfo() fills it in
      ret = co_await ptrace_rw_siginfo(k, child, ctx, false, &info);
      if (!ret) *peek = info.signo;
      break;
    }
    case PTRACE_SETSIGINFO: ret = co_await ptrace_rw_siginfo(k, child, ctx, true, nullptr); break;
    case PTRACE_DETACH:
      utrace_unfreeze_stop(k, child);
      if (data < 0 || data > kNSig) {
        ret = -EIO;
        break;
      }
      co_await ptrace_do_detach(k, cur, child, static_cast<int>(data));
      ret = 0;
      break;
    case PTRACE_KILL:
      // Ugly historical behaviour.
      if (child.state & __TASK_TRACED) (void)co_await ptrace_resume(k, cur, child, *e, PTRACE_CONT, SIGKILL);
      ret = 0;
      break;
    default: ret = co_await ptrace_resume(k, cur, child, *e, static_cast<int>(request), static_cast<int>(data)); break;
  }
  co_await utrace_engine_put(k, cur, *e);
  co_return ret;
}

}  // namespace pt

// ---- entry points ---------------------------------------------------------------------------

void ptrace_setup(Kernel& k) { k.ptrace_ops = ptrace_utrace_ops(); }

sim::Co<std::int64_t> sys_ptrace(Kernel& k, Task& cur, long request, Task* child, std::int64_t data,
                                 std::int64_t* peek) {
  if (k.version() == KernelVersion::V2011_3x)
    throw NotImplemented("ptrace on 2011-3x: upstream 3.x ptrace is not built on utrace (use 2010-rhel6)");
  std::int64_t ret;
  if (request == PTRACE_TRACEME) {
    ret = co_await ptrace_traceme(k, cur);
  } else if (!child || child->released) {
    ret = -ESRCH;
  } else if (request == PTRACE_ATTACH) {
    ret = co_await ptrace_attach(k, cur, *child);
  } else {
    ret = co_await ptrace_check_attach(k, cur, *child, request == PTRACE_KILL);
    if (ret >= 0) {
      ret = co_await ptrace_request(k, cur, *child, request, data, peek);
      utrace_unfreeze_stop(k, *child);
    }
  }
  co_return ret;
}

// ptrace_notify_stop(), called by utrace_stop() for every stop (§8.5).  What
// decides is the ptrace *engine*, not task->ptrace: PTRACE_ATTACH attaches the
// engine (ptrace_attach_task) before it sets PT_UTRACED and links the tracee
// under tasklist_lock, and a stop made in between must still leave exit_code
// for the tracer's wait_task_stopped(); only the CLD_TRAPPED notification is
// skipped ("ptrace_attach() has not completed yet", do_ptrace_notify_stop).
sim::Co<void> ptrace_notify_stop(Kernel& k, Task& tracee) {
  if (!k.ptrace_ops) co_return;
  // Model shortcut: a task with no live ptrace engine gets -ENOENT from the
  // lookup; answer that without modelling its utrace->lock round trip, so the
  // stops of tasks ptrace never touched keep their interleavings.
  const bool has_engine =
      tracee.utrace && (std::any_of(tracee.utrace->attached.begin(), tracee.utrace->attached.end(),
                                    [&](const Engine* e) { return is_ptrace_engine(k, *e); }) ||
                        std::any_of(tracee.utrace->attaching.begin(), tracee.utrace->attaching.end(),
                                    [&](const Engine* e) { return is_ptrace_engine(k, *e); }));
  if (!has_engine) co_return;
  Engine* e = co_await ptrace_lookup_engine(k, tracee, tracee);
  if (!e) co_return;
  const sim::Keep keep(co_await sim::this_frame, e);
  // do_ptrace_notify_stop(): this exit_code write can race with SIGKILL,
  // "borrowed from the old ptrace implementation" (R17i).
  tracee.exit_code = ctx_of(k, *e).stop_code & PTRACE_EVENT_MASK;
  // "It can be killed and then released by our subthread, or ptrace_attach()
  // has not completed yet": notify only a task that is ptraced now.
  if (tracee.ptrace) co_await k.do_notify_parent_cldstop(tracee, CLD_TRAPPED);
  co_await utrace_engine_put(k, tracee, *e);
}

}  // namespace model
