// tools/teach/explain_why.cpp: why each event of a run happened, in words:
// a table keyed by the event, the kernel function of the step and the
// outcome (a return code, the bits that changed); each entry cites the
// section or guarantee of utrace-semantics.md that states the rule.  This
// file holds the dispatch and the utrace family (API calls, utrace state,
// callbacks and their returns); why_task.cpp the rest.
#include "tools/teach/explain_why.h"

#include <algorithm>

#include <fmt/format.h>

#include "tools/teach/explain.h"

namespace tools {

namespace {

std::set<std::string> bits(const std::string& s) {
  std::set<std::string> out;
  if (s.empty() || s == "0") return out;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = s.find('|', i);
    if (j == std::string::npos) j = s.size();
    std::string b = s.substr(i, j - i);
    b.erase(0, b.find_first_not_of(' '));
    b.erase(b.find_last_not_of(' ') + 1);
    if (!b.empty()) out.insert(b);
    i = j + 1;
  }
  return out;
}

}  // namespace

void diff(const std::string& before, const std::string& after, std::vector<std::string>* added,
          std::vector<std::string>* removed) {
  const auto a = bits(before), b = bits(after);
  for (const auto& x : b)
    if (!a.count(x)) added->push_back(x);
  for (const auto& x : a)
    if (!b.count(x)) removed->push_back(x);
}

std::string why_of(const EventView& v, const ExplainCtx& c) {
  switch (v.e->kind) {
    case model::Ev::utrace_api: return why_api(v, c);
    case model::Ev::utrace_state: return why_state(v, c);
    case model::Ev::utrace_callback: return why_callback(v, c);
    case model::Ev::utrace_return: return why_return(v, c);
    case model::Ev::sched_state:
    case model::Ev::utrace_stop: return why_sched(v, c);
    case model::Ev::signal_generate:
    case model::Ev::signal_deliver:
    case model::Ev::signal_wakeup:
    case model::Ev::group_stop: return why_signal(v, c);
    case model::Ev::property: {
      const auto p = static_cast<model::Property>(v.e->a);
      std::string s = property_promise(p);
      for (const Guarantee& g : guarantees_of(p))
        s += fmt::format("\n{} ({}): \"{}\"", g.id, g.section, g.quote);
      return s;
    }
    default: return why_life(v, c);
  }
}


// ---- the utrace family ------------------------------------------------------------------

