// The scenario interpreter: what the user code of a task does (each op a
// syscall, a bit of user-mode work, or a harness synchronisation), what a
// kernel thread or an engine callback does (the utrace API, completions), and
// init, which reaps orphans.
//
// A user task keeps a stack of frames (its program, loops, retries, signal
// handler frames).  A syscall op goes through the entry hook, its body, the
// exit hook and the way back to user mode, where do_signal() may restart it,
// make it return -EINTR, or push a handler frame above it; sigreturn then
// restores what the frame saved.
#include <algorithm>
#include <type_traits>

#include <fmt/format.h>

#include "model/linux/kernel.h"
#include "model/ptrace/ptrace.h"
#include "model/utrace/utrace.h"

namespace model {

namespace {

template <class T, class V>
struct VariantIndex;
template <class T, class... Ts>
struct VariantIndex<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    std::size_t i = 0;
    (void)((std::is_same_v<T, Ts> ? true : (++i, false)) || ...);
    return i;
  }();
};
template <class T>
constexpr std::size_t kOp = VariantIndex<T, OpBody>::value;

// x86_64 syscall numbers (shown in traces)
enum Nr : int {
  NR_rt_sigaction = 13, NR_rt_sigprocmask = 14, NR_rt_sigreturn = 15, NR_pause = 34,
  NR_nanosleep = 35, NR_clone = 56, NR_fork = 57, NR_vfork = 58, NR_execve = 59, NR_exit = 60,
  NR_wait4 = 61, NR_kill = 62, NR_ptrace = 101, NR_tkill = 200, NR_exit_group = 231,
  NR_tgkill = 234,
};

OpResult value(std::int64_t v) { return OpResult{v, ResultKind::Value, 0}; }
OpResult from_ret(std::int64_t ret) {
  return ret < 0 ? OpResult{-ret, ResultKind::Errno, 0} : value(ret);
}
OpResult none() { return OpResult{0, ResultKind::None, 0}; }

bool state_matches(const Kernel& k, const Task* t, TaskState want) {
  if (!t) return false;
  return k.task_state_of(*t) == want;
}

}  // namespace

Task* Kernel::resolve(const TaskRef& r, const OpCtx& ctx) const {
  switch (r.kind) {
    case TaskRef::Kind::Named: return task_of_slot(r.slot);
    case TaskRef::Kind::Child: return ctx.child;
    case TaskRef::Kind::Self: return ctx.self ? ctx.self : &current();
    case TaskRef::Kind::Any: return nullptr;
  }
  return nullptr;
}

const Program& Kernel::handler_program(const SignalHandler& h) {
  static const Program empty;
  switch (h.kind) {
    case SignalHandler::Kind::Do: return h.body;
    case SignalHandler::Kind::Exit:
    case SignalHandler::Kind::Raise: {
      for (auto& [key, prog] : synth_)
        if (key == &h) return *prog;
      auto prog = std::make_unique<Program>();
      Op op;
      if (h.kind == SignalHandler::Kind::Exit) {
        op.body = ExitOp{h.value, true};
        op.key = "exit";
      } else {
        op.body = RaiseOp{h.value};
        op.key = "raise";
      }
      op.ptr = "(signal handler)";
      prog->push_back(std::move(op));
      synth_.emplace_back(&h, std::move(prog));
      return *synth_.back().second;
    }
    default: return empty;
  }
}

// ---- results and expectations ---------------------------------------------------------

