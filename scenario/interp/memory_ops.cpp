// scenario/interp/memory_ops.cpp: litmus ops (issue 12) — a kthread's loads,
// stores, barriers and spinlocks on the scenario's shared variables, under
// the scenario's memory model (model/memory/memory.h).  A kthread is one
// CPU: the task's slot among the declared tasks.
#include <algorithm>

#include <fmt/format.h>

#include "scenario/interp/interp.h"
#include "scenario/interp/op_kind.h"

namespace model {

namespace {

// The variables an op loads or stores, loops and retries included.
void collect_vars(const Op& op, std::vector<std::uint32_t>& out) {
  if (const auto* m = op.as_if<MemOp>()) {
    if (m->var >= 0 && std::find(out.begin(), out.end(), static_cast<std::uint32_t>(m->var)) == out.end())
      out.push_back(static_cast<std::uint32_t>(m->var));
  } else if (const auto* l = op.as_if<LoopOp>()) {
    for (const Op& o : l->body) collect_vars(o, out);
  } else if (const auto* r = op.as_if<RetryOp>()) {
    if (r->body) collect_vars(*r->body, out);
  }
}

}  // namespace

void Interpreter::setup_memory() {
  if (!scn_.has_memory()) return;
  std::vector<std::vector<std::uint32_t>> uses(scn_.tasks.size());
  for (std::size_t i = 0; i < scn_.tasks.size(); ++i) {
    for (const Op& op : scn_.tasks[i].program) collect_vars(op, uses[i]);
    std::sort(uses[i].begin(), uses[i].end());
  }
  mem_ = std::make_unique<Memory>(scn_.memory, scn_.var_init, static_cast<std::uint32_t>(scn_.tasks.size()),
                                  scn_.spinlock_names, std::move(uses));
  mem_->set_observer(this);
}

void Interpreter::on_memory(const MemEvent& e) {
  auto pid_of_cpu = [&](int cpu) { return cpu < 0 ? 0 : slot_pid(cpu); };
  const std::int64_t a =
      static_cast<std::int64_t>(e.kind) | std::int64_t{e.stale} << 8 | static_cast<std::int64_t>(e.fence) << 16;
  const std::int64_t d = e.kind == MemEvent::Kind::Xchg ? e.old : pid_of_cpu(e.from_cpu);
  k_.emit(Ev::memory, pid_of_cpu(static_cast<int>(e.cpu)), a, e.var, e.value, d);
}

std::uint32_t Interpreter::cpu_of(const Task& t) const {
  const int slot = slot_of(t);
  if (slot < 0 || static_cast<std::size_t>(slot) >= scn_.tasks.size())
    throw ModelBug("a litmus op in a task that is not a declared kthread");
  return static_cast<std::uint32_t>(slot);
}

// A CPU of a litmus program: the kthread's function, and nothing after it.
sim::Co<void> Interpreter::litmus_cpu(Task* t) {
  co_await sim::point(sim::ObjId{}, sim::Acc::Local, "kthread");
  co_await run_kthread(*t);
}

sim::Co<OpResult> Interpreter::memory_op(Task& cur, const Op& op) {
  const MemOp& m = std::get<MemOp>(op.body);
  const std::uint32_t cpu = cpu_of(cur);
  const auto var = static_cast<std::uint32_t>(m.var);
  switch (m.kind) {
    case MemOp::Kind::WriteOnce: co_await mem_->store(cpu, var, m.value, MemOrder::Once); break;
    case MemOp::Kind::StoreRelease: co_await mem_->store(cpu, var, m.value, MemOrder::Release); break;
    case MemOp::Kind::ReadOnce: co_return value_result(co_await mem_->load(cpu, var, MemOrder::Once));
    case MemOp::Kind::LoadAcquire: co_return value_result(co_await mem_->load(cpu, var, MemOrder::Acquire));
    case MemOp::Kind::Xchg: co_return value_result(co_await mem_->xchg(cpu, var, m.value));
    case MemOp::Kind::Mb: co_await mem_->fence(cpu, MemFence::Mb); break;
    case MemOp::Kind::Wmb: co_await mem_->fence(cpu, MemFence::Wmb); break;
    case MemOp::Kind::Rmb: co_await mem_->fence(cpu, MemFence::Rmb); break;
    case MemOp::Kind::MbAfterSpinlock: co_await mem_->fence(cpu, MemFence::MbAfterSpinlock); break;
    case MemOp::Kind::SpinLock: co_await mem_->spin_lock(cpu, static_cast<std::uint32_t>(m.lock)); break;
    case MemOp::Kind::SpinUnlock: {
      const auto lock = static_cast<std::uint32_t>(m.lock);
      co_await sim::point(mem_lock_obj(lock), sim::Acc::Write, "spin_unlock");
      if (mem_->lock_holder(lock) != k_.eng.current_tid()) {
        // Not the kernel's to survive; the scenario's mistake, said as one.
        k_.violation(Property::UnexpectedResult, cur.pid,
                     fmt::format("{}: spin_unlock at {}: {} does not hold spinlock '{}'", k_.comm(cur.pid), op.ptr,
                                 k_.comm(cur.pid), scn_.spinlock_names[lock]));
        break;
      }
      mem_->spin_unlock(cpu, lock);
      break;
    }
  }
  co_return none_result();
}

}  // namespace model
