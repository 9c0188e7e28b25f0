// tools/export/export_timeline.cpp: the timeline of a run: one lane per task,
// its states as spans, its syscalls and callbacks as nested slices, instants
// for API calls, signals and life-cycle events, and cause -> effect flows.
// Chrome trace JSON and the HTML report both draw from this; state_machines()
// feeds the DOT exporter and the report's state diagram.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "model/linux/task.h"
#include "scenario/scenario.h"
#include "tools/export/export.h"

namespace tools {

namespace {

constexpr double kCause = 0.2, kChange = 0.5, kEffect = 0.8;

bool is_stop(const std::string& s) { return s == "TASK_TRACED" || s == "TASK_STOPPED"; }

// The display state of a task: its exit_state once it has one, else task->state.
struct TaskStateTracker {
  std::string state = "TASK_RUNNING", exit;
  const std::string& shown() const { return exit.empty() ? state : exit; }
  // Applies a sched_state event; true when the shown state changed.
  bool apply(const std::string& next) {
    const std::string before = shown();
    if (next == "EXIT_ZOMBIE" || next == "EXIT_DEAD")
      exit = next;
    else
      state = next;
    return shown() != before;
  }
};

sim::Tid actor_of(const StepLog& log, std::uint64_t step) {
  if (step == 0 || step > log.steps.size()) return sim::kNoTid;
  return log.steps[step - 1].tid;
}

int pid_of_thread(const model::Kernel& k, sim::Tid t) {
  for (const auto& task : k.tasks)
    if (task->tid == t) return task->pid;
  return 0;
}

const char* where_of(const StepLog& log, std::uint64_t step) {
  if (step == 0 || step > log.steps.size()) return "";
  return log.steps[step - 1].acc.where;
}

// "PTRACE_CONT X-2 = 0" for an op_result of a ptrace op.
std::string ptrace_mark(const model::Simulator& run, const EventView& v) {
  const model::Kernel& k = run.kernel();
  const model::PtraceOp* p = ptrace_op(*v.e);
  if (!p) return "";
  std::string s = model::ptrace_request_name(p->request);
  if (p->has_pid && p->pid.kind == model::TaskRef::Kind::Named) {
    const int pid = run.interp().slot_pid(p->pid.slot);
    s += ' ' + (pid ? k.comm(pid) : run.scenario().task_names[static_cast<std::size_t>(p->pid.slot)]);
  }
  if (p->sig) s += ", " + model::signal_name(p->sig);
  return s + " = " + v.str("result");
}

// The first API call the actor returns from at or after `step`: what woke a task.
std::string cause_name(const model::Simulator& run, const StepLog& log, std::size_t from_event, int actor_pid,
                       std::uint64_t step) {
  const auto& evs = run.kernel().events();
  for (std::size_t i = from_event; i < evs.size() && evs[i].step <= step + 64; ++i) {
    const model::Event& e = evs[i];
    if (e.pid != actor_pid) continue;
    if (e.kind == model::Ev::utrace_api) {
      EventView v = view(e, run);
      std::string s = v.str("call");
      if (v.has("action")) s += "(" + v.str("action") + ")";
      return s + " = " + v.str("ret");
    }
    if (e.kind == model::Ev::op_result) {
      EventView v = view(e, run);
      if (v.str("op") == "ptrace") return ptrace_mark(run, v);
      if (v.str("op") == "complete" || v.str("op") == "kill" || v.str("op") == "tkill") return v.str("op");
    }
  }
  return where_of(log, step);
}

class Builder {
 public:
  Builder(const model::Simulator& run, const StepLog& log) : run_(run), k_(run.kernel()), log_(log) {}

  Timeline build() {
    const auto& evs = k_.events();
    std::uint64_t last = log_.steps.size();
    for (const model::Event& e : evs) last = std::max(last, e.step);
    t_.end = static_cast<double>(last + 1);
    for (const auto& task : k_.tasks) {
      t_.lanes.push_back({task->pid, task->tgid, k_.comm(task->pid), task->kthread});
      born_[task->pid] = 0;
    }
    std::sort(t_.lanes.begin(), t_.lanes.end(), [](const Lane& a, const Lane& b) { return a.pid < b.pid; });
    for (std::size_t i = 0; i < evs.size(); ++i) on_event(i);
    for (auto& [pid, st] : states_) close_span(pid, t_.end);
    for (auto& [pid, stack] : stacks_) close_all(pid, t_.end);
    for (const Lane& l : t_.lanes)  // tasks that never changed state
      if (!states_.count(l.pid) && !released_.count(l.pid)) {
        const double b = born_[l.pid];
        t_.spans.push_back({l.pid, "TASK_RUNNING", b, t_.end});
      }
    std::stable_sort(t_.spans.begin(), t_.spans.end(),
                     [](const Span& a, const Span& b) { return a.pid != b.pid ? a.pid < b.pid : a.begin < b.begin; });
    return std::move(t_);
  }

