// scenario/run.cpp: one run of a scenario, and its outcome.
#include "scenario/run.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/checks/linux_invariants.h"
#include "model/memory/store_buffers.h"
#include "model/ptrace/ptrace.h"

namespace model {

Simulator::Simulator(const Scenario& scn, const RunConfig& cfg)
    // Threads: init and every declared task (they all start, whatever
    // --max-tasks says: it limits forks), or max_tasks, plus a margin for
    // the forked tasks reaped within a run.
    : scn_(scn),
      cfg_(cfg),
      eng_(sim::Limits{cfg.max_steps, std::max(cfg.max_tasks, static_cast<std::uint32_t>(scn.tasks.size() + 1)) + 8}) {}

Simulator::~Simulator() {
  // Coroutine frames refer to the kernel: destroy them first.
  eng_.set_lock_observer(nullptr);
  eng_.reset();
}

RunOutput Simulator::run(sim::Scheduler& sched) {
  eng_.set_lock_observer(nullptr);
  eng_.reset();
  checks_.reset();
  linux_checks_.reset();
  interp_.reset();
  kernel_.reset();
  values_.clear();
  store_buffers_.reset();
  // A traced run logs the values its lockless loads see (model/values.h).
  const ValueLog::Install log(cfg_.trace ? &values_ : nullptr);
  kernel_ = std::make_unique<Kernel>(scn_.kernel, scn_.bugs, eng_, cfg_);
  Kernel& k = *kernel_;
  interp_ = std::make_unique<Interpreter>(scn_, k);
  checks_ = std::make_unique<ut::Checks>(k);
  linux_checks_ = std::make_unique<LinuxInvariants>();
  k.user = interp_.get();
  k.names = this;
  ptrace_setup(k);
  // The checkers watch first, then the interpreter's waits.
  k.utrace_hooks = checks_.get();
  k.observe(checks_.get());
  k.observe(linux_checks_.get());
  k.observe(interp_.get());
  eng_.set_lock_observer(checks_.get());  // sleep-in-atomic
  k.boot();
  interp_->boot();
  if (scn_.memory != MemoryModel::SC) store_buffers_ = std::make_unique<StoreBuffers>(scn_.memory, k);
  const StoreBuffers::Install weak(store_buffers_.get(), eng_);

  RunOutput out;
  out.engine = eng_.run(sched);
  checks_->end_of_run(k, out.engine);
  check_linux_invariants(k, out.engine);
  interp_->end_of_run(out.engine);
  out.violations = k.violations();
  out.trace_hash = cfg_.hash_trace ? k.trace_hash() : 0;
  return out;
}

bool Simulator::matches(const Outcome& o) const {
  const Interpreter& in = *interp_;
  for (const TaskOutcome& t : o.tasks) {
    const TaskEnd e = in.task_end(t.task);
    if (!e.exists) return false;
    if (t.exited && !(e.died && WIFEXITED(e.status) && WEXITSTATUS(e.status) == *t.exited)) return false;
    if (t.signaled && !(e.died && WIFSIGNALED(e.status) && WTERMSIG(e.status) == *t.signaled)) return false;
    if (t.state && e.state != *t.state) return false;
  }
  for (const CallbackOutcome& c : o.callbacks)
    if (in.callbacks_of(c.handle) != c.calls) return false;
  for (const ResultOutcome& r : o.results) {
    const OpResult* got = in.result_of(r.label);
    if (!got || !in.match_result(*got, r.any_of, nullptr)) return false;
  }
  for (const VarOutcome& v : o.vars)
    if (!in.memory() || in.memory()->final_value(static_cast<std::uint32_t>(v.var)) != v.value) return false;
  return true;
}

// A shared object by its id (model/linux/kernel.h's encoding, owner << 8 |
// field; model/memory/memory.h's range for a litmus program's memory).
std::string Simulator::object(std::uint32_t id) const {
  const Kernel& k = *kernel_;
  const std::uint32_t owner = id >> 8;
  const auto field = static_cast<Field>(id & 0xff);
  const char* fname = field_name(field);
  if (field == Field::tasklist_lock) return "tasklist_lock";
  if (owner >= kEngineOwner) return fmt::format("{} {}", engine(owner - kEngineOwner), fname);
  if (owner >= 0x300000u && owner < 0x400000u) {
    // model/memory/memory.h: mem_var_obj, mem_view_obj, mem_buffer_obj, mem_fence_obj, mem_lock_obj
    const std::uint32_t sub = owner & 0xffffu;
    switch (owner >> 16) {
      case 0x30: return "var " + var(sub);
      case 0x31:
        return fmt::format("var {} as {} sees it", var(sub & 0xff),
                           comm(interp_->slot_pid(static_cast<int>(sub >> 8))));
      case 0x32:
        if (sub & 0x8000u) return fmt::format("store buffer #{}", sub & 0x7fffu);
        return fmt::format("store buffer of {}", comm(interp_->slot_pid(static_cast<int>(sub))));
      case 0x33: return "the order of full barriers";
      case 0x34:
        return "spinlock " + (sub < scn_.spinlock_names.size() ? scn_.spinlock_names[sub] : std::to_string(sub));
      default: break;
    }
  }
  if (owner >= kCompletionOwner) {
    const std::uint32_t i = owner - kCompletionOwner;
    if (i < scn_.completion_names.size()) return "completion " + scn_.completion_names[i];
    return fmt::format("completion #{}", i);
  }
  if (owner == kCompletionOwner - 1) return "any task's state (await)";
  if (owner < k.tasks.size()) return fmt::format("{} {}", k.comm(k.tasks[owner]->pid), fname);
  return fmt::format("object {:#x}", id);
}

std::string Simulator::op_key(const void* ref) const {
  return ref ? static_cast<const Op*>(ref)->key : std::string("?");
}

std::string Simulator::op_at(const void* ref) const {
  return ref ? static_cast<const Op*>(ref)->ptr : std::string("?");
}

}  // namespace model
