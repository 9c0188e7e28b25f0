// model/utrace/report.cpp: kernel/utrace.c's reporting machinery
// (utrace-semantics.md §4: start_report, start_callback, finish_callback,
// finish_report) and stopping (§5.12: utrace_stop, utrace_finish_stop).
// All reporting is done by the traced task itself, walking `attached`
// without the lock; report_reap is made by whoever tears the task down
// (tracehooks.cpp).
#include <fmt/format.h>

#include "model/ptrace/ptrace.h"
#include "model/utrace/internal.h"

namespace model {

using namespace ut;

namespace ut {

// ---- one callback -----------------------------------------------------------------------

sim::Co<std::uint32_t> call_engine(Kernel& k, Task& task, Engine& e, EngineOps* ops, CallbackArgs& args) {
  co_await e.kref.call_point(callback_name(args.cb));
  if (!ops || !ops->has(args.cb)) {
    // The kernel would call through a NULL pointer here (R5).
    hooks(k).null_callback(task, e, ops, args.cb);
    co_return args.cb == Callback::report_signal ? (args.action & ~UTRACE_RESUME_MASK) | UTRACE_RESUME : UTRACE_RESUME;
  }
  const bool own = ops->counts();
  const sim::Keep keep(co_await sim::this_frame, own);
  if (own) {
    hooks(k).callback_start(task, e, args);
    e.received.push_back(args.cb);
  }
  k.emit(Ev::utrace_callback, task.pid, e.id, static_cast<int>(args.cb),
         args.cb == Callback::report_quiesce ? static_cast<std::int64_t>(args.event) : args.action, own ? 0 : 1);
  const std::uint32_t ret = co_await ops->call(k, task, e, args);
  // The return is seen by the property checkers like the call: for the explorers.
  e.kref.touch("callback return");
  k.emit(Ev::utrace_return, task.pid, e.id, static_cast<int>(args.cb), ret, own ? 0 : 1);
  if (own) hooks(k).callback_return(task, e, args.cb, ret);
  co_return ret;
}

// ---- start_report / start_callback / finish_callback (§4.2-§4.4) -------------------------------

// start_report(): splice new engines, consume a REPORT or step request (an
// INTERRUPT stays for utrace_get_signal()).  Returns the resume value read.
// 2009-rfc (V2 start_report()): the owed report is the `report` bit, and
// steps were never deferred; UTRACE_REPORT is returned when it was set.
sim::Co<std::uint32_t> start_report(Kernel& k, Task& task) {
  Utrace& u = U(task);
  if (v2(k)) {
    bool report = co_await READ_ONCE(u.report, "start_report");
    const sim::Keep keep(co_await sim::this_frame, report);
    const bool pending_attach = co_await READ_ONCE(u.pending_attach, "start_report");
    if (report || pending_attach) {
      co_await u.lock.lock("start_report");
      splice_attaching(k, task);
      report = u.report;
      u.report.set(false);
      u.lock.unlock();
    }
    hooks(k).report_begin(task);
    co_return report ? UTRACE_REPORT : UTRACE_RESUME;
  }
  std::uint32_t resume = co_await READ_ONCE(u.resume, "start_report");
  const sim::Keep keep(co_await sim::this_frame, resume);
  // The pending_attach test is lockless by design: missing an attach that is
  // happening right now only makes the new engine one event late (G3, R1).
  const bool pending_attach = co_await READ_ONCE(u.pending_attach, "start_report");
  if (pending_attach || (resume > UTRACE_INTERRUPT && resume < UTRACE_RESUME)) {
    co_await u.lock.lock("start_report");
    splice_attaching(k, task);
    resume = u.resume;
    if (resume > UTRACE_INTERRUPT) u.resume.set(UTRACE_RESUME);
    u.lock.unlock();
  }
  hooks(k).report_begin(task);
  co_return resume;
}

sim::Co<EngineOps*> start_callback(Kernel& k, Task& task, UtraceReport& report, Engine& e, unsigned long event) {
  Utrace& u = U(task);
  // reporting = engine, then a full barrier: it pairs with the barriers in
  // utrace_set_events() and utrace_control() (R4).
  co_await WRITE_ONCE(u.reporting, &e, "start_callback");
  if (!has_switch(k, Switch::NoMbStartCallback)) smp_mb();
  // flags, read barrier, then ops: never the new flags with the old ops (R5).
  unsigned long want = co_await READ_ONCE(e.flags, "start_callback");
  const sim::Keep keep(co_await sim::this_frame, want);
  smp_rmb();  // pairs with the smp_wmb() in mark_engine_detached()
  // READ_ONCE(engine->ops): a traced run shows which table was seen (R5).
  const bool sentinel = co_await READ_ONCE(e.ops, "start_callback") == Engine::Ops::Detached;
  EngineOps* ops = e.current_ops(k);
  const sim::Keep keep_ops(co_await sim::this_frame, ops);

  if ((want & EVENT_QUIESCE) || (sentinel && !has_race(k, R5))) {
    CallbackArgs a;
    a.cb = Callback::report_quiesce;
    a.action = report.action;
    a.event = event;
    const sim::Keep keep_args(co_await sim::this_frame, a);
    const std::uint32_t ret = co_await call_engine(k, task, e, ops, a);
    const bool detached = co_await finish_callback(k, task, report, e, ret);
    if (detached) co_return nullptr;
    if (v4(k) && event == 0) {
      report.spurious = false;
      co_return nullptr;
    }
    // finish_callback() cleared reporting: publish it again before
    // re-reading the flags, which the quiesce callback or a concurrent
    // utrace_control()/utrace_set_events() may have changed.
    co_await WRITE_ONCE(u.reporting, &e, "start_callback");
    if (!has_switch(k, Switch::NoMbStartCallback)) smp_mb();
    want = co_await READ_ONCE(e.flags, "start_callback");
  }
  // An engine that asked for a stop keeps the pass at STOP even if it has
  // no interest in this event.
  if (want & ENGINE_STOP) report.action = UTRACE_STOP;
  if (want & event) {
    report.spurious = false;
    co_return ops;
  }
  co_await WRITE_ONCE(u.reporting, nullptr, "start_callback");
  co_return nullptr;
}

namespace {

// finish_callback_report(): apply one engine's resume action.
sim::Co<void> finish_callback_report(Kernel& k, Task& task, UtraceReport& report, Engine& e, std::uint32_t action) {
  Utrace& u = U(task);
  if (action == UTRACE_DETACH) {
    hooks(k).detach_returned(task, e);
    if (!has_race(k, R3)) {
      // Under the lock, so that utrace_barrier() (get_utrace_lock()) sees
      // the detach before `reporting` is cleared: a 0 from the barrier then
      // means the DETACH took effect (R3).
      co_await u.lock.lock("finish_callback_report");
      e.ops.set(Engine::Ops::Detached);
      u.lock.unlock();
    } else {
      // V2: no lock.  This CPU sees its own store; others may see it only
      // after `reporting` is cleared (finish_callback() stores it last).
      report.detaches = true;
      co_return;
    }
  }
  // An asynchronous utrace_control(DETACH) counts like a DETACH return.
  if (co_await READ_ONCE(e.ops, "finish_callback_report") == Engine::Ops::Detached) {
    report.detaches = true;
    co_return;
  }
  if (action < report.action) report.action = action;
  if (action != UTRACE_STOP) {
    if (action < report.resume_action) report.resume_action = action;
    if (engine_wants_stop(e)) {
      co_await u.lock.lock("finish_callback_report");
      clear_engine_wants_stop(e);
      u.lock.unlock();
    }
    co_return;
  }
  if (!engine_wants_stop(e)) {
    co_await u.lock.lock("finish_callback_report");
    // If utrace_control() came in and detached us before we got the lock,
    // we must not stop now (R2).
    if (e.ops == Engine::Ops::Detached && !has_race(k, R2))
      report.detaches = true;
    else
      mark_engine_wants_stop(task, e);
    u.lock.unlock();
  }
}

}  // namespace

sim::Co<bool> finish_callback(Kernel& k, Task& task, UtraceReport& report, Engine& e, std::uint32_t ret) {
  report.result = ret & ~UTRACE_RESUME_MASK;
  const std::uint32_t action = utrace_resume_action_of(ret);
  co_await finish_callback_report(k, task, report, e, action);
  // The effect of the return value is applied: utrace_barrier() may stop
  // waiting.  No barrier needed: it reads `reporting` under the lock.
  co_await WRITE_ONCE(U(task).reporting, nullptr, "finish_callback");
  if (action == UTRACE_DETACH && has_race(k, R3)) {
    // R3: the unlocked store of the sentinel becomes visible only now.
    co_await WRITE_ONCE(e.ops, Engine::Ops::Detached, "finish_callback_report (R3)");
  }
  co_return e.ops.peek("finish_callback") == Engine::Ops::Detached;
}

// ---- finishing a pass (§4.6-§4.8) ---------------------------------------------------------------

sim::Co<void> finish_report_reset(Kernel& k, Task& task, UtraceReport& report) {
  if (report.spurious || report.detaches) {
    co_await U(task).lock.lock("finish_report_reset");
    const bool gone = co_await utrace_reset(k, task);
    if (gone) report.action = UTRACE_RESUME;
  }
}

// finish_report(): a STOP becomes a pending REPORT when the caller will not
// stop here (will_not_stop), so the sticky ENGINE_STOP forces the stop
// before user mode.
//
// 2009-rfc (V2 finish_report()): any action up to UTRACE_REPORT, STOP
// included (there was no will_not_stop), leaves a request bit: `interrupt`
// for INTERRUPT, else `report` unless one is already owed.  So a pass that
// stopped is followed, once the task is resumed, by a report_quiesce pass
// from utrace_resume() (issue #13 item 1).
sim::Co<void> finish_report(Kernel& k, Task& task, UtraceReport& report, bool will_not_stop) {
  Utrace& u = U(task);
  if (v2(k)) {
    if (report.action <= UTRACE_REPORT && !co_await READ_ONCE(u.interrupt, "finish_report") &&
        (report.action == UTRACE_INTERRUPT || !co_await READ_ONCE(u.report, "finish_report"))) {
      co_await u.lock.lock("finish_report");
      if (report.action == UTRACE_INTERRUPT) {
        u.interrupt.set(true);
        task.set_tif(TIF_SIGPENDING);
      } else {
        u.report.set(true);
        set_notify_resume(k, task);
      }
      u.lock.unlock();
    }
    co_await finish_report_reset(k, task, report);
    co_return;
  }
  std::uint32_t resume = report.action;
  if (resume == UTRACE_STOP) resume = will_not_stop ? UTRACE_REPORT : UTRACE_RESUME;
  const sim::Keep keep(co_await sim::this_frame, resume);
  if (resume < co_await READ_ONCE(u.resume, "finish_report")) {
    co_await u.lock.lock("finish_report");
    u.resume.set(resume);
    if (resume == UTRACE_INTERRUPT)
      task.set_tif(TIF_SIGPENDING);
    else
      set_notify_resume(k, task);
    u.lock.unlock();
  }
  co_await finish_report_reset(k, task, report);
}

// finish_resume_report(): the last pass before user mode acts on its action.
sim::Co<void> finish_resume_report(Kernel& k, Task& task, UtraceReport& report) {
  co_await finish_report_reset(k, task, report);
  switch (report.action) {
    case UTRACE_STOP: co_await utrace_stop(k, task, report.resume_action); break;
    case UTRACE_INTERRUPT:
      if (!task.test_tif(TIF_SIGPENDING)) task.set_tif(TIF_SIGPENDING);
      break;
    case UTRACE_BLOCKSTEP:
    case UTRACE_SINGLESTEP:
      // user_enable_block_step() / user_enable_single_step(): x86 has both;
      // the model steps one user-mode step either way.
      task.set_tif(TIF_SINGLESTEP);
      break;
    default:
      task.clear_tif(TIF_SINGLESTEP);  // user_disable_single_step()
      break;
  }
}

// ---- stopping (§5.12) ------------------------------------------------------------------------------

// utrace_stop(): block in TASK_TRACED until no engine wants the stop, or
// SIGKILL.  `action` is what to do after the stop (never STOP).
sim::Co<void> utrace_stop(Kernel& k, Task& task, std::uint32_t action) {
  Utrace& u = U(task);
  for (;;) {
    co_await u.lock.lock("utrace_stop");
    if (v2(k)) {
      // V2: the request bits.  TIF_SIGPENDING for `interrupt` comes from
      // the recalc_sigpending() after the stop (utrace_interrupt_pending()).
      if (action == UTRACE_INTERRUPT) {
        u.interrupt.set(true);
      } else if (action < UTRACE_RESUME) {
        u.report.set(true);
        task.set_tif(TIF_NOTIFY_RESUME);
      }
    } else if (action < u.resume) {
      // Ensure a reporting pass when we are resumed.
      u.resume.set(action);
      if (action == UTRACE_INTERRUPT)
        task.set_tif(TIF_SIGPENDING);
      else
        set_notify_resume(k, task);
    }
    // ENGINE_STOP clear: utrace_reset() ran after the callbacks asked for
    // the stop; everyone detached or resumed us (R2, R10).
    if (!(task.utrace_flags & ENGINE_STOP)) {
      (void)co_await utrace_reset(k, task);
      if (task.utrace_flags & ENGINE_STOP) continue;
      co_return;
    }
    break;
  }
  // The siglock protects us against signals: SIGKILL, stop signals, SIGCONT.
  co_await task.sighand->siglock.lock("utrace_stop");
  if (fatal_signal_pending(task)) {
    task.sighand->siglock.unlock();
    u.lock.unlock();
    co_return;
  }
  utrace_set_traced(k, task);
  k.emit(Ev::utrace_stop, task.pid, 1, 0, v4(k) ? 1 : 0);  // c: the stop is TASK_UTRACED
  // A group stop in progress: take part in its bookkeeping.  Not in V4
  // (linux-3.1 kernel/utrace.c:786-855 has none): a thread a group stop
  // asked to stop keeps JOBCTL_STOP_PENDING and takes part in
  // do_signal_stop() once utrace_wakeup() lets it go (§5.8).
  if (!v4(k) && task.signal->group_stop_count && !--task.signal->group_stop_count)
    task.signal->flags = SIGNAL_STOP_STOPPED;
  task.sighand->siglock.unlock();
  u.lock.unlock();

  // ptrace-utrace's wait() notification, after TASK_TRACED (§8.5, R17a).
  // (V4 has upstream ptrace, not built on utrace.)
  if (!v4(k)) co_await ptrace_notify_stop(k, task);

  co_await k.schedule(task, "utrace_stop");
  k.emit(Ev::utrace_stop, task.pid, 0, fatal_signal_pending(task));
  co_await utrace_finish_stop(k, task);
  // While TASK_TRACED, complete_signal() considered us uninterested in
  // signal wake-ups: recompute TIF_SIGPENDING.
  co_await task.sighand->siglock.lock("utrace_stop");
  k.recalc_sigpending(task);
  task.sighand->siglock.unlock();
}

}  // namespace ut

// utrace_finish_stop(): after TASK_TRACED or a job-control stop.  If SIGKILL
// woke us while engines still want the stop, do nothing until the tracer
// drops utrace->lock (R9); RHEL6 also waits while a ptrace request has our
// registers (freeze_stop).
sim::Co<void> utrace_finish_stop(Kernel& k, Task& task) {
  if (!task.utrace) co_return;
  Utrace& u = U(task);
  co_await task.pending.read_point("utrace_finish_stop");
  if (fatal_signal_pending(task)) {
    hooks(k).leaving_traced(task, true);
    if (!has_race(k, R9)) {
      // spin_unlock_wait(&utrace->lock)
      co_await u.lock.lock("utrace_finish_stop");
      u.lock.unlock();
    }
    guarded_by(u.lock).peek("utrace_finish_stop");  // the check looks at it
    hooks(k).woken_by_sigkill(task);
    if (!v2(k) && !v4(k)) {
      while (u.freeze_stop.peek("utrace_finish_stop")) {
        k.set_task_state(task, TASK_UNINTERRUPTIBLE);
        co_await k.schedule_until(task, k.eng.now() + 1, "utrace_finish_stop: freeze_stop");
        k.set_task_state(task, TASK_RUNNING);
      }
    }
  }
  if (v2(k) && u.stopped) {
    // V2: a wake-up with `stopped` still set was SIGKILL (or the end of a
    // job-control stop): clear it under the lock.
    co_await u.lock.lock("utrace_finish_stop");
    u.stopped.set(false);
    u.lock.unlock();
  }
}

}  // namespace model
