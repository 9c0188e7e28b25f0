// model/events.h: the one event stream every exporter writes from.
//
// The model emits each event once, as a small typed record (no strings are
// built while a schedule runs).  An event describes itself: one
// kernel-vocabulary text line (ftrace-like, event names prefixed utsim_ so
// nobody mistakes them for real tracepoints) and one JSON object.  Formatting
// needs the names of the run (task comms, engine handles), given by a
// TraceNames.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace model {

enum class Ev : std::uint8_t {
  // scheduling
  sched_state,  // pid; a = old state, b = new state (task->state bits or exit_state)
  // signals (kernel/signal.c)
  signal_generate,  // pid = target; a = sig, b = sender pid (0: kernel), c = group, d = result (0 queued, 1 ignored, 2
                    // already pending)
  signal_deliver,   // pid; a = sig, b = disposition (SigDisp), c = si_code
  signal_wakeup,    // pid = target; a = resume (SIGKILL-style wake), b = woken (1) or kicked (0)
  group_stop,       // pid; a = group_stop_count after, b = SIGNAL_* flags after, c = sig
  // syscalls
  sys_enter,    // pid; a = nr
  sys_exit,     // pid; a = nr, b = return value
  sys_restart,  // pid; a = nr, b = the -ERESTART* code, c = 1 if restarted, 0 if -EINTR
  // life cycle (kernel/fork.c, kernel/exit.c, fs/exec.c)
  task_new,       // pid = parent; a = child pid, b = clone flags (low 32 bits), c = exit signal
  task_exec,      // pid
  task_exit,      // pid; a = exit code (do_exit argument)
  notify_parent,  // pid = child; a = parent pid, b = signal (-1 none), c = si_code, d = si_status
  release_task,   // pid = reaper; a = released pid
  reparent,       // pid = child; a = new parent pid
  wait_found,     // pid = waiter; a = child pid, b = status, c = why (CLD_*)
  // the scenario interpreter
  op_result,  // pid; a = op result (encoded per ref op), b = ResultKind, ref = the Op
  property,   // pid; a = Property, ref = index into the run's messages
  // utrace (model/utrace): callbacks and API calls
  utrace_callback,  // pid = reporting task; a = engine id, b = Callback, c = action argument (or event), d = 1 for the
                    // sentinel
  utrace_return,    // pid = reporting task; a = engine id, b = Callback, c = return value, d = 1 for the sentinel
  utrace_api,       // pid = caller; a = engine id (0 none), b = the call, c = its argument, d = return value
  utrace_state,     // pid = traced task; a = UtraceField, b = old, c = new
  utrace_stop,      // pid; a = 1 entering TASK_TRACED, 0 returning from it, b = reason
  // shared variables under a memory model (model/memory/memory.h)
  memory,  // pid = the CPU's task; a = MemEvent::Kind | stale << 8 | MemFence << 16, b = variable, c = value,
           // d = the pid of the CPU whose store it is (Load, Propagate; 0: the initial value) or the old value (Xchg)
  kCount
};
const char* event_name(Ev e);  // "signal_generate" (without the utsim_ prefix)

// How a signal was dealt with when it was dequeued (get_signal_to_deliver).
enum class SigDisp : std::uint8_t { Handler, Ignore, Stop, Terminate, Core, Continue };

// What kind of value an op produced (for op_result).
enum class ResultKind : std::uint8_t { Value, Errno, Pid, WaitStatus, Ok, None };

struct Event {
  Ev kind = Ev::sched_state;
  std::uint64_t step = 0;
  std::uint64_t time = 0;
  int pid = 0;
  std::int64_t a = 0, b = 0, c = 0, d = 0;
  const void* ref = nullptr;
};

// The names an event needs to describe itself.
class TraceNames {
 public:
  virtual ~TraceNames() = default;
  virtual std::string comm(int pid) const = 0;                // "tracer-3"
  virtual std::string engine(std::int64_t id) const = 0;      // "e1"
  virtual std::string message(std::int64_t index) const = 0;  // property messages
  // An op_result's op (Event::ref): its key and where it is ("?" unknown).
  virtual std::string op_key(const void* ref) const = 0;  // "waitpid"
  virtual std::string op_at(const void* ref) const = 0;   // "/tasks/0/program/2"
  // A shared variable of a litmus program by its index ("x").
  virtual std::string var(std::int64_t index) const { return "var" + std::to_string(index); }
  // A shared object by its id (sim::ObjId): "X-2 utrace_flags", "var x".
  virtual std::string object(std::uint32_t id) const { return "object " + std::to_string(id); }
};

// One named field of an event's description.
using EventValue = std::variant<std::int64_t, std::string>;
struct EventField {
  const char* key;
  EventValue value;
};
// The fields of the utrace events (written by model/utrace).
std::vector<EventField> utrace_event_fields(const Event& e, const TraceNames& names);

// "  41     0 tracer-3  utsim_signal_generate: sig=SIGSTOP target=C-4 ..."
std::string event_text(const Event& e, const TraceNames& names);
nlohmann::json event_json(const Event& e, const TraceNames& names);

}  // namespace model
