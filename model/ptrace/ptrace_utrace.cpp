// kernel/ptrace-utrace.c of RHEL6 (Oleg Nesterov), utrace-semantics.md §8:
// ptrace as a utrace engine.  Function names and structure follow it; the
// legacy PT_PTRACED paths of the tracehooks stay inert (PT_UTRACED).
//
// Callbacks are coroutines: a few take locks (ptrace_clone_attach takes
// tasklist_lock, resume_signal takes siglock) or call the utrace API.
// (No co_await inside an if condition or a ?: — GCC 12 miscompiles those.)
#include <algorithm>

#include <fmt/format.h>

#include "model/ptrace/ptrace.h"
#include "model/linux/sigdefs.h"
#include "model/utrace/utrace.h"

namespace model {

namespace {

constexpr unsigned long EV_QUIESCE = UTRACE_EVENT(_UTRACE_EVENT_QUIESCE);
constexpr unsigned long EV_CLONE = UTRACE_EVENT(_UTRACE_EVENT_CLONE);
constexpr unsigned long EV_EXEC = UTRACE_EVENT(_UTRACE_EVENT_EXEC);
constexpr unsigned long EV_EXIT = UTRACE_EVENT(_UTRACE_EVENT_EXIT);
constexpr unsigned long EV_SYSCALL_EXIT = UTRACE_EVENT(_UTRACE_EVENT_SYSCALL_EXIT);
constexpr int TRAP_TRACE = 2;  // si_code of a single-step SIGTRAP

PtraceContext& ctx_of(Kernel& k, const Engine& e) {
  return *k.ptrace_contexts[static_cast<std::size_t>(e.data - 1)];
}

bool ptrace_event_pending(const PtraceContext& ctx) { return ctx.stop_code != 0; }
int get_stop_event(const PtraceContext& ctx) { return ctx.stop_code >> 8; }
void set_stop_code(PtraceContext& ctx, int event) { ctx.stop_code = (event << 8) | SIGTRAP; }
void set_syscall_code(PtraceContext& ctx) {
  set_stop_code(ctx, PTRACE_EVENT_SYSCALL);
  if (ctx.options & PTRACE_O_TRACESYSGOOD) ctx.stop_code |= 0x80;
}
bool is_step_resume(std::uint32_t resume) {
  return resume == UTRACE_BLOCKSTEP || resume == UTRACE_SINGLESTEP;
}

// A live engine of ours (what ptrace_lookup_engine() would find).
bool is_ptrace_engine(const Kernel& k, const Engine& e) {
  return e.table == k.ptrace_ops.get() && e.ops == Engine::Ops::Real;
}

// ptrace_lookup_engine(): a new reference to the task's ptrace engine, or NULL.
sim::Co<Engine*> ptrace_lookup_engine(Kernel& k, Task& cur, Task& tracee) {
  const AttachResult r = co_await utrace_attach_task(k, cur, &tracee, UTRACE_ATTACH_MATCH_OPS,
                                                     k.ptrace_ops.get(), 0);
  co_return r.engine;
}

// utrace_barrier_uninterruptible()
sim::Co<int> utrace_barrier_uninterruptible(Kernel& k, Task& cur, Task& target, Engine& e) {
  for (;;) {
    const int err = co_await utrace_barrier(k, cur, &target, e);
    if (err != -ERESTARTSYS) co_return err;
    k.set_task_state(cur, TASK_UNINTERRUPTIBLE);
    co_await k.schedule_until(cur, k.eng.now() + 1, "utrace_barrier_uninterruptible");
    k.set_task_state(cur, TASK_RUNNING);
  }
}

sim::Co<int> ptrace_set_events(Kernel& k, Task& cur, Task& target, Engine& e, int options);
sim::Co<int> ptrace_attach_task(Kernel& k, Task& cur, Task& tracee, int options);
sim::Co<void> ptrace_detach_task(Kernel& k, Task& cur, Task& tracee, int sig);

// ---- the callbacks (§8.3) ---------------------------------------------------------------

class PtraceOps final : public EngineOps {
 public:
  const char* name() const override { return "ptrace_utrace_ops"; }
  bool has(Callback c) const override {
    switch (c) {
      case Callback::report_signal:
      case Callback::report_quiesce:
      case Callback::report_exec:
      case Callback::report_exit:
      case Callback::report_clone:
      case Callback::report_syscall_entry:
      case Callback::report_syscall_exit:
      case Callback::release:
        return true;
      default:
        return false;
    }
  }
  bool has_release() const override { return true; }

