// model/linux/kernel.h: the simulated Linux 2.6.32 below utrace, one per run.
//
// The Kernel holds what the real kernel keeps in globals (the task list,
// tasklist_lock, the pid hash, init) and its member functions are the
// kernel's functions, named as the kernel names them, so that their bodies
// read like the C they model: `send_signal(sig, info, t, group)`, with the
// globals implicit.  They live in files named after the kernel's:
// kernel.cpp (kernel/sched.c: the scheduler primitives; the task list),
// signal.cpp and signal_deliver.cpp (kernel/signal.c), exit.cpp (kernel/exit.c), fork.cpp
// (kernel/fork.c, fs/exec.c), entry.cpp (arch/x86 syscall entry and exit,
// return to user mode, do_signal), tracehook.cpp (include/linux/tracehook.h).
// Each comment cites the function modelled.  What tasks run on top of the
// kernel (their programs, kernel threads' functions) is a UserCode
// (model/linux/user.h); the kernel knows nothing of scenarios.
//
// Concurrency: every simulated task is one sim thread.  A yield point comes
// before each spinlock acquire and each lockless access to state another CPU
// writes (TIF flags, task state, exit_state, signal pending bits...).  Work
// done under a lock happens inside the step that took the lock.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/checks/property.h"
#include "model/events.h"
#include "model/linux/hooks.h"
#include "model/linux/task.h"
#include "model/linux/user.h"
#include "model/versions.h"
#include "sim/engine.h"
#include "sim/pooled.h"
#include "sim/sync.h"

namespace model {

struct Utrace;
struct Engine;
class EngineOps;
struct PtraceContext;
class UtraceHooks;
class Kernel;

// An op or feature the model does not implement yet: the run stops with
// "not implemented" (exit code 70), never silently skipping it.
struct NotImplemented : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An internal inconsistency of the model (a BUG_ON of the kernel): exit code 70.
struct ModelBug : std::logic_error {
  using std::logic_error::logic_error;
};

inline constexpr int DEATH_REAP = -1, DEATH_DELAYED_GROUP_LEADER = -2;

struct RunConfig {
  std::uint64_t max_steps = 1'000'000;
  std::uint32_t max_tasks = 64;  // fork beyond it fails with -EAGAIN (RLIMIT_NPROC)
  bool trace = false;            // keep the events (text/JSON output, explain)
  // Fold every event into the run's fingerprint (Kernel::trace_hash,
  // RunOutput::trace_hash).  Explorers, which never read it, turn it off:
  // an event that is neither kept nor hashed costs one test.
  bool hash_trace = true;
};

// The shared objects the yield points name.  An ObjId is (owner << 8) | field,
// the owner being a task index, an engine id, or a completion.
enum class Field : std::uint8_t {
  none,
  tasklist_lock,
  // per task
  state,
  tif,
  flags,
  exit_state,
  exit_code,
  ptrace,
  siglock,
  sigpending,
  wait_chldexit,
  vfork,
  // per struct utrace (per task)
  utrace_lock,
  utrace_flags,
  pending_attach,
  resume,
  reporting,
  utrace_bits,
  freeze_stop,
  // per engine
  engine_ops,
  engine_flags,
  engine_ref,
  // per completion
  completion,
  // per thread group (its first task): signal->real_timer, the ITIMER_REAL hrtimer
  real_timer,
};
const char* field_name(Field f);
inline constexpr std::uint32_t kEngineOwner = 0x400000, kCompletionOwner = 0x200000;
inline sim::ObjId oid(std::uint32_t owner, Field f) { return sim::ObjId{(owner << 8) | static_cast<std::uint8_t>(f)}; }

// The lockdep classes of the kernel's spinlocks (sim/lockdep.h), named as
// lockdep names a lock's class in its reports: by the lock's key, its
// address expression.  Every task's siglock is one class, every struct
// utrace's lock one class.
struct LockClasses {
  sim::LockClass tasklist_lock, siglock, utrace_lock;
};
const LockClasses& lock_classes();

// struct completion (kernel/sched.c): a kernel thread or a module waits on
// one with wait_for_completion() until another calls complete().
struct Completion : sim::Pooled {
  explicit Completion(sim::ObjId id) : done(id) { waiters.bind(id); }
  sim::Completion done;
  // The tasks asleep in wait_for_completion(), in the order they queued
  // (x->wait): complete() makes the first one TASK_RUNNING.
  WaitQueueHead waiters;
};

class Kernel final : public sim::Pooled {
 public:
  Kernel(KernelVersion version, BugSet bugs, sim::Engine& eng, const RunConfig& cfg);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Creates init (pid 1) and starts its thread.  The tasks alive at the
  // start are created by whoever boots the kernel (create_task), then
  // started in pid order (spawn_thread).
  void boot();
  // A task alive at the start: a child of init, with its own signal and
  // sighand structs.
  Task& create_task(std::string comm, bool kthread);

