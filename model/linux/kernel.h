// model/linux/kernel.h: the simulated Linux 2.6.32 below utrace, one per run.
//
// Member functions are named after the kernel functions they model and live
// in files named after the kernel's: signal.cpp (kernel/signal.c),
// exit.cpp (kernel/exit.c), fork.cpp (kernel/fork.c, fs/exec.c), entry.cpp
// (arch/x86 syscall entry, return to user mode, do_signal), interp.cpp (the
// scenario interpreter: what user code and kernel modules do).  Each comment
// cites the function modelled.
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

#include "model/events.h"
#include "scenario/scenario.h"
#include "model/linux/task.h"
#include "sim/engine.h"

namespace model {

struct Utrace;
struct Engine;
class EngineOps;
struct PtraceContext;
class Kernel;

// Sees every event of a run as it happens (the property checkers of the
// utrace layer): on_event() runs inside the step that emitted the event.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_event(Kernel& k, Ev kind, int pid, std::int64_t a, std::int64_t b,
                        std::int64_t c, std::int64_t d) = 0;
  // A task runs one step of user code.
  virtual void on_user_step(Kernel& k, Task& t) = 0;
  // recalc_sigpending() is about to clear the task's TIF_SIGPENDING.
  virtual void on_clear_sigpending(Kernel& k, Task& t) = 0;
  // task->state changes.
  virtual void on_state_change(Kernel& k, Task& t, unsigned before, unsigned after) = 0;
  virtual void end_of_run(Kernel& k, const sim::RunResult& r) = 0;
};

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
};

// The shared objects the yield points name.  An ObjId is (owner << 8) | field,
// the owner being a task index, an engine id, or a completion.
enum class Field : std::uint8_t {
  none,
  tasklist_lock,
  // per task
  state, tif, flags, exit_state, exit_code, ptrace, siglock, sigpending, wait_chldexit, vfork,
  // per struct utrace (per task)
  utrace_lock, utrace_flags, pending_attach, resume, reporting, utrace_bits, freeze_stop,
  // per engine
  engine_ops, engine_flags, engine_ref,
  // per completion
  completion,
};
const char* field_name(Field f);
inline constexpr std::uint32_t kEngineOwner = 0x400000, kCompletionOwner = 0x200000;
inline sim::ObjId oid(std::uint32_t owner, Field f) {
  return sim::ObjId{(owner << 8) | static_cast<std::uint8_t>(f)};
}

// A violated property, as recorded by a run (the first time each breaks).
struct Violation {
  Property property = Property::ModelInvariant;
  std::string message;
  std::uint64_t step = 0;
  int pid = 0;
};

// The context ops run in: a user task, a kernel thread, or an engine callback.
struct OpCtx {
  enum class Kind : std::uint8_t { User, Kthread, Callback };
  Kind kind = Kind::User;
  Task* self = nullptr;       // "$task"
  Task* child = nullptr;      // "$child" (report_clone)
  Engine* engine = nullptr;   // "$engine"
};

class Kernel final : public TraceNames {
 public:
  Kernel(const Scenario& scn, sim::Engine& eng, const RunConfig& cfg);
  ~Kernel() override;
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Creates init (pid 1) and the scenario's tasks and their threads.
  void boot();
  // After the engine's run: end-of-run properties (hang) and the outcome.
  void end_of_run(const sim::RunResult& r);

  // ---- the run's configuration -----------------------------------------------------
  const Scenario& scn;
  sim::Engine& eng;
  const RunConfig cfg;
  KernelVersion version() const { return scn.kernel; }
  bool bug(int r) const { return scn.has_bug(r); }

  // ---- tasks ------------------------------------------------------------------------
  std::vector<std::unique_ptr<Task>> tasks;  // every task ever created, in creation order
  Task* init = nullptr;
  sim::SpinLock tasklist_lock;               // rwlock_t tasklist_lock, modelled exclusive
  Task* find_task_by_vpid(int pid) const;    // NULL once released
  Task* task_of_slot(int slot) const;        // the task a scenario name is bound to (even released)
  int slot_pid(int slot) const;              // its pid, 0 if never created
  void bind_slot(int slot, int pid) { slot_pid_[static_cast<std::size_t>(slot)] = pid; }
  void attach_pid(Task& t, int pid);
  void detach_pid(Task& t);
  SignalStruct& new_signal_struct(Task& leader);
  SighandStruct& new_sighand(Task& owner);
  TaskState task_state_of(const Task& t) const;
  Task& current() const { return *static_cast<Task*>(eng.user(eng.current_tid())); }
  int nr_tasks_alive() const;

