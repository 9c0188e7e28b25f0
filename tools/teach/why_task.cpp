// tools/teach/why_task.cpp: why each event of the task family happened:
// scheduler states and utrace_stop, signals and group stops, the life cycle
// (fork, exit, notify, wait, release, ptrace requests).  Part of the table of
// explain_why.h.
#include <fmt/format.h>

#include "model/linux/task.h"
#include "tools/teach/explain_why.h"

namespace tools {

std::string why_sched(const EventView& v, const ExplainCtx& c) {
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

std::string why_signal(const EventView& v, const ExplainCtx& c) {
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

std::string why_life(const EventView& v, const ExplainCtx& c) {
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
      const model::PtraceOp* p = ptrace_op(e);
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

}  // namespace tools