  // ---- the run's configuration -----------------------------------------------------
  sim::Engine& eng;
  const RunConfig cfg;
  UserCode* user = nullptr;  // what the tasks run (model/linux/user.h)
  // The names of the run (tasks, engines), for the messages of properties.
  const TraceNames* names = nullptr;
  KernelVersion version() const { return version_; }
  // 2011-3x runs the job control of linux-3.1 (task->jobctl, __TASK_UTRACED,
  // wake_up_quiescent()); the others that of 2.6.32.
  bool jobctl_3x() const { return version_ == KernelVersion::V2011_3x; }
  bool bug(int r) const { return r >= 1 && r <= kMaxBugId && bugs_.test(static_cast<std::size_t>(r - 1)); }

  // ---- tasks ------------------------------------------------------------------------
  std::vector<std::unique_ptr<Task>> tasks;  // every task ever created, in creation order
  // Threads of no task that the tools name (a litmus program's store
  // buffers and propagation daemons, model/memory/memory.h).
  std::vector<std::pair<sim::Tid, std::string>> named_threads;
  Task* init = nullptr;
  sim::SpinLock tasklist_lock;              // rwlock_t tasklist_lock, modelled exclusive
  Task* find_task_by_vpid(int pid) const;   // NULL once released
  Task* last_task_with_pid(int pid) const;  // ... or the last task that had it (even released)
  void attach_pid(Task& t, int pid);
  void detach_pid(Task& t);
  // The pid hash, as one object for the explorers: fork and release write
  // it, lookups read it.
  SharedObject pid_hash{oid(kCompletionOwner - 2, Field::none)};
  SignalStruct& new_signal_struct(Task& leader);
  SighandStruct& new_sighand(Task& owner);
  TaskState task_state_of(const Task& t) const;
  // The wait status a dead task's death reports, as wait_task_zombie() reads
  // it when it reaps: the group's exit code once the group is exiting
  // (SIGNAL_GROUP_EXIT), else the task's own.  A leader that called exit(N)
  // and whose group was killed afterwards reports the kill.
  static int task_exit_status(const Task& p);
  Task& current() const { return *static_cast<Task*>(eng.user(eng.current_tid())); }
  int nr_tasks_alive() const;

  // ---- events and properties -------------------------------------------------------
  void emit(Ev kind, int pid, std::int64_t a = 0, std::int64_t b = 0, std::int64_t c = 0, std::int64_t d = 0,
            const void* ref = nullptr) {
    if (events_wanted_) record_event(kind, pid, a, b, c, d, ref);
  }
  void violation(Property p, int pid, std::string message);
  const std::vector<Event>& events() const { return events_; }
  const std::vector<Violation>& violations() const { return violations_; }
  PropertySet broken() const { return broken_; }
  std::uint64_t trace_hash() const { return trace_hash_; }  // with cfg.hash_trace
  std::string comm(int pid) const;                          // "tracer-3"
  std::string message(std::int64_t index) const;            // a property's message

  // ---- observers (model/linux/hooks.h) ----------------------------------------------
  void observe(LinuxHooks* o) { hooks_.push_back(o); }
  // A task ran one step of user code.
  void on_user_step(Task& t);
  // lockdep_assert_held() (include/linux/lockdep.h: WARN_ON(debug_locks &&
  // !lockdep_is_held(l))): the current task holds `l`.  Placed where the
  // kernel source has it, or says in a comment that the caller holds the
  // lock (docs/model.md, "Lock checking"); `fn` is the function asserting.
  // A miss is a lock-not-held violation; the model goes on.
  void lockdep_assert_held(const sim::SpinLock& l, const char* fn) {
    if (l.holder() != eng.current_tid()) [[unlikely]]
      lock_not_held(l, fn);
  }
  // A lock the kernel takes where the model does the work inside the step
  // that holds another (do_notify_parent() takes the parent's siglock in
  // the step that holds tasklist_lock): while the guard lives,
  // lockdep_assert_held() accepts it, and lockdep records the dependencies
  // taking it makes (sim::Engine::lock_in_step).
  class LockedInStep {
   public:
    LockedInStep(Kernel& k, const sim::SpinLock& l, const char* where) : k_(k), was_(k.in_step_) {
      k.in_step_ = &l;
      k.eng.lock_in_step(l, where);
    }
    ~LockedInStep() { k_.in_step_ = was_; }
    LockedInStep(const LockedInStep&) = delete;
    LockedInStep& operator=(const LockedInStep&) = delete;

