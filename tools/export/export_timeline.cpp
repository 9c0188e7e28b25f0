// tools/export/export_timeline.cpp: the timeline of a run: one lane per task,
// its states as spans, its syscalls and callbacks as nested slices on the
// lane of the task whose thread runs them, instants for API calls, signals and
// life-cycle events, cause -> effect flows, the spinlocks held (from the step
// log) and the race windows of the schedule's non-default choices.  Chrome
// trace JSON and the HTML report both draw from this; state_machines() feeds
// the DOT exporter and the report's state diagram.
#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "model/linux/task.h"
#include "scenario/scenario.h"
#include "tools/export/export.h"

namespace tools {

namespace {

constexpr double kCause = 0.2, kChange = 0.5, kEffect = 0.8;
// A lock hold covers whole steps (export.h LockHold); a slice that never
// returned ends at the end of its thread's last step.
constexpr double kAcquire = 0.1, kRelease = 0.9, kThreadEnd = 0.9;

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

sim::Tid thread_of_pid(const model::Kernel& k, int pid) {
  for (const auto& task : k.tasks)
    if (task->pid == pid) return task->tid;
  return sim::kNoTid;
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
    // What never returned ends with its thread, or with the run.
    for (auto& [pid, stack] : stacks_) close_all(pid, thread_end(pid), false);
    lock_holds();
    race_windows();
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
    int subject = 0;
    std::uint64_t call_step = 0;
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
  void push(int pid, std::string name, std::string cat, std::string detail, double at, int subject,
            std::uint64_t step) {
    stacks_[pid].push_back({std::move(name), std::move(cat), std::move(detail), at, subject, step});
  }
  // The return of the innermost open call of that name; the calls opened
  // inside it and still open end with it (they never returned).
  void pop(int pid, const std::string& name, const std::string& cat, double at, std::uint64_t step) {
    auto& st = stacks_[pid];
    for (std::size_t i = st.size(); i-- > 0;) {
      if (st[i].name != name || st[i].category != cat) continue;
      while (st.size() > i + 1) end_top(pid, at, false, 0);
      end_top(pid, at, true, step);
      return;
    }
  }
  void end_top(int pid, double at, bool returned, std::uint64_t step) {
    auto& st = stacks_[pid];
    Open o = st.back();
    st.pop_back();
    if (!returned) o.detail += (o.detail.empty() ? "" : "; ") + std::string("never returned");
    t_.slices.push_back({pid, o.name, o.category, o.begin, at, static_cast<int>(st.size()), o.detail, o.subject,
                         returned, o.call_step, returned ? step : 0});
  }
  void close_all(int pid, double at, bool returned) {
    while (!stacks_[pid].empty()) end_top(pid, at, returned, 0);
  }
  // Where a task's thread ended: the end of its last step when it finished,
  // else the end of the run (blocked, or the run was cut short).
  double thread_end(int pid) const {
    const sim::Tid t = thread_of_pid(k_, pid);
    if (t == sim::kNoTid || t >= k_.eng.thread_count() || !k_.eng.finished(t)) return t_.end;
    for (std::size_t i = log_.steps.size(); i-- > 0;)
      if (log_.steps[i].tid == t) return static_cast<double>(i + 1) + kThreadEnd;
    return t_.end;
  }
  // "report_death e1(e)"; "report_reap e1(e) for X-4" on the lane of the
  // reaper that makes the call for X.
  std::string callback_slice_name(const model::Event& e, const EventView& v, int lane) const {
    std::string name = v.str("callback") + " " + v.str("engine");
    if (lane != e.pid) name += " for " + k_.comm(e.pid);
    return name;
  }

  // The spinlocks held, from the step log (export.h LockHold).
  void lock_holds() {
    std::map<std::uint32_t, std::size_t> lane, open;  // lock -> index into t_.locks, t_.holds
    auto lane_of = [&](sim::ObjId id) {
      auto it = lane.find(id.v);
      if (it != lane.end()) return it->second;
      lane[id.v] = t_.locks.size();
      t_.locks.push_back({id, object_name(run_, id)});
      return t_.locks.size() - 1;
    };
    for (std::size_t i = 0; i < log_.steps.size(); ++i) {
      const sim::StepRec& rec = log_.steps[i];
      const std::uint64_t step = i + 1;
      if (rec.acc.kind == sim::Acc::Lock) {
        open[rec.acc.obj.v] = t_.holds.size();
        t_.holds.push_back({lane_of(rec.acc.obj), pid_of_thread(k_, rec.tid), thread_task_name(k_, rec.tid),
                            rec.acc.where, static_cast<double>(step) + kAcquire, t_.end, step, 0});
      }
      for (std::uint32_t n = rec.notes_begin; n < rec.notes_end && n < log_.notes.size(); ++n) {
        const sim::Access& a = log_.notes[n];
        if (a.kind != sim::Acc::Unlock) continue;
        auto it = open.find(a.obj.v);
        if (it == open.end()) continue;
        t_.holds[it->second].end = static_cast<double>(step) + kRelease;
        t_.holds[it->second].released = step;
        open.erase(it);
      }
    }
    // Lanes: each task's locks in pid order, tasklist_lock last.
    std::vector<std::size_t> order(t_.locks.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto key = [&](std::size_t i) {
      const std::uint32_t v = t_.locks[i].id.v;
      const bool global = static_cast<model::Field>(v & 0xff) == model::Field::tasklist_lock;
      return std::tuple(global, v >> 8, v & 0xff);
    };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    std::vector<std::size_t> where(order.size());
    std::vector<LockLane> sorted;
    for (std::size_t i = 0; i < order.size(); ++i) {
      where[order[i]] = i;
      sorted.push_back(t_.locks[order[i]]);
    }
    t_.locks = std::move(sorted);
    for (LockHold& h : t_.holds) h.lock = where[h.lock];
  }

  // The accesses of a step: the one it began with, then those made inside it.
  std::vector<StepAccess> accesses_of(std::uint64_t step) const {
    std::vector<StepAccess> out;
    if (step == 0 || step > log_.steps.size()) return out;
    const sim::StepRec& rec = log_.steps[step - 1];
    const int pid = pid_of_thread(k_, rec.tid);
    const std::string who = thread_task_name(k_, rec.tid);
    auto add = [&](const sim::Access& a) {
      if (a.obj.v == 0 || sim::is_engine_obj(a.obj) || a.obj == sim::kGlobalObj) return;
      out.push_back(
          {step, pid, who, a,
           fmt::format("{} {} {} in {} (step {})", who, access_verb(a.kind), object_name(run_, a.obj), a.where, step)});
    };
    add(rec.acc);
    for (std::uint32_t n = rec.notes_begin; n < rec.notes_end && n < log_.notes.size(); ++n) add(log_.notes[n]);
    return out;
  }

  // The race windows (export.h RaceWindow).
  void race_windows() {
    constexpr std::size_t kMaxPairs = 5;
    const std::uint64_t nsteps = log_.steps.size();
    for (const ChoiceRec& c : log_.choices) {
      if (c.chosen == c.dflt || c.dflt == sim::kNoTid || c.step == 0 || c.step > nsteps) continue;
      RaceWindow w;
      w.passed_pid = pid_of_thread(k_, c.dflt);
      w.passed = thread_task_name(k_, c.dflt);
      w.chosen_pid = pid_of_thread(k_, c.chosen);
      w.chosen = thread_task_name(k_, c.chosen);
      w.preemption = c.preemption;
      w.from = c.step;
      std::uint64_t q = c.step;
      while (q <= nsteps && log_.steps[q - 1].tid != c.dflt) ++q;
      if (q > nsteps) continue;  // it never ran again: nothing of it was reordered
      w.to = q;
      // The passed-over thread's accesses from its return until it is passed over again.
      std::uint64_t until = nsteps;
      for (const ChoiceRec& d : log_.choices)
        if (d.step > q && d.dflt == c.dflt && d.chosen != d.dflt) {
          until = d.step - 1;
          break;
        }
      std::vector<StepAccess> later;
      for (std::uint64_t s = q; s <= until; ++s)
        if (log_.steps[s - 1].tid == c.dflt)
          for (StepAccess& a : accesses_of(s)) later.push_back(std::move(a));
      // One pair per object: its first write (lock, callback ...) inside the
      // window if it has one, else its first read; with the passed-over
      // thread's first access that conflicts with it.
      std::map<std::uint32_t, std::pair<StepAccess, StepAccess>> best;
      for (std::uint64_t s = c.step; s < q; ++s) {
        if (log_.steps[s - 1].tid == c.dflt) continue;
        for (const StepAccess& a : accesses_of(s)) {
          auto it = best.find(a.acc.obj.v);
          if (it != best.end() && (it->second.first.acc.kind != sim::Acc::Read || a.acc.kind == sim::Acc::Read))
            continue;
          for (const StepAccess& b : later)
            if (sim::conflicts(a.acc, b.acc)) {
              best.insert_or_assign(a.acc.obj.v, std::pair(a, b));
              break;
            }
        }
      }
      std::vector<std::pair<StepAccess, StepAccess>> pairs;
      for (auto& [obj, p] : best) pairs.push_back(std::move(p));
      // Writes first, then the earliest; shown in the order of the window.
      auto rank = [](const std::pair<StepAccess, StepAccess>& p) {
        return std::tuple(p.first.acc.kind == sim::Acc::Read, p.first.step, p.second.step);
      };
      std::sort(pairs.begin(), pairs.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
      if (pairs.size() > kMaxPairs) pairs.resize(kMaxPairs);
      std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
        return std::tuple(a.first.step, a.second.step, a.first.text) <
               std::tuple(b.first.step, b.second.step, b.first.text);
      });
      w.conflicts = std::move(pairs);
      if (!w.conflicts.empty()) t_.races.push_back(std::move(w));
    }
  }

  // The lane of a callback: the task whose thread runs it.
  int runner(const model::Event& e) const { return runner_pid(k_, log_, e); }
  // A ptrace syscall's slice names its request ("ptrace(PTRACE_CONT)"),
  // from the op_result the interpreter records when the syscall is back.
  std::string syscall_name(std::size_t i, const EventView& v) const {
    std::string name = v.str("name");
    if (name != "ptrace") return name;
    const auto& evs = k_.events();
    const model::Event& e = evs[i];
    for (std::size_t j = i + 1; j < evs.size(); ++j) {
      const model::Event& f = evs[j];
      if (f.pid != e.pid) continue;
      if (f.kind == model::Ev::sys_enter && f.a != e.a) break;  // another syscall: no result for this one
      if (f.kind != model::Ev::op_result) continue;
      if (const model::PtraceOp* p = ptrace_op(f)) return "ptrace(" + model::ptrace_request_name(p->request) + ")";
    }
    return name;
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
        break;
      }
      case model::Ev::release_task: {
        const int pid = static_cast<int>(e.a);
        tracker(pid);
        close_span(pid, s + kChange);
        released_.insert({pid, true});
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
      case model::Ev::sys_enter: push(e.pid, syscall_name(i, v), "syscall", "", s + kCause, e.pid, e.step); break;
      case model::Ev::sys_exit: {
        // The innermost open syscall of that number (its slice may carry the ptrace request).
        const std::string base = v.str("name");
        auto& st = stacks_[e.pid];
        for (std::size_t j = st.size(); j-- > 0;) {
          if (st[j].category != "syscall" || (st[j].name != base && st[j].name.rfind(base + "(", 0) != 0)) continue;
          st[j].detail = "returned " + v.str("ret");
          const std::string name = st[j].name;
          pop(e.pid, name, "syscall", s + kEffect, e.step);
          break;
        }
        break;
      }
      case model::Ev::utrace_callback: {
        const std::string arg = callback_arg(e, run_);
        std::string detail = arg.empty() ? "" : (v.has("action") ? "action " : "event ") + arg;
        if (v.has("ops")) detail += (detail.empty() ? "" : ", ") + std::string("ops=&utrace_detached_ops");
        const int lane = runner(e);
        push(lane, callback_slice_name(e, v, lane), "callback", detail, s + kCause, e.pid, e.step);
        break;
      }
      case model::Ev::utrace_return: {
        const int lane = runner(e);
        const std::string name = callback_slice_name(e, v, lane);
        if (auto it = stacks_.find(lane); it != stacks_.end())
          for (Open& o : it->second)
            if (o.category == "callback" && o.name == name && v.has("ret"))
              o.detail += (o.detail.empty() ? "" : "; ") + std::string("returned ") + v.str("ret");
        pop(lane, name, "callback", s + kEffect, e.step);
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
  c.locks = t.locks;
  for (LockHold h : t.holds) {
    h.begin = std::max(h.begin, from);
    h.end = std::min(h.end, to);
    if (h.end > h.begin) c.holds.push_back(std::move(h));
  }
  for (const RaceWindow& w : t.races)
    if (inside(static_cast<double>(w.from)) && (w.to == 0 || inside(static_cast<double>(w.to)))) c.races.push_back(w);
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
