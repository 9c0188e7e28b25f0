// scenario/scenario.h: a scenario of SCENARIOS.md (format version 1), typed and
// validated.
//
// The loader (scenario/load/loader.h) turns JSON into this; the interpreter runs
// it.  Every name a scenario uses (tasks, engine handles, engine tables,
// completions, data tags, labels) is resolved to a dense index ("slot") at
// load time, so running a schedule never looks a string up.  Each op keeps
// the JSON pointer it came from, for messages.
#pragma once

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/abi.h"
#include "model/checks/property.h"
#include "model/linux/task_state.h"
#include "model/memory/memory.h"
#include "model/utrace/callback.h"
#include "model/versions.h"
#include "sim/co.h"

namespace model {

// ---- names resolved to slots ----------------------------------------------------

// A task named in the scenario: a declared task or the `child` of a fork,
// vfork or clone op.  slot indexes Scenario::task_names.
struct TaskRef {
  enum class Kind : std::uint8_t {
    Named,   // a task name
    Child,   // "$child": the child of the report_clone being made
    Self,    // "$task": the reporting task (in a callback) or the running task
    Any,     // -1 (waitpid only)
    Engine,  // no "target" on a utrace op: the task its engine was attached to (extension)
  };
  Kind kind = Kind::Named;
  int slot = -1;
};

// An engine handle: a name bound by `as`, or "$engine" in a callback.
struct HandleRef {
  enum class Kind : std::uint8_t { Named, Current };
  Kind kind = Kind::Named;
  int slot = -1;  // Scenario::handle_names
};

// ---- results and expectations ----------------------------------------------------

// One acceptable result of an op.
struct ResultPattern {
  enum class Kind : std::uint8_t {
    Int,      // an integer: 0, a syscall's return value, a raw status 0x137f
    Errno,    // "-ESRCH": value holds the positive errno
    Ok,       // "ok" (attach succeeded)
    Blocks,   // "blocks": the call never returns in this run
    TaskPid,  // a task name: that task's pid (fork, getpid, GETEVENTMSG)
    Status,   // a decoded wait status
    State,    // await/assert_state's expect_modern: the task state a modern kernel shows (value: TaskState)
  };
  Kind kind = Kind::Int;
  std::int64_t value = 0;
  TaskRef task{};    // TaskPid, and Status with "pid"
  bool raw = false;  // Int written as a "0x..." string: a raw wait status, not WNOHANG's 0
  bool has_pid = false;
  // Status: exactly one of these kinds
  enum class StatusKind : std::uint8_t { Exited, Signaled, Stopped, Continued };
  StatusKind status = StatusKind::Exited;
  int code = 0;              // Exited: the exit code; Signaled/Stopped: the signal (Stopped may include |0x80)
  int event = 0;             // Stopped: PTRACE_EVENT_* (0 = none)
  std::optional<bool> core;  // Signaled: core dumped (unset = either)
};
// The alternatives an op may return (any one of them).
struct Expectation {
  std::vector<ResultPattern> any_of;
  std::string ptr;  // JSON pointer of the expectation
};

// ---- ops ---------------------------------------------------------------------------

struct Op;
using Program = std::vector<Op>;

struct SyscallOp {
  std::string name;  // a plain syscall (see plain_syscalls())
};
struct ComputeOp {
  std::uint64_t steps = 1;
};
struct PauseOp {};
struct NanosleepOp {
  std::uint64_t ticks = 1;
};
struct AlarmOp {  // alarm(2); one second is one tick of virtual time
  std::uint32_t seconds = 0;
};
struct LoopOp {
  std::uint64_t times = 0;
  bool forever = false;
  Program body;
};
struct SignalHandler {
  enum class Kind : std::uint8_t { Default, Ignore, Noop, Exit, Raise, Do };
  Kind kind = Kind::Default;
  int value = 0;  // Exit: code; Raise: signal
  Program body;   // Do
};
struct SigactionOp {
  int sig = 0;
  SignalHandler handler;
  bool has_handler = true;  // false: sigaction(sig, NULL, &old), a query (no "handler")
  std::uint32_t flags = 0;  // SA_*
};
struct SigprocmaskOp {
  enum class How : std::uint8_t { Block, Unblock, Set };
  How how = How::Block;
  SigSet set;
};
struct RaiseOp {
  int sig = 0;
};
struct KillOp {
  TaskRef pid;
  int sig = 0;
  bool thread = false;  // tkill
};
struct ForkOp {
  bool vfork = false;
  int child = -1;  // task slot bound to the new child
  Program program;
};
struct CloneOp {
  std::uint64_t flags = 0;  // CLONE_* without the exit signal
  int exit_signal = 0;      // the CSIGNAL byte (SIGCHLD, or 0)
  int child = -1;
  Program program;
};
struct ExecOp {
  Program program;
};
struct ExitOp {
  int code = 0;
  bool group = false;  // exit_group
};
struct WaitpidOp {
  TaskRef pid;  // Named or Any
  std::uint32_t options = 0;
};
struct PtraceOp {
  int request = 0;
  TaskRef pid;
  bool has_pid = false;
  int sig = 0;                // "sig" (data for CONT/SYSCALL/DETACH/...)
  std::uint32_t options = 0;  // PTRACE_SETOPTIONS
};
struct SettleOp {};
struct AwaitOp {
  TaskRef task;
  TaskState state = TaskState::Running;
  bool assert_now = false;  // assert_state
};
struct CompletionOp {
  int completion = -1;  // Scenario::completion_names
  bool wait = false;    // wait_for_completion
};
struct AttachOp {
  TaskRef target;
  enum class Ops : std::uint8_t { Table, Null, DetachedSentinel };
  Ops ops_kind = Ops::Table;
  int ops = -1;             // Scenario::engines index
  int data = -1;            // Scenario::data_names slot, -1 = NULL
  std::uint32_t flags = 0;  // UTRACE_ATTACH_*
};
struct SetEventsOp {
  TaskRef target;
  HandleRef engine;
  unsigned long events = 0;
};
struct ControlOp {
  TaskRef target;
  HandleRef engine;
  std::uint32_t action = UTRACE_RESUME;
};
struct BarrierOp {
  TaskRef target;
  HandleRef engine;
};
struct ExamineOp {
  TaskRef target;
  HandleRef engine;
  bool finish = false;  // utrace_finish_examine
};
struct EnginePutOp {
  HandleRef engine;
};
struct RetryOp {
  std::unique_ptr<Op> body;  // the op repeated
  std::vector<ResultPattern> until;
  std::uint64_t max = 100;
};

// A litmus op on the scenario's shared variables (extension, issue 12):
// WRITE_ONCE, READ_ONCE, smp_store_release, smp_load_acquire, xchg, the
// barriers, and spin_lock/spin_unlock of a named spinlock.
struct MemOp {
  enum class Kind : std::uint8_t {
    WriteOnce,
    ReadOnce,
    StoreRelease,
    LoadAcquire,
    Xchg,
    Mb,
    Wmb,
    Rmb,
    MbAfterSpinlock,
    SpinLock,
    SpinUnlock,
  };
  Kind kind = Kind::ReadOnce;
  int var = -1;  // Scenario::var_names
  std::int64_t value = 0;
  int lock = -1;  // Scenario::spinlock_names
};

using OpBody =
    std::variant<SyscallOp, ComputeOp, PauseOp, NanosleepOp, LoopOp, SigactionOp, SigprocmaskOp, RaiseOp, KillOp,
                 ForkOp, CloneOp, ExecOp, ExitOp, WaitpidOp, PtraceOp, SettleOp, AwaitOp, CompletionOp, AttachOp,
                 SetEventsOp, ControlOp, BarrierOp, ExamineOp, EnginePutOp, RetryOp, AlarmOp, MemOp>;

struct Op {
  OpBody body;
  std::optional<Expectation> expect;
  std::optional<Expectation> expect_modern;
  // `as` on utrace_attach_task binds an engine handle (Scenario::handle_names);
  // on any other op it names the result like `label` does.
  int as = -1;      // handle slot, -1 = none (attach ops only)
  int label = -1;   // Scenario::labels index (from `label`, or `as` on other ops), -1 = none
  std::string ptr;  // JSON pointer of the op object
  std::string key;  // the op key as written ("tkill", "assert_state", ...)

