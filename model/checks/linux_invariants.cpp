// The Linux-level invariants of the model (model/checks/linux_invariants.h).  Each check
// names the kernel rule it stands for; a failure is a bug of the model, not
// of the scenario.
#include "model/checks/linux_invariants.h"

#include <algorithm>
#include <map>
#include <span>

#include <fmt/format.h>

#include "model/linux/kernel.h"
#include "model/linux/sigdefs.h"

namespace model {

namespace {

bool on_list(std::span<Task* const> l, const Task* t) { return std::find(l.begin(), l.end(), t) != l.end(); }

class Checker {
 public:
  explicit Checker(Kernel& k) : k_(k) {}

  // One violation per run is recorded (Kernel::violation keeps the first).
  void fail(const Task* t, const std::string& what) {
    k_.violation(Property::ModelInvariant, t ? t->pid : 0,
                 fmt::format("linux: {}{}", what, t ? fmt::format(" ({})", k_.comm(t->pid)) : ""));
  }

  // Checks that hold between any two steps.
  void always(const Task& t) {
    const SignalStruct& sig = *t.signal;
    if (sig.group_stop_count < 0) fail(&t, fmt::format("group_stop_count {} < 0", sig.group_stop_count));
    if (sig.live < 0 || sig.live > static_cast<int>(sig.threads.size()))
      fail(&t, fmt::format("signal->live {} outside 0..{} threads", sig.live, sig.threads.size()));
    // do_signal_stop() sets TASK_STOPPED only while a group stop is in
    // progress or complete, with the stop signal in current->exit_code; a
    // tracer's wait clears it (wait_task_stopped(): *p_code = 0), and the
    // task stays stopped with 0 after that tracer detaches or exits (as in
    // 2.6.32 when a job-control-stopped task is attached, waited for and
    // left); SIGCONT and SIGKILL wake the stopped threads in the same step
    // that ends the stop.
    if ((t.state & __TASK_STOPPED) && !t.exit_state) {
      if (!(sig.flags & SIGNAL_STOP_STOPPED) && sig.group_stop_count <= 0)
        fail(&t, "TASK_STOPPED without a group stop (no SIGNAL_STOP_STOPPED, group_stop_count 0)");
      if (!t.ptrace && t.exit_code != 0 && !sig_valid(t.exit_code))
        fail(&t, fmt::format("TASK_STOPPED with exit_code {:#x}, not a signal", t.exit_code));
    }
    // A released task went through EXIT_DEAD first (release_task() runs on
    // EXIT_DEAD tasks only).
    if (t.released && t.exit_state != EXIT_DEAD) fail(&t, "released but not EXIT_DEAD");
    // A finished thread went through exit_notify() and do_exit()'s TASK_DEAD.
    if (t.thread_done && (!t.exit_state || t.state != TASK_DEAD))
      fail(&t, "its thread finished without exit_notify() and TASK_DEAD");
    if (t.exit_state && !(t.flags & PF_EXITING)) fail(&t, "exit_state set without PF_EXITING");
  }

  // Checks of a quiescent state: no task is inside a critical section.
  void quiescent(const Task& t) {
    if (t.released) {
      check_released_task(k_, t);
      return;
    }
    // p->sibling: every child we list has us as real_parent, once.
    for (std::size_t i = 0; i < t.children.size(); ++i) {
      const Task* c = t.children[i];
      if (c->real_parent != &t)
        fail(c, fmt::format("on the children list of {} but its real_parent is {}", k_.comm(t.pid),
                            k_.comm(c->real_parent->pid)));
      if (c->released) fail(c, "released but still on its parent's children list");
      if (std::count(t.children.begin(), t.children.end(), c) != 1) fail(c, "twice on its parent's children list");
    }
    // ... and every live task is on its real parent's list (2.6.32: threads
    // too; init is its own parent and on no list).
    if (&t != k_.init && std::count(t.real_parent->children.begin(), t.real_parent->children.end(), &t) != 1)
      fail(&t, fmt::format("not on the children list of its real_parent {}", k_.comm(t.real_parent->pid)));
    // forget_original_parent() left nobody behind.
    if (t.exit_state && !t.children.empty()) fail(&t, "exited but still has children");
    // The pid hash (the old leader of a de_thread() loses its pid to the
    // exec'ing thread just before it is released: EXIT_DEAD).
    if (t.exit_state != EXIT_DEAD && k_.find_task_by_vpid(t.pid) != &t)
      fail(&t, fmt::format("pid {} is not attached to it", t.pid));
    // The thread group.
    if (!on_list(t.signal->threads, &t)) fail(&t, "not on its signal->threads list");
    if (t.exit_state != EXIT_DEAD) {
      if (t.group_leader->tgid != t.tgid || t.group_leader->pid != t.tgid)
        fail(&t, fmt::format("tgid {} but group_leader {} (pid {})", t.tgid, k_.comm(t.group_leader->pid),
                             t.group_leader->pid));
      for (const Task* o : t.signal->threads)
        if (o->sighand != t.sighand && !o->released) fail(&t, "threads of one group with different sighand_structs");
      if (t.clone_thread && !t.is_leader() && t.exit_signal != -1)
        fail(&t, fmt::format("a thread with exit_signal {}", t.exit_signal));
      if (!t.exit_state && !t.clone_thread && t.exit_signal < 0) fail(&t, "a live process with exit_signal -1");
    }
    users_[t.sighand]++;
  }

