// model/utrace/utrace.h: the utrace core (kernel/utrace.c, utrace-semantics.md §1-§6),
// for the three kernels of §9: 2009-rfc (V2), 2010-rhel6 (V3, the baseline),
// 2011-3x (V4), with the historical races of §7 switchable back on.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/linux/kernel.h"
#include "model/shared.h"
#include "model/utrace/callback.h"

namespace model {

struct Engine;

// The arguments of one callback (§2.6); which fields mean something depends
// on the callback.
struct CallbackArgs {
  Callback cb = Callback::report_quiesce;
  std::uint32_t action = UTRACE_RESUME;  // the `action` argument (event bits | running action)
  unsigned long event = 0;               // report_quiesce: the event about to be reported, 0 = none
  Siginfo* info = nullptr;               // report_signal
  const KSigaction* orig_ka = nullptr;   // report_signal: NULL for a report with no signal
  KSigaction* return_ka = nullptr;       // report_signal
  std::uint64_t clone_flags = 0;         // report_clone
  Task* child = nullptr;                 // report_clone
  long orig_code = 0;                    // report_exit
  int* code = nullptr;                   // report_exit
  bool group_dead = false;               // report_death
  int signal = 0;                        // report_death
  int type = 0, notify = 0;              // report_jctl
  Task* reaped = nullptr;                // report_reap
};

// struct utrace_engine_ops: an engine's callback table.  Scenario engines
// run their table's `do` list and return values; the ptrace engine is
// written in C++; the detached-ops sentinel (§1.4) is one of these too.
class EngineOps {
 public:
  virtual ~EngineOps() = default;
  virtual const char* name() const = 0;
  // Whether the table has this callback (a missing one is NULL).
  virtual bool has(Callback c) const = 0;
  // The callback, in the reporting task's context with no lock held.
  // Returns the u32 result (ignored for the void callbacks).
  virtual sim::Co<std::uint32_t> call(Kernel& k, Task& task, Engine& e, CallbackArgs& args) = 0;
  // ops->release(data), after the last reference is dropped.
  virtual bool has_release() const { return false; }
  virtual sim::Co<void> release(Kernel& k, Task& cur, Engine& e) { co_return; }
  // Calls to this table are the engine's own callbacks (false for the sentinel).
  virtual bool counts() const { return true; }
};

// struct utrace_engine (§1.3).  `ops` has three states: a real table, the
// detached-ops sentinel (marked detached, still listed), NULL (gone).
struct Engine : sim::Pooled {
  enum class Ops : std::uint8_t { Real, Detached, Null };
  int id = 0;                      // e1, e2 ... in attach order
  Shared<int> kref;                // struct kref
  Shared<Ops> ops{Ops::Real};      // read by the reporting task without the lock
  EngineOps* table = nullptr;      // the real ops
  std::uint64_t data = 0;          // engine->data (0 = NULL)
  Shared<unsigned long> flags{0};  // events, plus ENGINE_STOP
  bool has_release = false;        // engine->release, copied at attach
  Task* target = nullptr;
  std::vector<Callback> received;  // the callbacks it got, in order (outcomes)
  bool on_list = false;            // linked on attached/attaching
  bool freed = false;              // the last reference was dropped
  // utrace_prepare_examine()'s struct utrace_examiner, kept for the scenario's next finish
  unsigned exam_state = 0;
  std::uint64_t exam_ncsw = 0;
  bool exam_valid = false;