std::string why_api(const EventView& v, const ExplainCtx& c) {
  const std::string call = v.str("call"), action = v.str("action"), ret = v.str("ret");
  if (call == "utrace_attach_task") {
    if (ret == "0")
      return "utrace_add_engine puts the new engine on utrace->attaching under utrace->lock and sets "
             "pending_attach; the task splices it onto `attached` at the start of its next report pass, so "
             "it gets no callback for an event already under way (G3), and nothing at all until "
             "utrace_set_events (G4).";
    if (ret == "-ESRCH")
      return "the target is being reaped: utrace_add_engine set utrace_flags = REAP, then saw EXIT_DEAD "
             "after the barrier and backed out (the Dekker check against release_task, R6).";
    if (ret == "-EEXIST") return "UTRACE_ATTACH_EXCLUSIVE and a matching live engine is already attached (§3.1).";
    if (ret == "-ENOENT") return "a lookup (no UTRACE_ATTACH_CREATE) found no matching live engine (§3.1).";
    if (ret == "-EPERM") return "the target is a kernel thread: \"utrace is for users\" (§3.1).";
    if (ret == "-EINVAL") return "ops is NULL or the detached-ops sentinel (§3.1).";
  }
  if (call == "utrace_set_events") {
    if (ret == "0")
      return "the mask is stored in engine->flags and ORed into utrace_flags (bits there are only cleared by "
             "utrace_reset). After a 0, no callback for a removed event starts: on a stopped target by "
             "construction (G8), on a running one thanks to the `reporting` handshake (R4).";
    if (ret == "-EINPROGRESS")
      return "bits were removed while the target was running and utrace->reporting == this engine: one of "
             "its callbacks may be running now. The change is applied anyway; utrace_barrier waits the "
             "callback out (G9, R4).";
    if (ret == "-EALREADY")
      return "the task is already exiting (exit_state set): DEATH/QUIESCE can no longer be enabled, or "
             "report_death has begun and they cannot be cleared (G8, R8).";
    if (ret == "-ESRCH") return "the engine is detached (explicitly, or by the reap) (G10).";
  }
  if (call == "utrace_control") {
    if (ret == "-EINVAL")
      return "REPORT, SINGLESTEP and BLOCKSTEP need QUIESCE in the engine's events (they only work through "
             "a follow-up callback), or the action is out of range (§3.4).";
    if (ret == "-ESRCH")
      return action == "UTRACE_DETACH"
                 ? "the engine is already detached, or report_reap may be in progress (G7, G10)."
                 : "the engine is detached, or the target is dead and only DETACH is allowed then (G10, G17).";
    if (ret == "-EALREADY")
      return "report_death may be in progress or about to be: the engine stays attached until the reap (G7).";
    if (ret == "-EOPNOTSUPP") return "this architecture has no single-step (§3.4).";
    if (ret == "-EAGAIN") return "2009-rfc: stepping a target that is not stopped is refused (§3.4, V2).";
    if (action == "UTRACE_STOP")
      return ret == "0"
                 ? "the target is already stopped (TASK_TRACED, or a job-control TASK_STOPPED that "
                   "utrace_do_stop converted): it stays stopped until this engine releases it, or SIGKILL "
                   "(G11)."
                 : "utrace_control returned -EINPROGRESS: the task is running, so the stop is requested through "
                   "TIF_NOTIFY_RESUME (utrace->resume = UTRACE_REPORT) and happens at its next report_quiesce, "
                   "where ENGINE_STOP forces UTRACE_STOP (§3.4, §4.3).";
    if (action == "UTRACE_DETACH")
      return ret == "0"
                 ? "the engine is marked detached (engine->ops = &utrace_detached_ops) and its ENGINE_STOP "
                   "cleared from utrace_flags: no callback of it starts after this 0 (G7); a task stopped only "
                   "for it is woken by utrace_reset."
                 : std::string("the target is running and utrace->reporting == this engine: a callback of "
                               "it may be in flight. The detach is done; the callback finishes, and its "
                               "UTRACE_STOP must not stop the task: ") +
                       (c.bug(2) ? "finish_callback_report should re-check engine->ops under the lock, but "
                                   "R2 is switched on and that re-check is gone (R2, G18). "
                                 : "finish_callback_report re-checks engine->ops under the lock (R2, G18). ") +
                       "utrace_barrier waits it out (G9).";
    if (action == "UTRACE_RESUME")
      return "clears only this engine's ENGINE_STOP; if the target is in TASK_TRACED and no other engine still "
             "wants it stopped, utrace_reset wakes it (utrace_wakeup). On a running target it does nothing.";
    if (action == "UTRACE_REPORT")
      return "utrace->resume = UTRACE_REPORT and TIF_NOTIFY_RESUME: the task makes a report_quiesce pass "
             "before it returns to user mode (§3.4).";
    if (action == "UTRACE_INTERRUPT")
      return "utrace->resume = UTRACE_INTERRUPT and TIF_SIGPENDING (signal_wake_up): an interruptible sleep "
             "ends and the task makes a report_signal pass before user mode, even with no signal (G13, R11).";
    if (action == "UTRACE_SINGLESTEP" || action == "UTRACE_BLOCKSTEP")
      return "like UTRACE_REPORT, and the step is armed by the last report pass before user mode, unless a "
             "later round of callbacks decides otherwise (G13).";
  }
  if (call == "utrace_barrier") {
    if (ret == "0")
      return "no callback of this engine is running on the target, and the effect of its last return value "
             "(STOP, DETACH ...) is already applied (G9).";
    if (ret == "-ESRCH") return "the engine is completely detached: the answer a barrier gives after DETACH (G9, G10).";
    if (ret == "-ERESTARTSYS") return "the caller has a signal pending, so the polling loop gives up (G9).";
  }
  if (call == "utrace_prepare_examine" || call == "utrace_finish_examine") {
    if (ret == "0") return "the target is stopped for this engine: its registers can be read safely (G20).";
    if (ret == "-EAGAIN") return "the target ran between prepare and finish: what was read may be torn (G20).";
    if (ret == "-EINPROGRESS") return "the target is not stopped: examining it is not safe (G20).";
  }
  (void)c;
  return "";
}