  sim::Co<std::uint32_t> call(Kernel& k, Task& task, Engine& e, CallbackArgs& a) override {
    PtraceContext& ctx = ctx_of(k, e);
    switch (a.cb) {
      case Callback::report_quiesce: co_return report_quiesce(ctx, a);
      case Callback::report_signal: co_return co_await report_signal(k, task, e, ctx, a);
      case Callback::report_exec: co_return co_await report_exec(k, task, ctx);
      case Callback::report_exit: co_return report_exit(ctx, a);
      case Callback::report_clone: co_return co_await report_clone(k, task, ctx, a);
      case Callback::report_syscall_entry: co_return report_syscall_entry(ctx, a);
      case Callback::report_syscall_exit: co_return report_syscall_exit(ctx);
      case Callback::release: ctx.freed = true; co_return 0;  // ptrace_release(): kfree(ctx)
      default: co_return UTRACE_RESUME;
    }
  }

 private:
  static std::uint32_t report_quiesce(PtraceContext& ctx, const CallbackArgs& a) {
    if (ptrace_event_pending(ctx)) return UTRACE_STOP;
    return a.event ? UTRACE_RESUME : ctx.resume;
  }

  static std::uint32_t report_exit(PtraceContext& ctx, const CallbackArgs& a) {
    set_stop_code(ctx, PTRACE_EVENT_EXIT);
    ctx.eventmsg = *a.code;
    return UTRACE_STOP;
  }

  static std::uint32_t report_syscall_entry(PtraceContext& ctx, const CallbackArgs& a) {
    if (a.action & UTRACE_SYSCALL_RESUMED) {
      // We already reported the first time.
      if (ctx.options & PTRACE_O_SYSEMU) return UTRACE_SYSCALL_ABORT | UTRACE_REPORT;
      return utrace_syscall_action(a.action) | UTRACE_RESUME;
    }
    set_syscall_code(ctx);
    if (ctx.options & PTRACE_O_SYSEMU) return UTRACE_SYSCALL_ABORT | UTRACE_REPORT;
    // Stop now to report; another callback follows with UTRACE_SYSCALL_RESUMED.
    return UTRACE_SYSCALL_RUN | UTRACE_STOP;
  }

  static std::uint32_t report_syscall_exit(PtraceContext& ctx) {
    if (ptrace_event_pending(ctx)) return UTRACE_STOP;
    if (is_step_resume(ctx.resume)) {
      // The UTRACE_SIGNAL_REPORT pass synthesizes the trap after the syscall insn.
      ctx.signr = SIGTRAP;
      return UTRACE_INTERRUPT;
    }
    set_syscall_code(ctx);
    return UTRACE_STOP;
  }

  static sim::Co<std::uint32_t> report_exec(Kernel& k, Task& task, PtraceContext& ctx) {
    if (!(ctx.options & PTRACE_O_TRACEEXEC)) {
      // Old-fashioned ptrace'd exec just posts a plain signal.
      Siginfo info{SIGTRAP, SI_USER, task.tgid, 0};
      (void)co_await k.send_sig_info(SIGTRAP, info, task, task.pid);
      co_return UTRACE_RESUME;
    }
    set_stop_code(ctx, PTRACE_EVENT_EXEC);
    co_return UTRACE_STOP;
  }

  static sim::Co<std::uint32_t> report_clone(Kernel& k, Task& task, PtraceContext& ctx, CallbackArgs& a) {
    int event = 0;
    const std::uint64_t flags = a.clone_flags;
    if (flags & CLONE_UNTRACED) {
      // no events reported
    } else if (flags & CLONE_VFORK) {
      if (ctx.options & PTRACE_O_TRACEVFORK)
        event = PTRACE_EVENT_VFORK;
      else if (ctx.options & PTRACE_O_TRACEVFORKDONE)
        event = PTRACE_EVENT_VFORK_DONE;
    } else if (static_cast<int>(flags & CSIGNAL) != SIGCHLD) {
      if (ctx.options & PTRACE_O_TRACECLONE) event = PTRACE_EVENT_CLONE;
    } else if (ctx.options & PTRACE_O_TRACEFORK) {
      event = PTRACE_EVENT_FORK;
    }
    // Any of these reports implies auto-attaching the new child; so does
    // CLONE_PTRACE, even with no event to report.
    if ((event && event != PTRACE_EVENT_VFORK_DONE) || (flags & CLONE_PTRACE))
      co_await ptrace_clone_attach(k, task, *a.child, ctx.options);
    if (!event) co_return UTRACE_RESUME;
    set_stop_code(ctx, event);
    ctx.eventmsg = a.child->pid;
    // Not inside the do_fork() path: we stop before the return to user mode
    // (vfork: before the vfork wait).
    co_return event == PTRACE_EVENT_VFORK_DONE ? UTRACE_REPORT : UTRACE_STOP;
  }