 private:
  struct Open {
    std::string name, category, detail;
    double begin;
  };

  TaskStateTracker& tracker(int pid) {
    auto it = states_.find(pid);
    if (it == states_.end()) {
      it = states_.emplace(pid, TaskStateTracker{}).first;
      span_begin_[pid] = born_[pid];
    }
    return it->second;
  }
  void close_span(int pid, double at) {
    if (released_.count(pid)) return;
    t_.spans.push_back({pid, states_[pid].shown(), span_begin_[pid], at});
  }
  void push(int pid, std::string name, std::string cat, std::string detail, double at) {
    stacks_[pid].push_back({std::move(name), std::move(cat), std::move(detail), at});
  }
  void pop(int pid, const std::string& name, const std::string& cat, double at) {
    auto& st = stacks_[pid];
    for (std::size_t i = st.size(); i-- > 0;) {
      if (st[i].name != name || st[i].category != cat) continue;
      while (st.size() > i) end_top(pid, at);
      return;
    }
  }
  void end_top(int pid, double at) {
    auto& st = stacks_[pid];
    const Open o = st.back();
    st.pop_back();
    t_.slices.push_back({pid, o.name, o.category, o.begin, at, static_cast<int>(st.size()), o.detail});
  }
  void close_all(int pid, double at) {
    while (!stacks_[pid].empty()) end_top(pid, at);
  }
  void mark(int pid, double at, std::string name, std::string cat, std::string detail = {}) {
    t_.marks.push_back({pid, at, std::move(name), std::move(cat), std::move(detail)});
  }

  void on_event(std::size_t i) {
    const model::Event& e = k_.events()[i];
    const double s = static_cast<double>(e.step);
    EventView v = view(e, run_);
    switch (e.kind) {
      case model::Ev::sched_state: {
        TaskStateTracker& tr = tracker(e.pid);
        const std::string before = tr.shown();
        if (!tr.apply(v.str("next"))) break;
        // close the span of the old state, open the new one
        t_.spans.push_back({e.pid, before, span_begin_[e.pid], s + kChange});
        span_begin_[e.pid] = s + kChange;
        wake_flow(i, before, tr.shown());
        if (tr.shown() == "EXIT_DEAD") close_all(e.pid, s + kChange);
        break;
      }
      case model::Ev::release_task: {
        const int pid = static_cast<int>(e.a);
        tracker(pid);
        close_span(pid, s + kChange);
        released_.insert({pid, true});
        close_all(pid, s + kChange);
        mark(e.pid, s + kCause, "release_task " + v.str("released"), "life");
        break;
      }
      case model::Ev::task_new: {
        const int child = static_cast<int>(e.a);
        born_[child] = s + kChange;
        mark(e.pid, s + kCause, "fork → " + v.str("child"), "life", v.str("clone_flags"));
        t_.flows.push_back({e.pid, child, s + kCause, s + kEffect, "fork", "fork"});
        break;
      }
      case model::Ev::sys_enter: push(e.pid, v.str("name"), "syscall", "", s + kCause); break;
      case model::Ev::sys_exit:
        if (auto it = stacks_.find(e.pid); it != stacks_.end()) {
          for (Open& o : it->second)
            if (o.category == "syscall" && o.name == v.str("name")) o.detail = "returned " + v.str("ret");
        }
        pop(e.pid, v.str("name"), "syscall", s + kEffect);
        break;
      case model::Ev::utrace_callback: {
        std::string detail = v.has("action")  ? "action " + v.str("action")
                             : v.has("event") ? "event " + v.str("event")
                                              : "";
        if (v.has("ops")) detail += (detail.empty() ? "" : ", ") + std::string("ops=&utrace_detached_ops");
        push(e.pid, v.str("callback") + " " + v.str("engine"), "callback", detail, s + kCause);
        break;
      }
      case model::Ev::utrace_return: {
        const std::string name = v.str("callback") + " " + v.str("engine");
        if (auto it = stacks_.find(e.pid); it != stacks_.end())
          for (Open& o : it->second)
            if (o.category == "callback" && o.name == name && v.has("ret"))
              o.detail += (o.detail.empty() ? "" : "; ") + std::string("returned ") + v.str("ret");
        pop(e.pid, name, "callback", s + kEffect);
        break;
      }
      case model::Ev::utrace_api:
        mark(e.pid, s + kEffect, api_call_text(v), "api", v.has("engine") ? "engine " + v.str("engine") : "");
        break;
      case model::Ev::utrace_state: {
        // The changes a race turns on: an engine marked detached, ENGINE_STOP set or cleared.
        const std::string field = v.str("field");
        if (field == "engine->ops")
          mark(e.pid, s + kChange, v.str("engine") + " engine->ops → " + v.str("new"), "ustate");
        if (field == "utrace_flags")
          if (const auto has = engine_stop_change(v))
            mark(e.pid, s + kChange, std::string("ENGINE_STOP ") + (*has ? "set" : "cleared") + " in utrace_flags",
                 "ustate");
        break;
      }
      case model::Ev::op_result:
        if (v.str("op") == "ptrace") mark(e.pid, s + kEffect, ptrace_mark(run_, v), "ptrace", v.str("at"));
        break;
      case model::Ev::signal_generate: {
        const int from = static_cast<int>(e.b);
        mark(e.pid, s + kCause, v.str("sig") + " from " + v.str("from"), "signal", v.str("result"));
        if (v.str("result") == "queued") signal_flow(i, from);
        break;
      }
      case model::Ev::signal_deliver:
        mark(e.pid, s + kCause, "deliver " + v.str("sig") + ": " + v.str("action"), "signal");
        break;
      case model::Ev::wait_found: {
        mark(e.pid, s + kEffect, "wait → " + v.str("child") + " " + v.str("means"), "wait", v.str("why"));
        wait_flow(e, v);
        break;
      }
      case model::Ev::notify_parent:
        mark(e.pid, s + kCause, "notify " + v.str("parent") + ": " + v.str("sig") + " " + v.str("code"), "life");
        break;
      case model::Ev::task_exec: mark(e.pid, s + kCause, "exec", "life"); break;
      case model::Ev::task_exit: mark(e.pid, s + kCause, "do_exit(" + v.str("code") + ")", "life"); break;
      case model::Ev::property:
        mark(e.pid, s + kEffect, "violated: " + v.str("property"), "property", v.str("message"));
        break;
      default: break;
    }
  }

