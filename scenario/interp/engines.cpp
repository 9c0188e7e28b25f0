// scenario/interp/engines.cpp: the scenario side of utrace — the engine
// tables of a scenario as callback tables (struct utrace_engine_ops), and
// the utrace API ops a kthread, a callback or a task runs.
#include <algorithm>

#include <fmt/format.h>

#include "scenario/interp/interp.h"
#include "scenario/interp/op_kind.h"

namespace model {

namespace {

// An engine table of the scenario: each callback returns its values call by
// call (the last repeats) after running its `do` list in the reporting
// task's context, with no lock held.
class ScenarioOps final : public EngineOps, public sim::Pooled {
 public:
  ScenarioOps(const EngineTable& t, Interpreter& interp) : t_(t), interp_(interp) {}
  const char* name() const override { return t_.name.c_str(); }
  bool has(Callback c) const override { return t_[c].present; }
  bool has_release() const override { return t_[Callback::release].present; }

  sim::Co<std::uint32_t> call(Kernel& k, Task& task, Engine& e, CallbackArgs& a) override {
    const CallbackSpec& s = t_[a.cb];
    const std::uint32_t n = interp_.callback_called(e, a.cb);
    if (!s.expect_args.empty())
      check_args(k, task, e, a, s.expect_args[std::min<std::size_t>(n, s.expect_args.size() - 1)]);
    const std::uint32_t ret = s.return_value(n, a.action);
    // The `sets` entry of this call, not n: the state hash caps the calls too.
    const std::size_t set = s.sets.empty() ? 0 : std::min<std::size_t>(n, s.sets.size() - 1);
    const sim::Keep keep(co_await sim::this_frame, ret, set);
    if (!s.body.empty()) {
      OpCtx ctx{OpCtx::Kind::Callback, &task, a.child, &e};
      co_await interp_.run_kernel_ops(k.current(), s.body, ctx);
    }
    if (!s.sets.empty()) set_out_parameters(task, a, s.sets[set]);
    co_return ret;
  }

 private:
  // `set`: what the callback writes through its out-parameters before it
  // returns, as an engine's C code does (include/linux/utrace.h).  Its own
  // task's memory, written with no lock held, as the callbacks are called.
  static void set_out_parameters(Task& task, CallbackArgs& a, const CallbackSets& x) {
    if (x.code && a.code) *a.code = *x.code;  // report_exit: *code
    // The syscall callbacks' `struct pt_regs *regs` is task_pt_regs(task):
    // orig_ax at entry (the number syscall_trace_enter() hands to the
    // dispatch), ax at exit (the return value).
    if (x.syscall && a.cb == Callback::report_syscall_entry) task.orig_ax = *x.syscall;
    if (x.syscall_return && a.cb == Callback::report_syscall_exit) task.ax = *x.syscall_return;
    if (x.signal && a.info) a.info->signo = x.signal;
    if (!a.return_ka) return;
    switch (x.return_ka) {
      case CallbackSets::Ka::Unchanged: break;
      case CallbackSets::Ka::Default: *a.return_ka = KSigaction{}; break;
      case CallbackSets::Ka::Ignore:
        *a.return_ka = KSigaction{};
        a.return_ka->handler = KSigaction::Handler::Ignore;
        break;
      case CallbackSets::Ka::Task:
        // ptrace_report_signal() (kernel/ptrace-utrace.c) does the same for
        // the signal it resumes with: *return_ka = the task's sigaction.
        if (a.info && a.info->signo >= 1 && a.info->signo <= kNSig) *a.return_ka = (*task.sighand)[a.info->signo];
        break;
    }
  }