  // ptrace_clone_attach(): the parent's tracer traces the child too.
  static sim::Co<void> ptrace_clone_attach(Kernel& k, Task& parent, Task& child, int options) {
    const int err = co_await ptrace_attach_task(k, parent, child, options);
    if (err) co_return;  // WARN_ON(1)
    co_await k.tasklist_lock.lock("ptrace_clone_attach");
    Task* tracer = parent.parent;
    bool abort = true;
    if (!(tracer->flags & PF_EXITING) && parent.ptrace) {
      child.ptrace = parent.ptrace;
      ptrace_link(k, child, *tracer);
      abort = false;
    }
    k.tasklist_lock.unlock();
    if (abort) {
      co_await ptrace_detach_task(k, parent, child, 0);  // ptrace_abort_attach()
      co_return;
    }
    child.pending.signal.add(SIGSTOP);
    child.set_tif(TIF_SIGPENDING);
  }

  // resume_signal(): the tracer's choice for a captured signal.
  static sim::Co<std::uint32_t> resume_signal(Kernel& k, Task& task, PtraceContext& ctx, KSigaction* return_ka) {
    Siginfo* info = ctx.siginfo;
    const int signr = ctx.signr;
    ctx.siginfo = nullptr;
    ctx.signr = 0;
    // Did the debugger cancel the signal?
    if (!signr) co_return UTRACE_SIGNAL_IGN;
    // Update the siginfo if the signal number changed.
    if (info->signo != signr) {
      info->signo = signr;
      info->code = SI_USER;
      info->pid = task.parent->tgid;
    }
    // If the (new) signal is now blocked, requeue it.
    if (task.blocked.has(signr)) {
      (void)co_await k.send_sig_info(signr, *info, task, task.parent->pid);
      co_return UTRACE_SIGNAL_IGN;
    }
    co_await task.sighand->siglock.lock("resume_signal");
    *return_ka = (*task.sighand)[signr];
    task.sighand->siglock.unlock();
    co_return UTRACE_SIGNAL_DELIVER;
  }