  // Something another task did woke this one (utrace_control, PTRACE_CONT,
  // SIGKILL, complete ...): a flow from the waker to the woken.
  void wake_flow(std::size_t i, const std::string& before, const std::string& after) {
    const model::Event& e = k_.events()[i];
    if (after != "TASK_RUNNING" || before == "TASK_RUNNING") return;
    const int actor = pid_of_thread(k_, actor_of(log_, e.step));
    if (actor == 0 || actor == e.pid) return;
    std::string name;
    for (std::size_t j = i; j < k_.events().size() && k_.events()[j].step == e.step; ++j)
      if (k_.events()[j].kind == model::Ev::signal_generate && k_.events()[j].pid == e.pid)
        name = model::signal_name(static_cast<int>(k_.events()[j].a));
    if (name.empty()) name = cause_name(run_, log_, i, actor, e.step);
    const double s = static_cast<double>(e.step);
    t_.flows.push_back({actor, e.pid, s + kCause, s + kEffect, name, is_stop(before) ? "resume" : "wake"});
  }

  void signal_flow(std::size_t i, int from) {
    const model::Event& g = k_.events()[i];
    const auto& evs = k_.events();
    if (from <= 0) from = pid_of_thread(k_, actor_of(log_, g.step));
    if (from <= 0) return;
    const model::Task* target = k_.find_task_by_vpid(g.pid);
    for (std::size_t j = i + 1; j < evs.size(); ++j) {
      const model::Event& d = evs[j];
      if (d.kind == model::Ev::signal_generate && d.pid == g.pid && d.a == g.a) return;  // a newer one
      if (d.kind != model::Ev::signal_deliver || d.a != g.a) continue;
      const model::Task* dt = k_.find_task_by_vpid(d.pid);
      if (d.pid != g.pid && !(target && dt && dt->tgid == target->tgid)) continue;
      t_.flows.push_back({from, d.pid, static_cast<double>(g.step) + kCause, static_cast<double>(d.step) + kCause,
                          model::signal_name(static_cast<int>(g.a)), "signal"});
      return;
    }
  }

