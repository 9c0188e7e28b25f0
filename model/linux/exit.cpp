// kernel/exit.c of Linux 2.6.32 (RHEL6 tracehooks): exit, death, reaping,
// reparenting, and wait.
#include <algorithm>

#include "model/linux/kernel.h"
#include "model/ptrace/ptrace.h"

namespace model {

namespace {
bool ptrace_reparented(const Task& t) { return t.real_parent != t.parent; }
bool task_detached(const Task& t) { return t.exit_signal == -1; }
bool delay_group_leader(const Task& p) { return p.is_leader() && !p.thread_group_empty(); }
bool same_thread_group(const Task& a, const Task& b) { return a.signal == b.signal; }
}  // namespace

// do_exit(): never returns; the task's thread ends here.
sim::Co<void> Kernel::do_exit(Task& cur, int code) {
  const sim::Keep keep(co_await sim::this_frame, code);  // report_exit may change it
  co_await tracehook_report_exit(cur, &code);            // may stop in utrace_stop (report_exit)
  emit(Ev::task_exit, cur.pid, code);
  co_await exit_signals(cur);  // sets PF_EXITING
  const bool group_dead = --cur.signal->live == 0;
  if (group_dead) itimer_group_dead(*cur.signal);  // hrtimer_cancel(&tsk->signal->real_timer)
  cur.exit_code = code;
  // exit_mm() -> mm_release(): wake a vfork parent.
  if (VforkDone* v = cur.vfork_done) {
    cur.vfork_done = nullptr;
    v->done = true;
    if (v->waiter) wake_up_state(*v->waiter, TASK_NORMAL);
  }
  co_await exit_notify(cur, group_dead);
  set_task_state(cur, TASK_DEAD);
  cur.thread_done = true;
  co_await sim::exit_thread();
}

// do_group_exit(): take the whole thread group down.
sim::Co<void> Kernel::do_group_exit(Task& cur, int exit_code) {
  SignalStruct& sig = *cur.signal;
  const sim::Keep keep(co_await sim::this_frame, exit_code);
  if ((sig.flags & SIGNAL_GROUP_EXIT) || sig.group_exit_task) {
    exit_code = sig.group_exit_code;
  } else if (!cur.thread_group_empty()) {
    co_await cur.sighand->siglock.lock("do_group_exit");
    if ((sig.flags & SIGNAL_GROUP_EXIT) || sig.group_exit_task) {
      // Another thread got here before we took the lock.
      exit_code = sig.group_exit_code;
    } else {
      sig.group_exit_code = exit_code;
      sig.flags = SIGNAL_GROUP_EXIT;
      zap_other_threads(cur);
    }
    cur.sighand->siglock.unlock();
  }
  co_await do_exit(cur, exit_code);
}

// exit_signals(): PF_EXITING; hand group-wide signals to another thread and
// complete a group stop in progress.
sim::Co<void> Kernel::exit_signals(Task& tsk) {
  // PF_EXITING is read under siglock (signal delivery) or tasklist_lock
  // (ptrace links, reapers): setting it touches what both guard.
  const auto set_exiting = [&] {
    tsk.flags.touch("PF_EXITING");
    guarded_by(tsk.sighand->siglock).touch("PF_EXITING");
    guarded_by(tasklist_lock).touch("PF_EXITING");
    tsk.flags.set(tsk.flags | PF_EXITING, "PF_EXITING");
  };
  if (tsk.thread_group_empty() || (tsk.signal->flags & SIGNAL_GROUP_EXIT) || tsk.signal->group_exit_task) {
    set_exiting();
    co_return;
  }
  co_await tsk.sighand->siglock.lock("exit_signals");
  // From now this task is not visible for group-wide signals.
  set_exiting();
  int group_stop = 0;
  if (tsk.test_tif(TIF_SIGPENDING)) {
    // complete_signal() may have chosen us for a group-wide signal: another
    // thread should take it now.
    for (Task* t : tsk.signal->threads)
      if (t != &tsk && !t->test_tif(TIF_SIGPENDING) && !(t->flags & PF_EXITING)) recalc_sigpending_and_wake(*t);
    if (jobctl_3x()) {
      // 3.1 (kernel/signal.c:2437-2439): only a thread asked to stop takes
      // part, and there is no job-control report.
      if ((tsk.jobctl & JOBCTL_STOP_PENDING) && task_participate_group_stop(tsk)) group_stop = CLD_STOPPED;
    } else if (tsk.signal->group_stop_count && !--tsk.signal->group_stop_count) {
      tsk.signal->flags = SIGNAL_STOP_STOPPED;
      group_stop = co_await tracehook_notify_jctl(tsk, CLD_STOPPED, CLD_STOPPED);
    }
  }
  tsk.sighand->siglock.unlock();
  if (group_stop) co_await do_notify_parent_cldstop(tsk, group_stop);
}

// find_new_reaper(): another live thread of the group, else init.
Task* Kernel::find_new_reaper(Task& father) {
  for (Task* t : father.signal->threads)
    if (t != &father && !(t->flags & PF_EXITING)) return t;
  return init;
}

// reparent_leader(): move a child to its new parent; a zombie child is
// reported to the new parent (and released if that one does not care).
void Kernel::reparent_leader(Task& father, Task& p, std::vector<Task*>& dead) {
  std::erase(father.children, &p);
  p.real_parent->children.push_back(&p);
  emit(Ev::reparent, p.pid, p.real_parent->pid);
  if (task_detached(p)) return;
  // A threaded reparent: nobody needs to know.
  if (same_thread_group(*p.real_parent, father)) return;
  // We don't want people slaying init.
  p.exit_signal = SIGCHLD;
  // If it has exited, notify the new parent about this child's death.
  if (!p.ptrace && p.exit_state == EXIT_ZOMBIE && p.thread_group_empty()) {
    do_notify_parent(p, p.exit_signal);
    if (task_detached(p)) {
      set_exit_state(p, EXIT_DEAD);
      dead.push_back(&p);
    }
  }
  // kill_orphaned_pgrp(): utsim has no orphaned process groups (docs/model.md).
}

// forget_original_parent(): our children go to a sibling thread or init.
// tasklist_lock held.
void Kernel::forget_original_parent(Task& father, std::vector<Task*>& dead) {
  Task* reaper = find_new_reaper(father);
  auto kids = father.children;
  for (Task* p : kids) {
    for (Task* t : p->signal->threads) {
      if (t->real_parent != &father) continue;
      t->real_parent = reaper;
      if (t->parent == &father) t->parent = reaper;
    }
    if (p->real_parent == &father) p->real_parent = reaper;
    if (p->parent == &father) p->parent = reaper;
    reparent_leader(father, *p, dead);
  }
}

// exit_notify(): reparent our children, tell our parent, become a zombie (or
// EXIT_DEAD when nobody will wait for us), report death to utrace.
sim::Co<void> Kernel::exit_notify(Task& tsk, bool group_dead) {
  // forget_original_parent(), with exit_ptrace() first: our tracees are
  // detached (kernel/ptrace-utrace.c).
  co_await exit_ptrace(*this, tsk);
  std::vector<Task*> dead;
  std::size_t i = 0;
  const sim::Keep keep(co_await sim::this_frame, dead, i);
  co_await tasklist_lock.lock("forget_original_parent");
  forget_original_parent(tsk, dead);
  for (LinuxHooks* h : hooks_) h->on_children_reparented(*this, tsk);
  tasklist_lock.unlock();
  for (; i < dead.size(); ++i) co_await release_task(*dead[i]);

  co_await tasklist_lock.lock("exit_notify");
  // kill_orphaned_pgrp(): no orphaned process groups in utsim.
  // Let father know we died.  A changed exec id of either side means the
  // special exit signal no longer applies.
  if (tsk.exit_signal != SIGCHLD && !task_detached(tsk) &&
      (tsk.parent_exec_id != tsk.real_parent->self_exec_id || tsk.self_exec_id != tsk.parent_exec_id))
    tsk.exit_signal = SIGCHLD;

  int signal = tracehook_notify_death(tsk, group_dead);
  if (signal >= 0) signal = do_notify_parent(tsk, signal);
  const sim::Keep keep_signal(co_await sim::this_frame, signal);
  tsk.final_status = task_exit_status(tsk);  // until a reaper reads it again
  set_exit_state(tsk, signal == DEATH_REAP ? EXIT_DEAD : EXIT_ZOMBIE);
  // mt-exec: de_thread() is waiting for us.
  if (tsk.is_leader() && tsk.signal->group_exit_task && tsk.signal->notify_count < 0)
    wake_up_state(*tsk.signal->group_exit_task, TASK_NORMAL);
  tasklist_lock.unlock();

  co_await tracehook_report_death(tsk, signal, group_dead);
  // If the process is dead, release it: nobody will wait for it.
  if (signal == DEATH_REAP) co_await release_task(tsk);
}

// __exit_signal() (and __unhash_process()): leave the thread group, the
// parent's children list and the pid hash.  tasklist_lock held.
void Kernel::exit_signal_unlink(Task& p) {
  // __exit_signal() runs under siglock: signal senders see it (for the explorers).
  guarded_by(p.sighand->siglock).touch("__exit_signal");
  SignalStruct& sig = *p.signal;
  if (sig.curr_target == &p) {
    auto& th = sig.threads;
    auto it = std::find(th.begin(), th.end(), &p);
    sig.curr_target =
        (it != th.end() && std::next(it) != th.end()) ? *std::next(it) : (th.front() != &p ? th.front() : nullptr);
  }
  std::erase(sig.threads, &p);
  p.pending = SigPending{};
  p.sighand->count--;  // __cleanup_sighand(); the pointer stays for the outcome
  if (sig.threads.empty()) sig.shared_pending = SigPending{};
  // de_thread() waits for the other threads to be gone.
  if (sig.group_exit_task && static_cast<int>(sig.threads.size()) == sig.notify_count)
    wake_up_state(*sig.group_exit_task, TASK_NORMAL);
  std::erase(p.real_parent->children, &p);
  detach_pid(p);
  p.released = true;
  for (LinuxHooks* h : hooks_) h->on_release(*this, p);
}

// release_task(): the final teardown of a dead task.
sim::Co<void> Kernel::release_task(Task& first) {
  Task* p = &first;
  Task& reaper = current();
  const sim::Keep keep(co_await sim::this_frame, p);
  for (;;) {
    co_await tracehook_prepare_release_task(*p);  // utrace_maybe_reap(reap = true)
    co_await tasklist_lock.lock("release_task");
    ptrace_release_task(*this, *p);  // tracehook_finish_release_task(): ptrace_unlink()
    exit_signal_unlink(*p);
    emit(Ev::release_task, reaper.pid, p->pid);
    // If we are the last non-leader member of the thread group and the
    // leader is a zombie, notify the leader's parent now.
    bool zap_leader = false;
    Task* leader = p->group_leader;
    if (leader != p && leader->thread_group_empty() && leader->exit_state == EXIT_ZOMBIE) {
      if (task_detached(*leader)) throw ModelBug("release_task: detached zombie leader");
      do_notify_parent(*leader, leader->exit_signal);
      // If the leader's parent ignores SIGCHLD, we release the leader too.
      zap_leader = task_detached(*leader);
      if (zap_leader) set_exit_state(*leader, EXIT_DEAD);
    }
    tasklist_lock.unlock();
    if (!zap_leader) break;
    p = leader;
  }
}

// ---- wait ---------------------------------------------------------------------------

int Kernel::task_exit_status(const Task& p) {
  return (p.signal->flags & SIGNAL_GROUP_EXIT) ? p.signal->group_exit_code : p.exit_code;
}

// wait_task_zombie(): reap a zombie child.  Called with tasklist_lock held;
// drops it when it returns non-zero.
sim::Co<int> Kernel::wait_task_zombie(Task& cur, WaitOpts& wo, Task& p) {
  // kernel/exit.c wait_task_zombie(): "We hold read_lock(&tasklist_lock) on entry."
  lockdep_assert_held(tasklist_lock, "wait_task_zombie");
  if (!(wo.flags & WEXITED)) co_return 0;
  // Only one thread may move the task to EXIT_DEAD: 2.6.32 does it with
  // xchg(&p->exit_state, EXIT_DEAD), a full barrier (the release side of
  // utrace_add_engine()'s R6 pair).
  if (p.exit_state != EXIT_ZOMBIE) co_return 0;
  set_exit_state(p, EXIT_DEAD);
  atomic_rmw("xchg(&p->exit_state)", true);
  const bool traced = ptrace_reparented(p);
  const int pid = p.pid;
  tasklist_lock.unlock();

  const int status = task_exit_status(p);
  wo.status = status;
  p.final_status = status;  // what the reaper saw is how it died
  emit(Ev::wait_found, cur.pid, pid, status,
       WIFEXITED(status)   ? CLD_EXITED
       : WCOREDUMP(status) ? CLD_DUMPED
                           : CLD_KILLED);
  Task* release = &p;
  const sim::Keep keep(co_await sim::this_frame, release, pid);
  if (traced) {
    co_await tasklist_lock.lock("wait_task_zombie");
    // We dropped tasklist_lock: the tracer could have died and untraced it.
    ptrace_unlink(*this, p);
    // If this is not a detached task, notify the real parent; if it is still
    // not detached after that, it stays a zombie for the real parent.
    if (!task_detached(p)) {
      do_notify_parent(p, p.exit_signal);
      if (!task_detached(p)) {
        set_exit_state(p, EXIT_ZOMBIE);
        release = nullptr;
      }
    }
    tasklist_lock.unlock();
  }
  if (release) co_await release_task(*release);
  co_return pid;
}

// wait_task_stopped(): report a stopped (or, for a tracer, traced) child.
sim::Co<int> Kernel::wait_task_stopped(Task& cur, WaitOpts& wo, bool ptrace, Task& p) {
  // kernel/exit.c wait_task_stopped(): "We hold read_lock(&tasklist_lock) on entry."
  lockdep_assert_held(tasklist_lock, "wait_task_stopped");
  // Traditionally we see ptrace'd stopped tasks regardless of options.
  if (!ptrace && !(wo.flags & WUNTRACED)) co_return 0;
  co_await p.sighand->siglock.lock("wait_task_stopped");
  int* p_code = nullptr;
  if (ptrace) {
    if (p.state & (__TASK_STOPPED | __TASK_TRACED)) p_code = &p.exit_code;
  } else if (p.signal->flags & SIGNAL_STOP_STOPPED) {
    p_code = &p.signal->group_exit_code;
  }
  int exit_code = 0;
  if (p_code) {
    exit_code = *p_code;
    if (exit_code && !(wo.flags & WNOWAIT)) *p_code = 0;
  }
  p.sighand->siglock.unlock();
  if (!exit_code) co_return 0;
  const int pid = p.pid;
  tasklist_lock.unlock();
  wo.status = (exit_code << 8) | 0x7f;
  emit(Ev::wait_found, cur.pid, pid, wo.status, ptrace ? CLD_TRAPPED : CLD_STOPPED);
  co_return pid;
}

// wait_task_continued(): report a child continued by SIGCONT (WCONTINUED).
sim::Co<int> Kernel::wait_task_continued(Task& cur, WaitOpts& wo, Task& p) {
  // kernel/exit.c wait_task_continued(): "read_lock(&tasklist_lock) on entry."
  lockdep_assert_held(tasklist_lock, "wait_task_continued");
  if (!(wo.flags & WCONTINUED)) co_return 0;
  if (!(p.signal->flags & SIGNAL_STOP_CONTINUED)) co_return 0;
  co_await p.sighand->siglock.lock("wait_task_continued");
  // Re-check with the lock held.
  if (!(p.signal->flags & SIGNAL_STOP_CONTINUED)) {
    p.sighand->siglock.unlock();
    co_return 0;
  }
  if (!(wo.flags & WNOWAIT)) p.signal->flags &= ~SIGNAL_STOP_CONTINUED;
  p.sighand->siglock.unlock();
  const int pid = p.pid;
  tasklist_lock.unlock();
  wo.status = kWContinued;
  emit(Ev::wait_found, cur.pid, pid, wo.status, CLD_CONTINUED);
  co_return pid;
}

// wait_consider_task()
sim::Co<int> Kernel::wait_consider_task(Task& cur, WaitOpts& wo, bool ptrace, Task& p) {
  // eligible_child()
  if (wo.pid > 0 && p.pid != wo.pid) co_return 0;
  // For the explorers (sim/note.h): what follows reads the child's state
  // without the child's siglock.
  p.state.peek("wait_consider_task");
  p.exit_state.peek("wait_consider_task");
  // __WALL: all children; __WCLONE: only "clone" children (reporting with a
  // signal other than SIGCHLD); otherwise only the others.
  if (((p.exit_signal != SIGCHLD) ^ ((wo.flags & __WCLONE) != 0)) && !(wo.flags & __WALL)) co_return 0;
  if (!ptrace && p.ptrace) {
    // This child is hidden by ptrace: we aren't allowed to see it now, but
    // eventually we will.
    wo.notask_error = 0;
    co_return 0;
  }
  if (p.exit_state == EXIT_DEAD) co_return 0;
  // We don't reap group leaders with subthreads.
  if (p.exit_state == EXIT_ZOMBIE && !delay_group_leader(p)) co_return co_await wait_task_zombie(cur, wo, p);
  // It's stopped or running now, so it might later continue, exit, or stop again.
  wo.notask_error = 0;
  const bool stopped_code =
      ptrace ? (p.state & (__TASK_STOPPED | __TASK_TRACED)) != 0 : (p.signal->flags & SIGNAL_STOP_STOPPED) != 0;
  if (stopped_code) co_return co_await wait_task_stopped(cur, wo, ptrace, p);
  co_return co_await wait_task_continued(cur, wo, p);
}

// do_wait()
sim::Co<std::int64_t> Kernel::do_wait(Task& cur, WaitOpts& wo) {
  cur.signal->wait_chldexit.add(&cur);
  std::int64_t retval = 0;
  const sim::Keep keep(co_await sim::this_frame, retval);
  for (;;) {
    wo.notask_error = -ECHILD;
    set_task_state(cur, TASK_INTERRUPTIBLE);
    co_await tasklist_lock.lock("do_wait");
    bool found = false;
    const auto threads = cur.signal->threads;
    std::size_t n = 0;  // threads[n] is the thread whose children or tracees are scanned
    std::size_t i = 0;  // and [i] the child or tracee
    const sim::Keep keep_scan(co_await sim::this_frame, found, threads, n, i);
    for (; n < threads.size(); ++n) {
      Task* tsk = threads[n];
      if ((wo.flags & __WNOTHREAD) && tsk != &cur) continue;
      // do_wait_thread(): our children.  The threads of our child processes
      // are on the list too (2.6.32 puts every task on its real_parent's
      // children): do not consider detached threads.
      for (i = 0; !found && i < tsk->children.size(); ++i) {
        if (task_detached(*tsk->children[i])) continue;
        retval = co_await wait_consider_task(cur, wo, false, *tsk->children[i]);
        found = retval != 0;
      }
      // ptrace_do_wait(): our tracees
      for (i = 0; !found && i < tsk->ptraced.size(); ++i) {
        retval = co_await wait_consider_task(cur, wo, true, *tsk->ptraced[i]);
        found = retval != 0;
      }
      if (found) break;
    }
    if (found) break;  // the wait_task_*() function dropped tasklist_lock
    tasklist_lock.unlock();
    retval = wo.notask_error;
    if (retval || (wo.flags & WNOHANG)) break;
    retval = -ERESTARTSYS;
    if (co_await READ_ONCE(cur.tif, "do_wait") & tif_bit(TIF_SIGPENDING)) break;
    co_await schedule(cur, "do_wait");
  }
  set_task_state(cur, TASK_RUNNING);
  cur.signal->wait_chldexit.remove(&cur);
  co_return retval;
}

// init reaps orphans: waitpid(-1, NULL, __WALL) forever.
sim::Co<void> Kernel::init_main(Task* tp) {
  Task& in = *tp;
  for (;;) {
    WaitOpts wo;
    wo.flags = __WALL | WEXITED;
    const sim::Keep keep(co_await sim::this_frame, wo);  // do_wait() fills it in
    const std::int64_t r = co_await do_wait(in, wo);
    if (r == -ECHILD) {
      // Nothing to wait for: sleep until a child dies or is reparented here.
      in.signal->wait_chldexit.add(&in);
      set_task_state(in, TASK_INTERRUPTIBLE);
      co_await schedule(in, "init: no children");
      in.signal->wait_chldexit.remove(&in);
    }
  }
}

}  // namespace model
