// model/utrace/why.cpp: why each utrace event happened (model/why.h): an API
// call by its `Api` and return code (kernel/utrace.c utrace_attach_task,
// utrace_set_events, utrace_control, utrace_barrier, the examine pair; §3),
// a change of struct utrace or struct utrace_engine by its `UField` and the
// bits that changed (§4, §5), a callback by its `Callback` (§4.3, §5) and its
// return by the resume action (§4.9).  Each entry cites the section or the
// guarantee (G) or race (R) of utrace-semantics.md that states the rule.
#include "model/why.h"
#include "model/abi.h"
#include "model/linux/task.h"
#include "model/utrace/hooks.h"
#include "model/utrace/utrace.h"

namespace model {

namespace {

// ---- the API (§3) ---------------------------------------------------------------------------

std::string why_attach(std::int64_t ret) {
  switch (ret) {
    case 0:
      return "utrace_add_engine puts the new engine on utrace->attaching under utrace->lock and sets "
             "pending_attach; the task splices it onto `attached` at the start of its next report pass, so "
             "it gets no callback for an event already under way (G3), and nothing at all until "
             "utrace_set_events (G4).";
    case -ESRCH:
      return "the target is being reaped: utrace_add_engine set utrace_flags = REAP, then saw EXIT_DEAD "
             "after the barrier and backed out (the Dekker check against release_task, R6).";
    case -EEXIST: return "UTRACE_ATTACH_EXCLUSIVE and a matching live engine is already attached (§3.1).";
    case -ENOENT: return "a lookup (no UTRACE_ATTACH_CREATE) found no matching live engine (§3.1).";
    case -EPERM: return "the target is a kernel thread: \"utrace is for users\" (§3.1).";
    case -EINVAL: return "ops is NULL or the detached-ops sentinel (§3.1).";
    default: return "";
  }
}

std::string why_set_events(std::int64_t ret) {
  switch (ret) {
    case 0:
      return "the mask is stored in engine->flags and ORed into utrace_flags (bits there are only cleared by "
             "utrace_reset). After a 0, no callback for a removed event starts: on a stopped target by "
             "construction (G8), on a running one thanks to the `reporting` handshake (R4).";
    case -EINPROGRESS:
      return "bits were removed while the target was running and utrace->reporting == this engine: one of "
             "its callbacks may be running now. The change is applied anyway; utrace_barrier waits the "
             "callback out (G9, R4).";
    case -EALREADY:
      return "the task is already exiting (exit_state set): DEATH/QUIESCE can no longer be enabled, or "
             "report_death has begun and they cannot be cleared (G8, R8).";
    case -ESRCH: return "the engine is detached (explicitly, or by the reap) (G10).";
    default: return "";
  }
}

// utrace_control(action) returned ret (§3.4).
std::string why_control(utrace_resume_action action, std::int64_t ret, const WhyContext& c) {
  const bool v2 = c.version == KernelVersion::V2009Rfc;  // the request bits of §1.2 V2
  switch (ret) {
    case -EINVAL:
      return "REPORT, SINGLESTEP and BLOCKSTEP need QUIESCE in the engine's events (they only work through "
             "a follow-up callback), or the action is out of range (§3.4).";
    case -ESRCH:
      return action == UTRACE_DETACH
                 ? "the engine is already detached, or report_reap may be in progress (G7, G10)."
                 : "the engine is detached, or the target is dead and only DETACH is allowed then (G10, G17).";
    case -EALREADY:
      return "report_death may be in progress or about to be: the engine stays attached until the reap (G7).";
    case -EOPNOTSUPP: return "this architecture has no single-step (§3.4).";
    case -EAGAIN: return "2009-rfc: stepping a target that is not stopped is refused (§3.4, V2).";
    default: break;
  }
  switch (action) {
    case UTRACE_STOP:
      return ret == 0 ? "the target is already stopped (TASK_TRACED, or a job-control TASK_STOPPED that "
                        "utrace_do_stop converted): it stays stopped until this engine releases it, or SIGKILL "
                        "(G11)."
                      : std::string(
                            "utrace_control returned -EINPROGRESS: the task is running, so the stop is "
                            "requested through TIF_NOTIFY_RESUME (") +
                            (v2 ? "2009-rfc: utrace->report = 1" : "utrace->resume = UTRACE_REPORT") +
                            ") and happens at its next report_quiesce, where ENGINE_STOP forces UTRACE_STOP (§3.4, "
                            "§4.3).";
    case UTRACE_DETACH:
      return ret == 0 ? "the engine is marked detached (engine->ops = &utrace_detached_ops) and its ENGINE_STOP "
                        "cleared from utrace_flags: no callback of it starts after this 0 (G7); a task stopped only "
                        "for it is woken by utrace_reset."
                      : std::string(
                            "the target is running and utrace->reporting == this engine: a callback of "
                            "it may be in flight. The detach is done; the callback finishes, and its "
                            "UTRACE_STOP must not stop the task: ") +
                            (c.bug(2) ? "finish_callback_report should re-check engine->ops under the lock, but "
                                        "R2 is switched on and that re-check is gone (R2, G18). "
                                      : "finish_callback_report re-checks engine->ops under the lock (R2, G18). ") +
                            "utrace_barrier waits it out (G9).";
    case UTRACE_RESUME:
      return "clears only this engine's ENGINE_STOP; if the target is in TASK_TRACED and no other engine still "
             "wants it stopped, utrace_reset wakes it (utrace_wakeup). On a running target it does nothing.";
    case UTRACE_REPORT:
      return std::string(v2 ? "2009-rfc: utrace->report = 1 (unless a report or an interrupt is owed already)"
                            : "utrace->resume = UTRACE_REPORT") +
             " and TIF_NOTIFY_RESUME: the task makes a report_quiesce pass before it returns to user mode (§3.4).";
    case UTRACE_INTERRUPT:
      return std::string(v2 ? "2009-rfc: utrace->interrupt = 1" : "utrace->resume = UTRACE_INTERRUPT") +
             " and TIF_SIGPENDING (signal_wake_up): an interruptible sleep ends and the task makes a report_signal "
             "pass before user mode, even with no signal (G13, R11).";
    case UTRACE_SINGLESTEP:
    case UTRACE_BLOCKSTEP:
      if (v2)
        return "2009-rfc: the target is stopped, so the step is enabled at once (user_enable_single_step) and "
               "the task resumes; a later round of callbacks can still change it (§3.4 V2, G13).";
      return "like UTRACE_REPORT, and the step is armed by the last report pass before user mode, unless a "
             "later round of callbacks decides otherwise (G13).";
    default: return "";
  }
}

std::string why_barrier(std::int64_t ret) {
  switch (ret) {
    case 0:
      return "no callback of this engine is running on the target, and the effect of its last return value "
             "(STOP, DETACH ...) is already applied (G9).";
    case -ESRCH: return "the engine is completely detached: the answer a barrier gives after DETACH (G9, G10).";
    case -ERESTARTSYS: return "the caller has a signal pending, so the polling loop gives up (G9).";
    default: return "";
  }
}

std::string why_examine(std::int64_t ret) {
  switch (ret) {
    case 0: return "the target is stopped for this engine: its registers can be read safely (G20).";
    case -EAGAIN: return "the target ran between prepare and finish: what was read may be torn (G20).";
    case -EINPROGRESS: return "the target is not stopped: examining it is not safe (G20).";
    default: return "";
  }
}

// utsim_utrace_api: b = the call, c = its argument (the action of
// utrace_control), d = the return value (0 or -errno).
std::string why_api(const Event& e, const WhyContext& c) {
  switch (static_cast<Api>(e.b)) {
    case Api::attach: return why_attach(e.d);
    case Api::set_events: return why_set_events(e.d);
    case Api::control: return why_control(utrace_resume_action_of(static_cast<std::uint32_t>(e.c)), e.d, c);
    case Api::barrier: return why_barrier(e.d);
    case Api::prepare_examine:
    case Api::finish_examine: return why_examine(e.d);
  }
  return "";
}

// ---- struct utrace and struct utrace_engine (§4, §5) -------------------------------------------

// The bits of a flags word that one change set and cleared.
struct BitChange {
  std::uint64_t before, after;
  bool added(std::uint64_t bit) const { return (after & bit) && !(before & bit); }
  bool removed(std::uint64_t bit) const { return (before & bit) && !(after & bit); }
  std::uint64_t all_added() const { return after & ~before; }
  std::uint64_t all_removed() const { return before & ~after; }
};

// thread_info.flags: the TIF_ bits utrace sets and the arch code consumes (§5.3).
std::string why_tif(const BitChange& d) {
  if (d.added(tif_bit(TIF_NOTIFY_RESUME)))
    return "on its way back to user mode the task calls tracehook_notify_resume → utrace_resume, which makes "
           "the owed report_quiesce pass (and stops there if an engine says UTRACE_STOP) (§5.3).";
  if (d.removed(tif_bit(TIF_NOTIFY_RESUME))) return "the task consumes the request on its way to user mode (§5.3).";
  if (d.added(tif_bit(TIF_SIGPENDING)))
    return "the task goes through get_signal_to_deliver → utrace_get_signal before user mode; an "
           "interruptible sleep is interrupted.";
  if (d.removed(tif_bit(TIF_SIGPENDING)))
    return "recalc_sigpending: nothing pending for it any more (utrace keeps the flag while an INTERRUPT is "
           "owed: tracehook_force_sigpending, R11).";
  if (d.added(tif_bit(TIF_SYSCALL_TRACE)))
    return "syscalls now take the slow path that calls the utrace syscall hooks (§3.3 step 7).";
  if (d.removed(tif_bit(TIF_SYSCALL_TRACE))) return "utrace_reset: no engine wants syscall events any more (§4.8).";
  return "";
}

// utrace_flags (task_word) or engine->flags: the event bits and ENGINE_STOP (§1.5, §4.8).
std::string why_flags(bool task_word, const BitChange& d, const WhyContext& c) {
  if (d.added(ENGINE_STOP)) {
    std::string s = task_word ? "mark_engine_wants_stop: ENGINE_STOP set in the task's utrace_flags: at its next "
                                "safe point the task must stop, and it is sticky (only utrace_reset or a DETACH "
                                "clears it, G13)."
                              : "mark_engine_wants_stop: this engine wants the task stopped (§1.5).";
    if (c.where == "finish_callback_report" || c.where == "finish_callback")
      s += c.bug(2) ? " R2 is switched on: the re-check of engine->ops under the lock is gone, so an engine "
                      "that utrace_control(DETACH) has just detached can still mark the stop."
                    : " finish_callback_report did this under utrace->lock after re-checking that no "
                      "utrace_control(DETACH) detached the engine meanwhile (the R2 fix).";
    return s;
  }
  if (d.removed(ENGINE_STOP))
    return task_word ? "nobody wants the task stopped any more (utrace_reset recomputed the word, or DETACH "
                       "cleared the bit): a TASK_TRACED task is woken (§4.8)."
                     : "this engine no longer asks for a stop (a non-STOP return or utrace_control) (§4.4).";
  if (task_word && d.before == 0 && d.all_added() == UTRACE_EVENT(_UTRACE_EVENT_REAP))
    return "the first engine: utrace_add_engine sets utrace_flags = REAP, then (full barrier) checks that "
           "the task is not EXIT_DEAD (the Dekker pattern against release_task, R6).";
  if (task_word && d.after == 0)
    return "utrace_reset: no engine left, so utrace_flags = 0 and the tracehooks skip utrace entirely (R14).";
  if (task_word && d.all_removed() == 0)
    return "utrace_set_events ORs the engine's events into utrace_flags: the tracehooks test this word "
           "locklessly to decide whether to call into utrace at all (§5.0).";
  if (task_word)
    return "utrace_reset recomputes the word from the engines still attached; stale bits are only ever "
           "cleared here (R16).";
  if (d.after == UTRACE_EVENT(_UTRACE_EVENT_QUIESCE) || d.after == 0)
    return "mark_engine_detached: only QUIESCE is left, so start_callback calls the sentinel's "
           "report_quiesce, which answers UTRACE_DETACH (§1.4).";
  return "utrace_set_events: the engine's event mask (ENGINE_STOP kept) (§3.3).";
}

std::string why_ops(Engine::Ops before, Engine::Ops after) {
  if (after == Engine::Ops::Detached)
    return "marked detached: ops is written first, then flags; start_callback reads flags first, then ops, "
           "so it may see the old flags with the sentinel (R5). The sentinel makes any further call "
           "harmless (§1.4).";
  if (after == Engine::Ops::Null)
    return before == Engine::Ops::Detached
               ? "utrace_reset: the detached engine leaves `attached` (ops = NULL) and its implicit "
                 "reference is dropped (§4.8, G16)."
               : "the reap teardown: the engine is gone (§5.11).";
  return "";
}

// utsim_utrace_state: a = the UField, b = old, c = new.
std::string why_state(const Event& e, const WhyContext& c) {
  const BitChange d{static_cast<std::uint64_t>(e.b), static_cast<std::uint64_t>(e.c)};
  switch (static_cast<UField>(e.a)) {
    case UField::pending_attach:
      return e.c == 1 ? "an engine waits on utrace->attaching; the task splices it in at its next report pass (§3.1)."
                      : "splice_attaching: the engines on utrace->attaching join `attached` at its tail (attach "
                        "order, G2); from this pass on they can be called (G3).";
    case UField::reporting:
      return e.c != 0 ? "start_callback publishes the engine it is about to call, then (full barrier) reads "
                        "engine->flags and then engine->ops; utrace_set_events/utrace_control read `reporting` after "
                        "their own change, so one side always sees the other (R4)."
                      : "finish_callback: the callback and the effect of its return value are done; utrace_barrier "
                        "may now answer 0 (G9).";
    case UField::resume: {
      const auto now = utrace_resume_action_of(static_cast<std::uint32_t>(e.c));
      if (now == UTRACE_RESUME)
        return "the owed report is being made now (start_report or the final reset consumed the request).";
      if (now == UTRACE_INTERRUPT) return "a report_signal pass is owed before user mode (TIF_SIGPENDING, §3.4).";
      return "a report_quiesce pass is owed before user mode: TIF_NOTIFY_RESUME makes the task call "
             "utrace_resume on its way out (§4.6).";
    }
    case UField::tif: return why_tif(d);
    case UField::utrace_flags: return why_flags(true, d, c);
    case UField::engine_flags: return why_flags(false, d, c);
    case UField::engine_ops: return why_ops(static_cast<Engine::Ops>(e.b), static_cast<Engine::Ops>(e.c));
    case UField::death:
      return e.c == 1 ? "utrace_report_death begins: from now on utrace_control(DETACH) answers -EALREADY and "
                        "set_events cannot clear DEATH/QUIESCE (§5.10, G7)."
                      : "utrace_maybe_reap: the death report is over; if the parent asked for the reap meanwhile "
                        "(utrace->reap) the dying task does the teardown itself (R7).";
    case UField::reap:
      return "release_task → utrace_maybe_reap(reap): if the death report is pending or running (DEATH/QUIESCE "
             "still in utrace_flags) the teardown is left to the dying task, so report_reap never comes before "
             "report_death has returned (G6, R7).";
    case UField::freeze_stop:
      return "ptrace_check_attach freezes the stop while the tracer works on the tracee's registers; a SIGKILL "
             "wake-up waits for it (R9).";
    case UField::vfork_stop: return "a STOP for the vfork parent waits until the child releases the mm (§5.6).";
    case UField::signal_handler: return "a handler frame was just set up: the next report says so (§5.5).";
    case UField::stopped: return "";
    case UField::report:
      return e.c != 0 ? "2009-rfc: a report_quiesce pass is owed before user mode (utrace->report, with "
                        "TIF_NOTIFY_RESUME); 2010 keeps this in utrace->resume (§1.2)."
                      : "2009-rfc: the owed report is being made now (start_report, utrace_get_signal or the death "
                        "report cleared utrace->report).";
    case UField::interrupt:
      return e.c != 0 ? "2009-rfc: a report_signal pass is owed before user mode (utrace->interrupt, with "
                        "TIF_SIGPENDING); 2010 keeps this in utrace->resume (§1.2)."
                      : "2009-rfc: the owed signal report is being made now (utrace_get_signal cleared "
                        "utrace->interrupt).";
  }
  return "";
}

// ---- callbacks and their returns (§4.3, §4.9, §5) ----------------------------------------------

// utsim_utrace_callback: b = the Callback, c = its event (report_quiesce),
// d = 1 when it is the detached-ops sentinel's.
std::string why_callback(const Event& e) {
  if (e.d)
    return "the engine is marked detached: this is the sentinel's callback, which answers UTRACE_DETACH so "
           "the pass drops the engine (§1.4, R5).";
  switch (static_cast<Callback>(e.b)) {
    case Callback::report_quiesce:
      return e.c == 0 ? "a bare report before user mode (event=0): the last round of callbacks decides the resume "
                        "action (G13)."
                      : "start_callback read QUIESCE in engine->flags (then engine->ops): report_quiesce comes "
                        "first, with the event about to be reported (§4.3).";
    case Callback::report_syscall_entry:
      return "start_callback read SYSCALL_ENTRY in engine->flags, then the real ops: the callback runs with no "
             "lock held (G1), engines in reverse attach order for syscall entry (G2).";
    case Callback::report_syscall_exit: return "the syscall has returned; engines in attach order (G2).";
    case Callback::report_signal:
      return "utrace_get_signal: the engines decide the fate of the signal (or of a bare interrupt report) "
             "before the kernel acts on it (§5.4).";
    case Callback::report_jctl:
      return "do_signal_stop calls the jctl hook before it sets TASK_STOPPED, so TASK_STOPPED always means "
             "\"no callbacks in flight\" (R15).";
    case Callback::report_clone: return "the child cannot run until every report_clone has returned (G15).";
    case Callback::report_exec: return "the new program is in place; report_exec comes before it runs (§5.7).";
    case Callback::report_exit: return "before PF_EXITING is set: the engine may rewrite the exit code (§5.9).";
    case Callback::report_death:
      return "the task has exit_state set; report_death is the penultimate callback (G5), and DETACH is the "
             "only return that matters (§5.10).";
    case Callback::report_reap:
      return "the final callback (G5), made by whoever does the teardown — the reaper in release_task or the "
             "dying task itself (G19) — never before report_death has returned (G6).";
    case Callback::release: return "the last reference is gone: release(data) runs exactly once (G16).";
    case Callback::kCount: break;
  }
  return "";
}

// utsim_utrace_return: b = the Callback, c = the value returned, d = 1 for
// the sentinel's (whose DETACH needs no explaining).
std::string why_return(const Event& e, const WhyContext& c) {
  const auto cb = static_cast<Callback>(e.b);
  if (e.d || !callback_returns_action(cb)) return "";
  switch (utrace_resume_action_of(static_cast<std::uint32_t>(e.c))) {
    case UTRACE_STOP:
      return c.bug(2) ? "finish_callback marks the stop: with R2 switched on it no longer re-checks under "
                        "utrace->lock whether utrace_control(DETACH) detached the engine meanwhile, so a detached "
                        "engine can still stop the task (R2)."
                      : "finish_callback_report takes utrace->lock and re-checks engine->ops: if "
                        "utrace_control(DETACH) got in first, the STOP is dropped (G18, the R2 fix); otherwise "
                        "ENGINE_STOP is marked on the engine and the task, which stops at the end of the pass.";
    case UTRACE_DETACH:
      return "the engine detaches itself: finish_callback_report sets ops = &utrace_detached_ops under the lock, "
             "so a 0 from utrace_barrier proves the detach has happened (R3).";
    case UTRACE_INTERRUPT:
      return "the minimum of all engines' actions decides; INTERRUPT owes a report_signal pass (§4.9).";
    case UTRACE_REPORT:
      return "the minimum of all engines' actions decides; REPORT owes a report_quiesce before user mode (§4.9).";
    case UTRACE_RESUME:
    case UTRACE_RESUME_MAX:  // out of range, read as a resume
      return "nothing more wanted; a previous ENGINE_STOP of this engine is cleared — only STOP is sticky (G13).";
    default: return "";
  }
}

}  // namespace

std::string why_utrace(const Event& e, const WhyContext& c) {
  switch (e.kind) {
    case Ev::utrace_api: return why_api(e, c);
    case Ev::utrace_state: return why_state(e, c);
    case Ev::utrace_callback: return why_callback(e);
    case Ev::utrace_return: return why_return(e, c);
    default: return "";
  }
}

}  // namespace model