  // The stop (or death) a wait reported: from the span where it began.
  void wait_flow(const model::Event& e, const EventView& v) {
    const int child = static_cast<int>(e.a);
    const std::string why = v.str("why");
    const bool stop = why == "CLD_TRAPPED" || why == "CLD_STOPPED";
    // The open span of the child is the one the wait reports when it is a
    // stop; a death is reported from the zombie span (wait_task_zombie may
    // already have made it EXIT_DEAD in this step).
    double from = -1;
    if (stop && span_begin_.count(child) && states_.count(child) && is_stop(states_[child].shown()))
      from = span_begin_[child] + (kEffect - kChange);
    if (!stop && span_begin_.count(child) && states_.count(child) && states_[child].shown() == "EXIT_ZOMBIE")
      from = span_begin_[child] + (kEffect - kChange);
    if (from < 0) {  // the child left that state already: the last such span
      for (std::size_t j = t_.spans.size(); j-- > 0;) {
        const Span& sp = t_.spans[j];
        if (sp.pid != child) continue;
        if ((stop && is_stop(sp.state)) || (!stop && sp.state == "EXIT_ZOMBIE")) {
          from = sp.begin + (kEffect - kChange);
          break;
        }
      }
    }
    if (from < 0 || from > static_cast<double>(e.step) + kCause) return;
    t_.flows.push_back(
        {child, e.pid, from, static_cast<double>(e.step) + kCause, "waitpid: " + v.str("means"), "wait"});
  }

  const model::Simulator& run_;
  const model::Kernel& k_;
  const StepLog& log_;
  Timeline t_;
  std::map<int, TaskStateTracker> states_;
  std::map<int, double> span_begin_, born_;
  std::map<int, bool> released_;
  std::map<int, std::vector<Open>> stacks_;
};

}  // namespace

Timeline build_timeline(const model::Simulator& run, const StepLog& log) { return Builder(run, log).build(); }

Timeline clip_timeline(const Timeline& t, double from, double to) {
  Timeline c;
  c.lanes = t.lanes;
  c.begin = from;
  c.end = to;
  auto inside = [&](double at) { return at >= from && at < to; };
  for (Span s : t.spans) {
    s.begin = std::max(s.begin, from);
    s.end = std::min(s.end, to);
    if (s.end > s.begin) c.spans.push_back(std::move(s));
  }
  for (Slice s : t.slices) {
    s.begin = std::max(s.begin, from);
    s.end = std::min(s.end, to);
    if (s.end > s.begin || (s.begin == s.end && inside(s.begin))) c.slices.push_back(std::move(s));
  }
  for (const Mark& m : t.marks)
    if (inside(m.at)) c.marks.push_back(m);
  for (const Flow& f : t.flows)
    if (inside(f.from) && inside(f.to)) c.flows.push_back(f);
  return c;
}

std::vector<TaskMachine> state_machines(const model::Simulator& run, const StepLog& log) {
  const model::Kernel& k = run.kernel();
  std::vector<TaskMachine> out;
  std::map<int, std::size_t> index;  // pid -> out
  std::map<int, TaskStateTracker> trackers;
  std::vector<const model::Task*> order;
  for (const auto& t : k.tasks) order.push_back(t.get());
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->pid < b->pid; });
  for (const model::Task* t : order) {
    index[t->pid] = out.size();
    out.push_back({t->pid, k.comm(t->pid), {"TASK_RUNNING"}, {}});
  }
  auto state_index = [](TaskMachine& m, const std::string& s) {
    for (std::size_t i = 0; i < m.states.size(); ++i)
      if (m.states[i] == s) return i;
    m.states.push_back(s);
    return m.states.size() - 1;
  };
  for (const model::Event& e : k.events()) {
    if (e.kind != model::Ev::sched_state || !index.count(e.pid)) continue;
    TaskMachine& m = out[index[e.pid]];
    TaskStateTracker& tr = trackers[e.pid];
    const std::string before = tr.shown();
    if (!tr.apply(view(e, run).str("next"))) continue;
    const std::size_t from = state_index(m, before), to = state_index(m, tr.shown());
    std::string cause = where_of(log, e.step);
    const int actor = pid_of_thread(k, actor_of(log, e.step));
    if (cause.empty()) cause = "end of run";
    if (actor && actor != e.pid) cause += " by " + k.comm(actor);
    auto it = std::find_if(m.edges.begin(), m.edges.end(),
                           [&](const StateEdge& x) { return x.from == from && x.to == to && x.cause == cause; });
    if (it == m.edges.end()) {
      m.edges.push_back({from, to, "", {}, cause});
      it = m.edges.end() - 1;
    }
    it->steps.push_back(e.step);
  }
  for (TaskMachine& m : out)
    for (StateEdge& x : m.edges) {
      std::string steps;
      const std::size_t n = std::min<std::size_t>(x.steps.size(), 4);
      for (std::size_t i = 0; i < n; ++i) steps += (i ? ", " : "") + std::to_string(x.steps[i]);
      if (x.steps.size() > n) steps += fmt::format(", … ({} times)", x.steps.size());
      x.label = fmt::format("{} (step{} {})", x.cause, x.steps.size() > 1 ? "s" : "", steps);
    }
  return out;
}

}  // namespace tools
