// tools/teach/explain_why.cpp: the narrative of a run: what each event means,
// in words, and why it happened.  The explanations are a table keyed by the
// event, the kernel function of the step and the outcome (a return code, the
// bits that changed); each cites the section or guarantee of
// utrace-semantics.md that states the rule.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "model/linux/task.h"
#include "tools/teach/explain.h"

namespace tools {

namespace {

// ---- helpers ---------------------------------------------------------------------

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

// "+ENGINE_STOP -QUIESCE" as two lists.
void diff(const std::string& before, const std::string& after, std::vector<std::string>* added,
          std::vector<std::string>* removed) {
  const auto a = bits(before), b = bits(after);
  for (const auto& x : b)
    if (!a.count(x)) added->push_back(x);
  for (const auto& x : a)
    if (!b.count(x)) removed->push_back(x);
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// What the explanations may look at besides the event itself.
struct Ctx {
  const model::Kernel& k;
  std::string where;  // the kernel function of the step
  std::string actor;  // the task that ran the step
  std::map<int, std::string>& last_return;  // pid -> the last callback return value
  bool bug(int r) const { return k.scn.has_bug(r); }
};

// ---- what happened, in words --------------------------------------------------------

std::string what_of(const EventView& v, const Ctx& c) {
  const model::Event& e = *v.e;
  const std::string task = c.k.comm(e.pid);
  switch (e.kind) {
    case model::Ev::sched_state:
      return fmt::format("{}: {} → {}", task, v.str("prev"), v.str("next"));
    case model::Ev::utrace_state: {
      std::string who = v.has("engine") ? v.str("engine") + " " : task + " ";
      const std::string field = v.str("field"), o = v.str("old"), n = v.str("new");
      if (field == "utrace_flags" || field == "engine->flags" || field == "thread_info.flags") {
        std::vector<std::string> add, rem;
        diff(o, n, &add, &rem);
        std::vector<std::string> parts;
        const std::string prefix = field == "thread_info.flags" ? "TIF_" : "";
        for (const auto& b : add) parts.push_back(prefix + b + " set");
        for (const auto& b : rem) parts.push_back(prefix + b + " cleared");
        if (parts.empty()) parts.push_back("unchanged");
        return fmt::format("{}{}: {}  ({} → {})", who, field, join(parts), o, n);
      }
      return fmt::format("{}{} {} → {}", who, field, o, n);
    }
    case model::Ev::utrace_callback: {
      std::string arg = v.has("action") ? v.str("action") : v.has("event") ? "event " + v.str("event") : "";
      return fmt::format("{} calls {}->{}({}){}", task, v.str("engine"), v.str("callback"), arg,
                         v.has("ops") ? " through &utrace_detached_ops" : "");
    }
    case model::Ev::utrace_return:
      return fmt::format("{}->{} returned {}", v.str("engine"), v.str("callback"),
                         v.has("ret") ? v.str("ret") : "(void)");
    case model::Ev::utrace_api: {
      std::string args = v.has("engine") ? v.str("engine") : "";
      if (v.has("action")) args += (args.empty() ? "" : ", ") + v.str("action");
      if (v.has("events")) args += (args.empty() ? "" : ", ") + v.str("events");
      return fmt::format("{}: {}({}) returned {}", task, v.str("call"), args, v.str("ret"));
    }
    case model::Ev::utrace_stop:
      if (v.has("state")) return fmt::format("utrace_stop: {} parks in TASK_TRACED", task);
      return fmt::format("{} returns from utrace_stop ({})", task, v.str("woken"));
    case model::Ev::signal_generate:
      return fmt::format("{} sent to {} by {}: {}", v.str("sig"), task, v.str("from"), v.str("result"));
    case model::Ev::signal_deliver:
      return fmt::format("{} dequeues {}: {}", task, v.str("sig"), v.str("action"));
    case model::Ev::signal_wakeup:
      return fmt::format("signal_wake_up({}): TIF_SIGPENDING, {}", task, v.str("woken") == "1" ? "woken" : "kicked");
    case model::Ev::group_stop:
      return fmt::format("{}: group_stop_count {}, {}", task, v.str("group_stop_count"), v.str("flags"));
    case model::Ev::sys_enter:
      return fmt::format("{} enters {}()", task, v.str("name"));
    case model::Ev::sys_exit:
      return fmt::format("{} returns from {}() = {}", task, v.str("name"), v.str("ret"));
    case model::Ev::sys_restart:
      return fmt::format("{}: {} → {}", task, v.str("ret"), v.str("outcome"));
    case model::Ev::task_new:
      return fmt::format("{} creates {} ({})", task, v.str("child"), v.str("clone_flags"));
    case model::Ev::task_exec:
      return fmt::format("{} execs a new program", task);
    case model::Ev::task_exit:
      return fmt::format("{} calls do_exit({})", task, v.str("code"));
    case model::Ev::notify_parent:
      return fmt::format("{} notifies {}: {} {}", task, v.str("parent"), v.str("sig"), v.str("code"));
    case model::Ev::release_task:
      return fmt::format("{} releases {}", task, v.str("released"));
    case model::Ev::reparent:
      return fmt::format("{} is reparented to {}", task, v.str("parent"));
    case model::Ev::wait_found:
      return fmt::format("{}'s wait finds {}: {} ({})", task, v.str("child"), v.str("means"), v.str("why"));
    case model::Ev::op_result: {
      std::string r = v.has("result") ? " → " + v.str("result") : "";
      if (v.has("status")) r += " (" + v.str("status") + ")";
      return fmt::format("{}: op {} at {}{}", task, v.str("op"), v.str("at"), r);
    }
    case model::Ev::property:
      return fmt::format("VIOLATED {}: {}", v.str("property"), v.str("message"));
    default:
      return model::event_text(e, c.k);
  }
}

std::string kind_of(model::Ev e) {
  switch (e) {
    case model::Ev::sched_state:
    case model::Ev::utrace_stop: return "sched";
    case model::Ev::utrace_state: return "state";
    case model::Ev::utrace_api: return "api";
    case model::Ev::utrace_callback:
    case model::Ev::utrace_return: return "callback";
    case model::Ev::signal_generate:
    case model::Ev::signal_deliver:
    case model::Ev::signal_wakeup:
    case model::Ev::group_stop: return "signal";
    case model::Ev::property: return "property";
    case model::Ev::op_result: return "op";
    default: return "life";
  }
}

// ---- why: the table ------------------------------------------------------------------

std::string why_api(const EventView& v, const Ctx& c) {
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

std::string why_state(const EventView& v, const Ctx& c) {
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

std::string why_callback(const EventView& v, const Ctx& c) {
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

std::string why_return(const EventView& v, const Ctx& c) {
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

std::string why_sched(const EventView& v, const Ctx& c) {
  const model::Event& e = *v.e;
  if (e.kind == model::Ev::utrace_stop) {
    if (v.has("state")) {
      const std::string& last = c.last_return[e.pid];
      if (contains(last, "UTRACE_STOP"))
        return "the pass ended with UTRACE_STOP and ENGINE_STOP is still set in utrace_flags under the lock, so "
               "the task parks in TASK_TRACED. Only utrace_reset (a utrace_control that leaves no engine wanting "
               "the stop) or SIGKILL wakes it (G11, §5.12).";
      return "the forced STOP: no callback returned UTRACE_STOP this time, but ENGINE_STOP is still set in "
             "utrace_flags from an earlier one (sticky, G13); start_callback turned it into UTRACE_STOP for the "
             "pass (§4.3 step 4).";
    }
    return v.str("woken") == "by SIGKILL"
               ? "SIGKILL wakes TASK_TRACED (a TASK_WAKEKILL state); no engine can prevent or delay it (G12)."
               : "utrace_reset found no engine wanting the stop and called utrace_wakeup; utrace_finish_stop, "
                 "then recalc_sigpending (§5.12).";
  }
  const std::string prev = v.str("prev"), next = v.str("next");
  if (next == "TASK_TRACED" && (c.where == "utrace_do_stop" || prev == "TASK_STOPPED"))
    return "utrace_do_stop converts a job-control TASK_STOPPED into TASK_TRACED under siglock, so "
           "utrace_control(STOP) can answer 0 at once (§5.8).";
  if (next == "TASK_STOPPED")
    return prev == "TASK_TRACED"
               ? "utrace_wakeup: the group stop is still in force, so the task goes back to TASK_STOPPED "
                 "without waking (§5.8)."
               : "do_signal_stop: a job-control stop (the group stop); the report_jctl callbacks were made "
                 "before this (R15).";
  if (prev == "TASK_STOPPED" && next == "TASK_RUNNING")
    return "the job-control stop ends: SIGCONT, SIGKILL or a ptrace resume woke it.";
  if (next == "EXIT_ZOMBIE")
    return "exit_notify: a zombie until it is reaped; the parent is notified, and a traced task's death report "
           "follows (§5.10).";
  if (next == "EXIT_DEAD")
    return prev == "EXIT_ZOMBIE" ? "wait_task_zombie: the zombie is being reaped; release_task follows."
                                 : "nobody will wait for it (SIGCHLD ignored, or a thread): it reaps itself.";
  if (next == "TASK_INTERRUPTIBLE") {
    if (c.where == "do_wait") return "do_wait: sleeps until a child changes state (a signal also wakes it).";
    if (c.where == "utrace_barrier")
      return "utrace_barrier polls: it sleeps one tick and looks at `reporting` again (§3.5).";
    return "";
  }
  return "";
}

std::string why_signal(const EventView& v, const Ctx& c) {
  const model::Event& e = *v.e;
  const std::string sig = v.str("sig");
  if (e.kind == model::Ev::signal_generate) {
    const std::string res = v.str("result");
    if (sig == "SIGKILL")
      return "the primacy of SIGKILL: it wakes the task even from TASK_TRACED or TASK_STOPPED, and no engine "
             "can intercept or delay it (G12, §5.13).";
    if (res == "ignored")
      return "ignored by its disposition (SIG_IGN, or ignored by default like SIGCHLD): dropped at once, "
             "unless an engine watches ignored signals (tracehook_consider_ignored_signal).";
    if (res == "already-pending") return "a non-realtime signal that is already pending is not queued twice.";
    if (sig == "SIGCONT") return "prepare_signal: SIGCONT ends a group stop at once and discards pending stop signals.";
    if (sig == "SIGSTOP" || sig == "SIGTSTP" || sig == "SIGTTIN" || sig == "SIGTTOU")
      return "queued; prepare_signal discards a pending SIGCONT, complete_signal sets TIF_SIGPENDING on a "
             "thread that can take it.";
    return "queued; complete_signal picks a thread that wants it and sets TIF_SIGPENDING.";
  }
  if (e.kind == model::Ev::signal_deliver) {
    const std::string a = v.str("action");
    if (a == "handler") return "a handler frame is set up (handle_signal); utrace may report it (§5.5).";
    if (a == "ignore") return "ignored when dequeued: nothing happens.";
    if (a == "stop") return "the default action is to stop: do_signal_stop starts or joins the group stop (§5.8).";
    if (a == "terminate" || a == "core") return "the default action kills the whole thread group (do_group_exit).";
    if (a == "continue") return "SIGCONT's default action: nothing more (the wake-up happened when it was sent).";
  }
  if (e.kind == model::Ev::signal_wakeup)
    return "signal_wake_up: TIF_SIGPENDING, and the task is woken from an interruptible sleep (with wakekill "
           "also from TASK_TRACED/TASK_STOPPED).";
  if (e.kind == model::Ev::group_stop)
    return "group_stop_count counts the threads still to stop; at 0 SIGNAL_STOP_STOPPED is set and the parent "
           "is notified (§5.8).";
  (void)c;
  return "";
}

std::string why_life(const EventView& v, const Ctx& c) {
  const model::Event& e = *v.e;
  switch (e.kind) {
    case model::Ev::task_new:
      return "copy_process: engines are never inherited (utrace_init_task); report_clone callbacks run before "
             "the child can run (G15).";
    case model::Ev::task_exit:
      return "do_exit: report_exit (if wanted) before PF_EXITING, then exit_notify and the death report if "
             "DEATH or QUIESCE is in utrace_flags (§5.9, §5.10).";
    case model::Ev::notify_parent:
      return v.str("code") == "CLD_TRAPPED"
                 ? "ptrace_notify_stop: the tracer's wait() can see the stop — only after TASK_TRACED is set "
                   "(R17a, §8.5)."
                 : "do_notify_parent: the parent gets its signal, and its wait() may now report this child.";
    case model::Ev::wait_found:
      return v.str("why") == "CLD_TRAPPED" ? "wait_task_stopped(ptrace): the tracer collects the tracee's stop (§8.5)."
                                           : "";
    case model::Ev::release_task:
      return "release_task: the task is unhashed; tracehook_prepare_release_task calls utrace_maybe_reap(reap) "
             "when utrace_flags != 0 (R6, R7).";
    case model::Ev::sys_restart:
      return "a syscall interrupted by a signal: restarted, or -EINTR, depending on the handler's SA_RESTART.";
    case model::Ev::op_result: {
      if (v.str("op") != "ptrace") return "";
      const auto* op = static_cast<const model::Op*>(e.ref);
      const auto* p = op ? op->as_if<model::PtraceOp>() : nullptr;
      if (!p) return "";
      const std::string req = model::ptrace_request_name(p->request);
      if (req == "PTRACE_ATTACH")
        return "attaches the ptrace engine (utrace_attach_task + utrace_set_events), links the tracee and sends "
               "it SIGSTOP (§8.4).";
      if (req == "PTRACE_TRACEME") return "attaches a ptrace engine to itself, traced by its real parent (§8.4).";
      if (req == "PTRACE_CONT" || req == "PTRACE_SYSCALL" || req == "PTRACE_SINGLESTEP")
        return "ptrace_check_attach (the tracee must be stopped for us), then ptrace_resume: the engine's events "
               "are set, and ptrace_wake_up calls utrace_control(action) to release the stop (§8.4).";
      if (req == "PTRACE_DETACH")
        return "ptrace_do_detach: unlink, and detach the engine (or resume it until the signal report, §8.4).";
      if (req == "PTRACE_KILL") return "SIGKILL as the resume signal; always 0 (§8.4).";
      return "ptrace requests map to utrace calls (§8.4).";
    }
    default: break;
  }
  (void)c;
  return "";
}

std::string why_of(const EventView& v, const Ctx& c) {
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

}  // namespace

std::vector<NarrativeStep> narrate(const model::Kernel& k, const StepLog& log) {
  std::vector<NarrativeStep> out;
  std::map<int, std::string> last_return;
  const auto& evs = k.events();
  std::size_t ei = 0;
  const std::uint64_t nsteps = std::max<std::uint64_t>(log.steps.size(), evs.empty() ? 0 : evs.back().step);
  for (std::uint64_t s = 1; s <= nsteps; ++s) {
    const sim::StepRec* rec = s <= log.steps.size() ? &log.steps[s - 1] : nullptr;
    const std::string task = rec ? thread_task_name(k, rec->tid) : std::string("end of run");
    const std::string where = rec ? rec->acc.where : "";
    Ctx ctx{k, where, task, last_return};
    NarrativeStep st;
    st.first = st.last = s;
    st.task = task;
    if (!where.empty()) st.functions.push_back(where);
    if (rec) {
      const std::string obj = object_name(k, rec->acc.obj);
      st.access = obj.empty() ? std::string(access_verb(rec->acc.kind))
                              : fmt::format("{} {}", access_verb(rec->acc.kind), obj);
      st.chosen = rec->choice != ~0u;
    }
    for (; ei < evs.size() && evs[ei].step <= s; ++ei) {
      const model::Event& e = evs[ei];
      EventView v = view(e, k);
      st.lines.push_back({what_of(v, ctx), why_of(v, ctx), kind_of(e.kind)});
      if (e.kind == model::Ev::utrace_return) last_return[e.pid] = v.str("ret");
      if (e.kind == model::Ev::utrace_callback) last_return[e.pid].clear();
    }
    // Quiet steps of the same task fold into one entry.
    if (st.lines.empty() && !out.empty() && out.back().lines.empty() && out.back().task == st.task &&
        !st.chosen) {
      NarrativeStep& prev = out.back();
      prev.last = s;
      prev.access.clear();
      if (!where.empty() && prev.functions.back() != where) prev.functions.push_back(where);
      continue;
    }
    out.push_back(std::move(st));
  }
  return out;
}

// ---- the guarantees properties stand for --------------------------------------------------

std::string property_promise(model::Property p) {
  switch (p) {
    case model::Property::UnexpectedResult: return "Every op result matches its `expect` in the scenario.";
    case model::Property::CallbackAfterDetach:
      return "No callback of an engine starts after utrace_control(DETACH) returned 0, or after utrace_barrier "
             "answered for a detached engine.";
    case model::Property::DisabledCallback:
      return "After utrace_set_events returned 0, no callback for an event it removed starts.";
    case model::Property::StopWithoutEngine:
      return "A task never stays in TASK_TRACED when no attached engine wants it stopped.";
    case model::Property::MissingDeathReport:
      return "An engine that enabled DEATH (0 from set_events) and did not detach gets report_death before "
             "report_reap.";
    case model::Property::ReapBeforeDeath: return "report_reap never starts before report_death returned.";
    case model::Property::CallbackWithLock: return "No callback runs with utrace->lock or siglock held.";
    case model::Property::CallbackOrder:
      return "Engines are called in attach order (reverse for syscall entry).";
    case model::Property::EventBeforeAttach:
      return "An engine never gets a callback for an event that began before it was attached.";
    case model::Property::NullCallback: return "The core never calls a callback the ops table lacks.";
    case model::Property::EngineLifetime:
      return "release runs exactly once per engine, after its last reference, and nothing touches an engine after "
             "that.";
    case model::Property::RunWhileStopped:
      return "A task stopped by UTRACE_STOP runs no user code and makes no callbacks until released or killed.";
    case model::Property::SigkillPrimacy:
      return "SIGKILL is never reported to report_signal and always ends the task.";
    case model::Property::Hang:
      return "No task is blocked forever at the end of a run, except waits whose expect is \"blocks\".";
    case model::Property::ModelInvariant:
      return "The model's internal invariants (utrace-semantics.md §6, I1–I9) hold.";
    case model::Property::kCount: break;
  }
  return "";
}

std::vector<Guarantee> guarantees_of(model::Property p) {
  const std::string s6 = "utrace-semantics.md §6", s7 = "utrace-semantics.md §7";
  const Guarantee G1{"G1", s6, "Callbacks run at safe points with no locks held"};
  const Guarantee G2{"G2", s6,
                     "Engines are called in attach order; for SYSCALL_ENTRY (and its preceding quiesce) in reverse "
                     "order"};
  const Guarantee G3{"G3", s6, "An engine attached after an event started gets no callback for it"};
  const Guarantee G5{"G5", s6,
                     "report_reap is always the final callback; report_death is the penultimate one and is seen "
                     "unless the thread was already dying when the engine attached."};
  const Guarantee G6{"G6", s6, "report_reap is never made before report_death has returned"};
  const Guarantee G7{"G7", s6, "utrace_control(DETACH) → 0 means no more callbacks"};
  const Guarantee G8{"G8", s6,
                     "After a 0 from utrace_set_events on a stopped target, no callbacks for removed events are "
                     "made"};
  const Guarantee G9{"G9", s6,
                     "0 from barrier means the callback's return value is already applied"};
  const Guarantee G10{"G10", s6, "After a DETACH, further utrace_control on that engine returns -ESRCH"};
  const Guarantee G11{"G11", s6,
                      "A thread stopped with UTRACE_STOP stays stopped (does not run user code, makes no further "
                      "callbacks) until the engine releases it"};
  const Guarantee G12{"G12", s6, "No engine can prevent or delay SIGKILL."};
  const Guarantee G16{"G16", s6, "release(data) is called after the last put"};
  const Guarantee G18{"G18", s6, "A detached engine never causes (or prolongs) a stop."};
  switch (p) {
    case model::Property::CallbackAfterDetach: return {G7, G9, G10};
    case model::Property::DisabledCallback:
      return {G8, {"R4", s7, "if T's call returned 0, X never starts a callback that T disabled"}};
    case model::Property::StopWithoutEngine:
      return {G18,
              {"R2", s7,
               "X parks in TASK_TRACED on behalf of an engine that no longer exists — nobody will ever resume it"},
              {"R10", s7, "resume/detach vs. a task that is about to stop (lost wake-up)"}};
    case model::Property::MissingDeathReport:
      return {G5, {"R13", s7, "detach between exit_notify and the death report (possible lost report_death)"}};
    case model::Property::ReapBeforeDeath:
      return {G6, {"R7", s7, "P tears down engines and calls report_reap while X is still calling report_death"}};
    case model::Property::CallbackWithLock: return {G1};
    case model::Property::CallbackOrder: return {G2};
    case model::Property::EventBeforeAttach:
      return {G3, {"R1", s7, "the new engine would get a callback for an event that began before it existed"}};
    case model::Property::NullCallback:
      return {{"R5", s7, "the sentinel has no such callback → NULL function call"}};
    case model::Property::EngineLifetime: return {G16};
    case model::Property::RunWhileStopped: return {G11};
    case model::Property::SigkillPrimacy: return {G12};
    case model::Property::ModelInvariant:
      return {{"I1–I9", s6, "Additional invariants worth asserting in a simulator"}};
    default: break;
  }
  return {};
}

}  // namespace tools
