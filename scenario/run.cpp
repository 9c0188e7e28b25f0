#include "scenario/run.h"

#include <algorithm>

namespace model {

Simulator::Simulator(const Scenario& scn, const RunConfig& cfg)
    // Threads: init and every declared task (they all start, whatever
    // --max-tasks says: it limits forks), or max_tasks, plus a margin for
    // the forked tasks reaped within a run.
    : scn_(scn),
      cfg_(cfg),
      eng_(sim::Limits{cfg.max_steps,
                       std::max(cfg.max_tasks, static_cast<std::uint32_t>(scn.tasks.size() + 1)) + 8}) {}

Simulator::~Simulator() {
  // Coroutine frames refer to the kernel: destroy them first.
  eng_.reset();
}

RunOutput Simulator::run(sim::Scheduler& sched) {
  eng_.reset();
  kernel_.reset();
  kernel_ = std::make_unique<Kernel>(scn_, eng_, cfg_);
  kernel_->boot();
  RunOutput out;
  out.engine = eng_.run(sched);
  kernel_->end_of_run(out.engine);
  out.violations = kernel_->violations();
  out.trace_hash = kernel_->trace_hash();
  return out;
}

bool Simulator::matches(const Outcome& o) const {
  const Kernel& k = *kernel_;
  for (const TaskOutcome& t : o.tasks) {
    const Kernel::TaskEnd e = k.task_end(t.task);
    if (!e.exists) return false;
    if (t.exited && !(e.died && WIFEXITED(e.status) && WEXITSTATUS(e.status) == *t.exited)) return false;
    if (t.signaled && !(e.died && WIFSIGNALED(e.status) && WTERMSIG(e.status) == *t.signaled))
      return false;
    if (t.state && e.state != *t.state) return false;
  }
  for (const CallbackOutcome& c : o.callbacks)
    if (k.callbacks_of(c.handle) != c.calls) return false;
  for (const ResultOutcome& r : o.results) {
    const OpResult* got = k.result_of(r.label);
    if (!got || !k.match_result(*got, r.any_of, nullptr)) return false;
  }
  return true;
}

}  // namespace model
