// model/utrace/hooks.h: the moments of the utrace core that its observers
// see — the properties of model/checks above all.
//
// The core reports facts, never judgments: "engine e's callback starts",
// "utrace->resume became X", "the task enters TASK_TRACED for utrace".  An
// observer decides what they mean (a guarantee of utrace-semantics.md §6
// broken, an invariant of the code violated).  Each is called inside the
// step where the moment happens, as a tracepoint would fire.  The kernel's
// own assertions (BUG_ON, WARN_ON) go through Kernel::BUG_ON.
#pragma once

#include <cstdint>
#include <string>

#include "model/utrace/callback.h"

namespace model {

struct Task;
struct Engine;
class EngineOps;
struct CallbackArgs;

// The fields of struct utrace and struct utrace_engine whose changes the
// trace shows (utsim_utrace_state); Shared fields are bound with traced_as().
enum class UField : std::uint8_t {
  resume,
  utrace_flags,
  engine_flags,
  engine_ops,
  pending_attach,
  reporting,
  death,
  reap,
  signal_handler,
  vfork_stop,
  tif,
  freeze_stop,
  stopped,
  report,    // 2009-rfc
  interrupt  // 2009-rfc
};
const char* ufield_name(UField f);  // "utrace->resume"
// A value of the field as the trace and explain say it: "&utrace_detached_ops",
// "UTRACE_STOP", "QUIESCE|DEATH" (model/utrace/trace.cpp).
std::string ufield_value(UField f, std::int64_t v);
constexpr std::uint8_t traced_as(UField f) { return static_cast<std::uint8_t>(static_cast<int>(f) + 1); }

// The calls of the utrace API (§3) as the event stream names them.
enum class Api : std::uint8_t { attach, set_events, control, barrier, prepare_examine, finish_examine };
const char* api_name(Api a);  // "utrace_control"

class UtraceHooks {
 public:
  virtual ~UtraceHooks() = default;

  // ---- engines (§1.3) ----
  // e was linked on the task's lists (attaching; attached for R1).
  virtual void engine_attached(Engine& /*e*/, Task& /*t*/) {}
  // The core touched an engine whose last reference was dropped, or dropped
  // the last reference of an engine still on a list.
  virtual void engine_touched(Engine& /*e*/, const char* /*what*/) {}
  // The last reference was dropped (release() comes next).
  virtual void engine_freed(Engine& /*e*/) {}
  // utrace_set_events() stored new event flags under utrace->lock.
  virtual void events_set(Engine& /*e*/, unsigned long /*old_events*/, unsigned long /*events*/) {}
  // Another task edited t's engine lists (splice, reset, R1's attach).
  virtual void list_change(Task& /*t*/, const char* /*where*/) {}
  // utrace_reset() recomputed t's utrace_flags.
  virtual void after_reset(Task& /*t*/) {}
  // A traced field of t's struct utrace, or of its engine e, changed.
  virtual void field_changed(Task& /*t*/, Engine* /*e*/, UField /*f*/, std::int64_t /*before*/,
                             std::int64_t /*after*/) {}

  // ---- the API (§3) ----
  virtual void api_start(Engine* /*e*/) {}
  // The call returns `ret`; `target` is the task it was called on (NULL for
  // a task that was gone), `cur` the caller.
  virtual void api_return(Task& /*cur*/, Task* /*target*/, Engine* /*e*/, Api /*call*/, std::uint64_t /*arg*/,
                          int /*ret*/) {}

  // ---- reporting (§4) ----
  // A report pass of t begins (start_report).
  virtual void report_begin(Task& /*t*/) {}
  // t walks `attached` without the lock (REPORT_CALLBACKS), forward or in reverse.
  virtual void walk_begin(Task& /*t*/, bool /*reverse*/) {}
  virtual void walk_end(Task& /*t*/) {}
  virtual void callback_start(Task& /*t*/, Engine& /*e*/, const CallbackArgs& /*a*/) {}
  virtual void callback_return(Task& /*t*/, Engine& /*e*/, Callback /*cb*/, std::uint32_t /*ret*/) {}
  // The core is about to call a callback the ops table lacks (a NULL call).
  virtual void null_callback(Task& /*t*/, Engine& /*e*/, EngineOps* /*ops*/, Callback /*cb*/) {}
  // e's callback returned UTRACE_DETACH.
  virtual void detach_returned(Task& /*t*/, Engine& /*e*/) {}

  // ---- stops (§5.12) ----
  virtual void entering_traced(Task& /*t*/) {}
  virtual void leaving_traced(Task& /*t*/, bool /*sigkill*/) {}
  virtual void woken_by_sigkill(Task& /*t*/) {}
};

}  // namespace model
