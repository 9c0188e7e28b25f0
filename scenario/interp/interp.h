// scenario/interp/interp.h: the interpreter of a scenario's programs — what
// the user code of each task does (each op a syscall, a bit of user-mode
// work, or a harness synchronisation), what a kernel thread or an engine
// callback does (the utrace API, completions), and the bindings of the
// scenario's names (tasks, engine handles, labels) during a run.
//
// The kernel model calls it through model::UserCode where the real kernel
// enters user space; it watches the kernel through model::LinuxHooks (the
// waits of `await`).  A user task keeps a stack of frames (its program,
// loops, retries, signal handler frames).  A syscall op goes through the
// entry hook, its body, the exit hook and the way back to user mode, where
// do_signal() may restart it, make it return -EINTR, or set up a handler
// frame above it; rt_sigreturn then restores what the frame saved.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/linux/kernel.h"
#include "model/utrace/utrace.h"
#include "scenario/scenario.h"

namespace model {

// What an op returned.
struct OpResult {
  std::int64_t value = 0;
  ResultKind kind = ResultKind::Value;
  int pid = 0;  // WaitStatus: the task reported
};

// The op a task is executing, from the interpreter's side of a syscall:
// whether it completes when control returns to it, what it returned, and
// the syscall's return value its result was decoded from (a signal handler
// may turn that into -EINTR on the way back).
struct PendingOp {
  bool active = false;
  std::int64_t ret = 0;
  OpResult result;
};

// One level of a task's program stack.
struct Frame {
  enum class Kind : std::uint8_t { Program, Loop, Handler, Retry };
  Kind kind = Kind::Program;
  const Program* ops = nullptr;
  const Op* single = nullptr;  // Retry: the op repeated
  const Op* owner = nullptr;   // Loop/Retry: the op that pushed this frame
  std::size_t pc = 0;
  std::uint64_t op_state = 0;   // progress of the current op (compute steps, a nanosleep deadline + 1)
  std::uint64_t remaining = 0;  // Loop: iterations left after this one; Retry: tries so far
  bool forever = false;
  // Handler: what rt_sigreturn gives back to the kernel, and the op it interrupted
  SigFrame sigframe;
  PendingOp saved_op;
  int handler_sig = 0;

  // The frame that runs a program from its first op.
  static Frame of_program(const Program* p) {
    Frame f;
    f.ops = p;
    return f;
  }

  const Op* current() const { return single ? single : (pc < ops->size() ? &(*ops)[pc] : nullptr); }
};

// Where a task is in its program.
struct TaskProgram {
  int slot = -1;  // Scenario::task_names, -1 for init
  std::vector<Frame> frames;
  PendingOp pending;           // the syscall op on its way back to user mode
  const Op* cur_op = nullptr;  // the op being executed (for "blocks" and hang reports)
};

// The context kernel-mode ops run in: a kernel thread, or an engine callback.
struct OpCtx {
  enum class Kind : std::uint8_t { User, Kthread, Callback };
  Kind kind = Kind::User;
  Task* self = nullptr;      // "$task"
  Task* child = nullptr;     // "$child" (report_clone)
  Engine* engine = nullptr;  // "$engine"
};

// How a task ended, for outcomes.
struct TaskEnd {
  bool exists = false;
  bool died = false;
  int status = 0;  // wait status it died with
  TaskState state = TaskState::Running;
};

class Interpreter final : public UserCode, public LinuxHooks, public MemObserver, public sim::Pooled {
 public:
  Interpreter(const Scenario& scn, Kernel& k);
  ~Interpreter() override;
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // The scenario's tasks, children of init, started in pid order.
  void boot();
  // The hang property: no task blocked forever, except in an op whose
  // expect is "blocks" (SCENARIOS.md "Properties").
  void end_of_run(const sim::RunResult& r);

  // ---- names and outcomes ----------------------------------------------------------
  const Scenario& scenario() const { return scn_; }
  Task* task_of_slot(int slot) const;  // the task a scenario name is bound to (even released)
  int slot_pid(int slot) const;        // its pid, 0 if never created
  int slot_of(const Task& t) const;    // -1 for init
  const TaskProgram& program(const Task& t) const { return progs_[static_cast<std::size_t>(t.idx)]; }
  TaskEnd task_end(int slot) const;
  const OpResult* result_of(int label) const;
  std::vector<Callback> callbacks_of(int handle) const;
  int handle_of(const Engine& e) const;              // the handle it was last bound to, -1 none
  const Engine* engine_of_handle(int handle) const;  // NULL while unbound
  std::string engine_name(std::int64_t id) const;    // "e1(tracer)"
  // The calls an engine got of each callback (its return list's index).
  const std::array<std::uint32_t, kCallbackCount>& calls_of(const Engine& e) const;
  const std::vector<std::unique_ptr<Completion>>& completions() const { return completions_; }
  // The scenario's shared variables under its memory model (NULL when it
  // has none): model/memory/memory.h.
  const Memory* memory() const { return mem_.get(); }
  Memory* memory() { return mem_.get(); }
  bool match_result(const OpResult& r, const std::vector<ResultPattern>& any_of, const OpCtx* ctx) const;
  std::string describe_result(const OpResult& r) const;