bool Kernel::match_result(const OpResult& r, const std::vector<ResultPattern>& any_of,
                          const OpCtx* ctx) const {
  OpCtx none_ctx;
  for (const ResultPattern& p : any_of) {
    switch (p.kind) {
      case ResultPattern::Kind::Int:
        if (r.kind == ResultKind::Errno) break;
        if (r.kind == ResultKind::WaitStatus) {
          if (p.raw && r.value == p.value) return true;
          break;
        }
        if (r.value == p.value) return true;
        break;
      case ResultPattern::Kind::Errno:
        if (r.kind == ResultKind::Errno && r.value == p.value) return true;
        break;
      case ResultPattern::Kind::Ok:
        if (r.kind == ResultKind::Ok) return true;
        break;
      case ResultPattern::Kind::Blocks:
        break;  // the op returned
      case ResultPattern::Kind::TaskPid: {
        const Task* t = resolve(p.task, ctx ? *ctx : none_ctx);
        const int pid = p.task.kind == TaskRef::Kind::Named ? slot_pid(p.task.slot) : (t ? t->pid : 0);
        if (r.kind != ResultKind::Errno && pid && r.value == pid) return true;
        break;
      }
      case ResultPattern::Kind::Status: {
        if (r.kind != ResultKind::WaitStatus) break;
        const int s = static_cast<int>(r.value);
        if (p.has_pid) {
          const int pid = p.task.kind == TaskRef::Kind::Named ? slot_pid(p.task.slot) : 0;
          if (r.pid != pid) break;
        }
        bool ok = false;
        switch (p.status) {
          case ResultPattern::StatusKind::Exited:
            ok = WIFEXITED(s) && WEXITSTATUS(s) == p.code;
            break;
          case ResultPattern::StatusKind::Signaled:
            ok = WIFSIGNALED(s) && WTERMSIG(s) == p.code && (!p.core || WCOREDUMP(s) == *p.core);
            break;
          case ResultPattern::StatusKind::Stopped:
            ok = WIFSTOPPED(s) && WSTOPSIG(s) == p.code && ((s >> 16) & 0xff) == p.event;
            break;
          case ResultPattern::StatusKind::Continued:
            ok = WIFCONTINUED(s);
            break;
        }
        if (ok) return true;
        break;
      }
    }
  }
  return false;
}

std::string Kernel::describe_result(const OpResult& r) const {
  switch (r.kind) {
    case ResultKind::Errno: return "-" + errno_name(static_cast<int>(r.value));
    case ResultKind::Ok: return "ok";
    case ResultKind::None: return "(no value)";
    case ResultKind::Pid: return fmt::format("{} ({})", r.value, comm(static_cast<int>(r.value)));
    case ResultKind::WaitStatus:
      return fmt::format("{} from {} (status {:#x})", describe_wait_status(static_cast<int>(r.value)),
                         comm(r.pid), r.value);
    case ResultKind::Value: break;
  }
  return std::to_string(r.value);
}

void Kernel::record_result(Task& t, const Op& op, const OpResult& r, bool check, const OpCtx* ctx) {
  emit(Ev::op_result, t.pid, r.value, static_cast<int>(r.kind), r.pid, 0, &op);
  if (op.label >= 0) results_.emplace_back(op.label, r);
  if (!check || !op.expect) return;
  if (match_result(r, op.expect->any_of, ctx)) return;
  std::string want;
  for (const ResultPattern& p : op.expect->any_of) {
    if (!want.empty()) want += " or ";
    want += describe_pattern(p);
  }
  violation(Property::UnexpectedResult, t.pid,
            fmt::format("{}: {} at {} returned {}, expected {}", comm(t.pid), op.key, op.ptr,
                        describe_result(r), want));
}

std::string Kernel::describe_pattern(const ResultPattern& p) const {
  auto task_name = [&](const TaskRef& r) -> std::string {
    if (r.kind == TaskRef::Kind::Named && r.slot >= 0)
      return scn.task_names[static_cast<std::size_t>(r.slot)];
    return "$task";
  };
  switch (p.kind) {
    case ResultPattern::Kind::Int: return p.raw ? fmt::format("status {:#x}", p.value) : std::to_string(p.value);
    case ResultPattern::Kind::Errno: return "-" + errno_name(static_cast<int>(p.value));
    case ResultPattern::Kind::Ok: return "ok";
    case ResultPattern::Kind::Blocks: return "blocks";
    case ResultPattern::Kind::TaskPid: return "the pid of " + task_name(p.task);
    case ResultPattern::Kind::Status: {
      std::string s;
      switch (p.status) {
        case ResultPattern::StatusKind::Exited: s = fmt::format("exited {}", p.code); break;
        case ResultPattern::StatusKind::Signaled: s = "killed by " + signal_name(p.code); break;
        case ResultPattern::StatusKind::Stopped:
          s = "stopped by " + signal_name(p.code & 0x7f) + ((p.code & 0x80) ? "|0x80" : "");
          if (p.event) s += " with " + ptrace_event_name(p.event);
          break;
        case ResultPattern::StatusKind::Continued: s = "continued"; break;
      }
      if (p.has_pid) s += " from " + task_name(p.task);
      return s;
    }
  }
  return "?";
}