  static sim::Co<std::uint32_t> report_signal(Kernel& k, Task& task, Engine& e, PtraceContext& ctx,
                                              CallbackArgs& a) {
    const std::uint32_t resume = ctx.resume;
    if (ptrace_event_pending(ctx)) co_return utrace_signal_action(a.action) | UTRACE_STOP;
    switch (utrace_signal_action(a.action)) {
      case UTRACE_SIGNAL_HANDLER:
        ctx.siginfo = nullptr;
        if (is_step_resume(resume)) {
          // A SIGTRAP stop at the handler's first instruction.
          set_stop_code(ctx, PTRACE_EVENT_SIGTRAP);
          co_return UTRACE_STOP | UTRACE_SIGNAL_IGN;
        }
        [[fallthrough]];
      case UTRACE_SIGNAL_REPORT:
        if (!ctx.siginfo) {
          if (ctx.signr) {
            // Set by ptrace_resume() or a stepped syscall: trap after the syscall insn.
            ctx.signr = 0;
            (void)co_await force_sig_info(k, SIGTRAP, Siginfo{SIGTRAP, TRAP_TRACE, 0, 0}, task);
          }
          co_return resume | UTRACE_SIGNAL_IGN;
        }
        if (ctx.siginfo != a.info) co_return resume | UTRACE_SIGNAL_IGN;  // WARN_ON
        {
          const std::uint32_t disposition = co_await resume_signal(k, task, ctx, a.return_ka);
          co_return resume | disposition;
        }
      default:
        break;
    }
    // Raced with the exiting tracer?
    if (resume == UTRACE_DETACH) co_return a.action;
    // Capture the signal: a SIGNAL_REPORT pass must follow the stop and clear
    // ctx->siginfo before get_signal_to_deliver() returns.
    ctx.siginfo = a.info;
    (void)co_await utrace_control(k, task, &task, e, UTRACE_INTERRUPT);
    ctx.signr = a.info->signo;
    ctx.stop_code = (PTRACE_EVENT_SIGNAL << 8) | ctx.signr;
    co_return UTRACE_STOP | UTRACE_SIGNAL_IGN;
  }
};

// ---- attach and detach ----------------------------------------------------------------------

sim::Co<int> ptrace_set_events(Kernel& k, Task& cur, Task& target, Engine& e, int options) {
  PtraceContext& ctx = ctx_of(k, e);
  // QUIESCE for resume handling, CLONE for CLONE_PTRACE; the rest are always reported.
  unsigned long events = EV_QUIESCE | EV_CLONE | EV_EXEC | UTRACE_EVENT_SIGNAL_ALL;
  ctx.options = options;
  if (options & PTRACE_O_TRACEEXIT) events |= EV_EXIT;
  co_return co_await utrace_set_events(k, cur, &target, e, events);
}

// ptrace_reuse_engine(): a self-detaching engine may be recycled.
sim::Co<AttachResult> ptrace_reuse_engine(Kernel& k, Task& cur, Task& tracee) {
  AttachResult r;
  Engine* e = co_await ptrace_lookup_engine(k, cur, tracee);
  if (!e) {
    r.err = ENOENT;
    co_return r;
  }
  PtraceContext& ctx = ctx_of(k, *e);
  int err = -EPERM;
  if (ctx.resume == UTRACE_DETACH) {
    ctx.options = 0;
    ctx.eventmsg = 0;
    // No unwanted reports.
    err = co_await utrace_set_events(k, cur, &tracee, *e, EV_QUIESCE);
    if (!err || err == -EINPROGRESS) {
      ctx.resume = UTRACE_RESUME;
      // Synchronise with ptrace_report_signal().
      err = co_await utrace_barrier_uninterruptible(k, cur, tracee, *e);
    }
    if (!err) {
      r.engine = e;
      co_return r;
    }
  }
  co_await utrace_engine_put(k, cur, *e);
  r.err = -err;
  co_return r;
}

// ptrace_attach_engine()
sim::Co<AttachResult> ptrace_attach_engine(Kernel& k, Task& cur, Task& tracee) {
  if (tracee.utrace_flags) {
    const AttachResult reused = co_await ptrace_reuse_engine(k, cur, tracee);
    // The kernel compares the boolean IS_ERR() with -EPERM (never equal), so
    // every reuse failure falls through to the create attempt (§8.4 quirk).
    if (reused.engine) co_return reused;
  }
  k.ptrace_contexts.push_back(std::make_unique<PtraceContext>());
  const std::uint64_t data = k.ptrace_contexts.size();
  k.ptrace_contexts.back()->resume = UTRACE_RESUME;
  AttachResult r = co_await utrace_attach_task(
      k, cur, &tracee, UTRACE_ATTACH_CREATE | UTRACE_ATTACH_EXCLUSIVE | UTRACE_ATTACH_MATCH_OPS,
      k.ptrace_ops.get(), data);
  if (!r.engine) {
    if (r.err != ESRCH && r.err != ERESTARTNOINTR) r.err = EPERM;
    k.ptrace_contexts.back()->freed = true;  // kfree(ctx)
  }
  co_return r;
}

// ptrace_attach_task(): engine + events; 0 or a negative errno.
sim::Co<int> ptrace_attach_task(Kernel& k, Task& cur, Task& tracee, int options) {
  const AttachResult r = co_await ptrace_attach_engine(k, cur, tracee);
  if (!r.engine) co_return -r.err;
  // It can fail only if the tracee is dead: the caller notices before PT_UTRACED.
  (void)co_await ptrace_set_events(k, cur, tracee, *r.engine, options);
  co_await utrace_engine_put(k, cur, *r.engine);
  co_return 0;
}

// ptrace_wake_up(): force mode keeps the historic "ptrace always wakes a
// job-control-stopped tracee" behaviour.
sim::Co<int> ptrace_wake_up(Kernel& k, Task& cur, Task& tracee, Engine& e, std::uint32_t action,
                            bool force_wakeup) {
  if (force_wakeup && !tracee.released) {
    co_await tracee.sighand->siglock.lock("ptrace_wake_up");
    tracee.signal->flags &= ~SIGNAL_STOP_STOPPED;
    tracee.sighand->siglock.unlock();
  }
  if (action != UTRACE_REPORT) ctx_of(k, e).stop_code = 0;
  co_return co_await utrace_control(k, cur, &tracee, e, action);
}

// ptrace_detach_task(): sig >= 0 for PTRACE_DETACH, -1 for the exiting tracer.
sim::Co<void> ptrace_detach_task(Kernel& k, Task& cur, Task& tracee, int sig) {
  const bool explicit_detach = sig >= 0;
  Engine* e = co_await ptrace_lookup_engine(k, cur, tracee);
  if (!e) co_return;
  PtraceContext& ctx = ctx_of(k, *e);
  std::uint32_t action = UTRACE_DETACH;
  if (!explicit_detach) {
    // The tracee can be running: make sure ptrace_report_signal() will not
    // report a signal (R17b).
    ctx.resume = UTRACE_DETACH;
    const int err = co_await utrace_barrier_uninterruptible(k, cur, tracee, *e);
    // The tracee already captured a signal: resume it; the pending
    // SIGNAL_REPORT pass returns UTRACE_DETACH.
    if (!err && ctx.siginfo) action = UTRACE_RESUME;
  } else if (sig) {
    switch (get_stop_event(ctx)) {
      case PTRACE_EVENT_SYSCALL: {
        Siginfo info{sig, SI_KERNEL, 0, 0};
        (void)co_await k.send_sig_info(sig, info, tracee, cur.pid);
        break;
      }
      case PTRACE_EVENT_SIGNAL:
        ctx.signr = sig;
        ctx.resume = UTRACE_DETACH;
        action = UTRACE_RESUME;
        break;
    }
  }
  (void)co_await ptrace_wake_up(k, cur, tracee, *e, action, explicit_detach);
  if (action != UTRACE_DETACH) ctx.options = PTRACE_O_DETACHED;
  co_await utrace_engine_put(k, cur, *e);
}

// ignoring_children()
bool ignoring_children(const SighandStruct& sh) {
  const KSigaction& ka = const_cast<SighandStruct&>(sh)[SIGCHLD];
  return ka.handler == KSigaction::Handler::Ignore || (ka.flags & SA_NOCLDWAIT);
}

// __ptrace_detach(): unlink; a traced zombie gets its delayed notification.
// tasklist_lock held.  true: it must be release_task()'d.
bool ptrace_detach_zombie(Kernel& k, Task& tracer, Task& p) {
  ptrace_unlink(k, p);
  if (p.exit_state == EXIT_ZOMBIE) {
    if (p.exit_signal != -1 && p.thread_group_empty()) {
      if (p.real_parent->signal != tracer.signal) {
        k.do_notify_parent(p, p.exit_signal);
      } else if (ignoring_children(*tracer.sighand)) {
        k.wake_up(tracer.signal->wait_chldexit, TASK_INTERRUPTIBLE);
        p.exit_signal = -1;
      }
    }
    if (p.exit_signal == -1) {
      k.set_exit_state(p, EXIT_DEAD);
      return true;
    }
  }
  return false;
}

// ptrace_do_detach()
sim::Co<void> ptrace_do_detach(Kernel& k, Task& cur, Task& tracee, int data) {
  co_await k.tasklist_lock.lock("ptrace_do_detach");
  // The tracee can be killed already: de_thread() or a sub-thread's
  // do_wait() may have released it (R17g).
  const bool detach = tracee.ptrace != 0;
  bool release = false;
  if (detach) release = ptrace_detach_zombie(k, cur, tracee);
  k.tasklist_lock.unlock();
  if (release)
    co_await k.release_task(tracee);
  else if (detach)
    co_await ptrace_detach_task(k, cur, tracee, data);
}

// ---- requests ------------------------------------------------------------------------------

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
    k.send_signal(SIGSTOP, Siginfo{}, task, false, cur.pid);  // SEND_SIG_FORCED
    ret = 0;
  }
  k.tasklist_lock.unlock();
  co_return ret;
}

