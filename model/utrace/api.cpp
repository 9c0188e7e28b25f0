// model/utrace/api.cpp: the utrace API of kernel/utrace.c (utrace-semantics.md
// §3): utrace_attach_task, utrace_set_events, utrace_control, utrace_barrier,
// utrace_prepare_examine and utrace_finish_examine.
//
// Each API entry is traced as its callers see it (a utsim_utrace_api event
// on return, and the observers' api_start/api_return) around a body that
// reads like the kernel function, with the kernel's returns: do_<name>().
// Baseline is V3 (2010-rhel6); a version's difference or a race switched
// back on is tested right where the code differs.
#include <algorithm>

#include <fmt/format.h>

#include "model/ptrace/ptrace.h"
#include "model/utrace/internal.h"

namespace model {

using namespace ut;

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
  u.lock.set_class(lock_classes().utrace_lock);
  u.reporting.bind(obj(task, Field::reporting), traced_as(UField::reporting));
  u.resume.bind(obj(task, Field::resume), traced_as(UField::resume));
  u.pending_attach.bind(obj(task, Field::pending_attach), traced_as(UField::pending_attach));
  // The lockless sides of the barrier pairs (model/memory/store_buffers.h).
  u.reporting.set_weak();
  u.resume.set_weak();
  u.pending_attach.set_weak();
  u.freeze_stop.bind(obj(task, Field::freeze_stop), traced_as(UField::freeze_stop));
  u.signal_handler.bind(obj(task, Field::utrace_bits), traced_as(UField::signal_handler));
  u.vfork_stop.bind(obj(task, Field::utrace_bits), traced_as(UField::vfork_stop));
  u.death.bind(obj(task, Field::utrace_bits), traced_as(UField::death));
  u.reap.bind(obj(task, Field::utrace_bits), traced_as(UField::reap));
  u.stopped.bind(obj(task, Field::utrace_bits), traced_as(UField::stopped));
  u.report.bind(obj(task, Field::utrace_bits), traced_as(UField::report));
  u.interrupt.bind(obj(task, Field::utrace_bits), traced_as(UField::interrupt));
  smp_wmb();  // pairs with the smp_rmb() in task_utrace_struct()
  task.utrace.set(&u, "utrace_task_alloc");
}

// utrace_add_engine(): EXCLUSIVE check, the first-engine handshake with
// release_task() (R6), then the tail of `attaching` and pending_attach.
sim::Co<int> utrace_add_engine(Kernel& k, Task& target, Engine& e, std::uint32_t flags, const EngineOps* ops,
                               std::uint64_t data) {
  Utrace& u = U(target);
  co_await u.lock.lock("utrace_add_engine");
  int ret = 0;
  const sim::Keep keep(co_await sim::this_frame, ret);
  if ((flags & UTRACE_ATTACH_EXCLUSIVE) && find_matching_engine(u, flags, ops, data)) {
    ret = -EEXIST;
  } else if (!target.utrace_flags) {
    // In case we had no engines before, make utrace_flags non-zero.  The
    // smp_mb() pairs with tracehook_prepare_release_task(): either it sees
    // utrace_flags != 0, or we see EXIT_DEAD (R6).
    co_await WRITE_ONCE(target.utrace_flags, EVENT_REAP, "utrace_add_engine");
    if (!has_race(k, R6)) {
      if (!has_switch(k, Switch::NoMbAddEngine)) smp_mb();
      const int exit_state = co_await READ_ONCE(target.exit_state, "utrace_add_engine");
      if (exit_state == EXIT_DEAD) {
        target.utrace_flags.set(0);
        ret = -ESRCH;
      }
    }
  }
  if (!ret) {
    e.on_list = true;
    if (has_race(k, R1)) {
      // R1 (the V1 design): straight onto `attached`, which the task may be
      // walking right now, with a report pass requested as V1 did.
      hooks(k).list_change(target, "utrace_add_engine (R1)");
      u.attached.push_back(&e);
      if (v2(k)) {
        if (!u.report && !u.interrupt) {
          u.report.set(true);
          set_notify_resume(k, target);
        }
      } else if (u.resume > UTRACE_REPORT) {
        u.resume.set(UTRACE_REPORT);
        set_notify_resume(k, target);
      }
    } else {
      // The tail of `attaching`: the task splices it at its next report, so
      // the new engine never sees the event being reported now (G3).
      u.attaching.push_back(&e);
      co_await WRITE_ONCE(u.pending_attach, true, "utrace_add_engine");
    }
    hooks(k).engine_attached(e, target);
  }
  u.lock.unlock();
  co_return ret;
}

}  // namespace

