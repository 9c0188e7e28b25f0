// kernel/ptrace-utrace.c (RHEL6): not implemented yet (issue #6).
#include "model/ptrace.h"

namespace model {

sim::Co<std::int64_t> sys_ptrace(Kernel&, Task&, const PtraceOp& op, OpCtx&, OpResult*) {
  throw NotImplemented("op 'ptrace' (" + ptrace_request_name(op.request) +
                       "): ptrace on utrace is issue #6");
}

sim::Co<void> exit_ptrace(Kernel&, Task& tracer) {
  if (!tracer.ptraced.empty()) throw NotImplemented("exit_ptrace: ptrace on utrace is issue #6");
  co_return;
}

}  // namespace model

namespace model {

sim::Co<void> ptrace_notify_stop(Kernel&, Task& task) {
  // Only tasks with a ptrace engine have anything to notify (issue #6).
  (void)task;
  co_return;
}

}  // namespace model
