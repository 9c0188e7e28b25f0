#include "model/checks/utrace_checks.h"

#include "sim/hash.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace model::ut {

Checks::TaskInfo& Checks::task(const Task& t) {
  if (tasks_.size() <= static_cast<std::size_t>(t.idx)) tasks_.resize(t.idx + 1);
  return tasks_[static_cast<std::size_t>(t.idx)];
}

// The engine's record if the checkers have one: engine() would add a record,
// which the state hash counts.
Checks::EngineInfo* Checks::recorded(const Engine& e) {
  if (!e.id || static_cast<std::size_t>(e.id) >= engines_.size()) return nullptr;
  return &engines_[static_cast<std::size_t>(e.id)];
}

Checks::EngineInfo& Checks::engine(const Engine& e) {
  if (engines_.size() <= static_cast<std::size_t>(e.id)) engines_.resize(e.id + 1);
  return engines_[static_cast<std::size_t>(e.id)];
}

namespace {

// The event a callback reports, for disabled-callback.
unsigned long event_of(const CallbackArgs& a) {
  switch (a.cb) {
    case Callback::report_quiesce: return ev(_UTRACE_EVENT_QUIESCE);
    case Callback::report_reap: return ev(_UTRACE_EVENT_REAP);
    case Callback::report_clone: return ev(_UTRACE_EVENT_CLONE);
    case Callback::report_exec: return ev(_UTRACE_EVENT_EXEC);
    case Callback::report_exit: return ev(_UTRACE_EVENT_EXIT);
    case Callback::report_death: return ev(_UTRACE_EVENT_DEATH);
    case Callback::report_syscall_entry: return ev(_UTRACE_EVENT_SYSCALL_ENTRY);
    case Callback::report_syscall_exit: return ev(_UTRACE_EVENT_SYSCALL_EXIT);
    // The signal pass calls report_signal for the signal's event or for
    // QUIESCE; a report with no signal only for QUIESCE.
    case Callback::report_signal: return a.event | ev(_UTRACE_EVENT_QUIESCE);
    case Callback::report_jctl: return ev(_UTRACE_EVENT_JCTL);
    case Callback::release:
    case Callback::kCount: break;
  }
  return ~0UL;
}

// "&utrace->lock (taken in utrace_maybe_reap at step 12)", for each lock held.
std::string held_text(const sim::HeldStack& hs) {
  std::string s;
  for (std::uint32_t i = 0; i < hs.depth; ++i)
    s += fmt::format("{}{} (taken in {} at step {})", i ? ", " : "", sim::lock_class_name(hs.locks[i].cls),
                     hs.locks[i].where, hs.locks[i].step);
  return s.empty() ? "a spinlock" : s;
}

}  // namespace

// sleep-in-atomic: the kernel's "BUG: sleeping function called from
// invalid context" (might_sleep() in schedule()'s callers) and "scheduling
// while atomic".  The engine lets the task sleep on, holding the lock.
void Checks::sleep_with_locks(sim::Tid t, const char* reason, const sim::HeldStack& held) {
  const Task* task = static_cast<const Task*>(k_.eng.user(t));
  const int pid = task ? task->pid : 0;
  k_.violation(Property::SleepInAtomic, pid,
               fmt::format("BUG: sleeping function called from invalid context: {} sleeps ({}) at step {} holding {}",
                           k_.comm(pid), reason, step(), held_text(held)));
}

// ---- RunObserver ------------------------------------------------------------------------------

// missing-report: an engine whose utrace_control(UTRACE_REPORT) answered 0
// before this moment gets its report_quiesce before the task runs user code
// again (§3.4).  Unless it no longer can: detached, or QUIESCE dropped.
void Checks::on_return_to_user(Kernel&, Task& t) {
  const std::uint64_t now = step();
  for (const auto& ep : k_.engines) {
    const Engine& e = *ep;
    EngineInfo* rec = e.target == &t ? recorded(e) : nullptr;
    if (!rec) continue;
    EngineInfo& ei = *rec;
    if (!ei.report_asked || ei.report_asked >= now) continue;
    if (ei.ops_gone || !e.on_list || !(e.flags.get() & EVENT_QUIESCE)) {
      ei.report_asked = 0;
      continue;
    }
    k_.violation(Property::MissingReport, t.pid,
                 fmt::format("{} returned to user mode at step {} without the report (a report_quiesce callback) "
                             "that utrace_control({}, UTRACE_REPORT) promised at step {} (§3.4)",
                             k_.comm(t.pid), now, name(e), ei.report_asked));
    ei.report_asked = 0;
  }
}