  // An op: where it came from, what it may return.  Move-only (a retry owns its body).
  template <class T>
  const T* as_if() const {
    return std::get_if<T>(&body);
  }
};

// ---- engines (callback tables) ------------------------------------------------------

// `expect_args` of a callback (extension): what its arguments must be on
// every call, each field a list of alternatives (empty = not checked).
struct CallbackArgsExpect {
  std::vector<std::uint32_t> action;       // the `action` argument, the whole u32
  std::vector<unsigned long> event;        // report_quiesce's `event` (0 = none)
  std::vector<int> signal;                 // report_death's `signal`
  std::optional<bool> group_dead;          // report_death's `group_dead`
  std::vector<long> orig_code;             // report_exit's `orig_code`, raw (exit(n) is n << 8)
  std::vector<std::uint64_t> clone_flags;  // report_clone's `clone_flags`, exit signal in the low byte
  std::string ptr;                         // JSON pointer of expect_args ("" = none)
};

// `set` of a callback (extension): what it writes through its
// out-parameters before it returns, as an engine's C code would
// (include/linux/utrace.h struct utrace_engine_ops; utrace-semantics.md §2.6).
struct CallbackSets {
  std::optional<int> code;  // report_exit: *code, the exit code do_exit() goes on with
  int signal = 0;           // report_signal: info->si_signo (0 = left as it is)
  // report_signal: *return_ka, the sigaction the signal is then handled by.
  enum class Ka : std::uint8_t {
    Unchanged,  // as the core filled it (the task's own, or SIG_DFL)
    Default,    // SIG_DFL: the signal's default action
    Ignore,     // SIG_IGN
    Task        // the task's sigaction for the signal now in *info, as ptrace_report_signal() copies it
  } return_ka = Ka::Unchanged;
  // report_syscall_entry: regs->orig_ax, the syscall then dispatched: -1 (no
  // syscall: -ENOSYS) or a plain syscall's number (model/abi.h).
  std::optional<long> syscall;
  // report_syscall_exit: regs->ax, the value the syscall returns.
  std::optional<std::int64_t> syscall_return;
  std::string ptr;  // JSON pointer of this `set`
};

struct CallbackSpec {
  bool present = false;                // absent = NULL in the ops table
  std::vector<std::uint32_t> returns;  // used call by call, the last repeats; empty = UTRACE_RESUME
  // Per return: the bits of the callback's own `action` argument ORed into
  // it (extension: "utrace_signal_action(action) | UTRACE_RESUME"); 0 for a
  // constant.  Empty when no return reads its argument.
  std::vector<std::uint32_t> return_action_masks;
  Program body;  // the `do` list
  std::string ptr;
  std::vector<CallbackArgsExpect> expect_args;  // used call by call, the last repeats (like returns)
  std::vector<CallbackSets> sets;               // used call by call, the last repeats (like returns)
  // The return of call n (0-based): its constant, with the bits of `action`
  // it reads.  UTRACE_RESUME when there is none.
  std::uint32_t return_value(std::uint32_t n, std::uint32_t action) const {
    if (returns.empty()) return UTRACE_RESUME;
    const std::size_t i = std::min<std::size_t>(n, returns.size() - 1);
    return returns[i] | (return_action_masks.empty() ? 0 : action & return_action_masks[i]);
  }
};

struct EngineTable {
  std::string name;
  std::array<CallbackSpec, kCallbackCount> cb;
  std::string ptr;
  const CallbackSpec& operator[](Callback c) const { return cb[static_cast<std::size_t>(c)]; }
};

// ---- tasks ------------------------------------------------------------------------------

struct TaskDecl {
  int slot = -1;  // Scenario::task_names
  bool kthread = false;
  Program program;
  std::string ptr;
};

// ---- expectations of the whole scenario --------------------------------------------------

struct TaskOutcome {
  int task = -1;  // task slot
  std::optional<int> exited;
  std::optional<int> signaled;
  std::optional<TaskState> state;
};
struct CallbackOutcome {
  int handle = -1;
  std::vector<Callback> calls;
};
struct ResultOutcome {
  int label = -1;
  std::vector<ResultPattern> any_of;
};
struct VarOutcome {
  int var = -1;  // Scenario::var_names
  std::int64_t value = 0;
};
struct Outcome {
  std::vector<TaskOutcome> tasks;
  std::vector<CallbackOutcome> callbacks;
  std::vector<ResultOutcome> results;
  std::vector<VarOutcome> vars;  // final values of shared variables (extension, issue 12)
  std::string ptr;
};

struct ScenarioExpect {
  PropertySet violations;
  PropertySet allowed;
  bool has_outcomes = false;
  std::vector<Outcome> outcomes;
  std::vector<Outcome> reachable;
  // Extension (issue 12): no explored schedule may end in one of these (a
  // litmus test's "Never"; a verdict only when the exploration is complete).
  std::vector<Outcome> unreachable;
};

enum class Strategy : std::uint8_t { Random, Pct, Dfs, Dpor, Portfolio };
const char* strategy_name(Strategy s);
std::optional<Strategy> strategy_from_name(std::string_view s);

// The schedules a litmus program's default exploration (DPOR) may run.
inline constexpr std::uint64_t kLitmusMaxSchedules = 10'000'000;

struct ExploreConfig {
  std::optional<Strategy> strategy;
  std::optional<std::uint32_t> preemption_bound;
  std::optional<std::uint64_t> max_schedules;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint32_t> depth;  // PCT depth
  std::optional<std::uint64_t> max_steps;
};

// ---- the scenario --------------------------------------------------------------------------

struct Scenario {
  std::string name;
  std::string summary;
  std::string explain;
  std::string origin;
  std::string file;  // where it was loaded from (for messages)