  // expect_args: the arguments the core passed (an unexpected-result).
  void check_args(Kernel& k, Task& task, const Engine& e, const CallbackArgs& a, const CallbackArgsExpect& x) const {
    const ActionFamily fam = a.cb == Callback::report_signal          ? ActionFamily::Signal
                             : a.cb == Callback::report_syscall_entry ? ActionFamily::Syscall
                                                                      : ActionFamily::Resume;
    auto fail = [&](const char* what, const std::string& got, const std::string& want) {
      k.violation(Property::UnexpectedResult, task.pid,
                  fmt::format("{}: {}->{} got {} {}, expected {} (expect_args at {})", k.comm(task.pid),
                              interp_.engine_name(e.id), callback_name(a.cb), what, got, want, x.ptr));
    };
    auto any = [](const auto& list, auto v) { return std::find(list.begin(), list.end(), v) != list.end(); };
    auto join = [](const auto& list, auto show) {
      std::string s;
      for (const auto& v : list) s += (s.empty() ? "" : " or ") + show(v);
      return s;
    };
    if (!x.action.empty() && !any(x.action, a.action)) {
      auto show = [&](std::uint32_t v) { return utrace_action_string(v, fam); };
      fail("action", show(a.action), join(x.action, show));
    }
    if (!x.event.empty() && !any(x.event, a.event)) {
      auto show = [](unsigned long v) { return v ? utrace_events_string(v) : std::string("0"); };
      fail("event", show(a.event), join(x.event, show));
    }
    if (!x.signal.empty() && !any(x.signal, a.signal)) {
      auto show = [](int v) { return v > 0 ? signal_name(v) : std::to_string(v); };
      fail("signal", show(a.signal), join(x.signal, show));
    }
    if (x.group_dead && *x.group_dead != a.group_dead)
      fail("group_dead", a.group_dead ? "true" : "false", *x.group_dead ? "true" : "false");
    auto hex = [](auto v) { return fmt::format("{:#x}", v); };
    if (!x.orig_code.empty() && !any(x.orig_code, a.orig_code)) {
      fail("orig_code", hex(a.orig_code), join(x.orig_code, hex));
    }
    if (!x.clone_flags.empty() && !any(x.clone_flags, a.clone_flags)) {
      fail("clone_flags", hex(a.clone_flags), join(x.clone_flags, hex));
    }
  }

