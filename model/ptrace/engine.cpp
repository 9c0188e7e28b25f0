// model/ptrace/engine.cpp: the ptrace engine's callbacks, as
// kernel/ptrace-utrace.c of RHEL6 (Oleg Nesterov) names them
// (ptrace_report_signal, ptrace_report_quiesce ...; utrace-semantics.md §8.3),
// and the helpers the ptrace files share.
//
// Callbacks are coroutines: a few take locks (ptrace_clone_attach takes
// tasklist_lock, ptrace_resume_signal takes siglock) or call the utrace API.
// (No co_await inside an if condition or a ?: — GCC 12 miscompiles those.)
#include "model/ptrace/internal.h"

namespace model::pt {

bool is_ptrace_engine(const Kernel& k, const Engine& e) {
  return e.table == k.ptrace_ops.get() && e.ops == Engine::Ops::Real;
}

sim::Co<Engine*> ptrace_lookup_engine(Kernel& k, Task& cur, Task& tracee) {
  const AttachResult r = co_await utrace_attach_task(k, cur, &tracee, UTRACE_ATTACH_MATCH_OPS, k.ptrace_ops.get(), 0);
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

namespace {

// ptrace_utrace_ops

class PtraceOps final : public EngineOps, public sim::Pooled {
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
      case Callback::release: return true;
      default: return false;
    }
  }
  bool has_release() const override { return true; }

  sim::Co<std::uint32_t> call(Kernel& k, Task& task, Engine& e, CallbackArgs& a) override {
    PtraceContext& ctx = ctx_of(k, e);
    switch (a.cb) {
      case Callback::report_quiesce: co_return ptrace_report_quiesce(ctx, a);
      case Callback::report_signal: co_return co_await ptrace_report_signal(k, task, e, ctx, a);
      case Callback::report_exec: co_return co_await ptrace_report_exec(k, task, ctx);
      case Callback::report_exit: co_return ptrace_report_exit(ctx, a);
      case Callback::report_clone: co_return co_await ptrace_report_clone(k, task, ctx, a);
      case Callback::report_syscall_entry: co_return ptrace_report_syscall_entry(ctx, a);
      case Callback::report_syscall_exit: co_return ptrace_report_syscall_exit(ctx);
      case Callback::release: ctx.freed = true; co_return 0;  // ptrace_release(): kfree(ctx)
      default: co_return UTRACE_RESUME;
    }
  }

 private:
  static std::uint32_t ptrace_report_quiesce(PtraceContext& ctx, const CallbackArgs& a) {
    if (ptrace_event_pending(ctx)) return UTRACE_STOP;
    return a.event ? UTRACE_RESUME : ctx.resume;
  }

  static std::uint32_t ptrace_report_exit(PtraceContext& ctx, const CallbackArgs& a) {
    set_stop_code(ctx, PTRACE_EVENT_EXIT);
    ctx.eventmsg = *a.code;
    return UTRACE_STOP;
  }

  static std::uint32_t ptrace_report_syscall_entry(PtraceContext& ctx, const CallbackArgs& a) {
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

  static std::uint32_t ptrace_report_syscall_exit(PtraceContext& ctx) {
    if (ptrace_event_pending(ctx)) return UTRACE_STOP;
    if (is_step_resume(ctx.resume)) {
      // The UTRACE_SIGNAL_REPORT pass synthesizes the trap after the syscall insn.
      ctx.signr = SIGTRAP;
      return UTRACE_INTERRUPT;
    }
    set_syscall_code(ctx);
    return UTRACE_STOP;
  }

  static sim::Co<std::uint32_t> ptrace_report_exec(Kernel& k, Task& task, PtraceContext& ctx) {
    if (!(ctx.options & PTRACE_O_TRACEEXEC)) {
      // Old-fashioned ptrace'd exec just posts a plain signal.
      Siginfo info{SIGTRAP, SI_USER, task.tgid, 0};
      (void)co_await k.send_sig_info(SIGTRAP, info, task, task.pid);
      co_return UTRACE_RESUME;
    }
    set_stop_code(ctx, PTRACE_EVENT_EXEC);
    co_return UTRACE_STOP;
  }

  static sim::Co<std::uint32_t> ptrace_report_clone(Kernel& k, Task& task, PtraceContext& ctx, CallbackArgs& a) {
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
    const sim::Keep keep(co_await sim::this_frame, event);
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

  // ptrace_resume_signal(): the tracer's choice for a captured signal.
  static sim::Co<std::uint32_t> ptrace_resume_signal(Kernel& k, Task& task, PtraceContext& ctx, KSigaction* return_ka) {
    Siginfo* info = ctx.siginfo;
    const int signr = ctx.signr;
    ctx.siginfo = nullptr;
    ctx.signr = 0;
    const sim::Keep keep(co_await sim::this_frame, signr);  // cleared in ctx
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

  static sim::Co<std::uint32_t> ptrace_report_signal(Kernel& k, Task& task, Engine& e, PtraceContext& ctx,
                                                     CallbackArgs& a) {
    const std::uint32_t resume = ctx.resume;
    const sim::Keep keep(co_await sim::this_frame, resume);  // ctx.resume as the callback found it
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
            (void)co_await k.force_sig_info(SIGTRAP, Siginfo{SIGTRAP, TRAP_TRACE, 0, 0}, task);
          }
          co_return resume | UTRACE_SIGNAL_IGN;
        }
        if (ctx.siginfo != a.info) co_return resume | UTRACE_SIGNAL_IGN;  // WARN_ON
        {
          const std::uint32_t disposition = co_await ptrace_resume_signal(k, task, ctx, a.return_ka);
          co_return resume | disposition;
        }
      default: break;
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

}  // namespace

std::unique_ptr<EngineOps> ptrace_utrace_ops() { return std::make_unique<PtraceOps>(); }

}  // namespace model::pt