void Checks::on_user_step(Kernel&, Task& t) {
  TaskInfo& ti = task(t);
  if (ti.stopped)
    k_.violation(Property::RunWhileStopped, t.pid,
                 fmt::format("{} ran user code at step {} while stopped by UTRACE_STOP since step {} (G11)",
                             k_.comm(t.pid), step(), ti.stopped_at));
  if (ti.sigkilled)
    k_.violation(Property::SigkillPrimacy, t.pid,
                 fmt::format("{} ran user code at step {} after SIGKILL woke it from a utrace stop (G11, G12)",
                             k_.comm(t.pid), step()));
}

// I2: resume == UTRACE_INTERRUPT needs TIF_SIGPENDING: clearing it now
// loses the report_signal the engine was promised (R11).
void Checks::on_clear_sigpending(Kernel&, Task& t) {
  if (t.utrace && t.utrace->resume == UTRACE_INTERRUPT)
    invariant(t, "I2",
              fmt::format("recalc_sigpending() cleared TIF_SIGPENDING of {} at step {} while "
                          "utrace->resume is UTRACE_INTERRUPT: the promised report is lost (R11)",
                          k_.comm(t.pid), step()));
}

// I9: TASK_TRACED (2011-3x: __TASK_UTRACED) is entered only by utrace_stop()
// or utrace_do_stop(), and left only through utrace_wakeup() or a SIGKILL
// wake-up.
void Checks::on_state_change(Kernel&, Task& t, unsigned before, unsigned after) {
  const unsigned bits = __TASK_TRACED | __TASK_UTRACED;
  const bool was = before & bits, is = after & bits;
  if (was == is || k_.traced_change_permitted()) return;
  if (was && t.pending.signal.has(SIGKILL)) return;  // a fatal-signal wake-up
  invariant(t, "I9",
            fmt::format("{} {} {} outside utrace_stop/utrace_do_stop/utrace_wakeup", k_.comm(t.pid),
                        is ? "entered" : "left", ((before | after) & __TASK_UTRACED) ? "TASK_UTRACED" : "TASK_TRACED"));
}

