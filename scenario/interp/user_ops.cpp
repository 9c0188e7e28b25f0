// scenario/interp/user_ops.cpp: what the user code of a task does.
//
// A user task runs the op of its innermost frame, one after the other.  An
// op is user-mode work (compute, a loop's test), a harness synchronisation
// or a call into a kernel module (no syscall hooks), or a syscall: the entry
// hook, the body (the kernel function it calls), the exit hook and the way
// back to user mode, where do_signal() may restart it, make it return
// -EINTR, or set up a handler frame above it (Interpreter::setup_rt_frame);
// when the handler's ops are done, rt_sigreturn restores what the frame
// saved and the interrupted op completes.
#include <type_traits>

#include "model/ptrace/ptrace.h"
#include "scenario/interp/interp.h"
#include "scenario/interp/op_kind.h"

namespace model {

namespace {

// x86_64 syscall numbers (shown in traces)
enum Nr : int {
  NR_rt_sigaction = 13,
  NR_rt_sigprocmask = 14,
  NR_rt_sigreturn = 15,
  NR_pause = 34,
  NR_nanosleep = 35,
  NR_alarm = 37,
  NR_clone = 56,
  NR_fork = 57,
  NR_vfork = 58,
  NR_execve = 59,
  NR_exit = 60,
  NR_wait4 = 61,
  NR_kill = 62,
  NR_ptrace = 101,
  NR_tkill = 200,
  NR_exit_group = 231,
  NR_tgkill = 234,
};

// The syscall an op makes, -1 if it makes none.
int syscall_nr(const Op& op) {
  const std::size_t kind = op.body.index();
  if (kind == kOp<SyscallOp>) return find_plain_syscall(std::get<SyscallOp>(op.body).name)->nr;
  if (kind == kOp<PauseOp>) return NR_pause;
  if (kind == kOp<NanosleepOp>) return NR_nanosleep;
  if (kind == kOp<AlarmOp>) return NR_alarm;
  if (kind == kOp<SigactionOp>) return NR_rt_sigaction;
  if (kind == kOp<SigprocmaskOp>) return NR_rt_sigprocmask;
  if (kind == kOp<RaiseOp>) return NR_tgkill;
  if (kind == kOp<KillOp>) return std::get<KillOp>(op.body).thread ? NR_tkill : NR_kill;
  if (kind == kOp<ForkOp>) return std::get<ForkOp>(op.body).vfork ? NR_vfork : NR_fork;
  if (kind == kOp<CloneOp>) return NR_clone;
  if (kind == kOp<ExecOp>) return NR_execve;
  if (kind == kOp<ExitOp>) return std::get<ExitOp>(op.body).group ? NR_exit_group : NR_exit;
  if (kind == kOp<WaitpidOp>) return NR_wait4;
  if (kind == kOp<PtraceOp>) return NR_ptrace;
  return -1;
}

// The struct k_sigaction a sigaction op hands to rt_sigaction(2): a user
// handler is the address of the op's handler (setup_rt_frame() runs it).
KSigaction k_sigaction_of(const SigactionOp& op) {
  KSigaction ka;
  switch (op.handler.kind) {
    case SignalHandler::Kind::Default: ka.handler = KSigaction::Handler::Default; break;
    case SignalHandler::Kind::Ignore: ka.handler = KSigaction::Handler::Ignore; break;
    default:
      ka.handler = KSigaction::Handler::User;
      ka.user = &op.handler;
      break;
  }
  ka.flags = op.flags;
  return ka;
}

Kernel::SigHow sig_how_of(SigprocmaskOp::How how) {
  switch (how) {
    case SigprocmaskOp::How::Block: return Kernel::SigHow::Block;
    case SigprocmaskOp::How::Unblock: return Kernel::SigHow::Unblock;
    case SigprocmaskOp::How::Set: break;
  }
  return Kernel::SigHow::SetMask;
}

}  // namespace

// ---- the program loop -----------------------------------------------------------------------

sim::Co<void> Interpreter::run_user(Task& t) {
  TaskProgram& p = prog(t);
  for (;;) {
    if (p.frames.empty()) co_await program_end(t);
    const std::size_t fi = p.frames.size() - 1;
    Frame& f = p.frames[fi];
    if (!f.single && f.pc >= f.ops->size()) {
      switch (f.kind) {
        case Frame::Kind::Program: co_await program_end(t); break;
        case Frame::Kind::Loop:
          if (f.forever || f.remaining > 0) {
            if (!f.forever) --f.remaining;
            f.pc = 0;
          } else {
            const Op& owner = *f.owner;
            p.frames.pop_back();
            complete_op(t, fi - 1, owner, none_result());
          }
          break;
        case Frame::Kind::Handler: co_await sigreturn(t); break;
        case Frame::Kind::Retry: break;
      }
      continue;
    }
    const Op& op = *f.current();
    p.cur_op = &op;
    co_await user_op(t, op, fi);
  }
}

// An op is finished: record it and move on.  In a retry frame, the retry
// decides whether its op runs again.
void Interpreter::complete_op(Task& t, std::size_t fi, const Op& op, const OpResult& r) {
  TaskProgram& p = prog(t);
  Frame& f = p.frames[fi];
  if (f.kind == Frame::Kind::Retry && f.single == &op) {
    record_result(t, op, r, false, nullptr);
    const auto& retry = std::get<RetryOp>(f.owner->body);
    ++f.remaining;
    f.op_state = 0;
    if (match_result(r, retry.until, nullptr) || f.remaining >= retry.max) {
      const Op& owner = *f.owner;
      p.frames.pop_back();
      complete_op(t, fi - 1, owner, r);
    }
    return;
  }
  record_result(t, op, r, true, nullptr);
  f.pc++;
  f.op_state = 0;
  p.cur_op = nullptr;
}

// Which path an op takes in a user task.  A dispatcher, not a coroutine of
// its own: the path it returns is what the caller awaits.
sim::Co<void> Interpreter::user_op(Task& t, const Op& op, std::size_t fi) {
  const std::size_t kind = op.body.index();
  if (kind == kOp<ComputeOp>) return user_compute(t, op, fi);
  if (kind == kOp<LoopOp> || kind == kOp<RetryOp>) return user_loop(t, op, fi);
  if (kind == kOp<SettleOp> || kind == kOp<AwaitOp> || kind == kOp<CompletionOp> || kind == kOp<AttachOp> ||
      kind == kOp<SetEventsOp> || kind == kOp<ControlOp> || kind == kOp<BarrierOp> || kind == kOp<ExamineOp> ||
      kind == kOp<EnginePutOp>)
    return user_module_op(t, op, fi);
  if (syscall_nr(op) >= 0) return user_syscall(t, op, fi);
  throw NotImplemented("op '" + op.key + "' in a user task");
}

// Harness synchronisation, or a call into a kernel module: no syscall hooks;
// then back to user mode.
sim::Co<void> Interpreter::user_module_op(Task& t, const Op& op, std::size_t fi) {
  OpCtx ctx{OpCtx::Kind::User, &t, nullptr, nullptr};
  const sim::Keep keep(co_await sim::this_frame, ctx);
  const OpResult r = co_await do_kernel_op(t, op, ctx);
  complete_op(t, fi, op, r);
  co_await k_.return_to_user(t);
}

// ---- user-mode work ---------------------------------------------------------------------------

sim::Co<void> Interpreter::user_compute(Task& t, const Op& op, std::size_t fi) {
  TaskProgram& p = prog(t);
  const std::uint64_t n = std::get<ComputeOp>(op.body).steps;
  while (p.frames[fi].op_state < n) {
    // One step of user code; the timer interrupt's return path then checks
    // the work flags.
    co_await t.tif.read_point("user mode");
    ++p.frames[fi].op_state;
    k_.on_user_step(t);
    if (t.test_tif(TIF_SINGLESTEP)) co_await k_.do_debug(t);
    if (t.tif & (tif_bit(TIF_SIGPENDING) | tif_bit(TIF_NOTIFY_RESUME))) {
      const std::size_t depth = p.frames.size();
      const sim::Keep keep(co_await sim::this_frame, depth);
      co_await k_.return_to_user(t);
      if (p.frames.size() > depth) co_return;  // resumes after the handler
    }
  }
  complete_op(t, fi, op, none_result());
}

// A loop or a retry pushes its frame; a loop that runs no body still runs
// its test in user mode.
sim::Co<void> Interpreter::user_loop(Task& t, const Op& op, std::size_t fi) {
  TaskProgram& p = prog(t);
  if (const auto* r = op.as_if<RetryOp>()) {
    Frame nf;
    nf.kind = Frame::Kind::Retry;
    nf.single = r->body.get();
    nf.owner = &op;
    p.frames.push_back(nf);
    co_return;
  }
  const auto& l = std::get<LoopOp>(op.body);
  if ((!l.forever && l.times == 0) || l.body.empty()) {
    if (l.forever) {
      // An empty forever loop spins in user mode.
      co_await t.tif.read_point("user mode");
      k_.on_user_step(t);
      co_await k_.return_to_user(t);
      co_return;
    }
    // One step, with the return-to-user checks of compute.  Without it a
    // `forever` loop of such loops would spin in run_user without ever
    // reaching a yield point, past the step limit and deaf to SIGKILL.
    co_await t.tif.read_point("user mode");
    k_.on_user_step(t);
    if (t.tif & (tif_bit(TIF_SIGPENDING) | tif_bit(TIF_NOTIFY_RESUME))) {
      const std::size_t depth = p.frames.size();
      const sim::Keep keep(co_await sim::this_frame, depth);
      co_await k_.return_to_user(t);
      if (p.frames.size() > depth) co_return;  // runs again after the handler
    }
    complete_op(t, fi, op, none_result());
    co_return;
  }
  Frame nf;
  nf.kind = Frame::Kind::Loop;
  nf.ops = &l.body;
  nf.owner = &op;
  nf.forever = l.forever;
  nf.remaining = l.forever ? 0 : l.times - 1;
  p.frames.push_back(nf);
}

// ---- syscalls ---------------------------------------------------------------------------------

// system_call: the number the entry hooks leave is the one dispatched
// (Kernel::syscall_entry).  The op's own, or -1 (aborted: -ENOSYS), or one
// of the plain syscalls an engine's `set: {"syscall": ...}` wrote into
// orig_ax, which then runs instead of the op (its result is the op's).
sim::Co<void> Interpreter::user_syscall(Task& t, const Op& op, std::size_t fi) {
  const int nr = syscall_nr(op);
  const long dispatched = co_await k_.syscall_entry(t, nr);
  std::int64_t ret = -ENOSYS;
  OpResult res = from_ret(ret);
  bool completes = true;
  const sim::Keep keep(co_await sim::this_frame, dispatched, ret, res, completes);
  if (dispatched == nr) {
    ret = co_await syscall_body(t, op, fi, res, completes);
  } else if (const PlainSyscall* other = find_plain_syscall_nr(dispatched)) {
    co_await sim::point(sim::ObjId{}, sim::Acc::Local, "sys_call");
    ret = plain_syscall_ret(t, other->name);
    res = value_result(ret);
  }
  co_await finish_syscall(t, op, fi, nr, ret, res, completes);
}

// What a plain syscall (model/abi.h) returns: the ids it reads, else 0.
std::int64_t Interpreter::plain_syscall_ret(const Task& t, std::string_view name) const {
  if (name == "getpid") return t.tgid;
  if (name == "gettid") return t.pid;
  if (name == "getppid") return t.real_parent->tgid;
  if (name == "getpgrp" || name == "getsid" || name == "getpgid")  // getpgid(0), getsid(0)
    return k_.tasks.size() > 1 ? k_.tasks[1]->pid : t.tgid;
  return 0;
}

// What the syscall does in the kernel; `res` gets the op's result.
sim::Co<std::int64_t> Interpreter::syscall_body(Task& t, const Op& op, std::size_t fi, OpResult& res, bool& completes) {
  OpCtx ctx{OpCtx::Kind::User, &t, nullptr, nullptr};
  std::int64_t ret = 0;
  const sim::Keep keep(co_await sim::this_frame, ret);
  if (const auto* s = op.as_if<SyscallOp>()) {
    co_await sim::point(sim::ObjId{}, sim::Acc::Local, "sys_call");
    ret = plain_syscall_ret(t, s->name);
    res = value_result(ret);
    co_return ret;
  }
  if (op.as_if<PauseOp>()) {
    // sys_pause(): returns only after a handler ran (-ERESTARTNOHAND).
    k_.set_task_state(t, TASK_INTERRUPTIBLE);
    co_await k_.schedule(t, "sys_pause");
    ret = -ERESTARTNOHAND;
  } else if (const auto* n = op.as_if<NanosleepOp>()) {
    // do_nanosleep(); a restart (restart_syscall) sleeps what is left.
    Frame& f = prog(t).frames[fi];
    if (!f.op_state) f.op_state = k_.eng.now() + n->ticks + 1;
    const std::uint64_t deadline = f.op_state - 1;
    const sim::Keep keep_deadline(co_await sim::this_frame, deadline);
    while (k_.eng.now() < deadline) {
      k_.set_task_state(t, TASK_INTERRUPTIBLE);
      co_await k_.schedule_until(t, deadline, "do_nanosleep");
      k_.set_task_state(t, TASK_RUNNING);
      if (k_.eng.now() >= deadline) break;
      if (t.test_tif(TIF_SIGPENDING)) {
        ret = -ERESTART_RESTARTBLOCK;
        break;
      }
    }
  } else if (const auto* al = op.as_if<AlarmOp>()) {
    ret = co_await k_.alarm_setitimer(t, al->seconds);
  } else if (const auto* sa = op.as_if<SigactionOp>()) {
    const KSigaction act = k_sigaction_of(*sa);
    ret = co_await k_.do_sigaction(t, sa->sig, sa->has_handler ? &act : nullptr);
  } else if (const auto* pm = op.as_if<SigprocmaskOp>()) {
    ret = co_await k_.sigprocmask(t, sig_how_of(pm->how), pm->set);
  } else if (const auto* r = op.as_if<RaiseOp>()) {
    ret = co_await k_.do_tkill(t, t.tgid, t.pid, r->sig);
  } else if (const auto* kill = op.as_if<KillOp>()) {
    Task* target = resolve(kill->pid, ctx);
    if (!target || target->released)
      ret = -ESRCH;
    else if (kill->thread)
      ret = co_await k_.do_tkill(t, 0, target->pid, kill->sig);
    else
      ret = co_await k_.kill_pid_info(t, target->pid, kill->sig);
  } else if (const auto* f = op.as_if<ForkOp>()) {
    const std::uint64_t flags = f->vfork ? (CLONE_VFORK | CLONE_VM) : 0;
    ret = co_await k_.do_fork(t, flags, SIGCHLD, &op);
    res = ret > 0 ? OpResult{ret, ResultKind::Pid, 0} : from_ret(ret);
    co_return ret;
  } else if (const auto* c = op.as_if<CloneOp>()) {
    ret = co_await k_.do_fork(t, c->flags, c->exit_signal, &op);
    res = ret > 0 ? OpResult{ret, ResultKind::Pid, 0} : from_ret(ret);
    co_return ret;
  } else if (const auto* x = op.as_if<ExecOp>()) {
    ret = co_await k_.do_execve(t, &x->program);
    res = from_ret(ret);
    if (ret == 0) {
      // The old program is gone: the op's result is recorded now.
      record_result(t, op, res, true, nullptr);
      completes = false;
    }
    co_return ret;
  } else if (const auto* e = op.as_if<ExitOp>()) {
    if (e->group)
      co_await k_.do_group_exit(t, (e->code & 0xff) << 8);
    else
      co_await k_.do_exit(t, (e->code & 0xff) << 8);
  } else if (const auto* w = op.as_if<WaitpidOp>()) {
    if (w->options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) {
      ret = -EINVAL;
    } else {
      Kernel::WaitOpts wo;
      wo.flags = w->options | WEXITED;
      if (w->pid.kind == TaskRef::Kind::Any) {
        wo.pid = -1;
      } else {
        const Task* target = resolve(w->pid, ctx);
        // A name whose task does not exist yet: no such child.
        wo.pid = target ? target->pid : (k_.next_pid + 1000000);
      }
      const sim::Keep keep_wo(co_await sim::this_frame, wo);  // do_wait() fills it in
      ret = co_await k_.do_wait(t, wo);
      if (ret > 0) {
        res = OpResult{wo.status, ResultKind::WaitStatus, static_cast<int>(ret)};
        co_return ret;
      }
    }
  } else if (const auto* pt = op.as_if<PtraceOp>()) {
    Task* child = pt->request == PTRACE_TRACEME ? nullptr : resolve(pt->pid, ctx);
    const std::int64_t data = pt->request == PTRACE_SETOPTIONS ? std::int64_t{pt->options} : pt->sig;
    std::int64_t peek = 0;
    const sim::Keep keep_peek(co_await sim::this_frame, peek);
    ret = co_await sys_ptrace(k_, t, pt->request, child, data, &peek);
    // GETEVENTMSG and GETSIGINFO: the op's result is what they wrote.
    const bool peeks = pt->request == PTRACE_GETEVENTMSG || pt->request == PTRACE_GETSIGINFO;
    res = ret == 0 && peeks ? value_result(peek) : from_ret(ret);
    co_return ret;
  }
  res = from_ret(ret);
  co_return ret;
}

// The syscall's exit hook and the way back to user mode.  `completes`:
// whether the op ends here (false after a successful execve).
sim::Co<void> Interpreter::finish_syscall(Task& t, const Op& op, std::size_t fi, int nr, std::int64_t ret, OpResult res,
                                          bool completes) {
  TaskProgram& p = prog(t);
  // regs->ax after the exit hooks: a report_syscall_exit callback that wrote
  // it (`set: {"return": n}`) decides what the task gets, and the restart rules
  // look at that value (a rewritten -ERESTART* restarts, a rewritten restart
  // code does not).
  if (const std::int64_t ax = co_await k_.syscall_exit_work(t, nr, ret); ax != ret) {
    ret = ax;
    res = from_ret(ax);
  }
  p.pending = PendingOp{completes, ret, res};
  const std::size_t depth = p.frames.size();
  const sim::Keep keep(co_await sim::this_frame, depth);
  co_await k_.return_from_syscall(t, PtRegs{true, false, ret});
  if (p.frames.size() > depth) co_return;  // a handler frame holds the syscall now
  const PtRegs regs = std::exchange(t.regs, PtRegs{});
  const PendingOp pending = std::exchange(p.pending, PendingOp{});
  if (!completes || regs.restart) co_return;  // a restarted op runs again from the loop
  complete_op(t, fi, op, pending.result);
}

// rt_sigreturn: the handler's ops are done.
sim::Co<void> Interpreter::sigreturn(Task& t) {
  TaskProgram& p = prog(t);
  (void)co_await k_.syscall_entry(t, NR_rt_sigreturn);
  const Frame f = p.frames.back();
  p.frames.pop_back();
  // The popped frame is no longer in the task's program.
  const sim::Keep keep_frame(co_await sim::this_frame, f.saved_op);
  const PtRegs regs = co_await k_.restore_sigcontext(t, f.sigframe);
  const sim::Keep keep_regs(co_await sim::this_frame, regs);
  co_await k_.syscall_exit_work(t, NR_rt_sigreturn, regs.ret);
  p.pending = f.saved_op;
  const std::size_t depth = p.frames.size();
  const sim::Keep keep(co_await sim::this_frame, depth);
  co_await k_.return_from_syscall(t, regs);
  if (p.frames.size() > depth) co_return;
  const PtRegs back = std::exchange(t.regs, PtRegs{});
  const PendingOp pending = std::exchange(p.pending, PendingOp{});
  if (pending.active && !back.restart && !p.frames.empty()) {
    const std::size_t fi = p.frames.size() - 1;
    if (const Op* op = p.frames[fi].current()) complete_op(t, fi, *op, pending.result);
  }
}

// The end of a task's program: exit_group(0) as returning from main() does
// (exit(0) for a CLONE_THREAD task, as returning from a thread function).
sim::Co<void> Interpreter::program_end(Task& t) {
  const bool thread = t.clone_thread;
  const int nr = thread ? NR_exit : NR_exit_group;
  const sim::Keep keep(co_await sim::this_frame, thread);
  if (co_await k_.syscall_entry(t, nr) != nr) {
    // Not dispatched (aborted, or orig_ax rewritten): the call returns
    // -ENOSYS through int_ret_from_sys_call, whose work loop delivers what
    // is pending.  A SIGKILL that ended a syscall-entry stop is dequeued
    // there and kills the task (get_signal_to_deliver(), do_group_exit()),
    // so do_exit() runs with no SIGKILL pending and a TRACEEXIT stop
    // happens.  If the task lives on, glibc's _exit() would call again;
    // the model exits as the program asked (docs/model.md).
    co_await k_.syscall_exit_work(t, nr, -ENOSYS);
    co_await k_.return_from_syscall(t, PtRegs{true, false, -ENOSYS});
  }
  if (thread)
    co_await k_.do_exit(t, 0);
  else
    co_await k_.do_group_exit(t, 0);
}

}  // namespace model
