// model/utrace/engine.cpp: kernel/utrace.c's engine life cycle (references,
// the detached-ops sentinel, detaching; utrace-semantics.md §1) and the
// state helpers the API and the reporting code share (utrace_reset,
// utrace_wakeup, utrace_do_stop; §4.8, §5.8).
//
// Baseline is V3 (2010-rhel6).  Where 2009-rfc (V2) or 2011-3x (V4) differ
// (§9), the difference is a test of the version right where the code
// differs; a race of §7 switched back on by `model.bugs` is a test of
// has_race() right where the fix was.
#include <algorithm>

#include <fmt/format.h>

#include "model/ptrace/ptrace.h"
#include "model/utrace/internal.h"
#include "model/values.h"

namespace model {

using namespace ut;

namespace ut {

namespace {
bool race_in_version(const Kernel& k, Race r) {
  switch (r) {
    case R3: return v2(k);   // V2 stored a callback's DETACH without the lock
    case R5: return !v4(k);  // V4 always calls the sentinel's report_quiesce
    default: return false;   // R10, R13 are in the code as written (no switch)
  }
}
}  // namespace

bool has_race(const Kernel& k, Race r) {
  const bool switched = k.bug(race_number(r));
  if (!switched && !race_in_version(k, r)) return false;
  // A traced run notes that the racy code ran here (explain says so).
  if (tls_value_log) [[unlikely]]
    tls_value_log->race(race_number(r), switched);
  return true;
}

// ---- the detached-ops sentinel (§1.4) -------------------------------------------------

namespace {
class DetachedOps final : public EngineOps {
 public:
  const char* name() const override { return "utrace_detached_ops"; }
  bool has(Callback c) const override { return c == Callback::report_quiesce || c == Callback::report_reap; }
  // utrace_detached_quiesce() returns UTRACE_DETACH; utrace_detached_reap() does nothing.
  sim::Co<std::uint32_t> call(Kernel&, Task&, Engine&, CallbackArgs& a) override {
    co_return a.cb == Callback::report_quiesce ? static_cast<std::uint32_t>(UTRACE_DETACH) : 0U;
  }
  bool counts() const override { return false; }
};
}  // namespace

}  // namespace ut

EngineOps& utrace_detached_ops() {
  static DetachedOps ops;
  return ops;
}

namespace ut {

// set_notify_resume(): TIF_NOTIFY_RESUME, and an IPI to a task in user mode
// (it does not wake a sleeping task).  The utrace core's request shows in the
// trace like the fields of struct utrace.
void set_notify_resume(Kernel& k, Task& t) {
  // test_and_set_tsk_thread_flag(): a value-returning atomic, a full
  // barrier (the review's "The test_and_set implies an smp_mb()"); with
  // set-bit-notify-resume a plain set_bit(), which LKMM leaves unordered.
  atomic_rmw("test_and_set_tsk_thread_flag", !has_switch(k, Switch::SetBitNotifyResume));
  if (t.test_tif(TIF_NOTIFY_RESUME)) return;
  const unsigned long before = t.tif;
  t.set_tif(TIF_NOTIFY_RESUME);
  trace_shared_change(t.tif.id(), traced_as(UField::tif), static_cast<std::int64_t>(before),
                      static_cast<std::int64_t>(t.tif.get()));
}

// ---- ENGINE_STOP and detaching (§1.4, §1.5) ----------------------------------------------------

void mark_engine_wants_stop(Task& task, Engine& e) {
  e.flags.set(e.flags | ENGINE_STOP);
  task.utrace_flags.set(task.utrace_flags | ENGINE_STOP);
}

void clear_engine_wants_stop(Engine& e) { e.flags.set(e.flags & ~ENGINE_STOP); }

// mark_engine_detached(): ops first, write barrier, then flags = QUIESCE
// (dropping the events and ENGINE_STOP).  start_callback() reads them in the
// other order, so it may see the old flags with the sentinel (R5).
sim::Co<void> mark_engine_detached(Engine& e) {
  co_await WRITE_ONCE(e.ops, Engine::Ops::Detached, "mark_engine_detached");
  // smp_wmb(): pairs with the smp_rmb() in start_callback().
  co_await WRITE_ONCE(e.flags, EVENT_QUIESCE, "mark_engine_detached");
}

// ---- lists ------------------------------------------------------------------------------------

// splice_attaching(): attaching -> tail of attached; pending_attach = 0.  Lock held.
void splice_attaching(Kernel& k, Task& task) {
  Utrace& u = U(task);
  // 2010 kernel/utrace.c splice_attaching(): lockdep_assert_held(&utrace->lock)
  // (2009: "This is called with @utrace->lock held when the task is safely quiescent").
  k.lockdep_assert_held(u.lock, "splice_attaching");
  if (!u.attaching.empty()) {
    hooks(k).list_change(task, "splice_attaching");
    u.attached.insert(u.attached.end(), u.attaching.begin(), u.attaching.end());
    u.attaching.clear();
  }
  u.pending_attach.set(false, "splice_attaching");
}

void utrace_set_traced(Kernel& k, Task& task) {
  {
    Kernel::TracedChange utrace_may(k);
    // V4: __set_current_state(TASK_UTRACED) (linux-3.1 kernel/utrace.c:831).
    k.set_task_state(task, v4(k) ? TASK_UTRACED : TASK_TRACED);
  }
  hooks(k).entering_traced(task);
  if (v2(k)) U(task).stopped.set(true);
}

// utrace_wakeup(): nobody wants the task stopped any more.  utrace->lock
// held; takes siglock.  V2/V3: back to TASK_STOPPED if a job-control stop is
// in effect, else woken (§5.8).  V4 (linux-3.1 kernel/utrace.c:675-681):
// wake_up_quiescent(target, __TASK_UTRACED) drops the utrace bit and wakes
// the task unless __TASK_STOPPED is left (a converted job-control stop); a
// thread that a group stop asked to stop meanwhile (JOBCTL_STOP_PENDING)
// wakes and takes part in it in do_signal_stop().
sim::Co<void> utrace_wakeup(Kernel& k, Task& target) {
  // 2010 kernel/utrace.c utrace_wakeup(): lockdep_assert_held(&utrace->lock).
  k.lockdep_assert_held(U(target).lock, "utrace_wakeup");
  co_await target.sighand->siglock.lock("utrace_wakeup");
  Utrace& u = U(target);
  if (v2(k)) u.stopped.set(false);
  hooks(k).leaving_traced(target, false);
  {
    Kernel::TracedChange utrace_may(k);
    if (v4(k))
      k.wake_up_quiescent(target, __TASK_UTRACED);
    else if ((target.signal->flags & SIGNAL_STOP_STOPPED) || target.signal->group_stop_count)
      k.set_task_state(target, TASK_STOPPED);
    else
      k.wake_up_state(target, __TASK_TRACED);
  }
  target.sighand->siglock.unlock();
}

// utrace_reset(): drop detached engines and recompute utrace_flags
// (including ENGINE_STOP); wake the task if nobody wants it stopped.
// Called with the lock held, returns with it released.  true: no engine left.
sim::Co<bool> utrace_reset(Kernel& k, Task& task) {
  Utrace& u = U(task);
  // kernel/utrace.c utrace_reset(): "Called with @utrace->lock held, returns
  // with it released." (__releases(utrace->lock)).
  k.lockdep_assert_held(u.lock, "utrace_reset");
  splice_attaching(k, task);
  unsigned long flags = 0;
  sim::PoolVector<Engine*> detached;
  sim::PoolVector<Engine*> keep;
  for (Engine* e : u.attached) {
    if (e->ops == Engine::Ops::Detached) {
      e->ops.set(Engine::Ops::Null);
      e->on_list = false;
      detached.push_back(e);
    } else {
      flags |= e->flags | EVENT_REAP;
      keep.push_back(e);
    }
  }
  if (!detached.empty()) {
    hooks(k).list_change(task, "utrace_reset");
    u.attached = std::move(keep);
  }
  std::size_t i = 0;  // the detached engines put so far
  const sim::Keep kept(co_await sim::this_frame, flags, detached, i);
  if (task.exit_state) {
    // Once it is dead, never any flag but REAP: utrace_maybe_reap() then
    // knows positively that utrace_report_death() can never run (R8).
    k.BUG_ON(u.death, task, "I7", "utrace_reset() while utrace->death is set (BUG_ON)");
    flags &= EVENT_REAP;
  } else if (!(flags & UTRACE_EVENT_SYSCALL) && task.test_tif(TIF_SYSCALL_TRACE)) {
    task.clear_tif(TIF_SYSCALL_TRACE);
  }
  if (!flags) {
    // No more engines: clear out the requests (V2: the two bits).
    if (v2(k)) {
      u.interrupt.set(false);
      u.report.set(false);
    }
    u.resume.set(UTRACE_RESUME);
    u.signal_handler.set(false);
  }
  // If no engine wants it stopped any more, wake it up.
  if (utrace_stopped(k, u, task.state) && !(flags & ENGINE_STOP)) {
    // user_disable_single_step() (V3/V4; V2's reset left stepping alone)
    if (!v2(k) && u.resume == UTRACE_RESUME) task.clear_tif(TIF_SINGLESTEP);
    co_await utrace_wakeup(k, task);
  }
  // The store and the unlock are one step: once the word is 0,
  // release_task() may free the task without taking the lock (R14).
  co_await WRITE_ONCE(task.utrace_flags, flags, "utrace_reset");
  hooks(k).after_reset(task);
  u.lock.unlock();
  for (; i < detached.size(); ++i) co_await utrace_engine_put(k, k.current(), *detached[i]);
  co_return flags == 0;
}

// utrace_do_stop(): get the target to stop; true if it is stopped now.  A
// job-control stop counts: it becomes TASK_TRACED.  Otherwise ask for a
// report (it will make a callback soon).  Lock held.
sim::Co<bool> utrace_do_stop(Kernel& k, Task& target) {
  Utrace& u = U(target);
  // kernel/utrace.c utrace_do_stop(): "Called with @utrace locked."
  k.lockdep_assert_held(u.lock, "utrace_do_stop");
  const unsigned state = co_await READ_ONCE(target.state, "utrace_do_stop");
  if (v4(k)) {
    // linux-3.1 kernel/utrace.c:652-669: task_is_stopped_or_traced() gets
    // TASK_UTRACED ORed in; the job-control bit stays.
    if (state & (__TASK_STOPPED | __TASK_TRACED)) {
      co_await target.sighand->siglock.lock("utrace_do_stop");
      if (target.state & (__TASK_STOPPED | __TASK_TRACED)) {
        Kernel::TracedChange utrace_may(k);
        k.set_task_state(target, target.state | TASK_UTRACED);
        hooks(k).entering_traced(target);
      }
      target.sighand->siglock.unlock();
    } else if (u.resume > UTRACE_REPORT) {
      co_await WRITE_ONCE(u.resume, UTRACE_REPORT, "utrace_do_stop");
      set_notify_resume(k, target);
    }
    co_return utrace_stopped(k, u, target.state);
  }
  if (state == TASK_STOPPED) {
    co_await target.sighand->siglock.lock("utrace_do_stop");
    if (target.state == TASK_STOPPED) utrace_set_traced(k, target);
    target.sighand->siglock.unlock();
  } else if (v2(k)) {
    // V2: ask for a report unless one (or an interrupt) is owed already.
    if (!u.report && !u.interrupt) {
      co_await WRITE_ONCE(u.report, true, "utrace_do_stop");
      set_notify_resume(k, target);
    }
  } else if (u.resume > UTRACE_REPORT) {
    co_await WRITE_ONCE(u.resume, UTRACE_REPORT, "utrace_do_stop");
    set_notify_resume(k, target);
  }
  co_return utrace_stopped(k, u, target.state);
}

}  // namespace ut

// ---- engines --------------------------------------------------------------------------------

EngineOps* Engine::current_ops(Kernel&) const {
  switch (ops) {
    case Ops::Real: return table;
    case Ops::Detached: return &utrace_detached_ops();
    case Ops::Null: return nullptr;
  }
  return nullptr;
}

// utrace_init_task(): a new task has no struct utrace, and no engines (they
// are never inherited).
void utrace_init_task(Task& t) {
  t.utrace_flags.bind(obj(t, Field::utrace_flags), traced_as(UField::utrace_flags));
  t.utrace_flags.set_weak();  // utrace_add_engine() against release_task() (R6)
  t.utrace.bind(obj(t, Field::utrace_lock));
  t.utrace.init(nullptr);
}

bool task_utrace_attached(const Task& t) {
  return t.utrace && (!t.utrace->attached.empty() || !t.utrace->attaching.empty());
}

void utrace_freeze_stop(Kernel& k, Task& t) {
  if (!t.utrace) return;
  k.BUG_ON(t.utrace->freeze_stop, t, "freeze_stop", "utrace_freeze_stop() twice (WARN_ON)");
  t.utrace->freeze_stop.set(true, "utrace_freeze_stop");
}

void utrace_unfreeze_stop(Kernel&, Task& t) {
  if (!t.utrace) return;
  t.utrace->freeze_stop.set(false, "utrace_unfreeze_stop");
}

// utrace_engine_get(): kref_get(), no yield of its own.
void utrace_engine_get(Kernel& k, Engine& e) {
  if (e.freed) hooks(k).engine_touched(e, "utrace_engine_get");
  e.kref.set(e.kref + 1, "utrace_engine_get");
}

// utrace_engine_put(): the last put calls release(data).
sim::Co<void> utrace_engine_put(Kernel& k, Task& cur, Engine& e) {
  if (e.freed) {
    hooks(k).engine_touched(e, "utrace_engine_put");
    co_return;
  }
  co_await e.kref.write_point("utrace_engine_put");
  const int kref = e.kref - 1;  // kref_put()
  e.kref.set(kref, "utrace_engine_put");
  if (kref > 0) co_return;
  if (e.on_list) hooks(k).engine_touched(e, "the last utrace_engine_put of a listed engine (BUG_ON)");
  e.freed = true;
  hooks(k).engine_freed(e);
  if (e.has_release) {
    CallbackArgs a;
    a.cb = Callback::release;
    const sim::Keep keep(co_await sim::this_frame, a);
    (void)co_await call_engine(k, cur, e, e.table, a);
  }
}

}  // namespace model