void Checks::end_of_run(Kernel&, const sim::RunResult&) {
  // stop-without-engine (G18): nobody may be left stopped for nothing.
  for (const auto& tp : k_.tasks) {
    const Task& t = *tp;
    if (t.exit_state || !(t.state & (__TASK_TRACED | __TASK_UTRACED))) continue;
    bool wanted = false;
    if (t.utrace)
      for (const Engine* e : t.utrace->attached)
        if (e->ops == Engine::Ops::Real && (e->flags & ENGINE_STOP)) wanted = true;
    if (!wanted)
      k_.violation(Property::StopWithoutEngine, t.pid,
                   fmt::format("{} is left in {} with no attached engine wanting it stopped "
                               "(G18)",
                               k_.comm(t.pid), (t.state & __TASK_UTRACED) ? "TASK_UTRACED" : "TASK_TRACED"));
  }
  // sigkill-primacy (G12): a pending SIGKILL wakes every stop.
  for (const auto& tp : k_.tasks) {
    const Task& t = *tp;
    if (t.exit_state || t.thread_done || !t.pending.signal.has(SIGKILL)) continue;
    if (t.state & (__TASK_TRACED | __TASK_STOPPED | __TASK_UTRACED))
      k_.violation(
          Property::SigkillPrimacy, t.pid,
          fmt::format("{} has SIGKILL pending but stays in {} (G12)", k_.comm(t.pid), task_state_string(t.state, 0)));
  }
  for (const auto& ep : k_.engines) {
    const Engine& e = *ep;
    if (!e.id) continue;
    const EngineInfo& ei = engine(e);
    // missing-death-report (G5): DEATH enabled, not detached, the task died.
    if (ei.death_wanted && !ei.detach_requested && !ei.got_death && e.target && e.target->thread_done)
      k_.violation(Property::MissingDeathReport, e.target->pid,
                   fmt::format("{} enabled DEATH (utrace_set_events returned 0 at step {}) and did not "
                               "detach, but {} died without report_death (G5, R13)",
                               name(e), ei.death_wanted_at, k_.comm(e.target->pid)));
    // engine-lifetime (G16): an engine still attached to a freed task.
    if (e.ops != Engine::Ops::Null && e.on_list && e.target && e.target->released) {
      const std::uint64_t rearmed = task(*e.target).rearmed_after_reap;
      const std::string why =
          rearmed ? fmt::format(
                        "; utrace_set_events re-armed utrace_flags after the reap teardown at step {}, so "
                        "utrace_add_engine skipped its EXIT_DEAD check",
                        rearmed)
                  : std::string();
      k_.violation(Property::EngineLifetime, e.target->pid,
                   fmt::format("{} is still attached to {}, which release_task() freed: it never gets "
                               "report_reap and its implicit reference leaks (G16, R6){}",
                               name(e), k_.comm(e.target->pid), why));
    }
  }
}

// ---- hooks --------------------------------------------------------------------------------------

// Called by utrace_add_engine() when it links the engine, under utrace->lock.
void Checks::engine_attached(Engine& e, Task&) {
  EngineInfo& ei = engine(e);
  ei.attached_at = step();
  ei.link_seq = ++links_;
}

void Checks::report_begin(Task& t) { task(t).pass_begin = step(); }

void Checks::walk_begin(Task& t, bool reverse) {
  TaskInfo& ti = task(t);
  ti.walking = true;
  ti.reverse = reverse;
  ti.last_engine = 0;
  ti.last_link = 0;
}

void Checks::walk_end(Task& t) { task(t).walking = false; }

