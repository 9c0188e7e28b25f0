// scenario/interp/kernel_ops.cpp: ops in kernel context — what a kernel
// thread's function, an engine callback's `do` list or a module call made
// from user code does: the utrace API, completions, signals sent from kernel
// code, and the harness waits (settle, await).  No user mode here.
#include <fmt/format.h>

#include "scenario/interp/interp.h"
#include "scenario/interp/op_kind.h"

namespace model {

namespace {

bool state_matches(const Kernel& k, const Task* t, TaskState want) {
  if (!t) return false;
  return k.task_state_of(*t) == want;
}

}  // namespace

// A kernel thread's function: its program, in kernel context.
sim::Co<void> Interpreter::run_kthread(Task& t) {
  const std::vector<Frame> frames = prog(t).frames;
  std::size_t i = 0;
  const sim::Keep keep(co_await sim::this_frame, i);
  for (; i < frames.size(); ++i)
    co_await run_kernel_ops(t, *frames[i].ops, OpCtx{OpCtx::Kind::Kthread, &t, nullptr, nullptr});
  if (mem_) mem_->cpu_finished(cpu_of(t));
}

sim::Co<void> Interpreter::run_kernel_ops(Task& cur, const Program& ops, OpCtx ctx) {
  std::size_t i = 0;
  // ctx: the ops may change it (it is theirs by reference).
  const sim::Keep keep(co_await sim::this_frame, i, ctx);
  for (; i < ops.size(); ++i) (void)co_await run_kernel_op(cur, ops[i], ctx, true);
}

sim::Co<OpResult> Interpreter::run_kernel_op(Task& cur, const Op& op, OpCtx& ctx, bool check) {
  OpResult r = none_result();
  std::uint64_t i = 0;  // a loop's iterations (a `forever` loop counts none), or a retry's tries
  const sim::Keep keep(co_await sim::this_frame, i);
  if (const auto* l = op.as_if<LoopOp>()) {
    while (l->forever || i < l->times) {
      co_await sim::point(sim::ObjId{}, sim::Acc::Local, "loop");
      co_await run_kernel_ops(cur, l->body, ctx);
      if (!l->forever) ++i;
    }
  } else if (const auto* rt = op.as_if<RetryOp>()) {
    for (;;) {
      r = co_await run_kernel_op(cur, *rt->body, ctx, false);
      if (match_result(r, rt->until, &ctx) || ++i >= rt->max) break;
    }
  } else {
    TaskProgram& p = prog(cur);
    p.cur_op = &op;
    r = co_await do_kernel_op(cur, op, ctx);
    p.cur_op = nullptr;
  }
  record_result(cur, op, r, check, &ctx);
  co_return r;
}

sim::Co<OpResult> Interpreter::do_kernel_op(Task& cur, const Op& op, OpCtx& ctx) {
  const std::size_t kind = op.body.index();
  if (kind == kOp<SettleOp>) {
    k_.set_task_state(cur, TASK_INTERRUPTIBLE);
    cur.on_cpu = false;
    co_await sim::wait_idle("settle");
    cur.on_cpu = true;
    k_.set_task_state(cur, TASK_RUNNING);
    co_return none_result();
  }
  if (const auto* a = op.as_if<AwaitOp>()) co_return co_await await_op(cur, op, *a, ctx);
  if (const auto* c = op.as_if<CompletionOp>()) {
    Completion& x = *completions_[static_cast<std::size_t>(c->completion)];
    if (c->wait)
      co_await k_.wait_for_completion(cur, x);
    else
      co_await k_.complete(x);
    co_return none_result();
  }
  if (const auto* w = op.as_if<ComputeOp>()) {
    std::uint64_t i = 0;
    const sim::Keep keep(co_await sim::this_frame, i);
    for (; i < w->steps; ++i) co_await sim::point(sim::ObjId{}, sim::Acc::Local, "kernel work");
    co_return none_result();
  }
  if (const auto* n = op.as_if<NanosleepOp>()) {
    // msleep(): an uninterruptible sleep in kernel context.
    const std::uint64_t deadline = k_.eng.now() + n->ticks;
    const sim::Keep keep(co_await sim::this_frame, deadline);
    while (k_.eng.now() < deadline) {
      k_.set_task_state(cur, TASK_UNINTERRUPTIBLE);
      co_await k_.schedule_until(cur, deadline, "msleep");
    }
    k_.set_task_state(cur, TASK_RUNNING);
    co_return none_result();
  }
  if (kind == kOp<KillOp> || kind == kOp<RaiseOp>) co_return co_await kernel_signal_op(cur, op, ctx);
  if (const auto* e = op.as_if<ExitOp>()) {
    if (e->group)
      co_await k_.do_group_exit(cur, (e->code & 0xff) << 8);
    else
      co_await k_.do_exit(cur, (e->code & 0xff) << 8);
  }
  if (kind == kOp<AttachOp> || kind == kOp<SetEventsOp> || kind == kOp<ControlOp> || kind == kOp<BarrierOp> ||
      kind == kOp<ExamineOp> || kind == kOp<EnginePutOp>)
    co_return co_await utrace_api_op(cur, op, ctx);
  if (kind == kOp<LoopOp> || kind == kOp<RetryOp>) co_return co_await run_kernel_op(cur, op, ctx, false);
  if (kind == kOp<MemOp>) co_return co_await memory_op(cur, op);
  throw NotImplemented("op '" + op.key + "' in kernel context (" + op.ptr + ")");
}

// assert_state checks now; await sleeps until any task's state changes and
// tests again (LinuxHooks wakes it).
sim::Co<OpResult> Interpreter::await_op(Task& cur, const Op& op, const AwaitOp& a, OpCtx& ctx) {
  if (a.assert_now) {
    co_await sim::point(sim::ObjId{}, sim::Acc::Local, "assert_state");
    const Task* t = resolve(a.task, ctx);
    if (!state_matches(k_, t, a.state)) {
      k_.violation(Property::UnexpectedResult, cur.pid,
                   fmt::format("{}: assert_state at {}: {} is {}, expected {}", k_.comm(cur.pid), op.ptr,
                               t ? k_.comm(t->pid) : std::string("the task (not created)"),
                               t ? task_state_name(k_.task_state_of(*t)) : "absent", task_state_name(a.state)));
      // No value, but the state it found, as /proc/PID/stat's letter ('-':
      // not created): what utsim-kernel's replayer records for a failed
      // assert on a real kernel (tools/kernel/simset.cpp compares the two).
      OpResult r = none_result();
      r.value = t ? proc_state_letter(k_.task_state_of(*t)) : '-';
      co_return r;
    }
    co_return none_result();
  }
  co_await sim::point(sim::ObjId{}, sim::Acc::Local, "await");
  for (;;) {
    const Task* t = resolve(a.task, ctx);
    if (state_matches(k_, t, a.state)) break;
    co_await state_changed_.wait("await");
  }
  co_return none_result();
}

// send_sig() / send_sig_info() from kernel code.
sim::Co<OpResult> Interpreter::kernel_signal_op(Task& cur, const Op& op, OpCtx& ctx) {
  int sig;
  Task* target;
  bool group;
  if (const auto* kill = op.as_if<KillOp>()) {
    sig = kill->sig;
    target = resolve(kill->pid, ctx);
    group = !kill->thread;
  } else {
    sig = std::get<RaiseOp>(op.body).sig;
    target = ctx.self ? ctx.self : &cur;
    group = false;
  }
  if (!target || target->released) co_return from_ret(-ESRCH);
  Siginfo info{sig, SI_KERNEL, 0, 0};
  int ret;
  if (group)
    ret = co_await k_.group_send_sig_info(sig, info, *target, cur.pid);
  else
    ret = co_await k_.send_sig_info(sig, info, *target, cur.pid);
  co_return from_ret(ret);
}

}  // namespace model