  // ---- UserCode -----------------------------------------------------------------------
  sim::Co<void> run_user(Task& t) override;
  sim::Co<void> run_kthread(Task& t) override;
  void copy_thread(Task& parent, Task& child, UserAddr entry) override;
  void start_thread(Task& t, UserAddr image) override;
  void setup_rt_frame(Task& t, int sig, const KSigaction& ka, const SigFrame& frame) override;

  // ---- LinuxHooks: `await` waits for any task's state to change ----------------------
  void on_state_change(Kernel&, Task&, unsigned, unsigned) override { state_changed_.wake_all(); }
  void on_exit_state_change(Kernel&, Task&, int, int) override { state_changed_.wake_all(); }
  void on_release(Kernel&, Task&) override { state_changed_.wake_all(); }
  // ---- MemObserver: what the memory did, as trace events (memory_ops.cpp) --------------
  void on_memory(const MemEvent& e) override;

  // ---- engine callbacks (engines.cpp) --------------------------------------------------
  // Ops in kernel context (kthreads, callbacks, module calls): no user mode.
  sim::Co<void> run_kernel_ops(Task& cur, const Program& ops, OpCtx ctx);
  // A scenario engine's callback was called: how often before (its `calls`).
  std::uint32_t callback_called(const Engine& e, Callback cb);

 private:
  TaskProgram& prog(const Task& t) { return progs_[static_cast<std::size_t>(t.idx)]; }
  Task* resolve(const TaskRef& r, const OpCtx& ctx) const;
  const Program& handler_program(const SignalHandler& h);

  // results (results.cpp)
  void record_result(Task& t, const Op& op, const OpResult& r, bool check, const OpCtx* ctx);
  std::string describe_pattern(const ResultPattern& p) const;

  // user mode (user_ops.cpp)
  sim::Co<void> user_op(Task& t, const Op& op, std::size_t fi);
  sim::Co<void> user_compute(Task& t, const Op& op, std::size_t fi);
  sim::Co<void> user_loop(Task& t, const Op& op, std::size_t fi);
  sim::Co<void> user_module_op(Task& t, const Op& op, std::size_t fi);
  sim::Co<void> user_syscall(Task& t, const Op& op, std::size_t fi);
  sim::Co<std::int64_t> syscall_body(Task& t, const Op& op, std::size_t fi, OpResult& res, bool& completes);
  std::int64_t plain_syscall_ret(const Task& t, std::string_view name) const;
  sim::Co<void> finish_syscall(Task& t, const Op& op, std::size_t fi, int nr, std::int64_t ret, OpResult res,
                               bool completes);
  void complete_op(Task& t, std::size_t fi, const Op& op, const OpResult& r);
  sim::Co<void> sigreturn(Task& t);
  sim::Co<void> program_end(Task& t);

  // kernel context (kernel_ops.cpp)
  sim::Co<OpResult> run_kernel_op(Task& cur, const Op& op, OpCtx& ctx, bool check);
  sim::Co<OpResult> do_kernel_op(Task& cur, const Op& op, OpCtx& ctx);
  sim::Co<OpResult> await_op(Task& cur, const Op& op, const AwaitOp& a, OpCtx& ctx);
  sim::Co<OpResult> kernel_signal_op(Task& cur, const Op& op, OpCtx& ctx);
  // litmus ops (memory_ops.cpp)
  void setup_memory();
  sim::Co<OpResult> memory_op(Task& cur, const Op& op);
  sim::Co<void> litmus_cpu(Task* t);
  std::uint32_t cpu_of(const Task& t) const;

  // the utrace API (engines.cpp)
  void setup_engine_tables();
  sim::Co<OpResult> utrace_api_op(Task& cur, const Op& op, OpCtx& ctx);
  void bind_handle(int handle, Engine& e);

  const Scenario& scn_;
  Kernel& k_;
  std::deque<TaskProgram> progs_;  // by Task::idx (a deque: references stay valid as tasks are created)
  std::vector<int> slot_pid_;
  std::vector<std::pair<int, OpResult>> results_;  // by label, in the order recorded
  std::vector<std::unique_ptr<Completion>> completions_;
  std::unique_ptr<Memory> mem_;
  std::vector<std::unique_ptr<EngineOps>> engine_ops_;  // the scenario's engine tables
  std::vector<Engine*> handles_;                        // engine handles, by slot
  // Per engine (by id - 1): the handle it was last bound to, and how often
  // each callback was called (the index into its return list).
  struct EngineRecord {
    int handle = -1;
    std::array<std::uint32_t, kCallbackCount> calls{};
  };
  std::vector<EngineRecord> engine_records_;
  EngineRecord& record_of(const Engine& e);
  // Handler programs made from the shorthand handlers ({"exit": n}, {"raise": sig}).
  std::vector<std::pair<const SignalHandler*, std::unique_ptr<Program>>> synth_;
  // Any task's state changed (await).
  sim::WaitQueue state_changed_{oid(kCompletionOwner - 1, Field::state)};
};

// ---- frame identity (sim/co.h) ---------------------------------------------------------
inline std::uint64_t frame_digest(const Interpreter&) noexcept { return 0; }  // there is one
inline std::uint64_t frame_digest(const OpResult& r) noexcept { return sim::digest_all(r.value, r.kind, r.pid); }
inline std::uint64_t frame_digest(const OpCtx& c) noexcept {
  return sim::digest_all(c.kind, c.self, c.child, c.engine);
}
inline std::uint64_t frame_digest(const PendingOp& p) noexcept { return sim::digest_all(p.active, p.ret, p.result); }

}  // namespace model
