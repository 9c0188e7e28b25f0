// The Kernel: tasks, pids, events, properties, and the scheduler primitives
// (kernel/sched.c: set_current_state, schedule, wake_up_state).
#include "model/linux/kernel.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/ptrace/ptrace.h"
#include "model/utrace/hooks.h"
#include "model/utrace/utrace.h"
#include "sim/hash.h"
#include "sim/note.h"

namespace model {

const char* field_name(Field f) {
  switch (f) {
    case Field::none: return "none";
    case Field::tasklist_lock: return "tasklist_lock";
    case Field::state: return "state";
    case Field::tif: return "thread_info.flags";
    case Field::flags: return "flags";
    case Field::exit_state: return "exit_state";
    case Field::exit_code: return "exit_code";
    case Field::ptrace: return "ptrace";
    case Field::siglock: return "sighand->siglock";
    case Field::sigpending: return "pending";
    case Field::wait_chldexit: return "signal->wait_chldexit";
    case Field::vfork: return "vfork_done";
    case Field::utrace_lock: return "utrace->lock";
    case Field::utrace_flags: return "utrace_flags";
    case Field::pending_attach: return "utrace->pending_attach";
    case Field::resume: return "utrace->resume";
    case Field::reporting: return "utrace->reporting";
    case Field::utrace_bits: return "utrace bits";
    case Field::freeze_stop: return "utrace->freeze_stop";
    case Field::engine_ops: return "engine->ops";
    case Field::engine_flags: return "engine->flags";
    case Field::engine_ref: return "engine->kref";
    case Field::completion: return "completion";
    case Field::real_timer: return "real_timer";
  }
  return "?";
}

const char* task_state_string(unsigned state, int exit_state) {
  if (exit_state == EXIT_DEAD) return "EXIT_DEAD";
  if (exit_state == EXIT_ZOMBIE) return "EXIT_ZOMBIE";
  switch (state) {
    case TASK_RUNNING: return "TASK_RUNNING";
    case TASK_INTERRUPTIBLE: return "TASK_INTERRUPTIBLE";
    case TASK_UNINTERRUPTIBLE: return "TASK_UNINTERRUPTIBLE";
    case TASK_STOPPED: return "TASK_STOPPED";
    case TASK_TRACED: return "TASK_TRACED";
    case TASK_UTRACED: return "TASK_UTRACED";                              // 2011-3x
    case TASK_STOPPED | TASK_UTRACED: return "TASK_STOPPED|TASK_UTRACED";  // 2011-3x: converted
    case TASK_KILLABLE: return "TASK_KILLABLE";
    case TASK_DEAD: return "TASK_DEAD";
    default: return "TASK_?";
  }
}

std::string tif_string(unsigned long flags) {
  static const std::pair<Tif, const char*> names[] = {
      {TIF_SYSCALL_TRACE, "SYSCALL_TRACE"}, {TIF_NOTIFY_RESUME, "NOTIFY_RESUME"}, {TIF_SIGPENDING, "SIGPENDING"},
      {TIF_NEED_RESCHED, "NEED_RESCHED"},   {TIF_SINGLESTEP, "SINGLESTEP"},       {TIF_FORCED_TF, "FORCED_TF"},
      {TIF_BLOCKSTEP, "BLOCKSTEP"}};
  std::string s;
  for (auto [bit, name] : names) {
    if (flags & tif_bit(bit)) {
      if (!s.empty()) s += '|';
      s += name;
    }
  }
  return s.empty() ? "0" : s;
}

void WaitQueueHead::add(Task* t) {
  touch("add_wait_queue");
  if (std::find(waiters.begin(), waiters.end(), t) == waiters.end()) waiters.push_back(t);
}
void WaitQueueHead::remove(Task* t) {
  touch("remove_wait_queue");
  std::erase(waiters, t);
}

namespace {
UtraceHooks no_utrace_hooks;  // nobody watches the utrace core
}  // namespace

const LockClasses& lock_classes() {
  static const LockClasses c{sim::lock_class("tasklist_lock"), sim::lock_class("&sighand->siglock"),
                             sim::lock_class("&utrace->lock")};
  return c;
}

Kernel::Kernel(KernelVersion version, BugSet bugs, sim::Engine& e, const RunConfig& c)
    : eng(e),
      cfg(c),
      tasklist_lock(oid(0, Field::tasklist_lock)),
      version_(version),
      bugs_(bugs),
      events_wanted_(c.trace || c.hash_trace),
      trace_hash_(sim::kHashSeed) {
  utrace_hooks = &no_utrace_hooks;
  tasklist_lock.set_class(lock_classes().tasklist_lock);
  // rwlock_t: on x86 (2.6.32 arch/x86/include/asm/spinlock.h) write_unlock
  // is a locked add, a full barrier; spin_unlock is a plain store.
  tasklist_lock.set_locked_release(true);
  eng.set_context(this);  // the kernel of the run, from any step (model/shared.h)
}

Kernel::~Kernel() = default;

Task& Kernel::new_task(Task* creator, std::string comm, bool kthread) {
  pid_hash.touch("alloc_pid");
  auto owned = std::make_unique<Task>();
  Task& t = *owned;
  t.idx = static_cast<int>(tasks.size());
  t.pid = next_pid++;
  t.tgid = t.pid;
  t.kthread = kthread;
  t.comm = std::move(comm);
  t.group_leader = &t;
  t.state.bind(obj(t, Field::state));
  t.exit_state.bind(obj(t, Field::exit_state));
  t.exit_state.set_weak();  // release_task() against utrace_add_engine() (R6)
  t.flags.bind(obj(t, Field::flags));
  t.tif.bind(obj(t, Field::tif));
  t.pending.bind(obj(t, Field::sigpending));
  utrace_init_task(t);
  if (kthread) t.flags.init(PF_KTHREAD);
  if (creator) {
    t.real_parent = creator;
    t.parent = creator;
  } else {
    t.real_parent = t.parent = &t;
  }
  tasks.push_back(std::move(owned));
  if (pid_table_.size() <= static_cast<std::size_t>(t.pid)) pid_table_.resize(t.pid + 1, nullptr);
  pid_table_[t.pid] = &t;
  return t;
}

SignalStruct& Kernel::new_signal_struct(Task& leader) {
  signals_.push_back(std::make_unique<SignalStruct>());
  SignalStruct& sig = *signals_.back();
  sig.threads.push_back(&leader);
  sig.wait_chldexit.bind(obj(leader, Field::wait_chldexit));
  sig.live = 1;
  sig.curr_target = &leader;
  return sig;
}

SighandStruct& Kernel::new_sighand(Task& owner) {
  sighands_.push_back(std::make_unique<SighandStruct>());
  SighandStruct& sh = *sighands_.back();
  sh.siglock.set_id(oid(t_owner(owner), Field::siglock));
  sh.siglock.set_class(lock_classes().siglock);
  return sh;
}

void Kernel::spawn_thread(Task& t) {
  sim::Co<void> body = &t == init ? init_main(&t) : t.kthread ? kthread_main(&t) : task_main(&t);
  t.tid = eng.spawn(std::move(body), &t, &t == init);
}

void Kernel::boot() {
  Task& in = new_task(nullptr, "init", false);
  init = &in;
  in.signal = &new_signal_struct(in);
  in.sighand = &new_sighand(in);
  in.signal->flags |= SIGNAL_UNKILLABLE;
  spawn_thread(in);
}

Task& Kernel::create_task(std::string comm, bool kthread) {
  Task& t = new_task(init, std::move(comm), kthread);
  t.signal = &new_signal_struct(t);
  t.sighand = &new_sighand(t);
  init->children.push_back(&t);
  return t;
}

Task* Kernel::find_task_by_vpid(int pid) const {
  pid_hash.peek("find_task_by_vpid");
  if (pid <= 0 || static_cast<std::size_t>(pid) >= pid_table_.size()) return nullptr;
  return pid_table_[static_cast<std::size_t>(pid)];
}

void Kernel::detach_pid(Task& t) {
  pid_hash.touch("detach_pid");
  if (static_cast<std::size_t>(t.pid) < pid_table_.size() && pid_table_[t.pid] == &t) pid_table_[t.pid] = nullptr;
}

void Kernel::attach_pid(Task& t, int pid) {
  pid_hash.touch("attach_pid");
  if (pid_table_.size() <= static_cast<std::size_t>(pid)) pid_table_.resize(pid + 1, nullptr);
  pid_table_[static_cast<std::size_t>(pid)] = &t;
}

Task* Kernel::last_task_with_pid(int pid) const {
  if (Task* t = find_task_by_vpid(pid)) return t;
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it)
    if ((*it)->pid == pid) return it->get();
  return nullptr;
}

