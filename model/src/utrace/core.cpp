// kernel/utrace.c: not implemented yet (issue #4).  Nothing reaches these
// while no engine can be attached: utrace_flags stays 0.
#include "model/utrace.h"

namespace model {

namespace {
[[noreturn]] void todo(const char* what) {
  throw NotImplemented(std::string("utrace: ") + what + " (the utrace core is issue #4)");
}
}  // namespace

std::vector<EventField> utrace_event_fields(const Event&, const TraceNames&) { return {}; }

std::string utrace_engine_name(const Kernel&, std::int64_t id) { return "engine-" + std::to_string(id); }
std::vector<Callback> utrace_callbacks_of(const Kernel&, int) { return {}; }

void utrace_init_task(Task& t) {
  t.utrace_flags = 0;
  t.utrace = nullptr;
}
sim::Co<OpResult> utrace_api_op(Kernel&, Task&, const Op& op, OpCtx&) { todo(op.key.c_str()); }
sim::Co<bool> utrace_report_syscall_entry(Kernel&, Task&) { todo("utrace_report_syscall_entry"); }
sim::Co<void> utrace_report_syscall_exit(Kernel&, Task&) { todo("utrace_report_syscall_exit"); }
sim::Co<void> utrace_resume(Kernel&, Task&) { todo("utrace_resume"); }
sim::Co<int> utrace_get_signal(Kernel&, Task&, Siginfo*, KSigaction*) { todo("utrace_get_signal"); }
bool utrace_interrupt_pending(Kernel&, Task&) { todo("utrace_interrupt_pending"); }
sim::Co<void> utrace_signal_handler(Kernel&, Task&, bool) { todo("utrace_signal_handler"); }
sim::Co<void> utrace_report_clone(Kernel&, Task&, std::uint64_t, Task&) { todo("utrace_report_clone"); }
sim::Co<void> utrace_finish_vfork(Kernel&, Task& t) {
  if (t.utrace) todo("utrace_finish_vfork");
  co_return;
}
sim::Co<void> utrace_report_exec(Kernel&, Task&) { todo("utrace_report_exec"); }
sim::Co<void> utrace_report_jctl(Kernel&, Task&, int, int) { todo("utrace_report_jctl"); }
sim::Co<void> utrace_finish_stop(Kernel&, Task&) { todo("utrace_finish_stop"); }
sim::Co<void> utrace_report_exit(Kernel&, Task&, int*) { todo("utrace_report_exit"); }
sim::Co<void> utrace_report_death(Kernel&, Task&, bool, int) { todo("utrace_report_death"); }
sim::Co<void> utrace_maybe_reap(Kernel&, Task&, bool) { todo("utrace_maybe_reap"); }

}  // namespace model
