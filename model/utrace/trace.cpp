// model/utrace/trace.cpp: the utrace events of a trace, in the kernel's own
// words, and the one place a change of a traced shared field (model/shared.h)
// becomes an event (utsim_utrace_state) and reaches the observers.
#include <fmt/format.h>

#include "model/utrace/internal.h"

namespace model {

using namespace ut;

const char* api_name(Api a) {
  switch (a) {
    case Api::attach: return "utrace_attach_task";
    case Api::set_events: return "utrace_set_events";
    case Api::control: return "utrace_control";
    case Api::barrier: return "utrace_barrier";
    case Api::prepare_examine: return "utrace_prepare_examine";
    case Api::finish_examine: return "utrace_finish_examine";
  }
  return "?";
}

const char* ufield_name(UField f) {
  switch (f) {
    case UField::resume: return "utrace->resume";
    case UField::utrace_flags: return "utrace_flags";
    case UField::engine_flags: return "engine->flags";
    case UField::engine_ops: return "engine->ops";
    case UField::pending_attach: return "utrace->pending_attach";
    case UField::reporting: return "utrace->reporting";
    case UField::death: return "utrace->death";
    case UField::reap: return "utrace->reap";
    case UField::signal_handler: return "utrace->signal_handler";
    case UField::vfork_stop: return "utrace->vfork_stop";
    case UField::tif: return "thread_info.flags";
    case UField::freeze_stop: return "utrace->freeze_stop";
    case UField::stopped: return "utrace->stopped";
    case UField::report: return "utrace->report";
    case UField::interrupt: return "utrace->interrupt";
  }
  return "?";
}

std::int64_t trace_value(Engine* e) { return e ? e->id : 0; }

// A field of a task's struct utrace (or its utrace_flags, its
// TIF_NOTIFY_RESUME), or of an engine, changed inside the current step: the
// owner in the ObjId says whose.
void trace_shared_change(sim::ObjId id, std::uint8_t traced, std::int64_t before, std::int64_t after) {
  Kernel& k = *static_cast<Kernel*>(sim::Engine::current().context());
  const auto f = static_cast<UField>(traced - 1);
  const std::uint32_t owner = id.v >> 8;
  if (owner >= kEngineOwner) {
    Engine& e = *k.engines[owner - kEngineOwner - 1];
    if (!e.target) return;
    k.emit(Ev::utrace_state, e.target->pid, static_cast<int>(f), before, after, e.id);
    hooks(k).field_changed(*e.target, &e, f, before, after);
    return;
  }
  Task& t = *k.tasks[owner];
  k.emit(Ev::utrace_state, t.pid, static_cast<int>(f), before, after, 0);
  hooks(k).field_changed(t, nullptr, f, before, after);
}

std::string ufield_value(UField f, std::int64_t v) {
  switch (f) {
    case UField::resume: return utrace_resume_action_name(static_cast<std::uint32_t>(v));
    case UField::utrace_flags:
    case UField::engine_flags: return utrace_events_string(static_cast<unsigned long>(v));
    case UField::engine_ops: return v == 0 ? "ops" : v == 1 ? "&utrace_detached_ops" : "NULL";
    case UField::reporting: return v ? fmt::format("e{}", v) : "NULL";
    case UField::tif: return tif_string(static_cast<unsigned long>(v));
    default: return std::to_string(v);
  }
}

std::vector<EventField> utrace_event_fields(const Event& e, const TraceNames& n) {
  switch (e.kind) {
    case Ev::utrace_callback: {
      const auto cb = static_cast<Callback>(e.b);
      std::vector<EventField> f{{"engine", n.engine(e.a)}, {"callback", std::string(callback_name(cb))}};
      if (cb == Callback::report_quiesce)
        f.push_back({"event", utrace_events_string(static_cast<unsigned long>(e.c))});
      else if (cb != Callback::report_reap && cb != Callback::release && cb != Callback::report_death)
        f.push_back({"action", utrace_action_string(static_cast<std::uint32_t>(e.c),
                                                    cb == Callback::report_signal          ? ActionFamily::Signal
                                                    : cb == Callback::report_syscall_entry ? ActionFamily::Syscall
                                                                                           : ActionFamily::Resume)});
      if (e.d) f.push_back({"ops", std::string("&utrace_detached_ops")});
      return f;
    }
    case Ev::utrace_return: {
      const auto cb = static_cast<Callback>(e.b);
      std::vector<EventField> f{{"engine", n.engine(e.a)}, {"callback", std::string(callback_name(cb))}};
      if (callback_returns_action(cb))
        f.push_back({"ret", utrace_action_string(static_cast<std::uint32_t>(e.c),
                                                 cb == Callback::report_signal          ? ActionFamily::Signal
                                                 : cb == Callback::report_syscall_entry ? ActionFamily::Syscall
                                                                                        : ActionFamily::Resume)});
      if (e.d) f.push_back({"ops", std::string("&utrace_detached_ops")});
      return f;
    }
    case Ev::utrace_api: {
      const auto call = static_cast<Api>(e.b);
      std::vector<EventField> f{{"call", std::string(api_name(call))}};
      if (e.a) f.push_back({"engine", n.engine(e.a)});
      if (call == Api::control) f.push_back({"action", utrace_resume_action_name(static_cast<std::uint32_t>(e.c))});
      if (call == Api::set_events) f.push_back({"events", utrace_events_string(static_cast<unsigned long>(e.c))});
      f.push_back({"ret", e.d ? "-" + errno_name(static_cast<int>(-e.d)) : std::string("0")});
      return f;
    }
    case Ev::utrace_state: {
      const auto fld = static_cast<UField>(e.a);
      std::vector<EventField> f;
      if (e.d) f.push_back({"engine", n.engine(e.d)});
      f.push_back({"field", std::string(ufield_name(fld))});
      f.push_back({"old", ufield_value(fld, e.b)});
      f.push_back({"new", ufield_value(fld, e.c)});
      return f;
    }
    case Ev::utrace_stop:
      if (e.a) return {{"state", std::string(e.c ? "TASK_UTRACED" : "TASK_TRACED")}};  // c: 2011-3x
      return {{"woken", std::string(e.b ? "by SIGKILL" : "resumed")}};
    default: break;
  }
  return {};
}

}  // namespace model
