// model/ptrace/attach.cpp: attaching the ptrace engine and detaching it
// (kernel/ptrace-utrace.c: ptrace_attach_task, ptrace_detach_task,
// ptrace_do_detach ...; utrace-semantics.md §8.2), and the tracer/tracee
// links of kernel/ptrace.c.
#include <algorithm>

#include "model/ptrace/internal.h"

namespace model {

using namespace pt;

namespace pt {

sim::Co<int> ptrace_set_events(Kernel& k, Task& cur, Task& target, Engine& e, int options) {
  PtraceContext& ctx = ctx_of(k, e);
  // QUIESCE for resume handling, CLONE for CLONE_PTRACE; the rest are always reported.
  unsigned long events = EV_QUIESCE | EV_CLONE | EV_EXEC | UTRACE_EVENT_SIGNAL_ALL;
  ctx.options = options;
  if (options & PTRACE_O_TRACEEXIT) events |= EV_EXIT;
  co_return co_await utrace_set_events(k, cur, &target, e, events);
}

// ptrace_reuse_engine(): a self-detaching engine may be recycled.
sim::Co<AttachResult> ptrace_reuse_engine(Kernel& k, Task& cur, Task& tracee) {
  AttachResult r;
  Engine* e = co_await ptrace_lookup_engine(k, cur, tracee);
  if (!e) {
    r.err = ENOENT;
    co_return r;
  }
  PtraceContext& ctx = ctx_of(k, *e);
  int err = -EPERM;
  const sim::Keep keep(co_await sim::this_frame, e, err);
  if (ctx.resume == UTRACE_DETACH) {
    ctx.options = 0;
    ctx.eventmsg = 0;
    // No unwanted reports.
    err = co_await utrace_set_events(k, cur, &tracee, *e, EV_QUIESCE);
    if (!err || err == -EINPROGRESS) {
      ctx.resume = UTRACE_RESUME;
      // Synchronise with ptrace_report_signal().
      err = co_await utrace_barrier_uninterruptible(k, cur, tracee, *e);
    }
    if (!err) {
      r.engine = e;
      co_return r;
    }
  }
  co_await utrace_engine_put(k, cur, *e);
  r.err = -err;
  co_return r;
}

// ptrace_attach_engine()
sim::Co<AttachResult> ptrace_attach_engine(Kernel& k, Task& cur, Task& tracee) {
  if (tracee.utrace_flags) {
    const AttachResult reused = co_await ptrace_reuse_engine(k, cur, tracee);
    // The kernel compares the boolean IS_ERR() with -EPERM (never equal), so
    // every reuse failure falls through to the create attempt (§8.4 quirk).
    if (reused.engine) co_return reused;
  }
  k.ptrace_contexts.push_back(std::make_unique<PtraceContext>());
  const std::uint64_t data = k.ptrace_contexts.size();
  const sim::Keep keep(co_await sim::this_frame, data);
  k.ptrace_contexts.back()->resume = UTRACE_RESUME;
  AttachResult r = co_await utrace_attach_task(k, cur, &tracee,
                                               UTRACE_ATTACH_CREATE | UTRACE_ATTACH_EXCLUSIVE | UTRACE_ATTACH_MATCH_OPS,
                                               k.ptrace_ops.get(), data);
  if (!r.engine) {
    if (r.err != ESRCH && r.err != ERESTARTNOINTR) r.err = EPERM;
    // kfree(ctx): our own, which another attach may have followed meanwhile.
    k.ptrace_contexts[data - 1]->freed = true;
  }
  co_return r;
}

// ptrace_attach_task(): engine + events; 0 or a negative errno.
sim::Co<int> ptrace_attach_task(Kernel& k, Task& cur, Task& tracee, int options) {
  const AttachResult r = co_await ptrace_attach_engine(k, cur, tracee);
  if (!r.engine) co_return -r.err;
  const sim::Keep keep(co_await sim::this_frame, r.engine);
  // It can fail only if the tracee is dead: the caller notices before PT_UTRACED.
  (void)co_await ptrace_set_events(k, cur, tracee, *r.engine, options);
  co_await utrace_engine_put(k, cur, *r.engine);
  co_return 0;
}

// ptrace_wake_up(): force mode keeps the historic "ptrace always wakes a
// job-control-stopped tracee" behaviour.
sim::Co<int> ptrace_wake_up(Kernel& k, Task& cur, Task& tracee, Engine& e, std::uint32_t action, bool force_wakeup) {
  if (force_wakeup && !tracee.released) {
    co_await tracee.sighand->siglock.lock("ptrace_wake_up");
    tracee.signal->flags &= ~SIGNAL_STOP_STOPPED;
    tracee.sighand->siglock.unlock();
  }
  if (action != UTRACE_REPORT) ctx_of(k, e).stop_code = 0;
  co_return co_await utrace_control(k, cur, &tracee, e, action);
}

// ptrace_detach_task(): sig >= 0 for PTRACE_DETACH, -1 for the exiting tracer.
sim::Co<void> ptrace_detach_task(Kernel& k, Task& cur, Task& tracee, int sig) {
  const bool explicit_detach = sig >= 0;
  Engine* e = co_await ptrace_lookup_engine(k, cur, tracee);
  if (!e) co_return;
  PtraceContext& ctx = ctx_of(k, *e);
  std::uint32_t action = UTRACE_DETACH;
  const sim::Keep keep(co_await sim::this_frame, e, action);
  if (!explicit_detach) {
    // The tracee can be running: make sure ptrace_report_signal() will not
    // report a signal (R17b).
    ctx.resume = UTRACE_DETACH;
    const int err = co_await utrace_barrier_uninterruptible(k, cur, tracee, *e);
    // The tracee already captured a signal: resume it; the pending
    // SIGNAL_REPORT pass returns UTRACE_DETACH.
    if (!err && ctx.siginfo) action = UTRACE_RESUME;
  } else if (sig) {
    switch (get_stop_event(ctx)) {
      case PTRACE_EVENT_SYSCALL: {
        Siginfo info{sig, SI_KERNEL, 0, 0};
        (void)co_await k.send_sig_info(sig, info, tracee, cur.pid);
        break;
      }
      case PTRACE_EVENT_SIGNAL:
        ctx.signr = sig;
        ctx.resume = UTRACE_DETACH;
        action = UTRACE_RESUME;
        break;
    }
  }
  (void)co_await ptrace_wake_up(k, cur, tracee, *e, action, explicit_detach);
  if (action != UTRACE_DETACH) ctx.options = PTRACE_O_DETACHED;
  co_await utrace_engine_put(k, cur, *e);
}

// ignoring_children()
bool ignoring_children(const SighandStruct& sh) {
  const KSigaction& ka = const_cast<SighandStruct&>(sh)[SIGCHLD];
  return ka.handler == KSigaction::Handler::Ignore || (ka.flags & SA_NOCLDWAIT);
}

// __ptrace_detach(): unlink; a traced zombie gets its delayed notification.
// tasklist_lock held.  true: it must be release_task()'d.
bool ptrace_detach_zombie(Kernel& k, Task& tracer, Task& p) {
  ptrace_unlink(k, p);
  if (p.exit_state == EXIT_ZOMBIE) {
    if (p.exit_signal != -1 && p.thread_group_empty()) {
      if (p.real_parent->signal != tracer.signal) {
        k.do_notify_parent(p, p.exit_signal);
      } else if (ignoring_children(*tracer.sighand)) {
        k.wake_up(tracer.signal->wait_chldexit, TASK_INTERRUPTIBLE);
        p.exit_signal = -1;
      }
    }
    if (p.exit_signal == -1) {
      k.set_exit_state(p, EXIT_DEAD);
      return true;
    }
  }
  return false;
}

// ptrace_do_detach()
sim::Co<void> ptrace_do_detach(Kernel& k, Task& cur, Task& tracee, int data) {
  co_await k.tasklist_lock.lock("ptrace_do_detach");
  // The tracee can be killed already: de_thread() or a sub-thread's
  // do_wait() may have released it (R17g).
  const bool detach = tracee.ptrace != 0;
  bool release = false;
  if (detach) release = ptrace_detach_zombie(k, cur, tracee);
  k.tasklist_lock.unlock();
  if (release)
    co_await k.release_task(tracee);
  else if (detach)
    co_await ptrace_detach_task(k, cur, tracee, data);
}

}  // namespace pt

// ---- the tracer/tracee links of kernel/ptrace.c ------------------------------------------

void ptrace_link(Kernel& k, Task& child, Task& new_parent) {
  // kernel/ptrace.c __ptrace_link(): "Must be called with the tasklist lock write-held."
  k.lockdep_assert_held(k.tasklist_lock, "__ptrace_link");
  new_parent.ptraced.push_back(&child);
  child.parent = &new_parent;
  k.emit(Ev::reparent, child.pid, new_parent.pid);
}

void ptrace_unlink(Kernel& k, Task& child) {
  if (!child.ptrace) return;
  // kernel/ptrace.c __ptrace_unlink(): "Must be called with the tasklist lock write-held."
  k.lockdep_assert_held(k.tasklist_lock, "__ptrace_unlink");
  child.ptrace = 0;
  std::erase(child.parent->ptraced, &child);
  child.parent = child.real_parent;
  k.emit(Ev::reparent, child.pid, child.real_parent->pid);
}

void ptrace_release_task(Kernel& k, Task& p) {
  if (!p.ptraced.empty()) throw ModelBug("release_task: a task that still traces others (BUG_ON)");
  ptrace_unlink(k, p);
}

sim::Co<void> exit_ptrace(Kernel& k, Task& tracer) {
  for (;;) {
    co_await k.tasklist_lock.lock("exit_ptrace");
    Task* tracee = tracer.ptraced.empty() ? nullptr : tracer.ptraced.front();
    k.tasklist_lock.unlock();
    if (!tracee) break;
    co_await ptrace_do_detach(k, tracer, *tracee, -1);
  }
}

}  // namespace model
