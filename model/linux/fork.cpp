// kernel/fork.c (copy_process, do_fork) and fs/exec.c (do_execve, de_thread)
// of Linux 2.6.32 with the RHEL6 tracehooks.
#include <algorithm>

#include "model/linux/kernel.h"
#include "model/utrace/utrace.h"

namespace model {

// do_fork() with copy_process() inlined where it matters to the model.
sim::Co<std::int64_t> Kernel::do_fork(Task& cur, std::uint64_t clone_flags, int exit_signal, UserAddr entry) {
  // copy_process(): argument checks.
  if ((clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND)) co_return -EINVAL;
  if ((clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM)) co_return -EINVAL;
  // Siblings of global init would be zombies nobody reaps.
  if ((clone_flags & CLONE_PARENT) && (cur.signal->flags & SIGNAL_UNKILLABLE)) co_return -EINVAL;
  // RLIMIT_NPROC: utsim's --max-tasks.
  if (!eng.can_spawn() || nr_tasks_alive() >= static_cast<int>(cfg.max_tasks)) co_return -EAGAIN;

  co_await tasklist_lock.lock("copy_process");
  // Process group and session signals need to be delivered to just the
  // parent before the fork or both the parent and the child after the fork:
  // restart if a signal comes in first.
  recalc_sigpending(cur);
  if (cur.test_tif(TIF_SIGPENDING)) {
    tasklist_lock.unlock();
    co_return -ERESTARTNOINTR;
  }
  // The thread budget again, under the lock: another fork may have passed
  // the check above while this one waited, and a child gets its engine
  // thread only after report_clone.  Every task gets at most one thread, so
  // counting the tasks created (new_task below, before any yield) bounds them.
  if (tasks.size() >= eng.max_threads()) {
    tasklist_lock.unlock();
    co_return -EAGAIN;
  }

  Task* parent = (clone_flags & (CLONE_PARENT | CLONE_THREAD)) ? cur.real_parent : &cur;
  Task& p = new_task(parent, cur.comm, false);
  p.flags.init((cur.flags & ~(PF_STARTING | PF_EXITING | PF_SIGNALED)) | PF_FORKNOEXEC | PF_STARTING);
  // dup_task_struct() copies thread_info; copy_process() clears the signal
  // and syscall-tracing flags; tracehook_init_task() -> utrace_init_task().
  p.tif.init(cur.tif & ~(tif_bit(TIF_SIGPENDING) | tif_bit(TIF_SYSCALL_TRACE) | tif_bit(TIF_SINGLESTEP) |
                         tif_bit(TIF_BLOCKSTEP)));
  utrace_init_task(p);
  p.blocked = cur.blocked;
  p.clone_thread = (clone_flags & CLONE_THREAD) != 0;
  p.forked = true;
  p.parent_exec_id = parent == &cur ? cur.self_exec_id : cur.parent_exec_id;
  p.self_exec_id = p.parent_exec_id;

  if (clone_flags & CLONE_SIGHAND) {
    p.sighand = cur.sighand;
    p.sighand->count++;
  } else {
    p.sighand = &new_sighand(p);
    p.sighand->action = cur.sighand->action;
  }
  if (clone_flags & CLONE_THREAD) {
    p.signal = cur.signal;
    p.signal->threads.push_back(&p);
    p.signal->live++;
    p.group_leader = cur.group_leader;
    p.tgid = cur.tgid;
    p.exit_signal = -1;
  } else {
    p.signal = &new_signal_struct(p);
    p.exit_signal = exit_signal;
  }
  p.real_parent = p.parent = parent;
  parent->children.push_back(&p);
  // copy_thread(): the child's registers, its start in user space.
  user->copy_thread(cur, p, entry);
  tasklist_lock.unlock();

  const int nr = p.pid;
  const sim::Keep keep(co_await sim::this_frame, p, nr);
  emit(Ev::task_new, cur.pid, nr, static_cast<std::int64_t>(clone_flags & 0xffffffff), exit_signal);
  if (clone_flags & CLONE_VFORK) {
    cur.vfork_wait = std::make_unique<VforkDone>();
    p.vfork_done = cur.vfork_wait.get();
  }
  // The child is fully set up but cannot run yet: report_clone.  The
  // kernel's clone_flags carry the exit signal in their CSIGNAL byte
  // (ptrace_report_clone() tells fork from clone by it).
  co_await tracehook_report_clone(cur, clone_flags | (static_cast<std::uint64_t>(exit_signal) & CSIGNAL), p);
  p.flags.set(p.flags & ~PF_STARTING);
  spawn_thread(p);  // wake_up_new_task()
  co_await tracehook_report_clone_complete(cur, clone_flags, p);
  if (clone_flags & CLONE_VFORK) {
    // wait_for_completion(&vfork): uninterruptible, not even SIGKILL ends it
    // in 2.6.32.
    VforkDone& v = *cur.vfork_wait;
    v.waiter = &cur;
    while (!v.done) {
      set_task_state(cur, TASK_UNINTERRUPTIBLE);
      co_await schedule(cur, "wait_for_completion(vfork)");
    }
    set_task_state(cur, TASK_RUNNING);
    v.waiter = nullptr;
    // tracehook_report_vfork_done(): the legacy ptrace event; inert with
    // PT_UTRACED (ptrace-utrace reports VFORK_DONE through report_clone).
  }
  co_return nr;
}

// de_thread(): kill every other thread; a non-leader takes the leader's pid;
// then make the signal handler table private (fs/exec.c).
sim::Co<int> Kernel::de_thread(Task& tsk) {
  SignalStruct& sig = *tsk.signal;
  if (!tsk.thread_group_empty()) {
    co_await tsk.sighand->siglock.lock("de_thread");
    if ((sig.flags & SIGNAL_GROUP_EXIT) || sig.group_exit_task) {
      // Another group action is in progress: return so the signal is processed.
      tsk.sighand->siglock.unlock();
      co_return -EAGAIN;
    }
    sig.group_exit_task = &tsk;
    zap_other_threads(tsk);
    // Account for the thread group leader hanging around.
    const int count = tsk.is_leader() ? 1 : 2;
    sig.notify_count = count;
    const sim::Keep keep(co_await sim::this_frame, count);
    while (static_cast<int>(sig.threads.size()) > count) {
      set_task_state(tsk, TASK_UNINTERRUPTIBLE);
      tsk.sighand->siglock.unlock();
      co_await schedule(tsk, "de_thread");
      co_await tsk.sighand->siglock.lock("de_thread");
    }
    tsk.sighand->siglock.unlock();

    if (!tsk.is_leader()) {
      // Wait for the leader to become a zombie, then assume its pid.
      Task& leader = *tsk.group_leader;
      sig.notify_count = -1;  // for exit_notify()
      const sim::Keep keep_leader(co_await sim::this_frame, leader);
      for (;;) {
        co_await tasklist_lock.lock("de_thread");
        if (leader.exit_state) break;
        set_task_state(tsk, TASK_UNINTERRUPTIBLE);
        tasklist_lock.unlock();
        co_await schedule(tsk, "de_thread");
      }
      set_task_state(tsk, TASK_RUNNING);
      // An exec starts a new thread group with the tgid of the old one: the
      // two threads switch pids, and the old leader is released.
      detach_pid(tsk);
      tsk.pid = leader.pid;
      attach_pid(tsk, leader.pid);
      // No children-list surgery: as every thread, tsk has been on the
      // real parent's children list since clone(CLONE_THREAD); the leader
      // leaves it in release_task().
      tsk.real_parent = leader.real_parent;
      tsk.parent = leader.parent;
      std::erase(sig.threads, &tsk);
      sig.threads.insert(sig.threads.begin(), &tsk);
      tsk.group_leader = &tsk;
      leader.group_leader = &tsk;
      tsk.exit_signal = SIGCHLD;
      tsk.clone_thread = false;
      if (leader.exit_state != EXIT_ZOMBIE) throw ModelBug("de_thread: leader is not a zombie");
      set_exit_state(leader, EXIT_DEAD);
      tasklist_lock.unlock();
      co_await release_task(leader);
    }
    sig.group_exit_task = nullptr;
    sig.notify_count = 0;
  }

  // no_thread_group: this ->sighand is shared with a CLONE_SIGHAND but not
  // CLONE_THREAD task (the other threads are gone by now): switch to a copy,
  // so that flush_signal_handlers() resets our handlers, not theirs.
  SighandStruct& oldsighand = *tsk.sighand;
  if (oldsighand.count != 1) {
    SighandStruct& newsighand = new_sighand(tsk);
    newsighand.action = oldsighand.action;
    // The copy is no task's yet (the state hash does not see it): kept.
    const sim::Keep keep(co_await sim::this_frame, newsighand.action);
    co_await tasklist_lock.lock("de_thread");
    co_await oldsighand.siglock.lock("de_thread");
    tsk.sighand = &newsighand;
    oldsighand.siglock.unlock();
    tasklist_lock.unlock();
    oldsighand.count--;  // __cleanup_sighand()
  }
  co_return 0;
}

// do_execve(), successful: the new image replaces the rest of the program.
sim::Co<int> Kernel::do_execve(Task& cur, UserAddr image) {
  // flush_old_exec(): de_thread(), then exec_mmap() -> mm_release().
  const int err = co_await de_thread(cur);
  if (err) co_return err;
  if (VforkDone* v = cur.vfork_done) {
    cur.vfork_done = nullptr;
    v->done = true;
    if (v->waiter) wake_up_state(*v->waiter, TASK_NORMAL);
  }
  co_await cur.sighand->siglock.lock("setup_new_exec");
  flush_signal_handlers(cur);
  cur.sighand->siglock.unlock();
  cur.flags.set(cur.flags & ~PF_FORKNOEXEC);
  cur.self_exec_id++;
  emit(Ev::task_exec, cur.pid);
  // start_thread(): the new image, and registers of its own.
  user->start_thread(cur, image);
  cur.regs = PtRegs{};
  // search_binary_handler() -> tracehook_report_exec()
  co_await tracehook_report_exec(cur);
  co_return 0;
}

}  // namespace model