sim::Co<int> ptrace_traceme(Kernel& k, Task& cur) {
  const int err = co_await ptrace_attach_task(k, cur, cur, 0);
  if (err) co_return err;
  bool detach = true;
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
  if (child.parent == &cur) {
    if (kill) ret = 0;
    if (co_await READ_ONCE(child.state, "ptrace_check_attach") & (__TASK_STOPPED | __TASK_TRACED)) {
      // RHEL6: freeze the stop while we use the registers (R9, R17h).
      utrace_freeze_stop(k, child);
      const int stop = co_await utrace_control(k, cur, &child, *e, UTRACE_STOP);
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
  switch (request) {
    case PTRACE_SINGLESTEP:
      action = UTRACE_SINGLESTEP;
      events |= EV_SYSCALL_EXIT;
      break;
    case PTRACE_SYSCALL:
      events |= UTRACE_EVENT_SYSCALL;
      break;
    case PTRACE_CONT:
      break;
    default:
      co_return -EIO;
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
    case PTRACE_EVENT_SIGNAL:
      ctx.signr = data;
      break;
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
      ret = co_await ptrace_rw_siginfo(k, child, ctx, false, &info);
      if (!ret) *peek = info.signo;
      break;
    }
    case PTRACE_SETSIGINFO:
      ret = co_await ptrace_rw_siginfo(k, child, ctx, true, nullptr);
      break;
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
    default:
      ret = co_await ptrace_resume(k, cur, child, *e, static_cast<int>(request), static_cast<int>(data));
      break;
  }
  co_await utrace_engine_put(k, cur, *e);
  co_return ret;
}

}  // namespace

