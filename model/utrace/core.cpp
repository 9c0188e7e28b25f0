// kernel/utrace.c: the engine life cycle and the API (utrace-semantics.md
// §1, §3), and the state helpers the reporting code shares (§4.8, §5.8).
//
// Baseline is V3 (2010-rhel6).  Where 2009-rfc (V2) or 2011-3x (V4) differ
// (§9), the difference is a test of the version right where the code
// differs; a race of §7 switched back on by `model.bugs` is a test of
// has_race() right where the fix was.
#include <algorithm>

#include <fmt/format.h>

#include "model/checks/utrace_checks.h"
#include "model/utrace/internal.h"
#include "model/ptrace/ptrace.h"
#include "sim/note.h"

namespace model {

using namespace ut;

namespace ut {

bool has_race(const Kernel& k, int r) {
  if (k.bug(r)) return true;
  switch (r) {
    case 3: return v2(k);   // R3: V2 stored a callback's DETACH without the lock
    case 5: return !v4(k);  // R5: V4 always calls the sentinel's report_quiesce
    default: return false;  // R10, R13 are in the code as written (no switch)
  }
}

// ---- the detached-ops sentinel (§1.4) -------------------------------------------------

namespace {
class DetachedOps final : public EngineOps {
 public:
  const char* name() const override { return "utrace_detached_ops"; }
  bool has(Callback c) const override {
    return c == Callback::report_quiesce || c == Callback::report_reap;
  }
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

// ---- state changes (traced, and checked) -----------------------------------------------------

// Each setter tells the explorers (sim/note.h) that the step writes the
// field, which other CPUs read locklessly at their own yield points.
void set_resume(Kernel& k, Task& t, std::uint32_t resume) {
  sim::note(obj(t, Field::resume), sim::Acc::Write, "utrace->resume");
  Utrace& u = U(t);
  if (u.resume == resume) return;
  trace_state(k, t, UField::resume, u.resume, resume);
  u.resume = resume;
  // I1: resume is never STOP or DETACH.
  if (resume == UTRACE_STOP || resume >= UTRACE_DETACH)
    checks(k).invariant(t, "I1", fmt::format("utrace->resume set to {}", utrace_resume_action_name(resume)));
}

void set_utrace_flags(Kernel& k, Task& t, unsigned long flags) {
  sim::note(obj(t, Field::utrace_flags), sim::Acc::Write, "utrace_flags");
  if (t.utrace_flags == flags) return;
  trace_state(k, t, UField::utrace_flags, static_cast<std::int64_t>(t.utrace_flags),
              static_cast<std::int64_t>(flags));
  t.utrace_flags = flags;
}

void set_engine_flags(Kernel& k, Engine& e, unsigned long flags) {
  sim::note(obj(e, Field::engine_flags), sim::Acc::Write, "engine->flags");
  if (e.flags == flags) return;
  if (e.target)
    trace_state(k, *e.target, UField::engine_flags, static_cast<std::int64_t>(e.flags),
                static_cast<std::int64_t>(flags), e.id);
  e.flags = flags;
}

void set_engine_ops(Kernel& k, Engine& e, Engine::Ops ops) {
  sim::note(obj(e, Field::engine_ops), sim::Acc::Write, "engine->ops");
  if (e.ops == ops) return;
  // I6: ops moves only real -> sentinel -> NULL, or to NULL.
  if (e.ops == Engine::Ops::Null || (e.ops == Engine::Ops::Detached && ops == Engine::Ops::Real))
    if (e.target) checks(k).invariant(*e.target, "I6", fmt::format("e{}->ops went backwards", e.id));
  if (e.target)
    trace_state(k, *e.target, UField::engine_ops, static_cast<int>(e.ops), static_cast<int>(ops), e.id);
  e.ops = ops;
  checks(k).ops_changed(e);
}

void set_reporting(Kernel& k, Task& t, Engine* e) {
  sim::note(obj(t, Field::reporting), sim::Acc::Write, "utrace->reporting");
  Utrace& u = U(t);
  if (u.reporting == e) return;
  trace_state(k, t, UField::reporting, u.reporting ? u.reporting->id : 0, e ? e->id : 0);
  u.reporting = e;
}

// set_notify_resume(): TIF_NOTIFY_RESUME, and an IPI to a task in user mode
// (it does not wake a sleeping task).
void set_notify_resume(Kernel& k, Task& t) {
  if (!t.test_tif(TIF_NOTIFY_RESUME)) {
    trace_state(k, t, UField::tif, static_cast<std::int64_t>(t.tif),
                static_cast<std::int64_t>(t.tif | tif_bit(TIF_NOTIFY_RESUME)));
    t.set_tif(TIF_NOTIFY_RESUME);
  }
}

// ---- ENGINE_STOP and detaching (§1.4, §1.5) ----------------------------------------------------

void mark_engine_wants_stop(Kernel& k, Task& task, Engine& e) {
  set_engine_flags(k, e, e.flags | ENGINE_STOP);
  set_utrace_flags(k, task, task.utrace_flags | ENGINE_STOP);
}

void clear_engine_wants_stop(Kernel& k, Engine& e) { set_engine_flags(k, e, e.flags & ~ENGINE_STOP); }

// mark_engine_detached(): ops first, write barrier, then flags = QUIESCE
// (dropping the events and ENGINE_STOP).  start_callback() reads them in the
// other order, so it may see the old flags with the sentinel (R5).
sim::Co<void> mark_engine_detached(Kernel& k, Engine& e) {
  co_await wr(e, Field::engine_ops, "mark_engine_detached");
  set_engine_ops(k, e, Engine::Ops::Detached);
  co_await wr(e, Field::engine_flags, "mark_engine_detached");
  set_engine_flags(k, e, EVENT_QUIESCE);
}

// ---- lists ------------------------------------------------------------------------------------

// splice_attaching(): attaching -> tail of attached; pending_attach = 0.  Lock held.
void splice_attaching(Kernel& k, Task& task) {
  Utrace& u = U(task);
  if (!u.attaching.empty()) {
    checks(k).list_change(task, "splice_attaching");
    u.attached.insert(u.attached.end(), u.attaching.begin(), u.attaching.end());
    u.attaching.clear();
  }
  sim::note(obj(task, Field::pending_attach), sim::Acc::Write, "splice_attaching");
  if (u.pending_attach) {
    trace_state(k, task, UField::pending_attach, 1, 0);
    u.pending_attach = false;
  }
}

// utrace_wakeup(): nobody wants the task stopped any more.  Back to
// TASK_STOPPED if a job-control stop is in effect, else woken.  utrace->lock
// held; takes siglock.
sim::Co<void> utrace_wakeup(Kernel& k, Task& target) {
  co_await target.sighand->siglock.lock("utrace_wakeup");
  Utrace& u = U(target);
  if (v2(k) && u.stopped) {
    trace_state(k, target, UField::stopped, 1, 0);
    u.stopped = false;
  }
  checks(k).leaving_traced(target, false);
  if ((target.signal->flags & SIGNAL_STOP_STOPPED) || target.signal->group_stop_count) {
    k.permit_traced_change(true);
    k.set_task_state(target, TASK_STOPPED);
    k.permit_traced_change(false);
  } else {
    k.permit_traced_change(true);
    k.wake_up_state(target, __TASK_TRACED);
    k.permit_traced_change(false);
  }
  target.sighand->siglock.unlock();
}

// utrace_reset(): drop detached engines and recompute utrace_flags
// (including ENGINE_STOP); wake the task if nobody wants it stopped.
// Called with the lock held, returns with it released.  true: no engine left.
sim::Co<bool> utrace_reset(Kernel& k, Task& task) {
  Utrace& u = U(task);
  splice_attaching(k, task);
  unsigned long flags = 0;
  std::vector<Engine*> detached;
  std::vector<Engine*> keep;
  for (Engine* e : u.attached) {
    if (e->ops == Engine::Ops::Detached) {
      set_engine_ops(k, *e, Engine::Ops::Null);
      e->on_list = false;
      detached.push_back(e);
    } else {
      flags |= e->flags | EVENT_REAP;
      keep.push_back(e);
    }
  }
  if (!detached.empty()) {
    checks(k).list_change(task, "utrace_reset");
    u.attached = std::move(keep);
  }
  if (task.exit_state) {
    // Once it is dead, never any flag but REAP: utrace_maybe_reap() then
    // knows positively that utrace_report_death() can never run (R8).
    if (u.death) checks(k).invariant(task, "I7", "utrace_reset() while utrace->death is set (BUG_ON)");
    flags &= EVENT_REAP;
  } else if (!(flags & UTRACE_EVENT_SYSCALL) && task.test_tif(TIF_SYSCALL_TRACE)) {
    task.clear_tif(TIF_SYSCALL_TRACE);
  }
  if (!flags) {
    set_resume(k, task, UTRACE_RESUME);
    if (u.signal_handler) trace_state(k, task, UField::signal_handler, 1, 0);
    u.signal_handler = false;
  }
  // If no engine wants it stopped any more, wake it up.
  const bool traced = v2(k) ? u.stopped : (task.state & __TASK_TRACED) != 0;
  if (traced && !(flags & ENGINE_STOP)) {
    if (u.resume == UTRACE_RESUME) task.clear_tif(TIF_SINGLESTEP);  // user_disable_single_step()
    co_await utrace_wakeup(k, task);
  }
  // The store and the unlock are one step: once the word is 0,
  // release_task() may free the task without taking the lock (R14).
  co_await wr(task, Field::utrace_flags, "utrace_reset");
  set_utrace_flags(k, task, flags);
  checks(k).after_reset(task);
  u.lock.unlock();
  for (Engine* e : detached) co_await utrace_engine_put(k, k.current(), *e);
  co_return flags == 0;
}

// utrace_do_stop(): get the target to stop; true if it is stopped now.  A
// job-control stop counts: it becomes TASK_TRACED.  Otherwise ask for a
// report (it will make a callback soon).  Lock held.
sim::Co<bool> utrace_do_stop(Kernel& k, Task& target) {
  Utrace& u = U(target);
  co_await rd(target, Field::state, "utrace_do_stop");
  if (target.state == TASK_STOPPED) {
    co_await target.sighand->siglock.lock("utrace_do_stop");
    if (target.state == TASK_STOPPED) {
      k.permit_traced_change(true);
      k.set_task_state(target, TASK_TRACED);
      k.permit_traced_change(false);
      checks(k).entering_traced(target);
      if (v2(k)) {
        trace_state(k, target, UField::stopped, 0, 1);
        u.stopped = true;
      }
    }
    target.sighand->siglock.unlock();
  } else if (u.resume > UTRACE_REPORT) {
    co_await wr(target, Field::resume, "utrace_do_stop");
    set_resume(k, target, UTRACE_REPORT);
    set_notify_resume(k, target);
  }
  co_return v2(k) ? u.stopped : (target.state & __TASK_TRACED) != 0;
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

void utrace_init_task(Task& t) {
  t.utrace_flags = 0;
  t.utrace = nullptr;
}

bool task_utrace_attached(const Task& t) {
  return t.utrace && (!t.utrace->attached.empty() || !t.utrace->attaching.empty());
}

void utrace_freeze_stop(Kernel& k, Task& t) {
  if (!t.utrace) return;
  sim::note(obj(t, Field::freeze_stop), sim::Acc::Write, "utrace_freeze_stop");
  if (t.utrace->freeze_stop) checks(k).invariant(t, "freeze_stop", "utrace_freeze_stop() twice (WARN_ON)");
  trace_state(k, t, UField::freeze_stop, 0, 1);
  t.utrace->freeze_stop = true;
}

void utrace_unfreeze_stop(Kernel& k, Task& t) {
  if (t.utrace) sim::note(obj(t, Field::freeze_stop), sim::Acc::Write, "utrace_unfreeze_stop");
  if (!t.utrace || !t.utrace->freeze_stop) return;
  trace_state(k, t, UField::freeze_stop, 1, 0);
  t.utrace->freeze_stop = false;
}

void utrace_engine_get(Kernel& k, Engine& e) {
  sim::note(obj(e, Field::engine_ref), sim::Acc::Write, "utrace_engine_get");  // no yield: for the explorers
  if (e.freed) checks(k).engine_touched(e, "utrace_engine_get");
  ++e.kref;
}

// utrace_engine_put(): the last put calls release(data).
sim::Co<void> utrace_engine_put(Kernel& k, Task& cur, Engine& e) {
  if (e.freed) {
    checks(k).engine_touched(e, "utrace_engine_put");
    co_return;
  }
  co_await sim::write(obj(e, Field::engine_ref), "utrace_engine_put");
  if (--e.kref > 0) co_return;
  if (e.on_list) checks(k).engine_touched(e, "the last utrace_engine_put of a listed engine (BUG_ON)");
  e.freed = true;
  checks(k).engine_freed(e);
  if (e.has_release) {
    CallbackArgs a;
    a.cb = Callback::release;
    (void)co_await call_engine(k, cur, e, e.table, a);
  }
}

namespace {

bool engine_matches(const Engine& e, std::uint32_t flags, const EngineOps* ops, std::uint64_t data) {
  if ((flags & UTRACE_ATTACH_MATCH_OPS) && e.table != ops) return false;
  if ((flags & UTRACE_ATTACH_MATCH_DATA) && e.data != data) return false;
  return e.ops == Engine::Ops::Real;
}

Engine* find_matching_engine(Utrace& u, std::uint32_t flags, const EngineOps* ops, std::uint64_t data) {
  for (Engine* e : u.attached)
    if (engine_matches(*e, flags, ops, data)) return e;
  for (Engine* e : u.attaching)
    if (engine_matches(*e, flags, ops, data)) return e;
  return nullptr;
}

// utrace_task_alloc(): installed under task_lock; the loser of a race frees its copy.
void utrace_task_alloc(Kernel& k, Task& task) {
  if (task.utrace) return;
  k.utraces.push_back(std::make_unique<Utrace>());
  Utrace& u = *k.utraces.back();
  u.lock.set_id(obj(task, Field::utrace_lock));
  task.utrace = &u;
}

// utrace_add_engine(): EXCLUSIVE check, the first-engine handshake with
// release_task() (R6), then the tail of `attaching` and pending_attach.
sim::Co<int> utrace_add_engine(Kernel& k, Task& target, Engine& e, std::uint32_t flags,
                               const EngineOps* ops, std::uint64_t data) {
  Utrace& u = U(target);
  co_await u.lock.lock("utrace_add_engine");
  int ret = 0;
  if ((flags & UTRACE_ATTACH_EXCLUSIVE) && find_matching_engine(u, flags, ops, data)) {
    ret = -EEXIST;
  } else if (!target.utrace_flags) {
    // In case we had no engines before, make utrace_flags non-zero.  The
    // smp_mb() pairs with tracehook_prepare_release_task(): either it sees
    // utrace_flags != 0, or we see EXIT_DEAD (R6).
    co_await wr(target, Field::utrace_flags, "utrace_add_engine");
    set_utrace_flags(k, target, EVENT_REAP);
    if (!has_race(k, 6)) {
      co_await rd(target, Field::exit_state, "utrace_add_engine");
      if (target.exit_state == EXIT_DEAD) {
        set_utrace_flags(k, target, 0);
        ret = -ESRCH;
      }
    }
  }
  if (!ret) {
    e.on_list = true;
    if (has_race(k, 1)) {
      // R1 (the V1 design): straight onto `attached`, which the task may be
      // walking right now, with a report pass requested as V1 did.
      checks(k).list_change(target, "utrace_add_engine (R1)");
      u.attached.push_back(&e);
      if (u.resume > UTRACE_REPORT) {
        set_resume(k, target, UTRACE_REPORT);
        set_notify_resume(k, target);
      }
    } else {
      // The tail of `attaching`: the task splices it at its next report, so
      // the new engine never sees the event being reported now (G3).
      u.attaching.push_back(&e);
      co_await wr(target, Field::pending_attach, "utrace_add_engine");
      if (!u.pending_attach) trace_state(k, target, UField::pending_attach, 0, 1);
      u.pending_attach = true;
    }
    checks(k).engine_attached(e, target);
  }
  u.lock.unlock();
  co_return ret;
}

}  // namespace

sim::Co<AttachResult> utrace_attach_task(Kernel& k, Task& cur, Task* target, std::uint32_t flags,
                                         EngineOps* ops, std::uint64_t data) {
  AttachResult r;
  if (!target) {
    r.err = ESRCH;  // utrace_attach_pid(): no such task
    co_return r;
  }
  if (!(flags & UTRACE_ATTACH_CREATE)) {
    // Lookup.
    if (!target->utrace) {
      r.err = ENOENT;
      co_return r;
    }
    Utrace& u = U(*target);
    co_await u.lock.lock("utrace_attach_task");
    r.engine = find_matching_engine(u, flags, ops, data);
    if (r.engine) utrace_engine_get(k, *r.engine);
    u.lock.unlock();
    if (!r.engine) r.err = ENOENT;
    co_return r;
  }
  if (!ops || ops == &utrace_detached_ops()) {
    r.err = EINVAL;
    co_return r;
  }
  if (target->flags & PF_KTHREAD) {  // "Silly kernel, utrace is for users!"
    r.err = EPERM;
    co_return r;
  }
  if (v2(k)) {
    // utrace_attach_delay(): wait until the creator's report_clone is over,
    // unless we are that creator (§5.6).
    const bool creator = cur.utrace && cur.utrace->cloning == target;
    while ((target->flags & PF_STARTING) && !creator) {
      co_await k.rd(cur, Field::tif, "utrace_attach_delay");
      if (cur.test_tif(TIF_SIGPENDING)) {
        r.err = ERESTARTNOINTR;
        co_return r;
      }
      k.set_task_state(cur, TASK_INTERRUPTIBLE);
      co_await k.schedule_until(cur, k.eng.now() + 1, "utrace_attach_delay");
      k.set_task_state(cur, TASK_RUNNING);
    }
  }
  co_await k.wr(*target, Field::utrace_lock, "utrace_task_alloc");
  utrace_task_alloc(k, *target);

  // A new engine starts with two references: the one returned and the
  // implicit one of being attached (V4: kref_init plus a get on success;
  // the same seen from outside).
  k.engines.push_back(std::make_unique<Engine>());
  Engine& e = *k.engines.back();
  e.kref = 2;
  e.flags = 0;
  e.table = ops;
  e.ops = Engine::Ops::Real;
  e.data = data;
  e.has_release = ops->has_release();
  e.target = target;
  e.id = ++k.next_engine_id;
  const int ret = co_await utrace_add_engine(k, *target, e, flags, ops, data);
  if (ret) {
    // Freed without a release call.
    e.freed = true;
    e.kref = 0;
    r.err = -ret;
    co_return r;
  }
  r.engine = &e;
  co_return r;
}

// ---- get_utrace_lock (§3, common helper) -------------------------------------------------------

namespace ut {

sim::Co<int> get_utrace_lock(Kernel& k, Task* target, Engine& e, bool attached) {
  if (e.freed) checks(k).engine_touched(e, "get_utrace_lock");
  // The ops are checked before the task pointer is touched at all (G17).
  co_await rd(e, Field::engine_ops, "get_utrace_lock");
  if (e.ops == Engine::Ops::Null) co_return -ESRCH;
  if (e.ops == Engine::Ops::Detached) co_return attached ? -ESRCH : -ERESTARTSYS;
  if (!target || !target->utrace) co_return -ESRCH;  // not this engine's task: caller error
  Utrace& u = U(*target);
  co_await u.lock.lock("get_utrace_lock");
  // By the time we got the lock, it may have been reaped or detached.
  if (e.ops == Engine::Ops::Null || e.ops == Engine::Ops::Detached || (v4(k) && u.reap)) {
    const int ret = (!attached && e.ops == Engine::Ops::Detached) ? -ERESTARTSYS : -ESRCH;
    u.lock.unlock();
    co_return ret;
  }
  co_return 0;
}

}  // namespace ut

// ---- utrace_set_events (§3.3) ---------------------------------------------------------------

sim::Co<int> utrace_set_events(Kernel& k, Task& cur, Task* target, Engine& e, unsigned long events) {
  checks(k).api_start(&e);
  // The internal bit is ignored, so callers can seed from engine->flags.
  events &= ~ENGINE_STOP;
  int ret = co_await get_utrace_lock(k, target, e, true);
  if (ret) {
    checks(k).api_return(cur, &e, Api::set_events, events, ret);
    co_return ret;
  }
  Task& t = *target;
  Utrace& u = U(t);
  const unsigned long old_utrace_flags = t.utrace_flags;
  const unsigned long old_flags = e.flags & ~ENGINE_STOP;
  const unsigned long added = events & ~old_flags;
  const unsigned long removed = old_flags & ~events;
  ret = -EALREADY;
  bool refused = false;

  co_await rd(t, Field::exit_state, "utrace_set_events");
  if (v4(k)) {
    // If utrace_report_death() is already in progress, too late to clear.
    refused = (removed & _UTRACE_DEATH_EVENTS) && u.death;
  } else {
    refused = t.exit_state && ((added & _UTRACE_DEATH_EVENTS) ||
                               (u.death && (removed & _UTRACE_DEATH_EVENTS)) ||
                               (u.reap && (removed & EVENT_REAP)));
  }
  // New DEATH/QUIESCE bits must be published before exit_notify() can pass
  // tracehook_report_death(): under tasklist_lock, and only while exit_state
  // is still 0 (R8).
  const unsigned long new_for_death = v4(k) ? added : (events & ~old_utrace_flags);
  if (!refused && (new_for_death & _UTRACE_DEATH_EVENTS)) {
    if (has_race(k, 8)) {
      co_await wr(t, Field::utrace_flags, "utrace_set_events (R8)");
      set_utrace_flags(k, t, t.utrace_flags | events);
    } else {
      co_await k.tasklist_lock.lock("utrace_set_events");
      if (t.exit_state)
        refused = true;
      else
        set_utrace_flags(k, t, t.utrace_flags | events);
      k.tasklist_lock.unlock();
    }
  }
  if (!refused) {
    co_await wr(e, Field::engine_flags, "utrace_set_events");
    set_engine_flags(k, e, events | (e.flags & ENGINE_STOP));
    checks(k).events_set(e, old_flags, events);
    co_await wr(t, Field::utrace_flags, "utrace_set_events");
    set_utrace_flags(k, t, t.utrace_flags | events);
    if ((events & UTRACE_EVENT_SYSCALL) && !(old_utrace_flags & UTRACE_EVENT_SYSCALL))
      t.set_tif(TIF_SYSCALL_TRACE);
    ret = 0;
    const bool stopped = v2(k) ? u.stopped : (t.state & (__TASK_STOPPED | __TASK_TRACED)) != 0;
    if (removed && &t != &cur && !stopped && !t.exit_state) {
      // The barrier pairs with start_callback(): if the task has not reached
      // finish_callback() yet, it may be inside a callback to this engine.
      co_await rd(t, Field::reporting, "utrace_set_events");
      if (u.reporting == &e && !has_race(k, 4)) ret = -EINPROGRESS;
    }
  }
  u.lock.unlock();
  checks(k).api_return(cur, &e, Api::set_events, events, ret);
  co_return ret;
}

// ---- utrace_control (§3.4) --------------------------------------------------------------------

namespace {

// utrace_control_dead(): a dead task can only be detached, and not once the
// final reports have begun.
int utrace_control_dead(Utrace& u, std::uint32_t action) {
  if (action != UTRACE_DETACH || u.reap) return -ESRCH;
  if (u.death) return -EALREADY;  // report_death may already have begun
  return 0;
}

}  // namespace

sim::Co<int> utrace_control(Kernel& k, Task& cur, Task* target, Engine& e, std::uint32_t action) {
  checks(k).api_start(&e);
  auto done = [&](int ret) {
    checks(k).api_return(cur, &e, Api::control, action, ret);
    return ret;
  };
  if (action >= UTRACE_RESUME_MAX) co_return done(-EINVAL);  // WARN
  // A request that relies on a follow-up callback needs QUIESCE (WARN).
  if (action >= UTRACE_REPORT && action < UTRACE_RESUME && !(e.flags & EVENT_QUIESCE))
    co_return done(-EINVAL);
  int ret = co_await get_utrace_lock(k, target, e, true);
  if (ret) co_return done(ret);
  Task& t = *target;
  Utrace& u = U(t);

  co_await rd(t, Field::state, "utrace_control");
  bool reset = v2(k) ? u.stopped : (t.state & __TASK_TRACED) != 0;
  ret = 0;
  if (t.exit_state) {
    ret = utrace_control_dead(u, action);
    if (ret) {
      u.lock.unlock();
      co_return done(ret);
    }
    reset = true;
  }

  switch (action) {
    case UTRACE_STOP:
      mark_engine_wants_stop(k, t, e);
      if (!reset) {
        const bool stopped = co_await utrace_do_stop(k, t);
        if (!stopped) ret = -EINPROGRESS;
      }
      reset = false;  // a STOP never resumes anything
      break;

    case UTRACE_DETACH:
      // Only the whole bit can be cleared; the other engines' wishes are
      // recomputed by the next utrace_reset().
      if (engine_wants_stop(e)) {
        co_await wr(t, Field::utrace_flags, "utrace_control");
        set_utrace_flags(k, t, t.utrace_flags & ~ENGINE_STOP);
      }
      co_await mark_engine_detached(k, e);
      if (!reset) reset = co_await utrace_do_stop(k, t);
      if (!reset) {
        // As in utrace_set_events(): we may be in the middle of a callback.
        co_await rd(t, Field::reporting, "utrace_control");
        if (u.reporting == &e && !has_race(k, 4)) ret = -EINPROGRESS;
      }
      break;

    case UTRACE_RESUME:
      clear_engine_wants_stop(k, e);
      if (v2(k) && reset) t.clear_tif(TIF_SINGLESTEP);  // V2: user_disable_single_step() right away
      break;

    case UTRACE_BLOCKSTEP:
    case UTRACE_SINGLESTEP:
    case UTRACE_REPORT:
      // x86 has single-step and block-step: -EOPNOTSUPP cannot happen.
      if (v2(k) && action != UTRACE_REPORT) {
        // V2 stepped a stopped target right away and refused a running one.
        if (!reset) {
          ret = -EAGAIN;
          break;
        }
        clear_engine_wants_stop(k, e);
        t.set_tif(TIF_SINGLESTEP);  // user_enable_{single,block}_step()
        break;
      }
      // Make the thread call tracehook_notify_resume() soon; not needed if
      // it was already interrupted (utrace_get_signal() reports soon).
      clear_engine_wants_stop(k, e);
      if (action < u.resume) {
        co_await wr(t, Field::resume, "utrace_control");
        set_resume(k, t, action);
        set_notify_resume(k, t);
      }
      break;

    case UTRACE_INTERRUPT:
      // Make the thread call tracehook_get_signal() soon.
      clear_engine_wants_stop(k, e);
      if (u.resume == UTRACE_INTERRUPT) break;
      co_await wr(t, Field::resume, "utrace_control");
      set_resume(k, t, UTRACE_INTERRUPT);
      if (reset) {
        // Stopped: it goes through utrace_get_signal() when woken anyway.
        t.set_tif(TIF_SIGPENDING);
      } else if (!t.released) {
        // siglock serialises this with the task's recalc_sigpending() (R11).
        co_await t.sighand->siglock.lock("utrace_control");
        k.signal_wake_up(t, false);
        t.sighand->siglock.unlock();
      }
      break;
  }

  // Let the thread resume running; if it is not stopped, nothing more to do.
  if (reset)
    (void)co_await utrace_reset(k, t);
  else
    u.lock.unlock();
  co_return done(ret);
}

// ---- utrace_barrier (§3.5) ----------------------------------------------------------------------

sim::Co<int> utrace_barrier(Kernel& k, Task& cur, Task* target, Engine& e) {
  checks(k).api_start(&e);
  if (target == &cur) {
    checks(k).api_return(cur, &e, Api::barrier, 0, 0);
    co_return 0;
  }
  int ret = -ERESTARTSYS;
  for (;;) {
    const int err = co_await get_utrace_lock(k, target, e, false);
    if (err) {
      ret = err;
      if (ret != -ERESTARTSYS) break;
    } else {
      // Every engine state change is made with the lock held; with it, only
      // a callback in progress can still be running.
      co_await rd(*target, Field::reporting, "utrace_barrier");
      if (U(*target).reporting != &e) ret = 0;
      U(*target).lock.unlock();
      if (!ret) break;
    }
    // schedule_timeout_interruptible(1): a polling loop, not a wait queue.
    k.set_task_state(cur, TASK_INTERRUPTIBLE);
    co_await k.schedule_until(cur, k.eng.now() + 1, "utrace_barrier");
    k.set_task_state(cur, TASK_RUNNING);
    co_await k.rd(cur, Field::tif, "utrace_barrier");
    if (cur.test_tif(TIF_SIGPENDING)) {
      ret = -ERESTARTSYS;
      break;
    }
  }
  checks(k).api_return(cur, &e, Api::barrier, 0, ret);
  co_return ret;
}

// ---- utrace_prepare_examine / utrace_finish_examine (§3.6) ----------------------------------------

namespace {

// wait_task_inactive(): wait until the task is off its CPU; 0 unless it is
// still in `state`, else its context-switch count.
// While the task is still on its way off the CPU, the kernel spins, then
// sleeps a tick at a time (schedule_hrtimeout()); utsim sleeps a tick, so
// that no schedule can spin here forever.
sim::Co<std::uint64_t> wait_task_inactive(Kernel& k, Task& cur, Task& p, unsigned state) {
  while (p.on_cpu && p.state == state && !p.thread_done) {
    k.set_task_state(cur, TASK_UNINTERRUPTIBLE);
    co_await k.schedule_until(cur, k.eng.now() + 1, "wait_task_inactive");
    k.set_task_state(cur, TASK_RUNNING);
  }
  if (p.state != state) co_return 0;
  co_return p.nvcsw | (std::uint64_t{1} << 63);
}

}  // namespace

sim::Co<int> utrace_prepare_examine(Kernel& k, Task& cur, Task* target, Engine& e) {
  checks(k).api_start(&e);
  int ret = 0;
  if (target == &cur) {
    e.exam_valid = false;
  } else if (!engine_wants_stop(e)) {
    ret = -EINVAL;
  } else if (!target || target->exit_state) {
    ret = -ESRCH;
  } else {
    co_await k.rd(*target, Field::state, "utrace_prepare_examine");
    e.exam_state = target->state;
    if (e.exam_state == TASK_RUNNING) {
      ret = -EAGAIN;
    } else {
      e.exam_ncsw = co_await wait_task_inactive(k, cur, *target, e.exam_state);
      e.exam_valid = true;
      if (!e.exam_ncsw) ret = -EAGAIN;
    }
  }
  checks(k).api_return(cur, &e, Api::prepare_examine, 0, ret);
  co_return ret;
}

sim::Co<int> utrace_finish_examine(Kernel& k, Task& cur, Task* target, Engine& e) {
  checks(k).api_start(&e);
  int ret = 0;
  if (target == &cur) {
  } else if (!engine_wants_stop(e)) {
    ret = -EINVAL;
  } else if (!target || !e.exam_valid || target->state != e.exam_state) {
    ret = -EAGAIN;
  } else {
    const std::uint64_t ncsw = co_await wait_task_inactive(k, cur, *target, e.exam_state);
    if (ncsw != e.exam_ncsw) ret = -EAGAIN;  // it ran in between: spurious wake-up or sudden death
  }
  checks(k).api_return(cur, &e, Api::finish_examine, 0, ret);
  co_return ret;
}

}  // namespace model