std::string why_state(const EventView& v, const ExplainCtx& c) {
  const std::string field = v.str("field"), o = v.str("old"), n = v.str("new");
  std::vector<std::string> add, rem;
  diff(o, n, &add, &rem);
  auto added = [&](const char* b) { return std::find(add.begin(), add.end(), b) != add.end(); };
  auto removed = [&](const char* b) { return std::find(rem.begin(), rem.end(), b) != rem.end(); };
  if (field == "utrace->pending_attach")
    return n == "1" ? "an engine waits on utrace->attaching; the task splices it in at its next report pass (§3.1)."
                    : "splice_attaching: the engines on utrace->attaching join `attached` at its tail (attach "
                      "order, G2); from this pass on they can be called (G3).";
  if (field == "utrace->reporting")
    return n != "NULL"
               ? "start_callback publishes the engine it is about to call, then (full barrier) reads "
                 "engine->flags and then engine->ops; utrace_set_events/utrace_control read `reporting` after "
                 "their own change, so one side always sees the other (R4)."
               : "finish_callback: the callback and the effect of its return value are done; utrace_barrier "
                 "may now answer 0 (G9).";
  if (field == "utrace->resume") {
    if (n == "UTRACE_RESUME")
      return "the owed report is being made now (start_report or the final reset consumed the request).";
    if (n == "UTRACE_INTERRUPT") return "a report_signal pass is owed before user mode (TIF_SIGPENDING, §3.4).";
    return "a report_quiesce pass is owed before user mode: TIF_NOTIFY_RESUME makes the task call "
           "utrace_resume on its way out (§4.6).";
  }
  if (field == "thread_info.flags") {
    if (added("NOTIFY_RESUME"))
      return "on its way back to user mode the task calls tracehook_notify_resume → utrace_resume, which makes "
             "the owed report_quiesce pass (and stops there if an engine says UTRACE_STOP) (§5.3).";
    if (removed("NOTIFY_RESUME")) return "the task consumes the request on its way to user mode (§5.3).";
    if (added("SIGPENDING"))
      return "the task goes through get_signal_to_deliver → utrace_get_signal before user mode; an "
             "interruptible sleep is interrupted.";
    if (removed("SIGPENDING"))
      return "recalc_sigpending: nothing pending for it any more (utrace keeps the flag while resume == "
             "UTRACE_INTERRUPT: tracehook_force_sigpending, R11).";
    if (added("SYSCALL_TRACE"))
      return "syscalls now take the slow path that calls the utrace syscall hooks (§3.3 step 7).";
    if (removed("SYSCALL_TRACE")) return "utrace_reset: no engine wants syscall events any more (§4.8).";
    return "";
  }
  if (field == "utrace_flags" || field == "engine->flags") {
    const bool task_word = field == "utrace_flags";
    if (added("ENGINE_STOP")) {
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
    if (removed("ENGINE_STOP"))
      return task_word ? "nobody wants the task stopped any more (utrace_reset recomputed the word, or DETACH "
                         "cleared the bit): a TASK_TRACED task is woken (§4.8)."
                       : "this engine no longer asks for a stop (a non-STOP return or utrace_control) (§4.4).";
    if (task_word && (o == "0" || o.empty()) && added("REAP") && add.size() == 1)
      return "the first engine: utrace_add_engine sets utrace_flags = REAP, then (full barrier) checks that "
             "the task is not EXIT_DEAD (the Dekker pattern against release_task, R6).";
    if (task_word && n == "0")
      return "utrace_reset: no engine left, so utrace_flags = 0 and the tracehooks skip utrace entirely (R14).";
    if (task_word && rem.empty())
      return "utrace_set_events ORs the engine's events into utrace_flags: the tracehooks test this word "
             "locklessly to decide whether to call into utrace at all (§5.0).";
    if (task_word)
      return "utrace_reset recomputes the word from the engines still attached; stale bits are only ever "
             "cleared here (R16).";
    if (n == "QUIESCE" || n == "0")
      return "mark_engine_detached: only QUIESCE is left, so start_callback calls the sentinel's "
             "report_quiesce, which answers UTRACE_DETACH (§1.4).";
    return "utrace_set_events: the engine's event mask (ENGINE_STOP kept) (§3.3).";
  }
  if (field == "engine->ops") {
    if (n == "&utrace_detached_ops")
      return "marked detached: ops is written first, then flags; start_callback reads flags first, then ops, "
             "so it may see the old flags with the sentinel (R5). The sentinel makes any further call "
             "harmless (§1.4).";
    if (n == "NULL")
      return o == "&utrace_detached_ops"
                 ? "utrace_reset: the detached engine leaves `attached` (ops = NULL) and its implicit "
                   "reference is dropped (§4.8, G16)."
                 : "the reap teardown: the engine is gone (§5.11).";
  }
  if (field == "utrace->death")
    return n == "1" ? "utrace_report_death begins: from now on utrace_control(DETACH) answers -EALREADY and "
                      "set_events cannot clear DEATH/QUIESCE (§5.10, G7)."
                    : "utrace_maybe_reap: the death report is over; if the parent asked for the reap meanwhile "
                      "(utrace->reap) the dying task does the teardown itself (R7).";
  if (field == "utrace->reap")
    return "release_task → utrace_maybe_reap(reap): if the death report is pending or running (DEATH/QUIESCE "
           "still in utrace_flags) the teardown is left to the dying task, so report_reap never comes before "
           "report_death has returned (G6, R7).";
  if (field == "utrace->freeze_stop")
    return "ptrace_check_attach freezes the stop while the tracer works on the tracee's registers; a SIGKILL "
           "wake-up waits for it (R9).";
  if (field == "utrace->vfork_stop") return "a STOP for the vfork parent waits until the child releases the mm (§5.6).";
  if (field == "utrace->signal_handler") return "a handler frame was just set up: the next report says so (§5.5).";
  return "";
}

std::string why_callback(const EventView& v, const ExplainCtx& c) {
  const std::string cb = v.str("callback");
  if (v.has("ops"))
    return "the engine is marked detached: this is the sentinel's callback, which answers UTRACE_DETACH so "
           "the pass drops the engine (§1.4, R5).";
  if (cb == "report_quiesce")
    return v.str("event") == "0"
               ? "a bare report before user mode (event=0): the last round of callbacks decides the resume "
                 "action (G13)."
               : "start_callback read QUIESCE in engine->flags (then engine->ops): report_quiesce comes first, "
                 "with the event about to be reported (§4.3).";
  if (cb == "report_syscall_entry")
    return "start_callback read SYSCALL_ENTRY in engine->flags, then the real ops: the callback runs with no "
           "lock held (G1), engines in reverse attach order for syscall entry (G2).";
  if (cb == "report_syscall_exit") return "the syscall has returned; engines in attach order (G2).";
  if (cb == "report_signal")
    return "utrace_get_signal: the engines decide the fate of the signal (or of a bare interrupt report) "
           "before the kernel acts on it (§5.4).";
  if (cb == "report_jctl")
    return "do_signal_stop calls the jctl hook before it sets TASK_STOPPED, so TASK_STOPPED always means "
           "\"no callbacks in flight\" (R15).";
  if (cb == "report_clone") return "the child cannot run until every report_clone has returned (G15).";
  if (cb == "report_exec") return "the new program is in place; report_exec comes before it runs (§5.7).";
  if (cb == "report_exit") return "before PF_EXITING is set: the engine may rewrite the exit code (§5.9).";
  if (cb == "report_death")
    return "the task has exit_state set; report_death is the penultimate callback (G5), and DETACH is the "
           "only return that matters (§5.10).";
  if (cb == "report_reap")
    return "the final callback (G5), made by whoever does the teardown — the reaper in release_task or the "
           "dying task itself (G19) — never before report_death has returned (G6).";
  if (cb == "release") return "the last reference is gone: release(data) runs exactly once (G16).";
  (void)c;
  return "";
}

std::string why_return(const EventView& v, const ExplainCtx& c) {
  const std::string ret = v.str("ret");
  if (v.has("ops")) return "";
  if (contains(ret, "UTRACE_STOP"))
    return c.bug(2) ? "finish_callback marks the stop: with R2 switched on it no longer re-checks under "
                      "utrace->lock whether utrace_control(DETACH) detached the engine meanwhile, so a detached "
                      "engine can still stop the task (R2)."
                    : "finish_callback_report takes utrace->lock and re-checks engine->ops: if "
                      "utrace_control(DETACH) got in first, the STOP is dropped (G18, the R2 fix); otherwise "
                      "ENGINE_STOP is marked on the engine and the task, which stops at the end of the pass.";
  if (contains(ret, "UTRACE_DETACH"))
    return "the engine detaches itself: finish_callback_report sets ops = &utrace_detached_ops under the lock, "
           "so a 0 from utrace_barrier proves the detach has happened (R3).";
  if (contains(ret, "UTRACE_INTERRUPT"))
    return "the minimum of all engines' actions decides; INTERRUPT owes a report_signal pass (§4.9).";
  if (contains(ret, "UTRACE_REPORT"))
    return "the minimum of all engines' actions decides; REPORT owes a report_quiesce before user mode (§4.9).";
  if (contains(ret, "UTRACE_RESUME"))
    return "nothing more wanted; a previous ENGINE_STOP of this engine is cleared — only STOP is sticky (G13).";
  return "";
}

}  // namespace tools