   private:
    Kernel& k_;
    const sim::SpinLock* was_;
  };
  // "&utrace->lock of tracee-2": a lock of the model, for messages.
  std::string lock_name(const sim::SpinLock& l) const;
  // BUG_ON() and WARN_ON() of the code modelled: `cond` is the kernel's own
  // assertion.  The model goes on; observers report it (model-invariant).
  // Returns cond.
  bool BUG_ON(bool cond, Task& t, const char* which, const char* what);
  void lock_not_held(const sim::SpinLock& l, const char* fn);

  // The owner part of the ObjIds of a task's shared fields.
  static std::uint32_t t_owner(const Task& t) { return static_cast<std::uint32_t>(t.idx); }
  static sim::ObjId obj(const Task& t, Field f) { return oid(t_owner(t), f); }

  // ---- scheduling (kernel/sched.c) -------------------------------------------------------
  void set_task_state(Task& t, unsigned state);
  void set_exit_state(Task& t, int exit_state);
  bool wake_up_state(Task& t, unsigned mask);
  // wake_up_quiescent() (2011-3x: linux-3.1 kernel/signal.c:704-724): drop
  // `state` from a stopped task; wake it only if no other stop bit is left.
  bool wake_up_quiescent(Task& p, unsigned state);
  sim::Co<void> schedule(Task& cur, const char* where);
  // schedule_timeout(): true when the time ran out
  sim::Co<bool> schedule_until(Task& cur, std::uint64_t deadline, const char* where);
  void wake_up(WaitQueueHead& q, unsigned mask);
  // complete() and wait_for_completion() (kernel/sched.c)
  sim::Co<void> complete(Completion& x);
  sim::Co<void> wait_for_completion(Task& cur, Completion& x);

  // ---- kernel/signal.c ------------------------------------------------------------------
  bool sig_handler_ignored(const KSigaction& ka, int sig) const;
  bool sig_ignored(Task& t, int sig) const;
  bool prepare_signal(int sig, Task& p);
  bool wants_signal(int sig, Task& p) const;
  void complete_signal(int sig, Task& p, bool group);
  int send_signal(int sig, const Siginfo& info, Task& t, bool group, int sender);
  void signal_wake_up(Task& t, bool resume);
  bool recalc_sigpending_tsk(Task& t);
  void recalc_sigpending(Task& cur);
  void recalc_sigpending_and_wake(Task& t);
  int dequeue_signal(Task& cur, SigSet mask, Siginfo* info);
  int zap_other_threads(Task& p);
  sim::Co<int> group_send_sig_info(int sig, Siginfo info, Task& p, int sender);
  sim::Co<int> send_sig_info(int sig, Siginfo info, Task& p, int sender);
  sim::Co<int> force_sig_info(int sig, Siginfo info, Task& t);
  sim::Co<int> do_tkill(Task& cur, int tgid, int pid, int sig);
  sim::Co<int> kill_pid_info(Task& cur, int pid, int sig);
  sim::Co<int> do_sigaction(Task& cur, int sig, const KSigaction* act);  // act NULL: a query
  // alarm(2) (kernel/itimer.c alarm_setitimer()): the whole seconds left of
  // the previous alarm; one second is one tick of virtual time.
  sim::Co<unsigned> alarm_setitimer(Task& cur, unsigned seconds);
  // do_exit() of the last thread: hrtimer_cancel(&sig->real_timer).
  void itimer_group_dead(SignalStruct& sig);
  enum class SigHow : std::uint8_t { Block, Unblock, SetMask };  // SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK
  sim::Co<int> sigprocmask(Task& cur, SigHow how, SigSet set);
  void set_current_blocked(Task& cur, SigSet newset);
  sim::Co<bool> do_signal_stop(Task& cur, int signr);
  // The 3.1 job control (2011-3x): kernel/signal.c:246-352 and 2005-2125.
  bool task_set_jobctl_pending(Task& task, unsigned mask);
  void task_clear_jobctl_pending(Task& task, unsigned mask);
  bool task_participate_group_stop(Task& task);
  sim::Co<bool> do_signal_stop_jobctl(Task& cur, int signr);
  sim::Co<void> do_notify_parent_cldstop(Task& tsk, int why);
  int do_notify_parent(Task& tsk, int sig);
  sim::Co<int> get_signal_to_deliver(Task& cur, Siginfo* info, KSigaction* return_ka);
  void flush_signal_handlers(Task& t);