  // ---- events and properties -------------------------------------------------------
  void emit(Ev kind, int pid, std::int64_t a = 0, std::int64_t b = 0, std::int64_t c = 0,
            std::int64_t d = 0, const void* ref = nullptr);
  void violation(Property p, int pid, std::string message);
  const std::vector<Event>& events() const { return events_; }
  const std::vector<Violation>& violations() const { return violations_; }
  std::uint64_t trace_hash() const { return trace_hash_; }
  // TraceNames
  std::string comm(int pid) const override;
  std::string engine(std::int64_t id) const override;
  std::string message(std::int64_t index) const override;

  // ---- outcome (for expectations) ----------------------------------------------------
  struct TaskEnd {
    bool exists = false;
    bool died = false;
    int status = 0;       // wait status it died with
    TaskState state = TaskState::Running;
  };
  TaskEnd task_end(int slot) const;
  std::vector<Callback> callbacks_of(int handle) const;
  const OpResult* result_of(int label) const;

  // ---- yield points -------------------------------------------------------------------
  sim::PointAwaiter rd(const Task& t, Field f, const char* where) const {
    return sim::read(oid(t_owner(t), f), where);
  }
  sim::PointAwaiter wr(const Task& t, Field f, const char* where) const {
    return sim::write(oid(t_owner(t), f), where);
  }
  static std::uint32_t t_owner(const Task& t) { return static_cast<std::uint32_t>(t.idx); }

