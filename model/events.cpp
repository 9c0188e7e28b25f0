// Events describe themselves: one list of named fields per event, written
// out as an ftrace-like text line or as a JSON object.
#include "model/events.h"

#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/abi.h"
#include "model/checks/property.h"
#include "model/linux/kernel.h"

namespace model {

const char* event_name(Ev e) {
  switch (e) {
    case Ev::sched_state: return "sched_state";
    case Ev::signal_generate: return "signal_generate";
    case Ev::signal_deliver: return "signal_deliver";
    case Ev::signal_wakeup: return "signal_wake_up";
    case Ev::group_stop: return "group_stop";
    case Ev::sys_enter: return "sys_enter";
    case Ev::sys_exit: return "sys_exit";
    case Ev::sys_restart: return "sys_restart";
    case Ev::task_new: return "task_newtask";
    case Ev::task_exec: return "task_exec";
    case Ev::task_exit: return "task_exit";
    case Ev::notify_parent: return "notify_parent";
    case Ev::release_task: return "release_task";
    case Ev::reparent: return "reparent";
    case Ev::wait_found: return "wait_found";
    case Ev::op_result: return "op_result";
    case Ev::property: return "property";
    case Ev::utrace_callback: return "utrace_callback";
    case Ev::utrace_return: return "utrace_return";
    case Ev::utrace_api: return "utrace_api";
    case Ev::utrace_state: return "utrace_state";
    case Ev::utrace_stop: return "utrace_stop";
    case Ev::memory: return "memory";
    case Ev::kCount: break;
  }
  return "?";
}

namespace {

using FieldKV = EventField;

const char* sys_name(std::int64_t nr) {
  switch (nr) {
    case 0: return "read";
    case 1: return "write";
    case 13: return "rt_sigaction";
    case 14: return "rt_sigprocmask";
    case 15: return "rt_sigreturn";
    case 24: return "sched_yield";
    case 34: return "pause";
    case 35: return "nanosleep";
    case 37: return "alarm";
    case 39: return "getpid";
    case 56: return "clone";
    case 57: return "fork";
    case 58: return "vfork";
    case 59: return "execve";
    case 60: return "exit";
    case 61: return "wait4";
    case 62: return "kill";
    case 101: return "ptrace";
    case 110: return "getppid";
    case 186: return "gettid";
    case 200: return "tkill";
    case 231: return "exit_group";
    case 234: return "tgkill";
    default: break;
  }
  for (const PlainSyscall& s : plain_syscalls())
    if (s.nr == nr) return s.name;
  return "?";
}

std::string ret_string(std::int64_t ret) {
  if (ret < 0 && ret >= -4095) return "-" + errno_name(static_cast<int>(-ret));
  return std::to_string(ret);
}

const char* disp_name(std::int64_t d) {
  switch (static_cast<SigDisp>(d)) {
    case SigDisp::Handler: return "handler";
    case SigDisp::Ignore: return "ignore";
    case SigDisp::Stop: return "stop";
    case SigDisp::Terminate: return "terminate";
    case SigDisp::Core: return "core";
    case SigDisp::Continue: return "continue";
  }
  return "?";
}

const char* cld_name(std::int64_t code) {
  switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_TRAPPED: return "CLD_TRAPPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "0";
  }
}

std::string state_name(std::int64_t s) {
  if (s == EXIT_ZOMBIE) return "EXIT_ZOMBIE";
  if (s == EXIT_DEAD) return "EXIT_DEAD";
  return task_state_string(static_cast<unsigned>(s), 0);
}

std::string signal_flags_string(std::int64_t f) {
  static const std::pair<unsigned, const char*> names[] = {
      {SIGNAL_STOP_STOPPED, "STOP_STOPPED"},     {SIGNAL_STOP_DEQUEUED, "STOP_DEQUEUED"},
      {SIGNAL_STOP_CONTINUED, "STOP_CONTINUED"}, {SIGNAL_GROUP_EXIT, "GROUP_EXIT"},
      {SIGNAL_CLD_STOPPED, "CLD_STOPPED"},       {SIGNAL_CLD_CONTINUED, "CLD_CONTINUED"},
      {SIGNAL_UNKILLABLE, "UNKILLABLE"}};
  std::string s;
  for (auto [bit, name] : names)
    if (f & bit) s += (s.empty() ? "" : "|") + std::string("SIGNAL_") + name;
  return s.empty() ? "0" : s;
}

std::string clone_flags_string(std::int64_t f) {
  static const std::pair<std::uint64_t, const char*> names[] = {
      {CLONE_VM, "CLONE_VM"},           {CLONE_FS, "CLONE_FS"},         {CLONE_FILES, "CLONE_FILES"},
      {CLONE_SIGHAND, "CLONE_SIGHAND"}, {CLONE_PTRACE, "CLONE_PTRACE"}, {CLONE_VFORK, "CLONE_VFORK"},
      {CLONE_PARENT, "CLONE_PARENT"},   {CLONE_THREAD, "CLONE_THREAD"}, {CLONE_UNTRACED, "CLONE_UNTRACED"}};
  std::string s;
  for (auto [bit, name] : names)
    if (static_cast<std::uint64_t>(f) & bit) s += (s.empty() ? "" : "|") + std::string(name);
  return s.empty() ? "0" : s;
}

// What a memory event shows: what the CPU did to which variable, and for a
// load whose store it read and whether a newer one exists it cannot see yet.
std::vector<FieldKV> memory_event_fields(const Event& e, const TraceNames& n) {
  static constexpr const char* kKinds[] = {"load", "store", "xchg", "fence", "propagate", "flush"};
  static constexpr const char* kFences[] = {"smp_mb", "smp_wmb", "smp_rmb", "smp_mb__after_spinlock"};
  const auto kind = static_cast<std::size_t>(e.a & 0xff);
  if (e.a >> 24 & 1) {
    // A kernel field's store buffer (model/memory/store_buffers.h).
    const char* where = e.ref ? static_cast<const char*>(e.ref) : "?";
    if (kind == 3) return {{"op", std::string("drain")}, {"barrier", std::string(where)}, {"stores", e.b}};
    std::vector<FieldKV> f{{"op", std::string(kind == 1 ? "store" : "flush")},
                           {"field", n.object(static_cast<std::uint32_t>(e.b))},
                           {"value", e.c}};
    if (kind == 1) {
      f.push_back({"in", std::string(where)});
      f.push_back({"visible", std::string("only to this CPU until its store buffer flushes it")});
    } else {
      f.push_back({"visible", std::string("to every CPU")});
    }
    return f;
  }
  std::vector<FieldKV> f{{"op", std::string(kind < 6 ? kKinds[kind] : "?")}};
  if (kind == 3) {
    f.push_back({"barrier", std::string(kFences[(e.a >> 16) & 3])});
    return f;
  }
  f.push_back({"var", n.var(e.b)});
  f.push_back({"value", e.c});
  if (kind == 0 || kind == 4) f.push_back({"from", e.d ? n.comm(static_cast<int>(e.d)) : std::string("init")});
  if (kind == 2) f.push_back({"old", e.d});
  if (kind == 0 && (e.a >> 8 & 1)) f.push_back({"stale", std::string("a newer store is not visible here yet")});
  return f;
}

std::vector<FieldKV> fields(const Event& e, const TraceNames& n) {
  switch (e.kind) {
    case Ev::sched_state: return {{"prev", state_name(e.a)}, {"next", state_name(e.b)}};
    case Ev::signal_generate: {
      static const char* res[] = {"queued", "ignored", "already-pending"};
      return {{"sig", signal_name(static_cast<int>(e.a))},
              {"from", n.comm(static_cast<int>(e.b))},
              {"group", e.c},
              {"result", std::string(res[e.d >= 0 && e.d < 3 ? e.d : 0])}};
    }
    case Ev::signal_deliver:
      return {{"sig", signal_name(static_cast<int>(e.a))}, {"action", std::string(disp_name(e.b))}, {"code", e.c}};
    case Ev::signal_wakeup: return {{"flag", std::string("TIF_SIGPENDING")}, {"wakekill", e.a}, {"woken", e.b}};
    case Ev::group_stop:
      return {{"group_stop_count", e.a},
              {"flags", signal_flags_string(e.b)},
              {"group_exit_code", signal_name(static_cast<int>(e.c))}};
    case Ev::sys_enter: return {{"nr", e.a}, {"name", std::string(sys_name(e.a))}};
    case Ev::sys_exit: return {{"nr", e.a}, {"name", std::string(sys_name(e.a))}, {"ret", ret_string(e.b)}};
    case Ev::sys_restart: return {{"ret", ret_string(e.b)}, {"outcome", std::string(e.c ? "restart" : "-EINTR")}};
    case Ev::task_new:
      return {{"child", n.comm(static_cast<int>(e.a))},
              {"clone_flags", clone_flags_string(e.b)},
              {"exit_signal", e.c > 0 ? signal_name(static_cast<int>(e.c)) : std::to_string(e.c)}};
    case Ev::task_exec: return {};
    case Ev::task_exit: return {{"code", fmt::format("{:#x}", e.a)}};
    case Ev::notify_parent:
      return {{"parent", n.comm(static_cast<int>(e.a))},
              {"sig", e.b > 0 ? signal_name(static_cast<int>(e.b)) : std::string("none")},
              {"code", std::string(cld_name(e.c))},
              {"status", e.d}};
    case Ev::release_task: return {{"released", n.comm(static_cast<int>(e.a))}};
    case Ev::reparent: return {{"parent", n.comm(static_cast<int>(e.a))}};
    case Ev::wait_found:
      return {{"child", n.comm(static_cast<int>(e.a))},
              {"status", fmt::format("{:#x}", e.b)},
              {"means", describe_wait_status(static_cast<int>(e.b))},
              {"why", std::string(cld_name(e.c))}};
    case Ev::op_result: {
      std::vector<FieldKV> f{{"op", n.op_key(e.ref)}, {"at", n.op_at(e.ref)}};
      if (e.d) {
        f.push_back({"result", std::string("blocks")});
        return f;
      }
      const auto kind = static_cast<ResultKind>(e.b);
      switch (kind) {
        case ResultKind::Errno: f.push_back({"result", "-" + errno_name(static_cast<int>(e.a))}); break;
        case ResultKind::Ok: f.push_back({"result", std::string("ok")}); break;
        case ResultKind::None: break;
        case ResultKind::Pid: f.push_back({"result", n.comm(static_cast<int>(e.a))}); break;
        case ResultKind::WaitStatus:
          f.push_back({"result", n.comm(static_cast<int>(e.c))});
          f.push_back({"status", describe_wait_status(static_cast<int>(e.a))});
          break;
        case ResultKind::Value: f.push_back({"result", e.a}); break;
      }
      return f;
    }
    case Ev::property:
      return {{"property", std::string(property_name(static_cast<Property>(e.a)))}, {"message", n.message(e.b)}};
    case Ev::utrace_callback:
    case Ev::utrace_return:
    case Ev::utrace_api:
    case Ev::utrace_state:
    case Ev::utrace_stop: return utrace_event_fields(e, n);
    case Ev::memory: return memory_event_fields(e, n);
    case Ev::kCount: break;
  }
  return {};
}

}  // namespace

std::string event_text(const Event& e, const TraceNames& n) {
  std::string line = fmt::format("{:>6} {:>5} {:<16} utsim_{}:", e.step, e.time, n.comm(e.pid), event_name(e.kind));
  for (const FieldKV& f : fields(e, n)) {
    line += ' ';
    line += f.key;
    line += '=';
    if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
      line += std::to_string(*i);
    } else {
      const std::string& s = std::get<std::string>(f.value);
      if (s.find(' ') != std::string::npos) {
        line += '"';
        line += s;
        line += '"';
      } else {
        line += s;
      }
    }
  }
  return line;
}

nlohmann::json event_json(const Event& e, const TraceNames& n) {
  nlohmann::json j;
  j["step"] = e.step;
  j["time"] = e.time;
  j["pid"] = e.pid;
  j["task"] = n.comm(e.pid);
  j["event"] = std::string("utsim_") + event_name(e.kind);
  for (const FieldKV& f : fields(e, n)) {
    if (const auto* i = std::get_if<std::int64_t>(&f.value))
      j[f.key] = *i;
    else
      j[f.key] = std::get<std::string>(f.value);
  }
  return j;
}

}  // namespace model
