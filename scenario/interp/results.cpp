// scenario/interp/results.cpp: what ops returned, against what they were
// expected to return (SCENARIOS.md "Expectations"), and how both are told.
#include <fmt/format.h>

#include "scenario/interp/interp.h"

namespace model {

// ---- results and expectations ---------------------------------------------------------

bool Interpreter::match_result(const OpResult& r, const std::vector<ResultPattern>& any_of, const OpCtx* ctx) const {
  OpCtx none_ctx;
  for (const ResultPattern& p : any_of) {
    switch (p.kind) {
      case ResultPattern::Kind::Int:
        if (r.kind == ResultKind::Errno) break;
        if (r.kind == ResultKind::WaitStatus) {
          if (p.raw && r.value == p.value) return true;
          break;
        }
        if (r.value == p.value) return true;
        break;
      case ResultPattern::Kind::Errno:
        if (r.kind == ResultKind::Errno && r.value == p.value) return true;
        break;
      case ResultPattern::Kind::Ok:
        if (r.kind == ResultKind::Ok) return true;
        break;
      case ResultPattern::Kind::Blocks: break;  // the op returned
      case ResultPattern::Kind::State: break;   // only in expect_modern, which a real kernel checks
      case ResultPattern::Kind::TaskPid: {
        const Task* t = resolve(p.task, ctx ? *ctx : none_ctx);
        const int pid = p.task.kind == TaskRef::Kind::Named ? slot_pid(p.task.slot) : (t ? t->pid : 0);
        if (r.kind != ResultKind::Errno && pid && r.value == pid) return true;
        break;
      }
      case ResultPattern::Kind::Status: {
        if (r.kind != ResultKind::WaitStatus) break;
        const int s = static_cast<int>(r.value);
        if (p.has_pid) {
          const int pid = p.task.kind == TaskRef::Kind::Named ? slot_pid(p.task.slot) : 0;
          if (r.pid != pid) break;
        }
        bool ok = false;
        switch (p.status) {
          case ResultPattern::StatusKind::Exited: ok = WIFEXITED(s) && WEXITSTATUS(s) == p.code; break;
          case ResultPattern::StatusKind::Signaled:
            ok = WIFSIGNALED(s) && WTERMSIG(s) == p.code && (!p.core || WCOREDUMP(s) == *p.core);
            break;
          case ResultPattern::StatusKind::Stopped:
            ok = WIFSTOPPED(s) && WSTOPSIG(s) == p.code && ((s >> 16) & 0xff) == p.event;
            break;
          case ResultPattern::StatusKind::Continued: ok = WIFCONTINUED(s); break;
        }
        if (ok) return true;
        break;
      }
    }
  }
  return false;
}

std::string Interpreter::describe_result(const OpResult& r) const {
  switch (r.kind) {
    case ResultKind::Errno: return "-" + errno_name(static_cast<int>(r.value));
    case ResultKind::Ok: return "ok";
    case ResultKind::None: return "(no value)";
    case ResultKind::Pid: return fmt::format("{} ({})", r.value, k_.comm(static_cast<int>(r.value)));
    case ResultKind::WaitStatus:
      return fmt::format("{} from {} (status {:#x})", describe_wait_status(static_cast<int>(r.value)), k_.comm(r.pid),
                         r.value);
    case ResultKind::Value: break;
  }
  return std::to_string(r.value);
}

void Interpreter::record_result(Task& t, const Op& op, const OpResult& r, bool check, const OpCtx* ctx) {
  k_.emit(Ev::op_result, t.pid, r.value, static_cast<int>(r.kind), r.pid, 0, &op);
  if (op.label >= 0) results_.emplace_back(op.label, r);
  if (!check || !op.expect) return;
  if (match_result(r, op.expect->any_of, ctx)) return;
  std::string want;
  for (const ResultPattern& p : op.expect->any_of) {
    if (!want.empty()) want += " or ";
    want += describe_pattern(p);
  }
  k_.violation(
      Property::UnexpectedResult, t.pid,
      fmt::format("{}: {} at {} returned {}, expected {}", k_.comm(t.pid), op.key, op.ptr, describe_result(r), want));
}

std::string Interpreter::describe_pattern(const ResultPattern& p) const {
  auto task_name = [&](const TaskRef& r) -> std::string {
    if (r.kind == TaskRef::Kind::Named && r.slot >= 0) return scn_.task_names[static_cast<std::size_t>(r.slot)];
    return "$task";
  };
  switch (p.kind) {
    case ResultPattern::Kind::Int: return p.raw ? fmt::format("status {:#x}", p.value) : std::to_string(p.value);
    case ResultPattern::Kind::Errno: return "-" + errno_name(static_cast<int>(p.value));
    case ResultPattern::Kind::Ok: return "ok";
    case ResultPattern::Kind::Blocks: return "blocks";
    case ResultPattern::Kind::State: return std::string("state ") + task_state_name(static_cast<TaskState>(p.value));
    case ResultPattern::Kind::TaskPid: return "the pid of " + task_name(p.task);
    case ResultPattern::Kind::Status: {
      std::string s;
      switch (p.status) {
        case ResultPattern::StatusKind::Exited: s = fmt::format("exited {}", p.code); break;
        case ResultPattern::StatusKind::Signaled: s = "killed by " + signal_name(p.code); break;
        case ResultPattern::StatusKind::Stopped:
          s = "stopped by " + signal_name(p.code & 0x7f) + ((p.code & 0x80) ? "|0x80" : "");
          if (p.event) s += " with " + ptrace_event_name(p.event);
          break;
        case ResultPattern::StatusKind::Continued: s = "continued"; break;
      }
      if (p.has_pid) s += " from " + task_name(p.task);
      return s;
    }
  }
  return "?";
}

}  // namespace model