void Checks::callback_start(Task& t, Engine& e, const CallbackArgs& a) {
  TaskInfo& ti = task(t);
  EngineInfo& ei = engine(e);
  // missing-report: any callback of the engine is the report pass that
  // UTRACE_REPORT asked for (start_report() consumed the request; an
  // INTERRUPT owed at the same time makes it a report_signal).
  if (a.cb != Callback::release) ei.report_asked = 0;
  const char* cb = callback_name(a.cb);
  const std::uint64_t now = step();
  const int pid = k_.current().pid;

  // callback-with-lock (G1), and sleep-in-atomic: a callback may sleep
  // (kernel/utrace.c finish_callback(): "These are allowed to sleep").
  if (k_.eng.locks_held(k_.eng.current_tid())) {
    const std::string held = held_text(k_.eng.held_locks(k_.eng.current_tid()));
    k_.violation(Property::CallbackWithLock, pid,
                 fmt::format("{} got {} at step {} with {} held (G1)", name(e), cb, now, held));
    k_.violation(Property::SleepInAtomic, pid,
                 fmt::format("{} called {} of {} at step {} holding {}: an engine callback may sleep "
                             "(finish_callback(): \"These are allowed to sleep\")",
                             k_.comm(pid), cb, name(e), now, held));
  }
  if (a.cb != Callback::release && a.cb != Callback::report_reap) {
    // run-while-stopped (G11)
    if (ti.stopped)
      k_.violation(Property::RunWhileStopped, t.pid,
                   fmt::format("{} made {} to {} at step {} while stopped by UTRACE_STOP since step {} (G11)",
                               k_.comm(t.pid), cb, name(e), now, ti.stopped_at));
    // event-before-attach (G3)
    if (ei.attached_at > ti.pass_begin)
      k_.violation(Property::EventBeforeAttach, t.pid,
                   fmt::format("{} got {} at step {} for an event whose report began at step {}, before "
                               "{} was attached at step {} (G3)",
                               name(e), cb, now, ti.pass_begin, name(e), ei.attached_at));
    // callback-order (G2): the order the engines were linked in.
    if (ti.walking) {
      const std::uint64_t seq = ei.link_seq;
      const bool bad = ti.last_link && (ti.reverse ? seq > ti.last_link : seq < ti.last_link);
      if (bad)
        k_.violation(Property::CallbackOrder, t.pid,
                     fmt::format("{} got {} at step {} after e{} in the same pass, although it was "
                                 "linked (attached) {} (G2)",
                                 name(e), cb, now, ti.last_engine, ti.reverse ? "later" : "earlier"));
      ti.last_engine = e.id;
      ti.last_link = seq;
    }
  }
  // callback-after-detach (G7, G9, G10)
  if (a.cb != Callback::release && ei.detach_done && now > ei.detach_done)
    k_.violation(
        Property::CallbackAfterDetach, pid,
        fmt::format("{} got {} at step {} after {} at step {}", name(e), cb, now, ei.detach_how, ei.detach_done));
  // disabled-callback (G8, R4)
  if (ei.has_mask && a.cb != Callback::release && !(event_of(a) & ~ei.disabled))
    k_.violation(Property::DisabledCallback, pid,
                 fmt::format("{} got {} at step {} although utrace_set_events returned 0 at step {} "
                             "with events {} (G8, R4)",
                             name(e), cb, now, ei.mask_at, utrace_events_string(ei.mask)));
  // reap-before-death (G6, R7)
  if (a.cb == Callback::report_reap) {
    if (ei.in_death)
      k_.violation(Property::ReapBeforeDeath, pid,
                   fmt::format("{} got report_reap at step {} while its report_death (step {}) had not "
                               "returned (G6, R7)",
                               name(e), now, ei.death_at));
    // missing-death-report (G5)
    if (ei.death_wanted && !ei.detach_requested && !ei.got_death)
      k_.violation(Property::MissingDeathReport, pid,
                   fmt::format("{} enabled DEATH (utrace_set_events returned 0 at step {}) and did not "
                               "detach, but got report_reap at step {} without report_death (G5, R13)",
                               name(e), ei.death_wanted_at, now));
    ei.got_reap = true;
  }
  if (a.cb == Callback::report_death) {
    if (ei.got_reap)
      k_.violation(Property::ReapBeforeDeath, pid,
                   fmt::format("{} got report_death at step {} after report_reap (G6, R7)", name(e), now));
    ei.got_death = true;
    ei.in_death = true;
    ei.death_at = now;
  }
  // sigkill-primacy (G12)
  if (a.cb == Callback::report_signal && a.info && a.info->signo == SIGKILL)
    k_.violation(Property::SigkillPrimacy, t.pid,
                 fmt::format("{} got report_signal for SIGKILL at step {} (G12)", name(e), now));
}

void Checks::callback_return(Task&, Engine& e, Callback cb, std::uint32_t ret) {
  EngineInfo& ei = engine(e);
  if (cb == Callback::report_death) ei.in_death = false;
  if (cb != Callback::report_reap && cb != Callback::report_death && cb != Callback::release &&
      utrace_resume_action_of(ret) == UTRACE_DETACH && !ei.detach_done) {
    ei.detach_done = step();
    ei.detach_how = fmt::format("its {} returned UTRACE_DETACH", callback_name(cb));
    ei.detach_requested = true;
  }
  if (cb == Callback::report_death && utrace_resume_action_of(ret) == UTRACE_DETACH) ei.detach_requested = true;
}

void Checks::detach_returned(Task&, Engine& e) { engine(e).detach_cb_returned = step(); }

