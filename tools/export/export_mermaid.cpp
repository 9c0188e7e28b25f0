// tools/export/export_mermaid.cpp: a Mermaid sequence diagram of a run:
// participants are the tasks and the utrace engines (each engine beside the
// task it traces); messages are API calls (caller -> engine), callbacks (from
// the task whose thread makes the call to the engine, which is active until
// its return arrow: report_reap comes from the reaper), signals, ptrace
// requests, fork and wait; notes mark stops, deaths and violated properties.  Paste it into any Markdown viewer
// that renders ```mermaid blocks (GitHub, GitLab, mermaid.live).
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "scenario/scenario.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

// Mermaid's message text: one line (control characters as the escapes of
// printable()), no statement separators, no entity escapes.
std::string text(const std::string& in) {
  std::string s = printable(in);
  for (char& c : s) {
    if (c == ';') c = ',';
    if (c == '#') c = '+';
  }
  return s;
}

std::string task_id(int pid) { return fmt::format("P{}", pid); }
std::string engine_id(std::int64_t id) { return fmt::format("E{}", id); }

bool shown_in_notes(const std::string& s) {
  return s == "TASK_TRACED" || s == "TASK_STOPPED" || s == "EXIT_ZOMBIE" || s == "EXIT_DEAD";
}

// The participants: each task, each engine beside the task it traces (its
// first state change or callback), then the engines that traced nothing.
void write_participants(std::ostream& os, const model::Simulator& run) {
  const model::Kernel& k = run.kernel();
  std::map<std::int64_t, int> engine_target;
  std::map<std::int64_t, std::string> engine_name;
  for (const model::Event& e : k.events()) {
    std::int64_t id = 0;
    if (e.kind == model::Ev::utrace_callback || e.kind == model::Ev::utrace_return) id = e.a;
    if (e.kind == model::Ev::utrace_state) id = e.d;
    if (e.kind == model::Ev::utrace_api && e.a) {
      engine_name.emplace(e.a, run.engine(e.a));
      continue;
    }
    if (!id) continue;
    engine_name.emplace(id, run.engine(id));
    engine_target.emplace(id, e.pid);
  }
  std::vector<int> pids;
  for (const auto& t : k.tasks) pids.push_back(t->pid);
  std::sort(pids.begin(), pids.end());

  std::set<std::int64_t> placed;
  for (int pid : pids) {
    os << "    participant " << task_id(pid) << " as " << text(k.comm(pid)) << '\n';
    for (const auto& [id, target] : engine_target)
      if (target == pid && placed.insert(id).second)
        os << "    participant " << engine_id(id) << " as engine " << text(engine_name[id]) << '\n';
  }
  for (const auto& [id, name] : engine_name)
    if (placed.insert(id).second) os << "    participant " << engine_id(id) << " as engine " << text(name) << '\n';
}

// The messages and notes, event by event.
class Messages {
 public:
  Messages(std::ostream& os, const model::Simulator& run, const StepLog& log)
      : os_(os), run_(run), k_(run.kernel()), log_(log) {}