  // ---- kernel/exit.c ----------------------------------------------------------------------
  sim::Co<void> do_exit(Task& cur, int code);        // never returns
  sim::Co<void> do_group_exit(Task& cur, int code);  // never returns
  sim::Co<void> exit_signals(Task& cur);
  sim::Co<void> exit_notify(Task& cur, bool group_dead);
  void forget_original_parent(Task& father, std::vector<Task*>& dead);
  Task* find_new_reaper(Task& father);
  void reparent_leader(Task& father, Task& p, std::vector<Task*>& dead);
  sim::Co<void> release_task(Task& p);
  void exit_signal_unlink(Task& p);  // __exit_signal
  struct WaitOpts {
    int pid = -1;             // -1 any, else a pid
    std::uint32_t flags = 0;  // W* | WEXITED
    int notask_error = 0;
    int status = 0;  // *stat_addr
  };
  sim::Co<std::int64_t> do_wait(Task& cur, WaitOpts& wo);
  sim::Co<int> wait_consider_task(Task& cur, WaitOpts& wo, bool ptrace, Task& p);
  sim::Co<int> wait_task_zombie(Task& cur, WaitOpts& wo, Task& p);
  sim::Co<int> wait_task_stopped(Task& cur, WaitOpts& wo, bool ptrace, Task& p);
  sim::Co<int> wait_task_continued(Task& cur, WaitOpts& wo, Task& p);

  // ---- kernel/fork.c, fs/exec.c -------------------------------------------------------------
  Task& new_task(Task* creator, std::string comm, bool kthread);
  // `entry`: where the child starts in user space (UserCode::copy_thread).
  sim::Co<std::int64_t> do_fork(Task& cur, std::uint64_t clone_flags, int exit_signal, UserAddr entry);
  // `image`: what the new program is (UserCode::start_thread).
  sim::Co<int> do_execve(Task& cur, UserAddr image);
  sim::Co<int> de_thread(Task& cur);
  void spawn_thread(Task& t);

  // ---- arch/x86: syscalls, signal frames and the way back to user mode --------------------
  // system_call: the entry hook; the syscall number to dispatch, as
  // syscall_trace_enter() returns it: -1 if the tracer aborted the syscall,
  // else regs->orig_ax, which an engine may have rewritten (nr if not).
  sim::Co<long> syscall_entry(Task& cur, int nr);
  // int_ret_from_sys_call, first half: the exit hooks (syscall_trace_leave);
  // regs->ax after them, which an engine may have rewritten (ret if not).
  sim::Co<std::int64_t> syscall_exit_work(Task& cur, int nr, std::int64_t ret);
  // int_ret_from_sys_call, second half: regs are what the syscall leaves;
  // the work loop of return_to_user() may deliver signals.
  sim::Co<void> return_from_syscall(Task& cur, const PtRegs& regs);
  sim::Co<bool> syscall_trace_enter(Task& cur);
  sim::Co<void> syscall_trace_leave(Task& cur);
  sim::Co<void> return_to_user(Task& cur);
  sim::Co<void> do_signal(Task& cur);
  sim::Co<void> handle_signal(Task& cur, int sig, const Siginfo& info, const KSigaction& ka);
  // rt_sigreturn, after its entry hook: restore_sigcontext() puts back the
  // frame's blocked mask; the registers it returns are the interrupted
  // code's, with orig_ax = -1 (no more restart processing).
  sim::Co<PtRegs> restore_sigcontext(Task& cur, const SigFrame& frame);
  // do_debug(): the trap after a single-stepped instruction.
  sim::Co<void> do_debug(Task& cur);