// An op is finished: record it and move on.  In a retry frame, the retry
// decides whether its op runs again.
void Kernel::complete_op(Task& t, std::size_t fi, const Op& op, const OpResult& r) {
  Frame& f = t.frames[fi];
  if (f.kind == Frame::Kind::Retry && f.single == &op) {
    record_result(t, op, r, false, nullptr);
    const auto& retry = std::get<RetryOp>(f.owner->body);
    ++f.remaining;
    f.op_state = 0;
    if (match_result(r, retry.until, nullptr) || f.remaining >= retry.max) {
      const Op& owner = *f.owner;
      t.frames.pop_back();
      complete_op(t, fi - 1, owner, r);
    }
    return;
  }
  record_result(t, op, r, true, nullptr);
  f.pc++;
  f.op_state = 0;
  t.cur_op = nullptr;
}

// ---- the syscall path of a user op ----------------------------------------------------

sim::Co<bool> Kernel::syscall_enter(Task& t, int nr) {
  emit(Ev::sys_enter, t.pid, nr);
  co_await rd(t, Field::tif, "system_call");
  if (!(t.tif & tif_bit(TIF_SYSCALL_TRACE))) co_return false;
  co_return co_await syscall_trace_enter(t);
}

// The syscall's exit hook and the way back to user mode.  `completes`:
// whether the op ends here (false after a successful execve).
sim::Co<void> Kernel::finish_syscall(Task& t, const Op& op, std::size_t fi, int nr,
                                     std::int64_t ret, OpResult res, bool completes) {
  emit(Ev::sys_exit, t.pid, nr, ret);
  co_await rd(t, Field::tif, "int_ret_from_sys_call");
  if (t.tif & (tif_bit(TIF_SYSCALL_TRACE) | tif_bit(TIF_SINGLESTEP))) co_await syscall_trace_leave(t);
  t.syscall = PendingSyscall{completes, true, false, ret, res};
  const std::size_t depth = t.frames.size();
  co_await return_to_user(t);
  if (t.frames.size() > depth) co_return;  // a handler frame holds the syscall now
  const PendingSyscall s = std::exchange(t.syscall, PendingSyscall{});
  if (!completes || s.restart) co_return;  // a restarted op runs again from the loop
  complete_op(t, fi, op, s.result);
}

// rt_sigreturn: the handler's ops are done.
sim::Co<void> Kernel::sigreturn(Task& t) {
  emit(Ev::sys_enter, t.pid, NR_rt_sigreturn);
  co_await rd(t, Field::tif, "system_call");
  if (t.tif & tif_bit(TIF_SYSCALL_TRACE)) (void)co_await syscall_trace_enter(t);
  const Frame f = t.frames.back();
  t.frames.pop_back();
  co_await t.sighand->siglock.lock("sys_rt_sigreturn");
  set_current_blocked(t, f.saved_blocked);
  t.sighand->siglock.unlock();
  // restore_sigcontext(): the saved registers, with orig_ax = -1 (no more
  // restart processing).
  PendingSyscall s = f.saved_syscall;
  s.nr_valid = false;
  emit(Ev::sys_exit, t.pid, NR_rt_sigreturn, s.ret);
  co_await rd(t, Field::tif, "int_ret_from_sys_call");
  if (t.tif & (tif_bit(TIF_SYSCALL_TRACE) | tif_bit(TIF_SINGLESTEP))) co_await syscall_trace_leave(t);
  t.syscall = s;
  const std::size_t depth = t.frames.size();
  co_await return_to_user(t);
  if (t.frames.size() > depth) co_return;
  s = std::exchange(t.syscall, PendingSyscall{});
  if (s.active && !s.restart && !t.frames.empty()) {
    const std::size_t fi = t.frames.size() - 1;
    if (const Op* op = t.frames[fi].current()) complete_op(t, fi, *op, s.result);
  }
}

