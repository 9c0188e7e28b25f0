// model/utrace/internal.h: shared pieces of the utrace core
// (kernel/utrace.c).  Everything here is private to model/utrace/.
#pragma once

#include "model/utrace/hooks.h"
#include "model/utrace/utrace.h"

namespace model::ut {

// ---- versions and bug switches (utrace-semantics.md §9, §7) ----------------------------

inline bool v2(const Kernel& k) { return k.version() == KernelVersion::V2009Rfc; }
inline bool v4(const Kernel& k) { return k.version() == KernelVersion::V2011_3x; }

// The races of §7 by name: has_race(k, R2).
using enum Race;
// A race of §7 is present: the version had it, or the scenario switched it back on.
bool has_race(const Kernel& k, Race r);
// A named bug switch (model/versions.h) is on.
inline bool has_switch(const Kernel& k, Switch s) { return k.bug(switch_number(s)); }

// Whether the task is stopped for utrace (§5.12): V2 kept its own bit,
// utrace->stopped; V3 asks task_is_traced(), V4 task_is_utraced()
// (linux-3.1 kernel/utrace.c:491, `state & __TASK_UTRACED`).  `state` is the
// task's state as the caller read it.
inline bool utrace_stopped(const Kernel& k, const Utrace& u, unsigned state) {
  if (v2(k)) return u.stopped.get();
  return (state & (v4(k) ? __TASK_UTRACED : __TASK_TRACED)) != 0;
}

inline constexpr unsigned long ev(UtraceEventBit b) { return UTRACE_EVENT(b); }
inline constexpr unsigned long EVENT_QUIESCE = UTRACE_EVENT(_UTRACE_EVENT_QUIESCE);
inline constexpr unsigned long EVENT_REAP = UTRACE_EVENT(_UTRACE_EVENT_REAP);

// ---- the objects the explorers see -------------------------------------------------------

inline sim::ObjId obj(const Task& t, Field f) { return oid(Kernel::t_owner(t), f); }
inline sim::ObjId obj(const Engine& e, Field f) { return oid(kEngineOwner + static_cast<std::uint32_t>(e.id), f); }

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
// __set_task_state(task, TASK_TRACED) for a utrace stop (V4: TASK_UTRACED);
// V2 also sets utrace->stopped.  Only utrace moves a task into TASK_TRACED
// or TASK_UTRACED (I9).
void utrace_set_traced(Kernel& k, Task& task);
sim::Co<bool> utrace_do_stop(Kernel& k, Task& target);
sim::Co<void> utrace_stop(Kernel& k, Task& task, std::uint32_t action);
sim::Co<std::uint32_t> start_report(Kernel& k, Task& task);
// start_callback(): the ops to call for `event`, or NULL.
sim::Co<EngineOps*> start_callback(Kernel& k, Task& task, UtraceReport& report, Engine& e, unsigned long event);
// finish_callback(): true if the engine is now detached.
sim::Co<bool> finish_callback(Kernel& k, Task& task, UtraceReport& report, Engine& e, std::uint32_t ret);
sim::Co<void> finish_report_reset(Kernel& k, Task& task, UtraceReport& report);
sim::Co<void> finish_report(Kernel& k, Task& task, UtraceReport& report, bool will_not_stop);
sim::Co<void> finish_resume_report(Kernel& k, Task& task, UtraceReport& report);

// Makes one engine callback: the yield point, the checks, the trace, the call.
sim::Co<std::uint32_t> call_engine(Kernel& k, Task& task, Engine& e, EngineOps* ops, CallbackArgs& args);

// get_utrace_lock(): 0 with the lock held, or a negative errno.
sim::Co<int> get_utrace_lock(Kernel& k, Task* target, Engine& e, bool attached);

// ---- the observers (model/utrace/hooks.h) ---------------------------------------------------------
inline UtraceHooks& hooks(Kernel& k) { return *k.utrace_hooks; }

// ---- the passes (report.cpp, tracehooks.cpp) ---------------------------------------------------

// REPORT_CALLBACKS(): every attached engine that wants `event`, in attach
// order or (syscall entry) the reverse, gets callback `cb`; `args(a, report)`
// fills in the callback's arguments from the pass so far, as the macro's
// __VA_ARGS__ do.
template <class Args>
sim::Co<void> report_callbacks(Kernel& k, Task& task, UtraceReport& report, bool reverse, unsigned long event,
                               Callback cb, Args args) {
  Utrace& u = U(task);
  ++u.walking;
  hooks(k).walk_begin(task, reverse);
  // list_for_each_entry() follows `next` pointers as it goes: an engine
  // linked at the tail during the walk is visited (only possible with R1).
  // list_for_each_entry_reverse() starts from the tail it saw.
  const std::size_t n = u.attached.size();
  std::size_t i = 0;
  // Where the walk is: kept across the callbacks' yields (sim/co.h).
  const sim::Keep keep(co_await sim::this_frame, i, n);
  for (;; ++i) {
    // Each step of the walk reads the list without the lock that guards its changes.
    guarded_by(u.lock).peek("REPORT_CALLBACKS");
    if (i >= u.attached.size() || (reverse && i >= n)) break;
    Engine& e = *u.attached[reverse ? n - 1 - i : i];
    const sim::Keep keep_engine(co_await sim::this_frame, e);
    EngineOps* ops = co_await start_callback(k, task, report, e, event);
    if (!ops) continue;
    CallbackArgs a;
    a.cb = cb;
    args(a, report);
    const sim::Keep keep_callback(co_await sim::this_frame, ops, a);
    const std::uint32_t ret = co_await call_engine(k, task, e, ops, a);
    (void)co_await finish_callback(k, task, report, e, ret);
  }
  --u.walking;
  hooks(k).walk_end(task);
}

// REPORT(): start_report(), REPORT_CALLBACKS(), finish_report().
template <class Args>
sim::Co<void> report_event(Kernel& k, Task& task, UtraceReport& report, unsigned long event, Callback cb, Args args) {
  (void)co_await start_report(k, task);
  co_await report_callbacks(k, task, report, false, event, cb, args);
  co_await finish_report(k, task, report, true);
}

}  // namespace model::ut
