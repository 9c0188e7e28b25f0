// model/utrace.h: the utrace core (kernel/utrace.c, utrace-semantics.md §1-§6).
//
// The entry points the tracehooks call, and the API ops of a scenario.
#pragma once

#include <array>
#include <vector>

#include "model/kernel.h"

namespace model {

// struct utrace_engine (§1.3).  `ops` has three states: a real table, the
// detached-ops sentinel (marked detached, still listed), NULL (gone).
struct Engine {
  enum class Ops : std::uint8_t { Real, Detached, Null };
  int id = 0;                       // e1, e2 ... in attach order (traces, object ids)
  int kref = 0;
  Ops ops = Ops::Real;
  const EngineTable* table = nullptr;  // the real ops
  int data = -1;                    // engine->data: a data-name slot, -1 = NULL
  unsigned long flags = 0;          // events, plus ENGINE_STOP
  bool has_release = false;         // engine->release, copied at attach
  Task* target = nullptr;
  int handle = -1;                  // the scenario handle it was last bound to
  bool freed = false;               // the last reference was dropped
  std::vector<Callback> received;   // the callbacks it got, in order (outcomes)
  std::array<std::uint32_t, kCallbackCount> calls{};  // calls per callback (return sequences)
};

// struct utrace (§1.2), allocated by the first attach.
struct Utrace {
  sim::SpinLock lock;
  std::vector<Engine*> attached;   // walked by the task itself without the lock
  std::vector<Engine*> attaching;  // new engines, spliced at the next report
  Task* cloning = nullptr;
  Engine* reporting = nullptr;
  std::uint32_t resume = UTRACE_RESUME;
  bool signal_handler = false;
  bool vfork_stop = false;
  bool death = false;
  bool reap = false;
  bool pending_attach = false;
  bool freeze_stop = false;
};

// utrace_init_task(): a new task has no engines (they are never inherited).
void utrace_init_task(Task& t);

// The utrace API ops of a scenario (utrace_attach_task, utrace_set_events,
// utrace_control, utrace_barrier, utrace_prepare/finish_examine,
// utrace_engine_put).
sim::Co<OpResult> utrace_api_op(Kernel& k, Task& cur, const Op& op, OpCtx& ctx);

// Names and outcomes for traces and expectations.
std::string utrace_engine_name(const Kernel& k, std::int64_t id);
std::vector<Callback> utrace_callbacks_of(const Kernel& k, int handle);

// Reporting hooks (§5).
sim::Co<bool> utrace_report_syscall_entry(Kernel& k, Task& task);
sim::Co<void> utrace_report_syscall_exit(Kernel& k, Task& task);
sim::Co<void> utrace_resume(Kernel& k, Task& task);
sim::Co<int> utrace_get_signal(Kernel& k, Task& task, Siginfo* info, KSigaction* return_ka);
bool utrace_interrupt_pending(Kernel& k, Task& task);
sim::Co<void> utrace_signal_handler(Kernel& k, Task& task, bool stepping);
sim::Co<void> utrace_report_clone(Kernel& k, Task& parent, std::uint64_t clone_flags, Task& child);
sim::Co<void> utrace_finish_vfork(Kernel& k, Task& task);
sim::Co<void> utrace_report_exec(Kernel& k, Task& task);
sim::Co<void> utrace_report_jctl(Kernel& k, Task& task, int notify, int what);
sim::Co<void> utrace_finish_stop(Kernel& k, Task& task);
sim::Co<void> utrace_report_exit(Kernel& k, Task& task, int* exit_code);
sim::Co<void> utrace_report_death(Kernel& k, Task& task, bool group_dead, int signal);
sim::Co<void> utrace_maybe_reap(Kernel& k, Task& task, bool reap);

}  // namespace model