  // ---- include/linux/tracehook.h (RHEL6): where the kernel calls utrace -----------------------
  // Each tests task->utrace_flags locklessly first (utrace-semantics.md §5.0).
  sim::Co<bool> tracehook_report_syscall_entry(Task& cur);
  sim::Co<void> tracehook_report_syscall_exit(Task& cur, bool step);
  sim::Co<void> tracehook_notify_resume(Task& cur);
  sim::Co<int> tracehook_get_signal(Task& cur, Siginfo* info, KSigaction* return_ka);
  bool tracehook_force_sigpending(Task& cur);
  bool tracehook_consider_ignored_signal(Task& t, int sig) const;
  bool tracehook_consider_fatal_signal(Task& t, int sig) const;
  sim::Co<void> tracehook_signal_handler(Task& cur, int sig, bool stepping);
  sim::Co<void> tracehook_report_clone(Task& cur, std::uint64_t clone_flags, Task& child);
  sim::Co<void> tracehook_report_clone_complete(Task& cur, std::uint64_t clone_flags, Task& child);
  sim::Co<void> tracehook_report_exec(Task& cur);
  sim::Co<int> tracehook_notify_jctl(Task& cur, int notify, int why);  // siglock held
  sim::Co<void> tracehook_finish_jctl(Task& cur);
  sim::Co<void> tracehook_report_exit(Task& cur, int* code);
  int tracehook_notify_death(Task& t, bool group_dead);
  sim::Co<void> tracehook_report_death(Task& t, int signal, bool group_dead);
  sim::Co<void> tracehook_prepare_release_task(Task& t);

  // ---- the threads of tasks -----------------------------------------------------------------
  sim::Co<void> task_main(Task* t);             // ret_from_fork, then user mode
  sim::Co<void> kthread_main(Task* t);          // kthread(): the thread function, then do_exit(0)
  sim::Co<void> init_main(Task* t);             // /sbin/init: reaps orphans
  sim::Co<void> it_real_fn(SignalStruct* sig);  // the ITIMER_REAL hrtimer's callback (itimer.cpp)

  // ---- utrace (model/utrace): set up lazily by the first attach -------------------------------
  std::vector<std::unique_ptr<Utrace>> utraces;
  std::vector<std::unique_ptr<Engine>> engines;
  int next_engine_id = 0;
  // The observer of the utrace core (model/utrace/hooks.h); never NULL.
  UtraceHooks* utrace_hooks = nullptr;
  // ptrace on utrace (model/ptrace/ptrace.h): its callback table and the
  // struct ptrace_context of each ptrace engine (engine->data = index + 1).
  std::unique_ptr<EngineOps> ptrace_ops;
  std::vector<std::unique_ptr<PtraceContext>> ptrace_contexts;
  // I9: only utrace_stop(), utrace_do_stop() and utrace_wakeup() move a task
  // in or out of TASK_TRACED; they say so around the change with a
  // TracedChange, which the checks see.
  struct TracedChange {
    explicit TracedChange(Kernel& k) : k_(k) { k_.traced_permit_ = true; }
    ~TracedChange() { k_.traced_permit_ = false; }
    TracedChange(const TracedChange&) = delete;
    TracedChange& operator=(const TracedChange&) = delete;
    Kernel& k_;
  };
  bool traced_change_permitted() const { return traced_permit_; }

  int next_pid = 1;

 private:
  // emit() of a traced or hashed run.
  void record_event(Ev kind, int pid, std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d, const void* ref);

  KernelVersion version_;
  BugSet bugs_;
  const sim::SpinLock* in_step_ = nullptr;  // LockedInStep
  std::vector<LinuxHooks*> hooks_;
  bool traced_permit_ = false;
  const bool events_wanted_;  // cfg.trace || cfg.hash_trace
  std::vector<Event> events_;
  std::vector<Violation> violations_;
  std::vector<std::string> messages_;
  PropertySet broken_;
  std::uint64_t trace_hash_;
  std::vector<Task*> pid_table_;
  std::vector<std::unique_ptr<SignalStruct>> signals_;
  std::vector<std::unique_ptr<SighandStruct>> sighands_;
};

// Frame identity (sim/co.h): the kernel is one; wait options by value.
inline std::uint64_t frame_digest(const Kernel&) noexcept { return 0; }
inline std::uint64_t frame_digest(const Completion& c) noexcept { return frame_digest(c.done); }
inline std::uint64_t frame_digest(const Kernel::WaitOpts& w) noexcept {
  return sim::digest_all(w.pid, w.flags, w.notask_error, w.status);
}

}  // namespace model