// The end of a task's program: exit_group(0) as returning from main() does
// (exit(0) for a CLONE_THREAD task, as returning from a thread function).
sim::Co<void> Kernel::program_end(Task& t) {
  const bool thread = t.clone_thread;
  (void)co_await syscall_enter(t, thread ? NR_exit : NR_exit_group);
  if (thread)
    co_await do_exit(t, 0);
  else
    co_await do_group_exit(t, 0);
}

sim::Co<void> Kernel::user_op(Task& t, const Op& op, std::size_t fi) {
  const std::size_t kind = op.body.index();
  OpCtx ctx{OpCtx::Kind::User, &t, nullptr, nullptr};

  // ---- user-mode work and structure -----------------------------------------------
  if (kind == kOp<ComputeOp>) {
    const std::uint64_t n = std::get<ComputeOp>(op.body).steps;
    while (t.frames[fi].op_state < n) {
      // One step of user code; the timer interrupt's return path then checks
      // the work flags.
      co_await rd(t, Field::tif, "user mode");
      ++t.frames[fi].op_state;
      on_user_step(t);
      if (t.test_tif(TIF_SINGLESTEP)) {
        // The trap flag: a debug exception after the instruction (do_debug()).
        (void)co_await force_sig_info(*this, SIGTRAP, Siginfo{SIGTRAP, 2 /* TRAP_TRACE */, 0, 0}, t);
      }
      if (t.tif & (tif_bit(TIF_SIGPENDING) | tif_bit(TIF_NOTIFY_RESUME))) {
        const std::size_t depth = t.frames.size();
        co_await return_to_user(t);
        if (t.frames.size() > depth) co_return;  // resumes after the handler
      }
    }
    complete_op(t, fi, op, none());
    co_return;
  }
  if (kind == kOp<LoopOp>) {
    const auto& l = std::get<LoopOp>(op.body);
    if ((!l.forever && l.times == 0) || l.body.empty()) {
      if (l.forever) {
        // An empty forever loop spins in user mode.
        co_await rd(t, Field::tif, "user mode");
        on_user_step(t);
        co_await return_to_user(t);
        co_return;
      }
      // A loop that runs no body still runs its test in user mode: one step,
      // with the return-to-user checks of compute.  Without it a `forever`
      // loop of such loops would spin in task_main without ever reaching a
      // yield point, past the step limit and deaf to SIGKILL.
      co_await rd(t, Field::tif, "user mode");
      on_user_step(t);
      if (t.tif & (tif_bit(TIF_SIGPENDING) | tif_bit(TIF_NOTIFY_RESUME))) {
        const std::size_t depth = t.frames.size();
        co_await return_to_user(t);
        if (t.frames.size() > depth) co_return;  // runs again after the handler
      }
      complete_op(t, fi, op, none());
      co_return;
    }
    Frame nf;
    nf.kind = Frame::Kind::Loop;
    nf.ops = &l.body;
    nf.owner = &op;
    nf.forever = l.forever;
    nf.remaining = l.forever ? 0 : l.times - 1;
    t.frames.push_back(nf);
    co_return;
  }
  if (kind == kOp<RetryOp>) {
    Frame nf;
    nf.kind = Frame::Kind::Retry;
    nf.single = std::get<RetryOp>(op.body).body.get();
    nf.owner = &op;
    t.frames.push_back(nf);
    co_return;
  }
  if (kind == kOp<SettleOp> || kind == kOp<AwaitOp> || kind == kOp<CompletionOp> ||
      kind == kOp<AttachOp> || kind == kOp<SetEventsOp> || kind == kOp<ControlOp> ||
      kind == kOp<BarrierOp> || kind == kOp<ExamineOp> || kind == kOp<EnginePutOp>) {
    // Harness synchronisation, or a call into a kernel module: no syscall
    // hooks; then back to user mode.
    const OpResult r = co_await do_kernel_op(t, op, ctx);
    complete_op(t, fi, op, r);
    co_await return_to_user(t);
    co_return;
  }

  // ---- syscalls -------------------------------------------------------------------
  int nr = 0;
  if (kind == kOp<SyscallOp>) nr = find_plain_syscall(std::get<SyscallOp>(op.body).name)->nr;
  else if (kind == kOp<PauseOp>) nr = NR_pause;
  else if (kind == kOp<NanosleepOp>) nr = NR_nanosleep;
  else if (kind == kOp<SigactionOp>) nr = NR_rt_sigaction;
  else if (kind == kOp<SigprocmaskOp>) nr = NR_rt_sigprocmask;
  else if (kind == kOp<RaiseOp>) nr = NR_tgkill;
  else if (kind == kOp<KillOp>) nr = std::get<KillOp>(op.body).thread ? NR_tkill : NR_kill;
  else if (kind == kOp<ForkOp>) nr = std::get<ForkOp>(op.body).vfork ? NR_vfork : NR_fork;
  else if (kind == kOp<CloneOp>) nr = NR_clone;
  else if (kind == kOp<ExecOp>) nr = NR_execve;
  else if (kind == kOp<ExitOp>) nr = std::get<ExitOp>(op.body).group ? NR_exit_group : NR_exit;
  else if (kind == kOp<WaitpidOp>) nr = NR_wait4;
  else if (kind == kOp<PtraceOp>) nr = NR_ptrace;
  else throw NotImplemented("op '" + op.key + "' in a user task");

  const bool aborted = co_await syscall_enter(t, nr);
  std::int64_t ret = -ENOSYS;
  OpResult res = from_ret(ret);
  bool completes = true;
  if (!aborted) {
    if (kind == kOp<SyscallOp>) {
      co_await sim::point(sim::ObjId{}, sim::Acc::Local, "sys_call");
      const std::string& name = std::get<SyscallOp>(op.body).name;
      if (name == "getpid") ret = t.tgid;
      else if (name == "gettid") ret = t.pid;
      else if (name == "getppid") ret = t.real_parent->tgid;
      else if (name == "getpgrp" || name == "getsid") ret = tasks.size() > 1 ? tasks[1]->pid : t.tgid;
      else ret = 0;
      res = value(ret);
    } else if (kind == kOp<PauseOp>) {
      // sys_pause(): returns only after a handler ran (-ERESTARTNOHAND).
      set_task_state(t, TASK_INTERRUPTIBLE);
      co_await schedule(t, "sys_pause");
      ret = -ERESTARTNOHAND;
      res = from_ret(ret);
    } else if (kind == kOp<NanosleepOp>) {
      // do_nanosleep(); a restart (restart_syscall) sleeps what is left.
      Frame& f = t.frames[fi];
      if (!f.op_state) f.op_state = eng.now() + std::get<NanosleepOp>(op.body).ticks + 1;
      const std::uint64_t deadline = t.frames[fi].op_state - 1;
      ret = 0;
      while (eng.now() < deadline) {
        set_task_state(t, TASK_INTERRUPTIBLE);
        co_await schedule_until(t, deadline, "do_nanosleep");
        set_task_state(t, TASK_RUNNING);
        if (eng.now() >= deadline) break;
        if (t.test_tif(TIF_SIGPENDING)) {
          ret = -ERESTART_RESTARTBLOCK;
          break;
        }
      }
      res = from_ret(ret);
    } else if (kind == kOp<SigactionOp>) {
      ret = co_await do_sigaction(t, std::get<SigactionOp>(op.body));
      res = from_ret(ret);
    } else if (kind == kOp<SigprocmaskOp>) {
      ret = co_await sigprocmask(t, std::get<SigprocmaskOp>(op.body));
      res = from_ret(ret);
    } else if (kind == kOp<RaiseOp>) {
      ret = co_await do_tkill(t, t.tgid, t.pid, std::get<RaiseOp>(op.body).sig);
      res = from_ret(ret);
    } else if (kind == kOp<KillOp>) {
      const auto& k = std::get<KillOp>(op.body);
      Task* target = resolve(k.pid, ctx);
      if (!target || target->released)
        ret = -ESRCH;
      else if (k.thread)
        ret = co_await do_tkill(t, 0, target->pid, k.sig);
      else
        ret = co_await kill_pid_info(t, target->pid, k.sig);
      res = from_ret(ret);
    } else if (kind == kOp<ForkOp>) {
      const auto& f = std::get<ForkOp>(op.body);
      const std::uint64_t flags = f.vfork ? (CLONE_VFORK | CLONE_VM) : 0;
      ret = co_await do_fork(t, flags, SIGCHLD, &f.program, f.child);
      res = ret > 0 ? OpResult{ret, ResultKind::Pid, 0} : from_ret(ret);
    } else if (kind == kOp<CloneOp>) {
      const auto& c = std::get<CloneOp>(op.body);
      ret = co_await do_fork(t, c.flags, c.exit_signal, &c.program, c.child);
      res = ret > 0 ? OpResult{ret, ResultKind::Pid, 0} : from_ret(ret);
    } else if (kind == kOp<ExecOp>) {
      ret = co_await do_execve(t, &std::get<ExecOp>(op.body).program);
      res = from_ret(ret);
      if (ret == 0) {
        // The old program is gone: the op's result is recorded now.
        record_result(t, op, res, true, nullptr);
        completes = false;
      }
    } else if (kind == kOp<ExitOp>) {
      const auto& e = std::get<ExitOp>(op.body);
      if (e.group)
        co_await do_group_exit(t, (e.code & 0xff) << 8);
      else
        co_await do_exit(t, (e.code & 0xff) << 8);
    } else if (kind == kOp<WaitpidOp>) {
      const auto& w = std::get<WaitpidOp>(op.body);
      if (w.options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) {
        ret = -EINVAL;
        res = from_ret(ret);
      } else {
        WaitOpts wo;
        wo.flags = w.options | WEXITED;
        if (w.pid.kind == TaskRef::Kind::Any) {
          wo.pid = -1;
        } else {
          const Task* target = resolve(w.pid, ctx);
          // A name whose task does not exist yet: no such child.
          wo.pid = target ? target->pid : (next_pid + 1000000);
        }
        ret = co_await do_wait(t, wo);
        if (ret > 0)
          res = OpResult{wo.status, ResultKind::WaitStatus, static_cast<int>(ret)};
        else
          res = from_ret(ret);
      }
    } else if (kind == kOp<PtraceOp>) {
      ret = co_await sys_ptrace(*this, t, std::get<PtraceOp>(op.body), ctx, &res);
    }
  }
  co_await finish_syscall(t, op, fi, nr, ret, res, completes);
}