// utrace_attach_task(): a new engine, or the lookup of one (§3.1).
static sim::Co<AttachResult> do_utrace_attach_task(Kernel& k, Task& cur, Task* target, std::uint32_t flags,
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
    const sim::Keep keep(co_await sim::this_frame, creator);
    while ((target->flags & PF_STARTING) && !creator) {
      const unsigned long tif = co_await READ_ONCE(cur.tif, "utrace_attach_delay");
      if (tif & tif_bit(TIF_SIGPENDING)) {
        r.err = ERESTARTNOINTR;
        co_return r;
      }
      k.set_task_state(cur, TASK_INTERRUPTIBLE);
      co_await k.schedule_until(cur, k.eng.now() + 1, "utrace_attach_delay");
      k.set_task_state(cur, TASK_RUNNING);
    }
  }
  co_await target->utrace.write_point("utrace_task_alloc");  // task_lock(), modelled by one step
  utrace_task_alloc(k, *target);

  // A new engine starts with two references: the one returned and the
  // implicit one of being attached (V4: kref_init plus a get on success;
  // the same seen from outside).
  k.engines.push_back(std::make_unique<Engine>());
  Engine& e = *k.engines.back();
  e.kref.init(2);
  e.table = ops;
  e.data = data;
  e.has_release = ops->has_release();
  e.target = target;
  e.id = ++k.next_engine_id;
  e.kref.bind(obj(e, Field::engine_ref));
  e.ops.bind(obj(e, Field::engine_ops), traced_as(UField::engine_ops));
  e.flags.bind(obj(e, Field::engine_flags), traced_as(UField::engine_flags));
  e.ops.set_weak();  // mark_engine_detached() against start_callback() (R5)
  e.flags.set_weak();
  const sim::Keep keep(co_await sim::this_frame, e);
  const int ret = co_await utrace_add_engine(k, *target, e, flags, ops, data);
  if (ret) {
    // Freed without a release call.
    e.freed = true;
    e.kref.init(0);
    r.err = -ret;
    co_return r;
  }
  r.engine = &e;
  co_return r;
}

// ---- get_utrace_lock (§3, common helper) -------------------------------------------------------