void Checks::null_callback(Task& t, Engine& e, EngineOps* ops, Callback cb) {
  std::string why;
  if (!ops)
    why = fmt::format("{} has NULL ops (already reaped)", name(e));
  else if (!ops->counts())
    why = fmt::format("{} was seen with its old flags and the detached-ops sentinel, which has no {} (R5)", name(e),
                      callback_name(cb));
  else
    why = fmt::format("the ops table '{}' of {} has no {}", ops->name(), name(e), callback_name(cb));
  k_.violation(Property::NullCallback, t.pid,
               fmt::format("{} would call {} through a NULL pointer at step {}: {}", k_.comm(t.pid), callback_name(cb),
                           step(), why));
}

void Checks::api_start(Engine* e) {
  if (e) engine(*e).api_started = step();
}

void Checks::api_return(Task& cur, Task* target, Engine* e, Api call, std::uint64_t arg, int ret) {
  if (!e || !e->id) return;
  EngineInfo& ei = engine(*e);
  const std::uint64_t now = step();
  // utrace_barrier() on current answers 0 before it looks at the engine
  // (§3.5, kernel/utrace.c: `if (target == current) return 0`): a task
  // cannot race with its own callbacks, so the 0 says nothing of a detach.
  const bool barrier_on_self = call == Api::barrier && target == &cur;
  // G10: once an engine has been detached (its ops left the real table
  // before this call started), every call on it answers -ESRCH; the barrier
  // may also say -ERESTARTSYS, never 0.
  if (ei.ops_gone && ei.ops_gone < ei.api_started && call != Api::attach) {
    // utrace_control() checks its arguments before the engine (§3.4): an
    // invalid action is -EINVAL whatever the engine's state.
    const bool ok = ret == -ESRCH || (call == Api::barrier && ret == -ERESTARTSYS) || barrier_on_self ||
                    (call == Api::control && ret == -EINVAL) || call == Api::prepare_examine ||
                    call == Api::finish_examine;
    if (!ok)
      k_.violation(
          Property::CallbackAfterDetach, cur.pid,
          fmt::format("{}({}) returned {} at step {} although {} was detached at step {} (G10)", api_name(call),
                      name(*e), ret ? "-" + errno_name(-ret) : std::string("0"), now, name(*e), ei.ops_gone));
  }
  // G9 (R3): a 0 from the barrier after a callback returned UTRACE_DETACH
  // would mean the DETACH had not taken effect.
  if (call == Api::barrier && !barrier_on_self && ret == 0 && ei.detach_cb_returned &&
      ei.detach_cb_returned < ei.api_started)
    k_.violation(Property::CallbackAfterDetach, cur.pid,
                 fmt::format("utrace_barrier({}) returned 0 at step {} although {}'s callback returned "
                             "UTRACE_DETACH at step {}: the DETACH had not taken effect (G9, R3)",
                             name(*e), now, name(*e), ei.detach_cb_returned));
  switch (call) {
    case Api::control:
      if (arg == UTRACE_DETACH && (ret == 0 || ret == -EINPROGRESS)) {
        ei.detach_requested = true;
        if (ret == 0 && !ei.detach_done) {
          ei.detach_done = now;
          ei.detach_how = "utrace_control(DETACH) returned 0";
        }
        if (ret == -EINPROGRESS) ei.detach_pending = true;
      }
      // missing-report: UTRACE_REPORT answered 0 promises a report_quiesce
      // callback before the task is back in user mode (§3.4; the 2009
      // review's pending_attach question, docs/memory-model.md).
      if (arg == UTRACE_REPORT && ret == 0 && !ei.report_asked) ei.report_asked = now;
      break;
    case Api::barrier:
      // G9: no callback is in flight any more; what -EINPROGRESS left open is settled.
      if (ret == 0 || ret == -ESRCH) {
        ei.disabled |= ei.unconfirmed;
        ei.unconfirmed = 0;
      }
      if (ei.detach_pending && (ret == 0 || ret == -ESRCH) && !ei.detach_done) {
        ei.detach_done = now;
        ei.detach_how = "utrace_barrier answered for the detached engine";
      }
      break;
    case Api::set_events:
      // disabled-callback promises only what *this* call removed (kerneldoc:
      // "no event callbacks you've disabled in @events"): utrace_set_events
      // compares with the engine's current flags, so repeating a call that
      // answered -EINPROGRESS removes nothing and returns 0 at once, while
      // the callback it raced with may still start (RHEL6 utrace.c).
      if (ret == -EINPROGRESS) ei.unconfirmed |= ei.pending_removed;
      if (ret == 0) {
        ei.disabled |= ei.pending_removed;
        // V3's get_utrace_lock() does not refuse an engine of a task whose
        // reap teardown (utrace_maybe_reap) has already zeroed utrace_flags
        // and emptied the lists: this call made the word non-zero again.
        if (Task* t = e->target; t && t->utrace && t->utrace->reap && t->utrace->attached.empty() &&
                                 t->utrace->attaching.empty() && t->utrace_flags && !task(*t).rearmed_after_reap)
          task(*t).rearmed_after_reap = now;
        ei.has_mask = true;
        ei.mask = arg;
        ei.mask_at = now;
        const bool death = arg & ev(_UTRACE_EVENT_DEATH);
        if (death && !ei.death_wanted) ei.death_wanted_at = now;
        ei.death_wanted = death;
      }
      break;
    default: break;
  }
  if (call == Api::set_events) ei.pending_removed = 0;
}