// ---- threads ------------------------------------------------------------------------------

sim::Co<void> Kernel::task_main(Task* tp) {
  Task& t = *tp;
  // A forked child starts in ret_from_fork: the syscall exit path of the
  // fork (syscall_trace_leave() if TIF_SYSCALL_TRACE is set by then), then
  // back to user mode.  A task of the scenario starts in user mode.
  if (t.forked) co_await syscall_trace_leave(t);
  co_await return_to_user(t);
  for (;;) {
    if (t.frames.empty()) co_await program_end(t);
    const std::size_t fi = t.frames.size() - 1;
    Frame& f = t.frames[fi];
    if (!f.single && f.pc >= f.ops->size()) {
      switch (f.kind) {
        case Frame::Kind::Program:
          co_await program_end(t);
          break;
        case Frame::Kind::Loop:
          if (f.forever || f.remaining > 0) {
            if (!f.forever) --f.remaining;
            f.pc = 0;
          } else {
            const Op& owner = *f.owner;
            t.frames.pop_back();
            complete_op(t, fi - 1, owner, none());
          }
          break;
        case Frame::Kind::Handler:
          co_await sigreturn(t);
          break;
        case Frame::Kind::Retry:
          break;
      }
      continue;
    }
    const Op& op = *f.current();
    t.cur_op = &op;
    co_await user_op(t, op, fi);
  }
}