int Kernel::nr_tasks_alive() const {
  int n = 0;
  for (const auto& t : tasks)
    if (!t->released) ++n;
  return n;
}

// ---- events and properties ---------------------------------------------------------

void Kernel::record_event(Ev kind, int pid, std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d,
                          const void* ref) {
  if (cfg.hash_trace) {
    // The run's fingerprint (two runs are the same run when it matches): a
    // multiply-xorshift per word, one splitmix round per event.  Every event
    // of a hashed run passes here, so it is kept short.
    const auto fold = [](std::uint64_t h, std::uint64_t v) {
      h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
      return h ^ (h >> 29);
    };
    std::uint64_t h = trace_hash_;
    h = fold(h, (static_cast<std::uint64_t>(kind) << 32) | static_cast<std::uint32_t>(pid));
    h = fold(h, static_cast<std::uint64_t>(a));
    h = fold(h, static_cast<std::uint64_t>(b));
    trace_hash_ = sim::hash_mix(h, static_cast<std::uint64_t>(c) ^ (static_cast<std::uint64_t>(d) << 17));
  }
  if (cfg.trace) events_.push_back(Event{kind, eng.steps(), eng.now(), pid, a, b, c, d, ref});
}

void Kernel::violation(Property p, int pid, std::string message) {
  const auto i = static_cast<std::size_t>(p);
  if (broken_.test(i)) return;
  broken_.set(i);
  violations_.push_back(Violation{p, message, eng.steps(), pid});
  messages_.push_back(std::move(message));
  emit(Ev::property, pid, static_cast<std::int64_t>(p), static_cast<std::int64_t>(messages_.size() - 1));
}