// utrace_set_events() changed engine->flags (under utrace->lock).
void Checks::events_set(Engine& e, unsigned long old_events, unsigned long events) {
  EngineInfo& ei = engine(e);
  ei.disabled &= ~events;
  ei.unconfirmed &= ~events;
  ei.pending_removed = old_events & ~events;
}

void Checks::engine_touched(Engine& e, const char* what) {
  k_.violation(Property::EngineLifetime, k_.current().pid,
               fmt::format("{} touched by {} at step {} after its last reference was dropped at step {} (G16)", name(e),
                           what, step(), engine(e).freed_at));
}

void Checks::engine_freed(Engine& e) {
  EngineInfo& ei = engine(e);
  if (ei.released++)
    k_.violation(Property::EngineLifetime, k_.current().pid,
                 fmt::format("{}'s last reference dropped twice (step {}) (G16)", name(e), step()));
  ei.freed_at = step();
}

void Checks::field_changed(Task& t, Engine* e, UField f, std::int64_t before, std::int64_t after) {
  if (f == UField::resume) {
    // I1: resume is never STOP or DETACH.
    const auto resume = static_cast<std::uint32_t>(after);
    if (resume == UTRACE_STOP || resume >= UTRACE_DETACH)
      invariant(t, "I1", fmt::format("utrace->resume set to {}", utrace_resume_action_name(resume)));
  }
  if (f == UField::engine_ops && e) ops_changed(*e, static_cast<Engine::Ops>(before));
}

void Checks::ops_changed(Engine& e, Engine::Ops was) {
  // I6: ops moves only real -> sentinel -> NULL, or to NULL.
  if (e.target && (was == Engine::Ops::Null || (was == Engine::Ops::Detached && e.ops == Engine::Ops::Real)))
    invariant(*e.target, "I6", fmt::format("e{}->ops went backwards", e.id));
  EngineInfo& ei = engine(e);
  if (e.ops != Engine::Ops::Real && !ei.ops_gone) ei.ops_gone = step();
}

void Checks::entering_traced(Task& t) {
  TaskInfo& ti = task(t);
  ti.stopped = true;
  ti.stopped_at = step();
}

void Checks::leaving_traced(Task& t, bool) { task(t).stopped = false; }

void Checks::woken_by_sigkill(Task& t) {
  task(t).sigkilled = true;
  // R9: a task woken by SIGKILL must not run on while a tracer holds its
  // utrace->lock (it could see its engine list mid-change).
  if (t.utrace && t.utrace->lock.held() && t.utrace->lock.holder() != k_.eng.current_tid())
    invariant(
        t, "R9",
        fmt::format("{} resumed after a SIGKILL wake-up at step {} while {} holds its "
                    "utrace->lock (G22)",
                    k_.comm(t.pid), step(), k_.comm(static_cast<Task*>(k_.eng.user(t.utrace->lock.holder()))->pid)));
}

