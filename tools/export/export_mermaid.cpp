// tools/export/export_mermaid.cpp: a Mermaid sequence diagram of a run:
// participants are the tasks and the utrace engines (each engine beside the
// task it traces); messages are API calls (caller -> engine), callbacks (task
// -> engine, and the return), signals, ptrace requests, fork and wait; notes
// mark stops, deaths and violated properties.  Paste it into any Markdown viewer
// that renders ```mermaid blocks (GitHub, GitLab, mermaid.live).
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "scenario/scenario.h"
#include "tools/export/export.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

// Mermaid's message text: no statement separators, no entity escapes.
std::string text(std::string s) {
  for (char& c : s) {
    if (c == ';') c = ',';
    if (c == '#') c = '+';
    if (c == '\n') c = ' ';
  }
  return s;
}

std::string task_id(int pid) { return fmt::format("P{}", pid); }
std::string engine_id(std::int64_t id) { return fmt::format("E{}", id); }

bool shown_in_notes(const std::string& s) {
  return s == "TASK_TRACED" || s == "TASK_STOPPED" || s == "EXIT_ZOMBIE" || s == "EXIT_DEAD";
}

}  // namespace

void write_mermaid(std::ostream& os, const model::Kernel& k, const StepLog& log) {
  (void)log;
  const auto& evs = k.events();
  // Engines and the task each traces (its first state change or callback).
  std::map<std::int64_t, int> engine_target;
  std::map<std::int64_t, std::string> engine_name;
  for (const model::Event& e : evs) {
    std::int64_t id = 0;
    if (e.kind == model::Ev::utrace_callback || e.kind == model::Ev::utrace_return) id = e.a;
    if (e.kind == model::Ev::utrace_state) id = e.d;
    if (e.kind == model::Ev::utrace_api && e.a) {
      engine_name.emplace(e.a, k.engine(e.a));
      continue;
    }
    if (!id) continue;
    engine_name.emplace(id, k.engine(id));
    engine_target.emplace(id, e.pid);
  }
  std::vector<int> pids;
  for (const auto& t : k.tasks) pids.push_back(t->pid);
  std::sort(pids.begin(), pids.end());

  os << "%% utsim: " << text(k.scn.name) << " (" << kernel_text(k.scn) << ")\n";
  os << "sequenceDiagram\n";
  std::set<std::int64_t> placed;
  for (int pid : pids) {
    os << "    participant " << task_id(pid) << " as " << text(k.comm(pid)) << '\n';
    for (const auto& [id, target] : engine_target)
      if (target == pid && placed.insert(id).second)
        os << "    participant " << engine_id(id) << " as engine " << text(engine_name[id]) << '\n';
  }
  for (const auto& [id, name] : engine_name)
    if (placed.insert(id).second) os << "    participant " << engine_id(id) << " as engine " << text(name) << '\n';

  std::map<int, std::string> shown;  // pid -> display state
  auto line = [&](const std::string& s) { os << "    " << text(s) << '\n'; };
  for (const model::Event& e : evs) {
    EventView v = view(e, k);
    const std::string me = task_id(e.pid);
    switch (e.kind) {
      case model::Ev::utrace_api: {
        std::string call = v.str("call");
        if (v.has("action")) call += "(" + v.str("action") + ")";
        else if (v.has("events")) call += "(" + v.str("events") + ")";
        call += " = " + v.str("ret");
        if (e.a)
          line(me + "->>" + engine_id(e.a) + ": " + call);
        else
          line("Note over " + me + ": " + call);
        break;
      }
      case model::Ev::utrace_callback: {
        std::string arg = v.has("action") ? v.str("action") : v.str("event");
        line(me + "->>" + engine_id(e.a) + ": " + v.str("callback") + "(" + arg + ")" +
             (v.has("ops") ? " [detached ops]" : ""));
        break;
      }
      case model::Ev::utrace_return:
        line(engine_id(e.a) + "-->>" + me + ": " + (v.has("ret") ? v.str("ret") : "return"));
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
      case model::Ev::sched_state: {
        const std::string next = v.str("next");
        std::string& cur = shown[e.pid];
        if (cur.empty()) cur = "TASK_RUNNING";
        std::string now = next;
        if (cur.rfind("EXIT_", 0) == 0 && next.rfind("EXIT_", 0) != 0) now = cur;  // exit_state wins
        if (now == cur) break;
        if (shown_in_notes(now) || shown_in_notes(cur)) line("Note over " + me + ": " + now);
        cur = now;
        break;
      }
      case model::Ev::utrace_state: {
        // Only the changes a reader of the race needs: detach marks and ENGINE_STOP.
        const std::string field = v.str("field");
        if (field == "engine->ops" && e.d)
          line("Note over " + engine_id(e.d) + ": ops " + v.str("old") + " → " + v.str("new"));
        if (field == "utrace_flags") {
          const bool had = v.str("old").find("ENGINE_STOP") != std::string::npos;
          const bool has = v.str("new").find("ENGINE_STOP") != std::string::npos;
          if (had != has) line("Note over " + me + ": ENGINE_STOP " + (has ? "set" : "cleared") + " in utrace_flags");
        }
        break;
      }
      case model::Ev::wait_found:
        line(task_id(static_cast<int>(e.a)) + "-->>" + me + ": waitpid: " + v.str("means"));
        break;
      case model::Ev::task_new:
        line(me + "->>" + task_id(static_cast<int>(e.a)) + ": fork " + v.str("clone_flags"));
        break;
      case model::Ev::task_exec:
        line("Note over " + me + ": exec");
        break;
      case model::Ev::task_exit:
        line("Note over " + me + ": do_exit(" + v.str("code") + ")");
        break;
      case model::Ev::release_task:
        line("Note over " + task_id(static_cast<int>(e.a)) + ": released by " + k.comm(e.pid));
        break;
      case model::Ev::op_result:
        if (v.str("op") == "ptrace") {
          const auto* op = static_cast<const model::Op*>(e.ref);
          const auto* p = op ? op->as_if<model::PtraceOp>() : nullptr;
          std::string req = p ? model::ptrace_request_name(p->request) : "ptrace";
          if (p && p->sig) req += ", " + model::signal_name(p->sig);
          int target = 0;
          if (p && p->has_pid && p->pid.kind == model::TaskRef::Kind::Named) target = k.slot_pid(p->pid.slot);
          if (target && target != e.pid)
            line(me + "->>" + task_id(target) + ": " + req + " = " + v.str("result"));
          else
            line("Note over " + me + ": " + req + " = " + v.str("result"));
        }
        break;
      case model::Ev::property:
        line("Note over " + me + ": VIOLATED " + v.str("property"));
        break;
      default:
        break;
    }
  }
}

}  // namespace tools
