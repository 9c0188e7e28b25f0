// model/linux/why.cpp: why each event of the task family happened
// (model/why.h): scheduler states and utrace_stop (kernel/sched.c,
// kernel/utrace.c utrace_stop, §5.8, §5.12), signals and group stops
// (kernel/signal.c send_signal, get_signal_to_deliver, do_signal_stop; §5.8,
// §5.13), the life cycle (copy_process, do_exit, exit_notify,
// wait_task_zombie, release_task) and the ptrace requests (§8.4).  Each entry
// cites the section or guarantee of utrace-semantics.md that states the rule.
#include "model/why.h"
#include "model/abi.h"
#include "model/events.h"
#include "model/linux/task.h"

namespace model {

namespace {

// utsim_utrace_stop: a = 1 entering TASK_TRACED, 0 leaving it; b = 1 woken by SIGKILL.
std::string why_utrace_stop(const Event& e, const WhyContext& c) {
  if (e.a) {
    const auto last = c.last_return.find(e.pid);
    if (last != c.last_return.end() && last->second && utrace_resume_action_of(*last->second) == UTRACE_STOP)
      return c.version == KernelVersion::V2011_3x
                 ? "the pass ended with UTRACE_STOP and ENGINE_STOP is still set in utrace_flags under the lock, so "
                   "the task parks in TASK_UTRACED. utrace_reset (a utrace_control that leaves no engine wanting "
                   "the stop) wakes it; so does SIGKILL, and any fatal signal, since task_is_stopped_or_traced() "
                   "does not count TASK_UTRACED (G11, §5.12, V4)."
                 : "the pass ended with UTRACE_STOP and ENGINE_STOP is still set in utrace_flags under the lock, so "
                   "the task parks in TASK_TRACED. Only utrace_reset (a utrace_control that leaves no engine wanting "
                   "the stop) or SIGKILL wakes it (G11, §5.12).";
    return "the forced STOP: no callback returned UTRACE_STOP this time, but ENGINE_STOP is still set in "
           "utrace_flags from an earlier one (sticky, G13); start_callback turned it into UTRACE_STOP for the "
           "pass (§4.3 step 4).";
  }
  if (e.b && c.version == KernelVersion::V2011_3x)
    return "SIGKILL wakes TASK_UTRACED (a TASK_WAKEKILL state); no engine can prevent or delay it (G12).";
  return e.b ? "SIGKILL wakes TASK_TRACED (a TASK_WAKEKILL state); no engine can prevent or delay it (G12)."
             : "utrace_reset found no engine wanting the stop and called utrace_wakeup; utrace_finish_stop, "
               "then recalc_sigpending (§5.12).";
}

// utsim_sched_state: a = the old state, b = the new one (task->state, or an
// exit_state: EXIT_ZOMBIE and EXIT_DEAD are told apart from the task states
// by value).
std::string why_sched_state(const Event& e, const WhyContext& c) {
  const std::int64_t prev = e.a, next = e.b;
  if (c.version == KernelVersion::V2011_3x) {
    // "utrace for 3.x": the utrace stop is its own bit, __TASK_UTRACED, beside
    // the job-control one (utrace-semantics.md §5.8, §9 "Stop state").
    if (next == (TASK_STOPPED | TASK_UTRACED))
      return "utrace_do_stop ORs TASK_UTRACED into the job-control stop under siglock, so utrace_control(STOP) "
             "can answer 0 at once; __TASK_STOPPED stays (§5.8, V4).";
    if (prev == (TASK_STOPPED | TASK_UTRACED))
      return next == TASK_UTRACED
                 ? "SIGCONT: wake_up_quiescent(__TASK_STOPPED) ends the job-control stop, but __TASK_UTRACED is "
                   "left: the task sleeps on for its engine (§5.8, V4)."
                 : "utrace_wakeup: wake_up_quiescent(__TASK_UTRACED) drops the utrace bit; the job-control stop "
                   "is still in force, so the task sleeps on (§5.8, V4).";
    if (next == TASK_STOPPED)
      return "do_signal_stop: this thread takes its part in the group stop (JOBCTL_STOP_PENDING); there is no "
             "report_jctl in 3.x (§5.8, V4).";
  }
  if (next == TASK_TRACED && (c.where == "utrace_do_stop" || prev == TASK_STOPPED))
    return "utrace_do_stop converts a job-control TASK_STOPPED into TASK_TRACED under siglock, so "
           "utrace_control(STOP) can answer 0 at once (§5.8).";
  if (next == TASK_STOPPED)
    return prev == TASK_TRACED
               ? "utrace_wakeup: the group stop is still in force, so the task goes back to TASK_STOPPED "
                 "without waking (§5.8)."
               : "do_signal_stop: a job-control stop (the group stop); the report_jctl callbacks were made "
                 "before this (R15).";
  if (prev == TASK_STOPPED && next == TASK_RUNNING)
    return "the job-control stop ends: SIGCONT, SIGKILL or a ptrace resume woke it.";
  if (next == EXIT_ZOMBIE)
    return "exit_notify: a zombie until it is reaped; the parent is notified, and a traced task's death report "
           "follows (§5.10).";
  if (next == EXIT_DEAD)
    return prev == EXIT_ZOMBIE ? "wait_task_zombie: the zombie is being reaped; release_task follows."
                               : "nobody will wait for it (SIGCHLD ignored, or a thread): it reaps itself.";
  if (next == TASK_INTERRUPTIBLE) {
    if (c.where == "do_wait") return "do_wait: sleeps until a child changes state (a signal also wakes it).";
    if (c.where == "utrace_barrier")
      return "utrace_barrier polls: it sleeps one tick and looks at `reporting` again (§3.5).";
  }
  return "";
}

// utsim_signal_generate: a = sig, d = 0 queued, 1 ignored, 2 already pending.
std::string why_generate(const Event& e) {
  const auto sig = static_cast<int>(e.a);
  if (sig == SIGKILL)
    return "the primacy of SIGKILL: it wakes the task even from TASK_TRACED or TASK_STOPPED, and no engine "
           "can intercept or delay it (G12, §5.13).";
  if (e.d == 1)
    return "ignored by its disposition (SIG_IGN, or ignored by default like SIGCHLD): dropped at once, "
           "unless an engine watches ignored signals (tracehook_consider_ignored_signal).";
  if (e.d == 2) return "a non-realtime signal that is already pending is not queued twice.";
  if (sig == SIGCONT) return "prepare_signal: SIGCONT ends a group stop at once and discards pending stop signals.";
  if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
    return "queued; prepare_signal discards a pending SIGCONT, complete_signal sets TIF_SIGPENDING on a "
           "thread that can take it.";
  return "queued; complete_signal picks a thread that wants it and sets TIF_SIGPENDING.";
}

// utsim_signal_deliver: b = what get_signal_to_deliver did with it (SigDisp).
std::string why_deliver(const Event& e) {
  switch (static_cast<SigDisp>(e.b)) {
    case SigDisp::Handler: return "a handler frame is set up (handle_signal); utrace may report it (§5.5).";
    case SigDisp::Ignore: return "ignored when dequeued: nothing happens.";
    case SigDisp::Stop: return "the default action is to stop: do_signal_stop starts or joins the group stop (§5.8).";
    case SigDisp::Terminate:
    case SigDisp::Core: return "the default action kills the whole thread group (do_group_exit).";
    case SigDisp::Continue: return "SIGCONT's default action: nothing more (the wake-up happened when it was sent).";
  }
  return "";
}

// op_result of a ptrace op: the request, mapped onto utrace calls (§8.4).
std::string why_ptrace(int request) {
  switch (request) {
    case PTRACE_ATTACH:
      return "attaches the ptrace engine (utrace_attach_task + utrace_set_events), links the tracee and sends "
             "it SIGSTOP (§8.4).";
    case PTRACE_TRACEME: return "attaches a ptrace engine to itself, traced by its real parent (§8.4).";
    case PTRACE_CONT:
    case PTRACE_SYSCALL:
    case PTRACE_SINGLESTEP:
      return "ptrace_check_attach (the tracee must be stopped for us), then ptrace_resume: the engine's events "
             "are set, and ptrace_wake_up calls utrace_control(action) to release the stop (§8.4).";
    case PTRACE_DETACH:
      return "ptrace_do_detach: unlink, and detach the engine (or resume it until the signal report, §8.4).";
    case PTRACE_KILL: return "SIGKILL as the resume signal; always 0 (§8.4).";
    default: return "ptrace requests map to utrace calls (§8.4).";
  }
}

// The life cycle: fork, exit, notify, wait, release, restart, ptrace ops.
std::string why_life(const Event& e, const WhyContext& c) {
  switch (e.kind) {
    case Ev::task_new:
      return "copy_process: engines are never inherited (utrace_init_task); report_clone callbacks run before "
             "the child can run (G15).";
    case Ev::task_exit:
      return "do_exit: report_exit (if wanted) before PF_EXITING, then exit_notify and the death report if "
             "DEATH or QUIESCE is in utrace_flags (§5.9, §5.10).";
    case Ev::notify_parent:  // c = si_code
      return e.c == CLD_TRAPPED
                 ? "ptrace_notify_stop: the tracer's wait() can see the stop — only after TASK_TRACED is set "
                   "(R17a, §8.5)."
                 : "do_notify_parent: the parent gets its signal, and its wait() may now report this child.";
    case Ev::wait_found:  // c = why (CLD_*)
      return e.c == CLD_TRAPPED ? "wait_task_stopped(ptrace): the tracer collects the tracee's stop (§8.5)." : "";
    case Ev::release_task:
      return "release_task: the task is unhashed; tracehook_prepare_release_task calls utrace_maybe_reap(reap) "
             "when utrace_flags != 0 (R6, R7).";
    case Ev::sys_restart:
      return "a syscall interrupted by a signal: restarted, or -EINTR, depending on the handler's SA_RESTART.";
    case Ev::op_result: return c.ptrace_request ? why_ptrace(*c.ptrace_request) : "";
    default: return "";
  }
}

}  // namespace

std::string why_task(const Event& e, const WhyContext& c) {
  switch (e.kind) {
    case Ev::utrace_stop: return why_utrace_stop(e, c);
    case Ev::sched_state: return why_sched_state(e, c);
    case Ev::signal_generate: return why_generate(e);
    case Ev::signal_deliver: return why_deliver(e);
    case Ev::signal_wakeup:
      return "signal_wake_up: TIF_SIGPENDING, and the task is woken from an interruptible sleep (with wakekill "
             "also from TASK_TRACED/TASK_STOPPED).";
    case Ev::group_stop:
      return "group_stop_count counts the threads still to stop; at 0 SIGNAL_STOP_STOPPED is set and the parent "
             "is notified (§5.8).";
    default: return why_life(e, c);
  }
}

}  // namespace model