  KernelVersion kernel = KernelVersion::V2010Rhel6;
  BugSet bugs;
  // The model the file itself names (model.kernel, model.bugs), kept when
  // something outside the file replaced `kernel` or `bugs` (utsim --kernel,
  // --bug, --no-bugs; docs/scenarios.md "Overriding the model").  `expect`
  // was written for this one, not for the model simulated.  Empty: the
  // scenario runs the model its file names.
  struct FileModel {
    KernelVersion kernel = KernelVersion::V2010Rhel6;
    BugSet bugs;
    MemoryModel memory = MemoryModel::SC;
  };
  std::optional<FileModel> file_model;

  // The memory model the runs use (model.memory, --memory; issue 12), and
  // the one the file names (--memory changes `memory` only).
  MemoryModel memory = MemoryModel::SC;
  MemoryModel file_memory = MemoryModel::SC;

  std::vector<EngineTable> engines;
  std::vector<TaskDecl> tasks;  // in pid order: the first is pid 2 (pid 1 is init)
  ScenarioExpect expect;
  // `expect_memory` (extension): what to expect under each memory model
  // where it differs from `expect`, by MemoryModel; override_model puts the
  // one of the model simulated into `expect`.
  std::array<std::optional<ScenarioExpect>, kMemoryModelCount> expect_memory;