std::string Kernel::comm(int pid) const {
  if (pid <= 0) return "kernel";
  const Task* t = find_task_by_vpid(pid);
  if (!t) {
    for (auto it = tasks.rbegin(); it != tasks.rend(); ++it)
      if ((*it)->pid == pid) {
        t = it->get();
        break;
      }
  }
  return t ? fmt::format("{}-{}", t->comm, pid) : fmt::format("pid-{}", pid);
}

std::string Kernel::message(std::int64_t index) const {
  if (index < 0 || static_cast<std::size_t>(index) >= messages_.size()) return "";
  return messages_[static_cast<std::size_t>(index)];
}

// ---- scheduling ------------------------------------------------------------------------

// set_task_state(): other CPUs read task->state and exit_state at their
// yield points; the change shows in the trace.
void Kernel::set_task_state(Task& t, unsigned state) {
  const unsigned before = t.state.set(state, "task->state");
  if (before == state) return;
  emit(Ev::sched_state, t.pid, before, state);
  for (LinuxHooks* h : hooks_) h->on_state_change(*this, t, before, state);
}

void Kernel::set_exit_state(Task& t, int exit_state) {
  const int before = t.exit_state.set(exit_state, "task->exit_state");
  if (before == exit_state) return;
  emit(Ev::sched_state, t.pid, before ? before : static_cast<int>(t.state), exit_state);
  for (LinuxHooks* h : hooks_) h->on_exit_state_change(*this, t, before, exit_state);
}

// wake_up_state() / try_to_wake_up(): only a task whose state matches `mask`.
bool Kernel::wake_up_state(Task& t, unsigned mask) {
  if (!(t.state.peek("try_to_wake_up") & mask)) return false;
  set_task_state(t, TASK_RUNNING);
  eng.wake(t.tid);
  return true;
}

void Kernel::wake_up(WaitQueueHead& q, unsigned mask) {
  q.peek("__wake_up");
  // Copy: a woken task may remove itself before we finish.
  auto w = q.waiters;
  for (Task* t : w) wake_up_state(*t, mask);
}

// signal_pending_state(): an interruptible sleep does not begin with a signal
// pending, nor a killable one with SIGKILL pending.
static bool signal_pending_state(unsigned state, const Task& p) {
  if (!(state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL))) return false;
  if (!p.test_tif(TIF_SIGPENDING)) return false;
  return (state & TASK_INTERRUPTIBLE) || p.pending.signal.has(SIGKILL);
}

// What schedule()'s test reads, noted for the explorers: a waker's writes
// must not commute with it.
static void note_sleep_test(const Task& cur) {
  cur.state.peek("schedule");
  cur.tif.peek("schedule");
  cur.pending.peek("schedule");
}

// schedule(): sleep in the current state until a wake-up makes it
// TASK_RUNNING.  No yield point of its own: the test and the sleep are atomic
// with respect to wakers, as the runqueue lock makes them in the kernel.
sim::Co<void> Kernel::schedule(Task& cur, const char* where) {
  note_sleep_test(cur);
  if (cur.state == TASK_RUNNING) co_return;
  if (signal_pending_state(cur.state, cur)) {
    set_task_state(cur, TASK_RUNNING);
    co_return;
  }
  cur.state.touch("schedule");  // on_cpu, nvcsw
  cur.on_cpu = false;
  ++cur.nvcsw;
  co_await sim::block(cur.state.id(), where);
  note_sleep_test(cur);  // callers test for signals right after
  cur.on_cpu = true;
}