namespace ut {

sim::Co<int> get_utrace_lock(Kernel& k, Task* target, Engine& e, bool attached) {
  if (e.freed) hooks(k).engine_touched(e, "get_utrace_lock");
  // The ops are checked before the task pointer is touched at all (G17).
  const Engine::Ops ops = co_await READ_ONCE(e.ops, "get_utrace_lock");
  if (ops == Engine::Ops::Null) co_return -ESRCH;
  if (ops == Engine::Ops::Detached) co_return attached ? -ESRCH : -ERESTARTSYS;
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

static sim::Co<int> do_utrace_set_events(Kernel& k, Task& cur, Task* target, Engine& e, unsigned long events) {
  // The internal bit is ignored, so callers can seed from engine->flags.
  events &= ~ENGINE_STOP;
  int ret = co_await get_utrace_lock(k, target, e, true);
  if (ret) co_return ret;
  Task& t = *target;
  Utrace& u = U(t);
  const unsigned long old_utrace_flags = t.utrace_flags;
  const unsigned long old_flags = e.flags & ~ENGINE_STOP;
  const unsigned long added = events & ~old_flags;
  const unsigned long removed = old_flags & ~events;
  ret = -EALREADY;
  bool refused = false;
  const sim::Keep keep(co_await sim::this_frame, ret, old_utrace_flags, old_flags, refused);

  const int exit_state = co_await READ_ONCE(t.exit_state, "utrace_set_events");
  if (v4(k)) {
    // If utrace_report_death() is already in progress, too late to clear.
    refused = (removed & _UTRACE_DEATH_EVENTS) && u.death;
  } else {
    refused = exit_state && ((added & _UTRACE_DEATH_EVENTS) || (u.death && (removed & _UTRACE_DEATH_EVENTS)) ||
                             (u.reap && (removed & EVENT_REAP)));
  }
  // New DEATH/QUIESCE bits must be published before exit_notify() can pass
  // tracehook_report_death(): under tasklist_lock, and only while exit_state
  // is still 0 (R8).
  const unsigned long new_for_death = v4(k) ? added : (events & ~old_utrace_flags);
  if (!refused && (new_for_death & _UTRACE_DEATH_EVENTS)) {
    if (has_race(k, R8)) {
      co_await t.utrace_flags.write_point("utrace_set_events (R8)");
      t.utrace_flags.set(t.utrace_flags | events);
    } else {
      co_await k.tasklist_lock.lock("utrace_set_events");
      if (t.exit_state)
        refused = true;
      else
        t.utrace_flags.set(t.utrace_flags | events);
      k.tasklist_lock.unlock();
    }
  }
  if (!refused) {
    co_await e.flags.write_point("utrace_set_events");
    e.flags.set(events | (e.flags & ENGINE_STOP));
    hooks(k).events_set(e, old_flags, events);
    co_await t.utrace_flags.write_point("utrace_set_events");
    t.utrace_flags.set(t.utrace_flags | events);
    if ((events & UTRACE_EVENT_SYSCALL) && !(old_utrace_flags & UTRACE_EVENT_SYSCALL)) t.set_tif(TIF_SYSCALL_TRACE);
    ret = 0;
    // V2: utrace->stopped; V3: task_is_stopped_or_traced(); V4 (linux-3.1
    // kernel/utrace.c:605-607, utrace_set_events()): task_is_utraced() only, so a
    // job-control stop no longer counts as stopped here.
    bool stopped;
    if (v2(k))
      stopped = u.stopped;
    else if (v4(k))
      stopped = (t.state & __TASK_UTRACED) != 0;
    else
      stopped = (t.state & (__TASK_STOPPED | __TASK_TRACED)) != 0;
    if (removed && &t != &cur && !stopped && !t.exit_state) {
      // The barrier pairs with start_callback(): if the task has not reached
      // finish_callback() yet, it may be inside a callback to this engine.
      if (!has_switch(k, Switch::NoMbSetEvents)) smp_mb();
      if (co_await READ_ONCE(u.reporting, "utrace_set_events") == &e && !has_race(k, R4)) ret = -EINPROGRESS;
    }
  }
  u.lock.unlock();
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

static sim::Co<int> do_utrace_control(Kernel& k, Task* target, Engine& e, std::uint32_t action) {
  if (action >= UTRACE_RESUME_MAX) co_return -EINVAL;  // WARN
  // A request that relies on a follow-up callback needs QUIESCE (WARN).
  if (action >= UTRACE_REPORT && action < UTRACE_RESUME && !(e.flags & EVENT_QUIESCE)) co_return -EINVAL;
  int ret = co_await get_utrace_lock(k, target, e, true);
  if (ret) co_return ret;
  Task& t = *target;
  Utrace& u = U(t);

  const unsigned state = co_await READ_ONCE(t.state, "utrace_control");
  bool reset = utrace_stopped(k, u, state);
  ret = 0;
  const sim::Keep keep(co_await sim::this_frame, ret, reset);
  if (t.exit_state) {
    ret = utrace_control_dead(u, action);
    if (ret) {
      u.lock.unlock();
      co_return ret;
    }
    reset = true;
  }

  switch (action) {
    case UTRACE_STOP:
      mark_engine_wants_stop(t, e);
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
        co_await t.utrace_flags.write_point("utrace_control");
        t.utrace_flags.set(t.utrace_flags & ~ENGINE_STOP);
      }
      co_await mark_engine_detached(e);
      if (!reset) reset = co_await utrace_do_stop(k, t);
      if (!reset) {
        // As in utrace_set_events(): we may be in the middle of a callback.
        if (!has_switch(k, Switch::NoMbControl)) smp_mb();  // pairs with start_callback()
        if (co_await READ_ONCE(u.reporting, "utrace_control") == &e && !has_race(k, R4)) ret = -EINPROGRESS;
      }
      break;

    case UTRACE_RESUME:
      clear_engine_wants_stop(e);
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
        clear_engine_wants_stop(e);
        t.set_tif(TIF_SINGLESTEP);  // user_enable_{single,block}_step()
        break;
      }
      // Make the thread call tracehook_notify_resume() soon; not needed if
      // it was already interrupted (utrace_get_signal() reports soon).
      clear_engine_wants_stop(e);
      if (v2(k)) {
        // V2: one `report` bit, not set again while an interrupt is owed.
        if (!u.report && !u.interrupt) {
          co_await WRITE_ONCE(u.report, true, "utrace_control");
          set_notify_resume(k, t);
        }
      } else if (action < u.resume) {
        co_await WRITE_ONCE(u.resume, action, "utrace_control");
        set_notify_resume(k, t);
      }
      break;

    case UTRACE_INTERRUPT:
      // Make the thread call tracehook_get_signal() soon.
      clear_engine_wants_stop(e);
      if (v2(k)) {
        if (u.interrupt) break;
        co_await WRITE_ONCE(u.interrupt, true, "utrace_control");
      } else {
        if (u.resume == UTRACE_INTERRUPT) break;
        co_await WRITE_ONCE(u.resume, UTRACE_INTERRUPT, "utrace_control");
      }
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
  co_return ret;
}

// ---- utrace_barrier (§3.5) ----------------------------------------------------------------------

static sim::Co<int> do_utrace_barrier(Kernel& k, Task& cur, Task* target, Engine& e) {
  if (target == &cur) co_return 0;
  int ret = -ERESTARTSYS;
  const sim::Keep keep(co_await sim::this_frame, ret);
  for (;;) {
    const int err = co_await get_utrace_lock(k, target, e, false);
    if (err) {
      ret = err;
      if (ret != -ERESTARTSYS) break;
    } else {
      // Every engine state change is made with the lock held; with it, only
      // a callback in progress can still be running.
      if (co_await READ_ONCE(U(*target).reporting, "utrace_barrier") != &e) ret = 0;
      U(*target).lock.unlock();
      if (!ret) break;
    }
    // schedule_timeout_interruptible(1): a polling loop, not a wait queue.
    k.set_task_state(cur, TASK_INTERRUPTIBLE);
    co_await k.schedule_until(cur, k.eng.now() + 1, "utrace_barrier");
    k.set_task_state(cur, TASK_RUNNING);
    if (co_await READ_ONCE(cur.tif, "utrace_barrier") & tif_bit(TIF_SIGPENDING)) {
      ret = -ERESTARTSYS;
      break;
    }
  }
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

static sim::Co<int> do_utrace_prepare_examine(Kernel& k, Task& cur, Task* target, Engine& e) {
  int ret = 0;
  if (target == &cur) {
    e.exam_valid = false;
  } else if (!engine_wants_stop(e)) {
    ret = -EINVAL;
  } else if (!target || target->exit_state) {
    ret = -ESRCH;
  } else {
    e.exam_state = co_await READ_ONCE(target->state, "utrace_prepare_examine");
    if (e.exam_state == TASK_RUNNING) {
      ret = -EAGAIN;
    } else {
      e.exam_ncsw = co_await wait_task_inactive(k, cur, *target, e.exam_state);
      e.exam_valid = true;
      if (!e.exam_ncsw) ret = -EAGAIN;
    }
  }
  co_return ret;
}

static sim::Co<int> do_utrace_finish_examine(Kernel& k, Task& cur, Task* target, Engine& e) {
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
  co_return ret;
}

// ---- the API entries: traced around the bodies above -----------------------------------------

int UtraceApiReturn::operator()(int ret) const {
  k->emit(Ev::utrace_api, cur->pid, e ? e->id : 0, static_cast<int>(call), static_cast<std::int64_t>(arg), ret);
  hooks(*k).api_return(*cur, target, e, call, arg, ret);
  return ret;
}

AttachResult UtraceApiReturn::operator()(AttachResult r) const {
  UtraceApiReturn{k, cur, target, r.engine, call, arg}(r.engine ? 0 : -r.err);
  return r;
}

UtraceCall<AttachResult> utrace_attach_task(Kernel& k, Task& cur, Task* target, std::uint32_t flags, EngineOps* ops,
                                            std::uint64_t data) {
  hooks(k).api_start(nullptr);
  return {do_utrace_attach_task(k, cur, target, flags, ops, data), {&k, &cur, target, nullptr, Api::attach, flags}};
}

UtraceCall<int> utrace_set_events(Kernel& k, Task& cur, Task* target, Engine& e, unsigned long events) {
  hooks(k).api_start(&e);
  return {do_utrace_set_events(k, cur, target, e, events),
          {&k, &cur, target, &e, Api::set_events, events & ~ENGINE_STOP}};
}

UtraceCall<int> utrace_control(Kernel& k, Task& cur, Task* target, Engine& e, std::uint32_t action) {
  hooks(k).api_start(&e);
  return {do_utrace_control(k, target, e, action), {&k, &cur, target, &e, Api::control, action}};
}

UtraceCall<int> utrace_barrier(Kernel& k, Task& cur, Task* target, Engine& e) {
  hooks(k).api_start(&e);
  return {do_utrace_barrier(k, cur, target, e), {&k, &cur, target, &e, Api::barrier, 0}};
}

UtraceCall<int> utrace_prepare_examine(Kernel& k, Task& cur, Task* target, Engine& e) {
  hooks(k).api_start(&e);
  return {do_utrace_prepare_examine(k, cur, target, e), {&k, &cur, target, &e, Api::prepare_examine, 0}};
}

UtraceCall<int> utrace_finish_examine(Kernel& k, Task& cur, Task* target, Engine& e) {
  hooks(k).api_start(&e);
  return {do_utrace_finish_examine(k, cur, target, e), {&k, &cur, target, &e, Api::finish_examine, 0}};
}

}  // namespace model