sim::Co<void> Kernel::kthread_main(Task* tp) {
  Task& t = *tp;
  co_await sim::point(sim::ObjId{}, sim::Acc::Local, "kthread");
  for (const Frame& f : std::vector<Frame>(t.frames))
    co_await run_kernel_ops(t, *f.ops, OpCtx{OpCtx::Kind::Kthread, &t, nullptr, nullptr});
  co_await do_exit(t, 0);
}

// init reaps orphans: waitpid(-1, NULL, __WALL) forever.
sim::Co<void> Kernel::init_main(Task* tp) {
  Task& in = *tp;
  for (;;) {
    WaitOpts wo;
    wo.flags = __WALL | WEXITED;
    const std::int64_t r = co_await do_wait(in, wo);
    if (r == -ECHILD) {
      // Nothing to wait for: sleep until a child dies or is reparented here.
      in.signal->wait_chldexit.add(&in);
      set_task_state(in, TASK_INTERRUPTIBLE);
      co_await schedule(in, "init: no children");
      in.signal->wait_chldexit.remove(&in);
    }
  }
}

// ---- kernel-context ops (kthreads, callbacks, module calls) ------------------------------

sim::Co<void> Kernel::run_kernel_ops(Task& cur, const Program& ops, OpCtx ctx) {
  for (const Op& op : ops) (void)co_await run_kernel_op(cur, op, ctx, true);
}