// G22: `attached` changes only by the task itself, or under the lock while
// the task is quiescent (not walking it).
void Checks::list_change(Task& t, const char* where) {
  if (!t.utrace || &k_.current() == &t) return;
  if (t.utrace->walking > 0)
    invariant(t, "G22",
              fmt::format("{} changed the engine list of {} in {} at step {} while {} walks it",
                          k_.comm(k_.current().pid), k_.comm(t.pid), where, step(), k_.comm(t.pid)));
}

// I4, I5 after a recomputation.
void Checks::after_reset(Task& t) {
  if (!t.utrace) return;
  unsigned long want = 0;
  for (const Engine* e : t.utrace->attached)
    if (e->ops == Engine::Ops::Real) want |= e->flags | ev(_UTRACE_EVENT_REAP);
  if (t.exit_state) want &= ev(_UTRACE_EVENT_REAP);
  if ((t.utrace_flags & want) != want)
    invariant(t, "I5",
              fmt::format("utrace_flags of {} is {}, missing {}", k_.comm(t.pid), utrace_events_string(t.utrace_flags),
                          utrace_events_string(want & ~t.utrace_flags)));
}

void Checks::on_kernel_bug(Kernel&, Task& t, const char* which, const char* what) { invariant(t, which, what); }

void Checks::invariant(Task& t, const char* which, const std::string& message) {
  k_.violation(Property::ModelInvariant, t.pid, fmt::format("{}: {}", which, message));
}

std::uint64_t Checks::digest() const {
  std::uint64_t h = sim::kHashSeed;
  const auto add = [&h](std::uint64_t v) { h = sim::hash_mix(h, v); };
  // The recorded steps, each named by (record, field): their order, not their values.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> steps;
  const auto step_field = [&steps](std::uint64_t at, std::uint64_t name) {
    if (at) steps.emplace_back(at, name);
  };
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    const TaskInfo& t = tasks_[i];
    add(std::uint64_t{t.walking} | std::uint64_t{t.reverse} << 1 | std::uint64_t{t.stopped} << 2 |
        std::uint64_t{t.sigkilled} << 3);
    add(static_cast<std::uint64_t>(t.last_engine));
    add(t.last_link);
    const std::uint64_t base = std::uint64_t{1} << 40 | i << 8;
    step_field(t.pass_begin, base | 1);
    step_field(t.stopped_at, base | 2);
    step_field(t.rearmed_after_reap, base | 3);
  }
  for (std::size_t i = 0; i < engines_.size(); ++i) {
    const EngineInfo& e = engines_[i];
    add(e.link_seq);
    add(sim::hash_bytes(sim::kHashSeed, e.detach_how));
    add(std::uint64_t{e.detach_pending} | std::uint64_t{e.detach_requested} << 1 | std::uint64_t{e.has_mask} << 2 |
        std::uint64_t{e.death_wanted} << 3 | std::uint64_t{e.got_death} << 4 | std::uint64_t{e.in_death} << 5 |
        std::uint64_t{e.got_reap} << 6);
    add(e.mask);
    add(e.disabled);
    add(e.pending_removed);
    add(e.unconfirmed);
    add(static_cast<std::uint64_t>(e.released));
    const std::uint64_t base = std::uint64_t{2} << 40 | i << 8;
    step_field(e.attached_at, base | 1);
    step_field(e.detach_done, base | 2);
    step_field(e.ops_gone, base | 3);
    step_field(e.detach_cb_returned, base | 4);
    step_field(e.api_started, base | 5);
    step_field(e.mask_at, base | 6);
    step_field(e.death_wanted_at, base | 7);
    step_field(e.death_at, base | 8);
    step_field(e.freed_at, base | 9);
    step_field(e.report_asked, base | 10);
  }
  std::sort(steps.begin(), steps.end());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    add(steps[i].second);
    add(i && steps[i].first == steps[i - 1].first);  // recorded in one step
  }
  add(links_);
  return h;
}

}  // namespace model::ut