  void on_event(const model::Event& e) {
    const EventView v = view(e, run_);
    const std::string me = task_id(e.pid);
    switch (e.kind) {
      case model::Ev::utrace_api:
        if (e.a)
          line(me + "->>" + engine_id(e.a) + ": " + api_call_text(v));
        else
          line("Note over " + me + ": " + api_call_text(v));
        break;
      case model::Ev::utrace_callback: {
        // From the task that runs it; the engine is active until the return.
        const int runner = runner_pid(k_, log_, e);
        std::string arg = callback_arg(e, run_);
        if (runner != e.pid) arg += (arg.empty() ? "task " : ", task ") + k_.comm(e.pid);
        line(task_id(runner) + "->>+" + engine_id(e.a) + ": " + v.str("callback") + "(" + arg + ")" +
             (v.has("ops") ? " [detached ops]" : ""));
        break;
      }
      case model::Ev::utrace_return:
        line(engine_id(e.a) + "-->>-" + task_id(runner_pid(k_, log_, e)) + ": " +
             (v.has("ret") ? v.str("ret") : "return"));
        break;
      case model::Ev::signal_generate: {
        const std::string what = v.str("sig") + (v.str("result") == "queued" ? "" : " (" + v.str("result") + ")");
        if (e.b > 0 && e.b != e.pid)
          line(task_id(static_cast<int>(e.b)) + "->>" + me + ": " + what);
        else
          line("Note over " + me + ": " + what + " from " + v.str("from"));
        break;
      }
      case model::Ev::signal_deliver:
        line("Note right of " + me + ": deliver " + v.str("sig") + ", " + v.str("action"));
        break;
      case model::Ev::sched_state: state_note(e.pid, v.str("next")); break;
      case model::Ev::utrace_state: utrace_state_note(e, v); break;
      case model::Ev::wait_found:
        line(task_id(static_cast<int>(e.a)) + "-->>" + me + ": waitpid: " + v.str("means"));
        break;
      case model::Ev::task_new:
        line(me + "->>" + task_id(static_cast<int>(e.a)) + ": fork " + v.str("clone_flags"));
        break;
      case model::Ev::task_exec: line("Note over " + me + ": exec"); break;
      case model::Ev::task_exit: line("Note over " + me + ": do_exit(" + v.str("code") + ")"); break;
      case model::Ev::release_task:
        line("Note over " + task_id(static_cast<int>(e.a)) + ": released by " + k_.comm(e.pid));
        break;
      case model::Ev::op_result:
        if (v.str("op") == "ptrace") ptrace_message(e, v);
        break;
      case model::Ev::property: line("Note over " + me + ": VIOLATED " + v.str("property")); break;
      default: break;
    }
  }

 private:
  void line(const std::string& s) { os_ << "    " << text(s) << '\n'; }

  // A note when a task enters or leaves a stop or its death.
  void state_note(int pid, const std::string& next) {
    std::string& cur = shown_[pid];
    if (cur.empty()) cur = "TASK_RUNNING";
    std::string now = next;
    if (cur.rfind("EXIT_", 0) == 0 && next.rfind("EXIT_", 0) != 0) now = cur;  // exit_state wins
    if (now == cur) return;
    if (shown_in_notes(now) || shown_in_notes(cur)) line("Note over " + task_id(pid) + ": " + now);
    cur = now;
  }

  // Only the changes a reader of the race needs: detach marks and ENGINE_STOP.
  void utrace_state_note(const model::Event& e, const EventView& v) {
    const std::string field = v.str("field");
    if (field == "engine->ops" && e.d)
      line("Note over " + engine_id(e.d) + ": ops " + v.str("old") + " → " + v.str("new"));
    if (field == "utrace_flags")
      if (const auto has = engine_stop_change(v))
        line("Note over " + task_id(e.pid) + ": ENGINE_STOP " + (*has ? "set" : "cleared") + " in utrace_flags");
  }

  // A ptrace request: a message to its tracee, or a note when it names none.
  void ptrace_message(const model::Event& e, const EventView& v) {
    const model::PtraceOp* p = ptrace_op(e);
    std::string req = p ? model::ptrace_request_name(p->request) : "ptrace";
    if (p && p->sig) req += ", " + model::signal_name(p->sig);
    int target = 0;
    if (p && p->has_pid && p->pid.kind == model::TaskRef::Kind::Named) target = run_.interp().slot_pid(p->pid.slot);
    const std::string me = task_id(e.pid);
    if (target && target != e.pid)
      line(me + "->>" + task_id(target) + ": " + req + " = " + v.str("result"));
    else
      line("Note over " + me + ": " + req + " = " + v.str("result"));
  }

  std::ostream& os_;
  const model::Simulator& run_;
  const model::Kernel& k_;
  const StepLog& log_;
  std::map<int, std::string> shown_;  // pid -> display state
};

}  // namespace

void write_mermaid(std::ostream& os, const model::Simulator& run, const StepLog& log) {
  os << "%% utsim: " << text(run.scenario().name) << " (" << kernel_text(run.scenario()) << ")\n";
  os << "sequenceDiagram\n";
  write_participants(os, run);
  Messages m(os, run, log);
  for (const model::Event& e : run.kernel().events()) m.on_event(e);
}

}  // namespace tools
