// Shared pieces of the utrace core (kernel/utrace.c).  Everything here is
// private to model/utrace/.
#pragma once

#include <functional>

#include "model/utrace/hooks.h"
#include "model/utrace/utrace.h"

namespace model::ut {

// ---- versions and bug switches (utrace-semantics.md §9, §7) ----------------------------

inline bool v2(const Kernel& k) { return k.version() == KernelVersion::V2009Rfc; }
inline bool v4(const Kernel& k) { return k.version() == KernelVersion::V2011_3x; }
// A race of §7 is present: the version had it, or the scenario switched it back on.
bool has_race(const Kernel& k, int r);

inline constexpr unsigned long ev(UtraceEventBit b) { return UTRACE_EVENT(b); }
inline constexpr unsigned long EVENT_QUIESCE = UTRACE_EVENT(_UTRACE_EVENT_QUIESCE);
inline constexpr unsigned long EVENT_REAP = UTRACE_EVENT(_UTRACE_EVENT_REAP);

// ---- the objects the explorers see -------------------------------------------------------

inline sim::ObjId obj(const Task& t, Field f) { return oid(Kernel::t_owner(t), f); }
inline sim::ObjId obj(const Engine& e, Field f) {
  return oid(kEngineOwner + static_cast<std::uint32_t>(e.id), f);
}

inline Utrace& U(Task& t) { return *t.utrace; }

// ---- state changes that traces show ----------------------------------------------------------
void set_notify_resume(Kernel& k, Task& t);  // TIF_NOTIFY_RESUME + kick

// ---- ENGINE_STOP (§1.5) -----------------------------------------------------------------------
void mark_engine_wants_stop(Task& task, Engine& e);
void clear_engine_wants_stop(Engine& e);
inline bool engine_wants_stop(const Engine& e) { return (e.flags & ENGINE_STOP) != 0; }
sim::Co<void> mark_engine_detached(Engine& e);

// ---- core machinery (§4, §5.12) -----------------------------------------------------------------
void splice_attaching(Kernel& k, Task& task);
// Called with the lock held, returns with it released.  true: fully detached.
sim::Co<bool> utrace_reset(Kernel& k, Task& task);
sim::Co<void> utrace_wakeup(Kernel& k, Task& task);
sim::Co<bool> utrace_do_stop(Kernel& k, Task& target);
sim::Co<void> utrace_stop(Kernel& k, Task& task, std::uint32_t action);
sim::Co<std::uint32_t> start_report(Kernel& k, Task& task);
// start_callback(): the ops to call for `event`, or NULL.
sim::Co<EngineOps*> start_callback(Kernel& k, Task& task, UtraceReport& report, Engine& e,
                                   unsigned long event);
// finish_callback(): true if the engine is now detached.
sim::Co<bool> finish_callback(Kernel& k, Task& task, UtraceReport& report, Engine& e,
                              std::uint32_t ret);
sim::Co<void> finish_report_reset(Kernel& k, Task& task, UtraceReport& report);
sim::Co<void> finish_report(Kernel& k, Task& task, UtraceReport& report, bool will_not_stop);
sim::Co<void> finish_resume_report(Kernel& k, Task& task, UtraceReport& report);

// Makes one engine callback: the yield point, the checks, the trace, the call.
sim::Co<std::uint32_t> call_engine(Kernel& k, Task& task, Engine& e, EngineOps* ops,
                                   CallbackArgs& args);

// REPORT_CALLBACKS(): every attached engine, forward or reverse, with the
// event's callback for those that want it.  `make` fills the callback's
// arguments from the report.
sim::Co<void> report_callbacks(Kernel& k, Task& task, UtraceReport& report, bool reverse,
                               unsigned long event, Callback cb,
                               const std::function<void(CallbackArgs&, UtraceReport&)>& make);
// REPORT(): start_report + REPORT_CALLBACKS + finish_report(will_not_stop = true)
sim::Co<void> report_event(Kernel& k, Task& task, UtraceReport& report, unsigned long event,
                           Callback cb, const std::function<void(CallbackArgs&, UtraceReport&)>& make);

// get_utrace_lock(): 0 with the lock held, or a negative errno.
sim::Co<int> get_utrace_lock(Kernel& k, Task* target, Engine& e, bool attached);

// ---- the observers (model/utrace/hooks.h) ---------------------------------------------------------
inline UtraceHooks& hooks(Kernel& k) { return *k.utrace_hooks; }

}  // namespace model::ut