// ---- the tracer/tracee links of kernel/ptrace.c ------------------------------------------

void ptrace_link(Kernel& k, Task& child, Task& new_parent) {
  new_parent.ptraced.push_back(&child);
  child.parent = &new_parent;
  k.emit(Ev::reparent, child.pid, new_parent.pid);
}

void ptrace_unlink(Kernel& k, Task& child) {
  if (!child.ptrace) return;
  child.ptrace = 0;
  std::erase(child.parent->ptraced, &child);
  child.parent = child.real_parent;
  k.emit(Ev::reparent, child.pid, child.real_parent->pid);
}

void ptrace_release_task(Kernel& k, Task& p) {
  if (!p.ptraced.empty()) throw ModelBug("release_task: a task that still traces others (BUG_ON)");
  ptrace_unlink(k, p);
}

sim::Co<void> exit_ptrace(Kernel& k, Task& tracer) {
  for (;;) {
    co_await k.tasklist_lock.lock("exit_ptrace");
    Task* tracee = tracer.ptraced.empty() ? nullptr : tracer.ptraced.front();
    k.tasklist_lock.unlock();
    if (!tracee) break;
    co_await ptrace_do_detach(k, tracer, *tracee, -1);
  }
}

// ---- entry points ---------------------------------------------------------------------------

void ptrace_setup(Kernel& k) { k.ptrace_ops = std::make_unique<PtraceOps>(); }

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
  // do_ptrace_notify_stop(): this exit_code write can race with SIGKILL,
  // "borrowed from the old ptrace implementation" (R17i).
  tracee.exit_code = ctx_of(k, *e).stop_code & PTRACE_EVENT_MASK;
  // "It can be killed and then released by our subthread, or ptrace_attach()
  // has not completed yet": notify only a task that is ptraced now.
  if (tracee.ptrace) co_await k.do_notify_parent_cldstop(tracee, CLD_TRAPPED);
  co_await utrace_engine_put(k, tracee, *e);
}

sim::Co<int> force_sig_info(Kernel& k, int sig, Siginfo info, Task& t) {
  co_await t.sighand->siglock.lock("force_sig_info");
  KSigaction& action = (*t.sighand)[sig];
  const bool ignored = action.handler == KSigaction::Handler::Ignore;
  const bool blocked = t.blocked.has(sig);
  if (blocked || ignored) {
    action.handler = KSigaction::Handler::Default;
    action.user = nullptr;
    if (blocked) {
      t.blocked.del(sig);
      k.recalc_sigpending_and_wake(t);
    }
  }
  if (action.handler == KSigaction::Handler::Default) t.signal->flags &= ~SIGNAL_UNKILLABLE;
  const int ret = k.send_signal(sig, info, t, false, 0);
  t.sighand->siglock.unlock();
  co_return ret;
}

}  // namespace model