  // Shared variables (top-level `vars`) with their initial values, and the
  // named spinlocks of spin_lock/spin_unlock ops (extension, issue 12).
  std::vector<std::string> var_names;
  std::vector<std::int64_t> var_init;
  std::vector<std::string> spinlock_names;
  // A litmus program: shared variables, every task a kthread whose program
  // is only litmus ops.  Each task is one CPU running its function; the
  // task's exit, which nothing in the test can observe, is not simulated.
  bool litmus = false;
  ExploreConfig explore;

  // Name tables (slot -> name).
  std::vector<std::string> task_names;  // declared tasks first, then children
  std::vector<std::string> handle_names;
  std::vector<std::string> completion_names;
  std::vector<std::string> data_names;
  std::vector<std::string> labels;

  bool has_memory() const { return !var_names.empty() || !spinlock_names.empty(); }
  bool has_bug(int r) const { return r >= 1 && r <= kMaxBugId && bugs.test(r - 1); }
};

// Frame identity (sim/co.h): an op by where it is in the scenario (its JSON
// pointer), not its address.
inline std::uint64_t frame_digest(const Op& op) noexcept { return sim::hash_bytes(sim::kHashSeed, op.ptr); }
// A list of ops by its first op (an empty one is nothing to run).
inline std::uint64_t frame_digest(const Program& p) noexcept { return p.empty() ? 0 : frame_digest(p.front()); }
inline std::uint64_t frame_digest(const AwaitOp& a) noexcept {
  return sim::digest_all(a.task.kind, a.task.slot, a.state, a.assert_now);
}

}  // namespace model