sim::Co<bool> Kernel::schedule_until(Task& cur, std::uint64_t deadline, const char* where) {
  note_sleep_test(cur);
  if (cur.state == TASK_RUNNING) co_return false;
  if (signal_pending_state(cur.state, cur)) {
    set_task_state(cur, TASK_RUNNING);
    co_return false;
  }
  cur.state.touch("schedule");  // on_cpu, nvcsw
  cur.on_cpu = false;
  ++cur.nvcsw;
  const bool timed_out = co_await sim::block(cur.state.id(), where, deadline);
  note_sleep_test(cur);  // callers test for signals right after
  cur.on_cpu = true;
  if (timed_out) set_task_state(cur, TASK_RUNNING);  // process_timeout() -> wake_up_process()
  co_return timed_out;
}

// ---- outcome -----------------------------------------------------------------------------

TaskState Kernel::task_state_of(const Task& t) const {
  // `await` and `assert_state` test this inside a step: tell the explorers.
  t.state.peek("task_state");
  t.exit_state.peek("task_state");
  if (t.released || t.exit_state == EXIT_DEAD) return TaskState::Dead;
  if (t.exit_state == EXIT_ZOMBIE) return TaskState::Zombie;
  // A task parked by utrace is "traced" in every version: 2011-3x's
  // __TASK_UTRACED too, with or without __TASK_STOPPED (/proc shows it as
  // "t (tracing stop)": linux-3.1 fs/proc/array.c:141).
  if (t.state & (__TASK_TRACED | __TASK_UTRACED)) return TaskState::Traced;
  if (t.state & __TASK_STOPPED) return TaskState::Stopped;
  if (t.state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)) return TaskState::Sleeping;
  if (t.state == TASK_DEAD) return TaskState::Dead;
  return TaskState::Running;
}

void Kernel::on_user_step(Task& t) {
  for (LinuxHooks* h : hooks_) h->on_user_step(*this, t);
}

bool Kernel::BUG_ON(bool cond, Task& t, const char* which, const char* what) {
  if (cond)
    for (LinuxHooks* h : hooks_) h->on_kernel_bug(*this, t, which, what);
  return cond;
}

std::string Kernel::lock_name(const sim::SpinLock& l) const {
  std::string s(sim::lock_class_name(l.lock_class()));
  if (&l == &tasklist_lock) return s;
  // siglock and utrace->lock: the owner part of the ObjId is the task's index.
  const std::uint32_t idx = l.id().v >> 8;
  if (idx < tasks.size()) s += " of " + comm(tasks[idx]->pid);
  return s;
}

void Kernel::lock_not_held(const sim::SpinLock& l, const char* fn) {
  if (&l == in_step_) return;  // taken inside this step (LockedInStep)
  Task& cur = current();
  std::string holds;
  const sim::HeldStack& hs = eng.held_locks(eng.current_tid());
  for (std::uint32_t i = 0; i < hs.depth; ++i)
    holds += (holds.empty() ? "" : ", ") + std::string(sim::lock_class_name(hs.locks[i].cls)) + " (taken in " +
             hs.locks[i].where + ")";
  const std::string who = l.held() ? "another task holds it" : "nobody holds it";
  violation(Property::LockNotHeld, cur.pid,
            fmt::format("lockdep_assert_held({}) failed in {} at step {}: {} does not hold it ({}; {} holds {})",
                        lock_name(l), fn, eng.steps(), comm(cur.pid), who, comm(cur.pid),
                        holds.empty() ? std::string("no lock") : holds));
}

// ---- completions (kernel/sched.c) ------------------------------------------------------

// complete(): x->done++ and __wake_up_common() under x->wait.lock; the first
// sleeper is woken, try_to_wake_up() making it TASK_RUNNING now, before it
// runs again.
sim::Co<void> Kernel::complete(Completion& x) {
  co_await x.waiters.write_point("complete");
  x.done.complete();
  if (!x.waiters.waiters.empty()) {
    Task* t = x.waiters.waiters.front();
    x.waiters.remove(t);
    set_task_state(*t, TASK_RUNNING);
  }
}

// wait_for_completion() -> do_wait_for_common(): under x->wait.lock, if
// nothing is done yet, queue, TASK_UNINTERRUPTIBLE, schedule(), and test
// again when woken (another waiter may have taken it).
sim::Co<void> Kernel::wait_for_completion(Task& cur, Completion& x) {
  co_await x.waiters.write_point("wait_for_completion");
  if (x.done.try_consume()) co_return;
  const unsigned saved = cur.state;
  const sim::Keep keep(co_await sim::this_frame, saved);
  do {
    x.waiters.add(&cur);
    set_task_state(cur, TASK_UNINTERRUPTIBLE);
    cur.on_cpu = false;
    co_await x.done.sleep("wait_for_completion");
    cur.on_cpu = true;
  } while (!x.done.try_consume());
  if (saved != TASK_UNINTERRUPTIBLE) set_task_state(cur, saved);
}

}  // namespace model