sim::Co<OpResult> Kernel::run_kernel_op(Task& cur, const Op& op, OpCtx& ctx, bool check) {
  OpResult r = none();
  if (const auto* l = op.as_if<LoopOp>()) {
    for (std::uint64_t i = 0; l->forever || i < l->times; ++i) {
      co_await sim::point(sim::ObjId{}, sim::Acc::Local, "loop");
      co_await run_kernel_ops(cur, l->body, ctx);
    }
  } else if (const auto* rt = op.as_if<RetryOp>()) {
    for (std::uint64_t tries = 0;;) {
      r = co_await run_kernel_op(cur, *rt->body, ctx, false);
      if (match_result(r, rt->until, &ctx) || ++tries >= rt->max) break;
    }
  } else {
    cur.cur_op = &op;
    r = co_await do_kernel_op(cur, op, ctx);
    cur.cur_op = nullptr;
  }
  record_result(cur, op, r, check, &ctx);
  co_return r;
}

sim::Co<OpResult> Kernel::do_kernel_op(Task& cur, const Op& op, OpCtx& ctx) {
  const std::size_t kind = op.body.index();
  if (kind == kOp<SettleOp>) {
    set_task_state(cur, TASK_INTERRUPTIBLE);
    cur.on_cpu = false;
    co_await sim::wait_idle("settle");
    cur.on_cpu = true;
    set_task_state(cur, TASK_RUNNING);
    co_return none();
  }
  if (kind == kOp<AwaitOp>) {
    const auto& a = std::get<AwaitOp>(op.body);
    if (a.assert_now) {
      co_await sim::point(sim::ObjId{}, sim::Acc::Local, "assert_state");
      const Task* t = resolve(a.task, ctx);
      if (!state_matches(*this, t, a.state)) {
        violation(Property::UnexpectedResult, cur.pid,
                  fmt::format("{}: assert_state at {}: {} is {}, expected {}", comm(cur.pid), op.ptr,
                              t ? comm(t->pid) : std::string("the task (not created)"),
                              t ? task_state_name(task_state_of(*t)) : "absent",
                              task_state_name(a.state)));
      }
      co_return none();
    }
    co_await sim::point(sim::ObjId{}, sim::Acc::Local, "await");
    for (;;) {
      const Task* t = resolve(a.task, ctx);
      if (state_matches(*this, t, a.state)) break;
      co_await state_changed_.wait("await");
    }
    co_return none();
  }
  if (kind == kOp<CompletionOp>) {
    const auto& c = std::get<CompletionOp>(op.body);
    const auto idx = static_cast<std::size_t>(c.completion);
    sim::Completion& comp = *completions_[idx];
    WaitQueueHead& waiters = completion_waiters_[idx];
    if (!c.wait) {
      // complete(): x->done++ and __wake_up_common() under x->wait.lock; the
      // first sleeper is woken, try_to_wake_up() making it TASK_RUNNING now,
      // before it runs again.
      co_await sim::point(comp.id(), sim::Acc::Write, "complete");
      comp.complete();
      if (!waiters.waiters.empty()) {
        Task* t = waiters.waiters.front();
        waiters.remove(t);
        set_task_state(*t, TASK_RUNNING);
      }
    } else {
      // wait_for_completion() -> do_wait_for_common(): under x->wait.lock,
      // if nothing is done yet, queue, TASK_UNINTERRUPTIBLE, schedule(), and
      // test again when woken (another waiter may have taken it).
      co_await sim::point(comp.id(), sim::Acc::Write, "wait_for_completion");
      if (!comp.try_consume()) {
        const unsigned saved = cur.state;
        do {
          waiters.add(&cur);
          set_task_state(cur, TASK_UNINTERRUPTIBLE);
          cur.on_cpu = false;
          co_await comp.sleep("wait_for_completion");
          cur.on_cpu = true;
        } while (!comp.try_consume());
        if (saved != TASK_UNINTERRUPTIBLE) set_task_state(cur, saved);
      }
    }
    co_return none();
  }
  if (kind == kOp<ComputeOp>) {
    for (std::uint64_t i = 0; i < std::get<ComputeOp>(op.body).steps; ++i)
      co_await sim::point(sim::ObjId{}, sim::Acc::Local, "kernel work");
    co_return none();
  }
  if (kind == kOp<NanosleepOp>) {
    // msleep(): an uninterruptible sleep in kernel context.
    const std::uint64_t deadline = eng.now() + std::get<NanosleepOp>(op.body).ticks;
    while (eng.now() < deadline) {
      set_task_state(cur, TASK_UNINTERRUPTIBLE);
      co_await schedule_until(cur, deadline, "msleep");
    }
    set_task_state(cur, TASK_RUNNING);
    co_return none();
  }
  if (kind == kOp<KillOp> || kind == kOp<RaiseOp>) {
    // send_sig() / send_sig_info() from kernel code.
    int sig;
    Task* target;
    bool group;
    if (const auto* k = op.as_if<KillOp>()) {
      sig = k->sig;
      target = resolve(k->pid, ctx);
      group = !k->thread;
    } else {
      sig = std::get<RaiseOp>(op.body).sig;
      target = ctx.self ? ctx.self : &cur;
      group = false;
    }
    if (!target || target->released) co_return from_ret(-ESRCH);
    Siginfo info{sig, SI_KERNEL, 0, 0};
    int ret;
    if (group)
      ret = co_await group_send_sig_info(sig, info, *target, cur.pid);
    else
      ret = co_await send_sig_info(sig, info, *target, cur.pid);
    co_return from_ret(ret);
  }
  if (kind == kOp<ExitOp>) {
    const auto& e = std::get<ExitOp>(op.body);
    if (e.group)
      co_await do_group_exit(cur, (e.code & 0xff) << 8);
    else
      co_await do_exit(cur, (e.code & 0xff) << 8);
  }
  if (kind == kOp<AttachOp> || kind == kOp<SetEventsOp> || kind == kOp<ControlOp> ||
      kind == kOp<BarrierOp> || kind == kOp<ExamineOp> || kind == kOp<EnginePutOp>)
    co_return co_await utrace_api_op(*this, cur, op, ctx);
  if (kind == kOp<LoopOp> || kind == kOp<RetryOp>) co_return co_await run_kernel_op(cur, op, ctx, false);
  throw NotImplemented("op '" + op.key + "' in kernel context (" + op.ptr + ")");
}

}  // namespace model