  void sighand_counts() {
    for (auto [sh, n] : users_)
      if (sh->count != n) fail(nullptr, fmt::format("a sighand_struct has count {} but {} tasks use it", sh->count, n));
  }

  // No task ends the run holding tasklist_lock or a siglock.  (The engine
  // already refuses to let a thread block or finish holding a spinlock;
  // this also covers a run that ends with a lock left held by a thread that
  // can still run.)
  bool locks_free(const sim::RunResult& r) {
    bool free = true;
    auto holder = [&](const sim::SpinLock& l) -> const Task* {
      return static_cast<const Task*>(k_.eng.user(l.holder()));
    };
    if (k_.tasklist_lock.held()) {
      fail(holder(k_.tasklist_lock), "the run ended with tasklist_lock held");
      free = false;
    }
    for (const auto& t : k_.tasks) {
      if (t->released || !t->sighand->siglock.held()) continue;
      fail(holder(t->sighand->siglock), fmt::format("the run ended with the siglock of {} held", k_.comm(t->pid)));
      free = false;
    }
    return free;
  }

 private:
  Kernel& k_;
  std::map<const SighandStruct*, int> users_;
};

bool blocked_at_end(const sim::RunResult& r, const Task& t) {
  return std::any_of(r.blocked.begin(), r.blocked.end(), [&](const sim::BlockedThread& b) { return b.tid == t.tid; });
}

}  // namespace

void check_released_task(Kernel& k, const Task& p) {
  Checker c(k);
  if (p.exit_state != EXIT_DEAD) c.fail(&p, "released but not EXIT_DEAD");
  if (k.find_task_by_vpid(p.pid) == &p) c.fail(&p, "released but its pid is still attached");
  if (on_list(p.signal->threads, &p)) c.fail(&p, "released but still on its thread group list");
  if (on_list(p.real_parent->children, &p) || on_list(p.parent->children, &p))
    c.fail(&p, "released but still on a children list");
  if (on_list(p.parent->ptraced, &p)) c.fail(&p, "released but still on its tracer's ptraced list");
}

void check_exiting_task(Kernel& k, const Task& father) {
  Checker c(k);
  if (!father.children.empty()) c.fail(&father, "forget_original_parent() left children behind");
  const auto& siblings = father.real_parent->children;
  if (&father != k.init && std::count(siblings.begin(), siblings.end(), &father) != 1)
    c.fail(&father, "not on its real parent's children list exactly once");
}

void LinuxInvariants::on_release(Kernel& k, Task& p) { check_released_task(k, p); }
void LinuxInvariants::on_children_reparented(Kernel& k, Task& father) { check_exiting_task(k, father); }

void check_linux_invariants(Kernel& k, const sim::RunResult& r) {
  Checker c(k);
  for (const auto& t : k.tasks) c.always(*t);
  // A run cut short may have stopped inside a critical section.
  if (r.end != sim::RunEnd::Finished && r.end != sim::RunEnd::Blocked) return;
  if (!c.locks_free(r)) return;
  for (const auto& t : k.tasks) {
    c.quiescent(*t);
    // A zombie's (or dead task's) thread is done, unless it is stuck in
    // do_exit()'s tail (report_death): that is a hang, reported as such.
    if (t->exit_state && !t->thread_done && t.get() != k.init && !blocked_at_end(r, *t))
      c.fail(t.get(), fmt::format("{} but its thread has not finished", task_state_string(t->state, t->exit_state)));
  }
  c.sighand_counts();
}

}  // namespace model