  // ---- scheduling (kernel/sched.c) -------------------------------------------------------
  void set_task_state(Task& t, unsigned state);
  void set_exit_state(Task& t, int exit_state);
  bool wake_up_state(Task& t, unsigned mask);
  sim::Co<void> schedule(Task& cur, const char* where);
  // schedule_timeout(): true when the time ran out
  sim::Co<bool> schedule_until(Task& cur, std::uint64_t deadline, const char* where);
  void wake_up(WaitQueueHead& q, unsigned mask);

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
  sim::Co<int> do_tkill(Task& cur, int tgid, int pid, int sig);
  sim::Co<int> kill_pid_info(Task& cur, int pid, int sig);
  sim::Co<int> do_sigaction(Task& cur, const SigactionOp& op);
  sim::Co<int> sigprocmask(Task& cur, const SigprocmaskOp& op);
  void set_current_blocked(Task& cur, SigSet newset);
  sim::Co<bool> do_signal_stop(Task& cur, int signr);
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
    int pid = -1;                 // -1 any, else a pid
    std::uint32_t flags = 0;      // W* | WEXITED
    int notask_error = 0;
    int status = 0;               // *stat_addr
  };
  sim::Co<std::int64_t> do_wait(Task& cur, WaitOpts& wo);
  sim::Co<int> wait_consider_task(Task& cur, WaitOpts& wo, bool ptrace, Task& p);
  sim::Co<int> wait_task_zombie(Task& cur, WaitOpts& wo, Task& p);
  sim::Co<int> wait_task_stopped(Task& cur, WaitOpts& wo, bool ptrace, Task& p);
  sim::Co<int> wait_task_continued(Task& cur, WaitOpts& wo, Task& p);

  // ---- kernel/fork.c, fs/exec.c -------------------------------------------------------------
  Task& new_task(Task* creator, int slot, bool kthread);
  sim::Co<std::int64_t> do_fork(Task& cur, std::uint64_t clone_flags, int exit_signal,
                                const Program* program, int child_slot);
  sim::Co<int> do_execve(Task& cur, const Program* program);
  sim::Co<int> de_thread(Task& cur);
  void spawn_thread(Task& t);

  // ---- arch/x86: syscalls and the way back to user mode ------------------------------------
  sim::Co<bool> syscall_trace_enter(Task& cur);
  sim::Co<void> syscall_trace_leave(Task& cur);
  sim::Co<void> return_to_user(Task& cur);
  sim::Co<void> do_signal(Task& cur);
  sim::Co<void> handle_signal(Task& cur, int sig, const Siginfo& info, const KSigaction& ka);

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

  // ---- the scenario interpreter (interp.cpp) ------------------------------------------------
  sim::Co<void> task_main(Task* t);
  sim::Co<void> kthread_main(Task* t);
  sim::Co<void> init_main(Task* t);
  // Ops in kernel context (kthreads, callbacks, module calls): no user mode.
  sim::Co<void> run_kernel_ops(Task& cur, const Program& ops, OpCtx ctx);
  sim::Co<OpResult> run_kernel_op(Task& cur, const Op& op, OpCtx& ctx, bool check);
  sim::Co<OpResult> do_kernel_op(Task& cur, const Op& op, OpCtx& ctx);
  Task* resolve(const TaskRef& r, const OpCtx& ctx) const;
  void record_result(Task& t, const Op& op, const OpResult& r, bool check, const OpCtx* ctx);
  bool match_result(const OpResult& r, const std::vector<ResultPattern>& any_of, const OpCtx* ctx) const;
  std::string describe_result(const OpResult& r) const;
  std::string describe_pattern(const ResultPattern& p) const;
  const Program& handler_program(const SignalHandler& h);
  // A task ran one step of user code (run-while-stopped is checked here).
  void on_user_step(Task& t);

  // ---- utrace (model/utrace): set up lazily by the first attach -------------------------------
  std::vector<std::unique_ptr<Utrace>> utraces;
  std::vector<std::unique_ptr<Engine>> engines;
  std::vector<std::unique_ptr<EngineOps>> engine_ops;  // the scenario's engine tables
  std::vector<Engine*> handles;                        // engine handles of the scenario, by slot
  int next_engine_id = 0;
  std::unique_ptr<RunObserver> observer;
  RunObserver* utrace_checks_ = nullptr;
  // ptrace on utrace (model/ptrace.h): its callback table and the
  // struct ptrace_context of each ptrace engine (engine->data = index + 1).
  std::unique_ptr<EngineOps> ptrace_ops;
  std::vector<std::unique_ptr<PtraceContext>> ptrace_contexts;
  // I9: only utrace_stop(), utrace_do_stop() and utrace_wakeup() move a task
  // in or out of TASK_TRACED; they say so around the change.
  void permit_traced_change(bool on) { traced_permit_ = on; }
  bool traced_change_permitted() const { return traced_permit_; }
  sim::WaitQueue state_changed_{oid(kCompletionOwner - 1, Field::state)};  // any task's state changed (await)

  int next_pid = 1;

 private:
  sim::Co<void> user_op(Task& t, const Op& op, std::size_t fi);
  sim::Co<bool> syscall_enter(Task& t, int nr);
  sim::Co<void> finish_syscall(Task& t, const Op& op, std::size_t fi, int nr, std::int64_t ret,
                               OpResult res, bool completes);
  void complete_op(Task& t, std::size_t fi, const Op& op, const OpResult& r);
  sim::Co<void> sigreturn(Task& t);
  sim::Co<void> program_end(Task& t);

  std::vector<std::pair<const SignalHandler*, std::unique_ptr<Program>>> synth_;
  bool traced_permit_ = false;
  std::vector<Event> events_;
  std::vector<Violation> violations_;
  std::vector<std::string> messages_;
  PropertySet broken_;
  std::uint64_t trace_hash_;
  std::vector<int> slot_pid_;
  std::vector<Task*> pid_table_;
  std::vector<std::unique_ptr<SignalStruct>> signals_;
  std::vector<std::unique_ptr<SighandStruct>> sighands_;
  std::vector<std::pair<int, OpResult>> results_;  // by label
  std::vector<std::unique_ptr<sim::Completion>> completions_;
  // The tasks asleep in wait_for_completion() on each completion, in the
  // order they queued (x->wait): complete() makes the first one TASK_RUNNING.
  std::vector<WaitQueueHead> completion_waiters_;
  friend struct KernelAccess;
};

}  // namespace model
