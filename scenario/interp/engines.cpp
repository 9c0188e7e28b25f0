// The scenario side of utrace: engine tables of a scenario as callback
// tables, and the utrace API ops a kthread, a callback or a task runs.
#include <algorithm>

#include <fmt/format.h>

#include "model/checks/utrace_checks.h"
#include "model/utrace/internal.h"
#include "model/ptrace/ptrace.h"

namespace model {

using namespace ut;

namespace {

// An engine table of the scenario: each callback returns its values call by
// call (the last repeats) after running its `do` list in the reporting
// task's context, with no lock held.
class ScenarioOps final : public EngineOps {
 public:
  explicit ScenarioOps(const EngineTable& t) : t_(t) {}
  const char* name() const override { return t_.name.c_str(); }
  bool has(Callback c) const override { return t_[c].present; }
  bool has_release() const override { return t_[Callback::release].present; }

  sim::Co<std::uint32_t> call(Kernel& k, Task& task, Engine& e, CallbackArgs& a) override {
    const CallbackSpec& s = t_[a.cb];
    const std::uint32_t n = e.calls[static_cast<std::size_t>(a.cb)]++;
    const std::uint32_t ret =
        s.returns.empty() ? UTRACE_RESUME : s.returns[std::min<std::size_t>(n, s.returns.size() - 1)];
    if (!s.body.empty()) {
      OpCtx ctx{OpCtx::Kind::Callback, &task, a.child, &e};
      co_await k.run_kernel_ops(k.current(), s.body, ctx);
    }
    co_return ret;
  }

 private:
  const EngineTable& t_;
};

OpResult from_ret(int ret) {
  return ret < 0 ? OpResult{-ret, ResultKind::Errno, 0} : OpResult{ret, ResultKind::Value, 0};
}

}  // namespace

void utrace_setup(Kernel& k) {
  for (const EngineTable& t : k.scn.engines) k.engine_ops.push_back(std::make_unique<ScenarioOps>(t));
  k.handles.assign(k.scn.handle_names.size(), nullptr);
  ptrace_setup(k);
  k.observer = std::make_unique<Checks>(k);
  k.utrace_checks_ = k.observer.get();
}

std::string utrace_engine_name(const Kernel& k, std::int64_t id) {
  if (id > 0 && static_cast<std::size_t>(id) <= k.engines.size()) {
    for (const auto& e : k.engines)
      if (e->id == id && e->handle >= 0)
        return fmt::format("e{}({})", id, k.scn.handle_names[static_cast<std::size_t>(e->handle)]);
  }
  return fmt::format("e{}", id);
}

std::vector<Callback> utrace_callbacks_of(const Kernel& k, int handle) {
  if (handle < 0 || static_cast<std::size_t>(handle) >= k.handles.size() || !k.handles[handle]) return {};
  return k.handles[static_cast<std::size_t>(handle)]->received;
}

sim::Co<OpResult> utrace_api_op(Kernel& k, Task& cur, const Op& op, OpCtx& ctx) {
  auto engine_of = [&](const HandleRef& h) -> Engine* {
    if (h.kind == HandleRef::Kind::Current) return ctx.engine;
    if (h.slot < 0 || static_cast<std::size_t>(h.slot) >= k.handles.size()) return nullptr;
    return k.handles[static_cast<std::size_t>(h.slot)];
  };
  auto unbound = [&](const HandleRef& h) {
    const std::string name = h.kind == HandleRef::Kind::Current ? std::string("$engine")
                                                                : k.scn.handle_names[static_cast<std::size_t>(h.slot)];
    k.violation(Property::UnexpectedResult, cur.pid,
                fmt::format("{}: {} at {} uses engine handle '{}' before it is bound", k.comm(cur.pid), op.key,
                            op.ptr, name));
    return OpResult{0, ResultKind::None, 0};
  };

  if (const auto* a = op.as_if<AttachOp>()) {
    Task* target = k.resolve(a->target, ctx);
    if (target && target->released) target = nullptr;  // utrace_attach_pid(): no such task
    EngineOps* ops = nullptr;
    if (a->ops_kind == AttachOp::Ops::Table)
      ops = k.engine_ops[static_cast<std::size_t>(a->ops)].get();
    else if (a->ops_kind == AttachOp::Ops::DetachedSentinel)
      ops = &detached_ops();
    const std::uint64_t data = a->data >= 0 ? static_cast<std::uint64_t>(a->data) + 1 : 0;
    const AttachResult r = co_await utrace_attach_task(k, cur, target, a->flags, ops, data);
    checks(k).api_return(cur, r.engine, Api::attach, a->flags, r.engine ? 0 : -r.err);
    if (!r.engine) co_return OpResult{r.err, ResultKind::Errno, 0};
    if (op.as >= 0) {
      k.handles[static_cast<std::size_t>(op.as)] = r.engine;
      r.engine->handle = op.as;
    }
    co_return OpResult{0, ResultKind::Ok, 0};
  }
  if (const auto* s = op.as_if<SetEventsOp>()) {
    Engine* e = engine_of(s->engine);
    if (!e) co_return unbound(s->engine);
    co_return from_ret(co_await utrace_set_events(k, cur, k.resolve(s->target, ctx), *e, s->events));
  }
  if (const auto* c = op.as_if<ControlOp>()) {
    Engine* e = engine_of(c->engine);
    if (!e) co_return unbound(c->engine);
    co_return from_ret(co_await utrace_control(k, cur, k.resolve(c->target, ctx), *e, c->action));
  }
  if (const auto* b = op.as_if<BarrierOp>()) {
    Engine* e = engine_of(b->engine);
    if (!e) co_return unbound(b->engine);
    co_return from_ret(co_await utrace_barrier(k, cur, k.resolve(b->target, ctx), *e));
  }
  if (const auto* x = op.as_if<ExamineOp>()) {
    Engine* e = engine_of(x->engine);
    if (!e) co_return unbound(x->engine);
    Task* target = k.resolve(x->target, ctx);
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
    co_return OpResult{0, ResultKind::None, 0};
  }
  throw NotImplemented("utrace op '" + op.key + "'");
}

}  // namespace model