  const EngineTable& t_;
  Interpreter& interp_;
};

}  // namespace

// ---- engines and handles ------------------------------------------------------------------

void Interpreter::setup_engine_tables() {
  for (const EngineTable& t : scn_.engines) engine_ops_.push_back(std::make_unique<ScenarioOps>(t, *this));
}

Interpreter::EngineRecord& Interpreter::record_of(const Engine& e) {
  const auto i = static_cast<std::size_t>(e.id - 1);
  if (engine_records_.size() <= i) engine_records_.resize(i + 1);
  return engine_records_[i];
}

std::uint32_t Interpreter::callback_called(const Engine& e, Callback cb) {
  return record_of(e).calls[static_cast<std::size_t>(cb)]++;
}

const std::array<std::uint32_t, kCallbackCount>& Interpreter::calls_of(const Engine& e) const {
  static const std::array<std::uint32_t, kCallbackCount> none{};
  const auto i = static_cast<std::size_t>(e.id - 1);
  return i < engine_records_.size() ? engine_records_[i].calls : none;
}

int Interpreter::handle_of(const Engine& e) const {
  const auto i = static_cast<std::size_t>(e.id - 1);
  return i < engine_records_.size() ? engine_records_[i].handle : -1;
}

void Interpreter::bind_handle(int handle, Engine& e) {
  handles_[static_cast<std::size_t>(handle)] = &e;
  record_of(e).handle = handle;
}

std::string Interpreter::engine_name(std::int64_t id) const {
  if (id > 0 && static_cast<std::size_t>(id) <= k_.engines.size()) {
    for (const auto& e : k_.engines)
      if (e->id == id && handle_of(*e) >= 0)
        return fmt::format("e{}({})", id, scn_.handle_names[static_cast<std::size_t>(handle_of(*e))]);
  }
  return fmt::format("e{}", id);
}

const Engine* Interpreter::engine_of_handle(int handle) const {
  if (handle < 0 || static_cast<std::size_t>(handle) >= handles_.size()) return nullptr;
  return handles_[static_cast<std::size_t>(handle)];
}

std::vector<Callback> Interpreter::callbacks_of(int handle) const {
  if (handle < 0 || static_cast<std::size_t>(handle) >= handles_.size() || !handles_[handle]) return {};
  return handles_[static_cast<std::size_t>(handle)]->received;
}

// ---- the utrace API ops -------------------------------------------------------------------

sim::Co<OpResult> Interpreter::utrace_api_op(Task& cur, const Op& op, OpCtx& ctx) {
  Kernel& k = k_;
  auto engine_of = [&](const HandleRef& h) -> Engine* {
    if (h.kind == HandleRef::Kind::Current) return ctx.engine;
    if (h.slot < 0 || static_cast<std::size_t>(h.slot) >= handles_.size()) return nullptr;
    return handles_[static_cast<std::size_t>(h.slot)];
  };
  auto unbound = [&](const HandleRef& h) {
    const std::string name = h.kind == HandleRef::Kind::Current ? std::string("$engine")
                                                                : scn_.handle_names[static_cast<std::size_t>(h.slot)];
    k.violation(
        Property::UnexpectedResult, cur.pid,
        fmt::format("{}: {} at {} uses engine handle '{}' before it is bound", k.comm(cur.pid), op.key, op.ptr, name));
    return none_result();
  };

  // A utrace op written without "target" passes the task the engine was
  // attached to, as a module does with the task pointer it keeps.
  auto target_of = [&](const TaskRef& t, const Engine& e) {
    return t.kind == TaskRef::Kind::Engine ? e.target : resolve(t, ctx);
  };

  if (const auto* a = op.as_if<AttachOp>()) {
    Task* target = resolve(a->target, ctx);
    if (target && target->released) target = nullptr;  // utrace_attach_pid(): no such task
    EngineOps* ops = nullptr;
    if (a->ops_kind == AttachOp::Ops::Table)
      ops = engine_ops_[static_cast<std::size_t>(a->ops)].get();
    else if (a->ops_kind == AttachOp::Ops::DetachedSentinel)
      ops = &utrace_detached_ops();
    const std::uint64_t data = a->data >= 0 ? static_cast<std::uint64_t>(a->data) + 1 : 0;
    const AttachResult r = co_await utrace_attach_task(k, cur, target, a->flags, ops, data);
    if (!r.engine) co_return OpResult{r.err, ResultKind::Errno, 0};
    if (op.as >= 0) bind_handle(op.as, *r.engine);
    co_return OpResult{0, ResultKind::Ok, 0};
  }
  if (const auto* s = op.as_if<SetEventsOp>()) {
    Engine* e = engine_of(s->engine);
    if (!e) co_return unbound(s->engine);
    co_return from_ret(co_await utrace_set_events(k, cur, target_of(s->target, *e), *e, s->events));
  }
  if (const auto* c = op.as_if<ControlOp>()) {
    Engine* e = engine_of(c->engine);
    if (!e) co_return unbound(c->engine);
    co_return from_ret(co_await utrace_control(k, cur, target_of(c->target, *e), *e, c->action));
  }
  if (const auto* b = op.as_if<BarrierOp>()) {
    Engine* e = engine_of(b->engine);
    if (!e) co_return unbound(b->engine);
    co_return from_ret(co_await utrace_barrier(k, cur, target_of(b->target, *e), *e));
  }
  if (const auto* x = op.as_if<ExamineOp>()) {
    Engine* e = engine_of(x->engine);
    if (!e) co_return unbound(x->engine);
    Task* target = target_of(x->target, *e);
    int ret;
    if (x->finish)
      ret = co_await utrace_finish_examine(k, cur, target, *e);
    else
      ret = co_await utrace_prepare_examine(k, cur, target, *e);
    co_return from_ret(ret);
  }
  if (const auto* p = op.as_if<EnginePutOp>()) {
    Engine* e = engine_of(p->engine);
    if (!e) co_return unbound(p->engine);
    co_await utrace_engine_put(k, cur, *e);
    co_return none_result();
  }
  throw NotImplemented("utrace op '" + op.key + "'");
}

}  // namespace model
