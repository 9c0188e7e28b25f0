// model/ptrace/internal.h: what the files of ptrace on utrace share
// (kernel/ptrace-utrace.c's static helpers); private to model/ptrace/.
#pragma once

#include "model/ptrace/ptrace.h"
#include "model/utrace/utrace.h"

namespace model::pt {

inline constexpr unsigned long EV_QUIESCE = UTRACE_EVENT(_UTRACE_EVENT_QUIESCE);
inline constexpr unsigned long EV_CLONE = UTRACE_EVENT(_UTRACE_EVENT_CLONE);
inline constexpr unsigned long EV_EXEC = UTRACE_EVENT(_UTRACE_EVENT_EXEC);
inline constexpr unsigned long EV_EXIT = UTRACE_EVENT(_UTRACE_EVENT_EXIT);
inline constexpr unsigned long EV_SYSCALL_EXIT = UTRACE_EVENT(_UTRACE_EVENT_SYSCALL_EXIT);
inline constexpr int TRAP_TRACE = 2;  // si_code of a single-step SIGTRAP

// The struct ptrace_context of a ptrace engine (engine->data).
inline PtraceContext& ctx_of(Kernel& k, const Engine& e) {
  return *k.ptrace_contexts[static_cast<std::size_t>(e.data - 1)];
}
inline bool ptrace_event_pending(const PtraceContext& ctx) { return ctx.stop_code != 0; }
inline int get_stop_event(const PtraceContext& ctx) { return ctx.stop_code >> 8; }
inline void set_stop_code(PtraceContext& ctx, int event) { ctx.stop_code = (event << 8) | SIGTRAP; }
inline void set_syscall_code(PtraceContext& ctx) {
  set_stop_code(ctx, PTRACE_EVENT_SYSCALL);
  if (ctx.options & PTRACE_O_TRACESYSGOOD) ctx.stop_code |= 0x80;
}
inline bool is_step_resume(std::uint32_t resume) { return resume == UTRACE_BLOCKSTEP || resume == UTRACE_SINGLESTEP; }

// A live engine of ours (what ptrace_lookup_engine() would find).
bool is_ptrace_engine(const Kernel& k, const Engine& e);
// ptrace_lookup_engine(): a new reference to the task's ptrace engine, or NULL.
sim::Co<Engine*> ptrace_lookup_engine(Kernel& k, Task& cur, Task& tracee);
sim::Co<int> utrace_barrier_uninterruptible(Kernel& k, Task& cur, Task& target, Engine& e);

// engine.cpp: the engine's callback table.
std::unique_ptr<EngineOps> ptrace_utrace_ops();

// attach.cpp
sim::Co<int> ptrace_set_events(Kernel& k, Task& cur, Task& target, Engine& e, int options);
sim::Co<int> ptrace_attach_task(Kernel& k, Task& cur, Task& tracee, int options);
sim::Co<void> ptrace_detach_task(Kernel& k, Task& cur, Task& tracee, int sig);
sim::Co<void> ptrace_do_detach(Kernel& k, Task& cur, Task& tracee, int data);
sim::Co<int> ptrace_wake_up(Kernel& k, Task& cur, Task& tracee, Engine& e, std::uint32_t action, bool force_wakeup);

// request.cpp
sim::Co<int> ptrace_attach(Kernel& k, Task& cur, Task& task);
sim::Co<int> ptrace_traceme(Kernel& k, Task& cur);
sim::Co<int> ptrace_check_attach(Kernel& k, Task& cur, Task& child, bool kill);
sim::Co<std::int64_t> ptrace_request(Kernel& k, Task& cur, Task& child, long request, std::int64_t data,
                                     std::int64_t* peek);

}  // namespace model::pt