  // The table the core would call now (NULL for Ops::Null).
  EngineOps* current_ops(Kernel& k) const;
};

// struct utrace (§1.2), allocated by the first attach.
struct Utrace : sim::Pooled {
  sim::SpinLock lock;
  sim::PoolVector<Engine*> attached;   // walked by the task itself without the lock
  sim::PoolVector<Engine*> attaching;  // new engines, spliced at the next report
  Task* cloning = nullptr;
  Shared<Engine*> reporting{nullptr};
  Shared<std::uint32_t> resume{UTRACE_RESUME};
  // The bits of struct utrace, each stored under utrace->lock.
  Shared<bool> signal_handler{false};
  Shared<bool> vfork_stop{false};
  Shared<bool> death{false};
  Shared<bool> reap{false};
  Shared<bool> pending_attach{false};
  Shared<bool> freeze_stop{false};  // RHEL6 (ptrace)
  Shared<bool> stopped{false};      // 2009-rfc only: the task counts as stopped (§5.12 V2)
  // 2009-rfc only: the two request bits that 2010's `resume` replaced (§1.2
  // V2).  `report`: a report_quiesce pass is owed (TIF_NOTIFY_RESUME);
  // `interrupt`: a report_signal pass is owed (TIF_SIGPENDING).
  Shared<bool> report{false};
  Shared<bool> interrupt{false};
  int walking = 0;  // the task is inside a lockless walk of `attached` (checks)
};

// The trace of a change of utrace->reporting names the engine.
std::int64_t trace_value(Engine* e);

// struct utrace_report (§1.6)
struct UtraceReport {
  std::uint32_t result = 0;
  std::uint32_t action = UTRACE_RESUME;
  std::uint32_t resume_action = UTRACE_RESUME;
  bool detaches = false;
  bool spurious = true;
};

// ---- entry points -----------------------------------------------------------------

// utrace_init_task(): a new task has no engines (they are never inherited).
void utrace_init_task(Task& t);

// The API itself (§3), for the ops above and for ptrace.
struct AttachResult {
  Engine* engine = nullptr;
  int err = 0;  // positive errno when engine is NULL
};
// What every API call does as it returns: the event stream shows it
// (utsim_utrace_api) and the observers see it (api_return).  A call is the
// body's coroutine followed by this, awaited as one (sim::Then: no frame of
// its own).
enum class Api : std::uint8_t;
struct UtraceApiReturn {
  Kernel* k;
  Task* cur;
  Task* target;
  Engine* e;
  Api call;
  std::uint64_t arg;
  int operator()(int ret) const;
  AttachResult operator()(AttachResult r) const;
};
template <class T>
using UtraceCall = sim::Then<T, UtraceApiReturn>;

UtraceCall<AttachResult> utrace_attach_task(Kernel& k, Task& cur, Task* target, std::uint32_t flags, EngineOps* ops,
                                            std::uint64_t data);
UtraceCall<int> utrace_set_events(Kernel& k, Task& cur, Task* target, Engine& e, unsigned long events);
UtraceCall<int> utrace_control(Kernel& k, Task& cur, Task* target, Engine& e, std::uint32_t action);
UtraceCall<int> utrace_barrier(Kernel& k, Task& cur, Task* target, Engine& e);
UtraceCall<int> utrace_prepare_examine(Kernel& k, Task& cur, Task* target, Engine& e);
UtraceCall<int> utrace_finish_examine(Kernel& k, Task& cur, Task* target, Engine& e);
void utrace_engine_get(Kernel& k, Engine& e);
sim::Co<void> utrace_engine_put(Kernel& k, Task& cur, Engine& e);
void utrace_freeze_stop(Kernel& k, Task& t);
void utrace_unfreeze_stop(Kernel& k, Task& t);
bool task_utrace_attached(const Task& t);

// The detached-ops sentinel (§1.4): what utrace_attach_task() refuses as ops.
EngineOps& utrace_detached_ops();

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

// ---- frame identity (sim/co.h) ---------------------------------------------------------
inline std::uint64_t frame_digest(const Engine& e) noexcept { return static_cast<std::uint64_t>(e.id); }
inline std::uint64_t frame_digest(const EngineOps& o) noexcept { return sim::digest_of(o.name()); }
inline std::uint64_t frame_digest(const UtraceReport& r) noexcept {
  return sim::digest_all(r.result, r.action, r.resume_action, r.detaches, r.spurious);
}
inline std::uint64_t frame_digest(const CallbackArgs& a) noexcept {
  return sim::hash_mix(sim::digest_all(a.cb, a.action, a.event, a.info),
                       sim::hash_mix(sim::digest_all(a.orig_ka, a.return_ka, a.clone_flags, a.child),
                                     sim::digest_all(a.orig_code, a.code, a.group_dead,
                                                     sim::digest_all(a.signal, a.type, a.notify, a.reaped))));
}

}  // namespace model
