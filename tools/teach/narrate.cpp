// tools/teach/narrate.cpp: the narrative of a run (explain.h): each step
// with its task, kernel function and access, and each event in words with
// why it happened (model::why_of, model/why.h: the tools only fill its
// context from the step log).  Quiet steps of one task fold into one.
#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "model/utrace/hooks.h"
#include "model/versions.h"
#include "model/why.h"
#include "tools/teach/explain.h"

namespace tools {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

// The words of a flags value as the trace shows it ("REAP|ENGINE_STOP").
std::set<std::string> words(const std::string& s) {
  std::set<std::string> out;
  if (s.empty() || s == "0") return out;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = s.find('|', i);
    if (j == std::string::npos) j = s.size();
    std::string b = s.substr(i, j - i);
    b.erase(0, b.find_first_not_of(' '));
    b.erase(b.find_last_not_of(' ') + 1);
    if (!b.empty()) out.insert(b);
    i = j + 1;
  }
  return out;
}

// "+ENGINE_STOP -QUIESCE" as two lists: the words of `after` that `before`
// had not, and the other way round, in alphabetical order.
void diff(const std::string& before, const std::string& after, std::vector<std::string>* added,
          std::vector<std::string>* removed) {
  const auto a = words(before), b = words(after);
  for (const auto& x : b)
    if (!a.count(x)) added->push_back(x);
  for (const auto& x : a)
    if (!b.count(x)) removed->push_back(x);
}

// ---- what happened, in words --------------------------------------------------------

// `runner`: the task whose thread ran the event's step (step_pid).
std::string what_of(const EventView& v, const model::Simulator& run, int runner) {
  const model::Event& e = *v.e;
  const std::string task = run.kernel().comm(e.pid);
  switch (e.kind) {
    case model::Ev::sched_state: return fmt::format("{}: {} → {}", task, v.str("prev"), v.str("next"));
    case model::Ev::utrace_state: {
      std::string who = v.has("engine") ? v.str("engine") + " " : task + " ";
      const auto f = static_cast<model::UField>(e.a);
      const std::string field = v.str("field"), o = v.str("old"), n = v.str("new");
      if (f == model::UField::utrace_flags || f == model::UField::engine_flags || f == model::UField::tif) {
        std::vector<std::string> add, rem;
        diff(o, n, &add, &rem);
        std::vector<std::string> parts;
        const std::string prefix = f == model::UField::tif ? "TIF_" : "";
        for (const auto& b : add) parts.push_back(prefix + b + " set");
        for (const auto& b : rem) parts.push_back(prefix + b + " cleared");
        if (parts.empty()) parts.push_back("unchanged");
        return fmt::format("{}{}: {}  ({} → {})", who, field, join(parts), o, n);
      }
      return fmt::format("{}{} {} → {}", who, field, o, n);
    }
    case model::Ev::utrace_callback: {
      // The caller is the task that runs the step: the reaper calls
      // report_reap for the task it reaps.
      std::string arg = callback_arg(e, run);
      if (v.has("event") && !arg.empty() && !v.has("action")) arg = "event " + arg;
      const bool other = runner && runner != e.pid;
      return fmt::format("{} calls {}->{}({}){}{}", other ? run.kernel().comm(runner) : task, v.str("engine"),
                         v.str("callback"), arg, v.has("ops") ? " through &utrace_detached_ops" : "",
                         other ? " for " + task : "");
    }
    case model::Ev::utrace_return:
      return fmt::format("{}->{} returned {}", v.str("engine"), v.str("callback"),
                         v.has("ret") ? v.str("ret") : "(void)");
    case model::Ev::utrace_api: {
      std::string args = v.has("engine") ? v.str("engine") : "";
      if (v.has("action")) args += (args.empty() ? "" : ", ") + v.str("action");
      if (v.has("events")) args += (args.empty() ? "" : ", ") + v.str("events");
      return fmt::format("{}: {}({}) returned {}", task, v.str("call"), args, v.str("ret"));
    }
    case model::Ev::utrace_stop:
      if (v.has("state")) return fmt::format("utrace_stop: {} parks in TASK_TRACED", task);
      return fmt::format("{} returns from utrace_stop ({})", task, v.str("woken"));
    case model::Ev::signal_generate:
      return fmt::format("{} sent to {} by {}: {}", v.str("sig"), task, v.str("from"), v.str("result"));
    case model::Ev::signal_deliver: return fmt::format("{} dequeues {}: {}", task, v.str("sig"), v.str("action"));
    case model::Ev::signal_wakeup:
      return fmt::format("signal_wake_up({}): TIF_SIGPENDING, {}", task, e.b == 1 ? "woken" : "kicked");
    case model::Ev::group_stop:
      return fmt::format("{}: group_stop_count {}, {}", task, v.str("group_stop_count"), v.str("flags"));
    case model::Ev::sys_enter: return fmt::format("{} enters {}()", task, v.str("name"));
    case model::Ev::sys_exit: return fmt::format("{} returns from {}() = {}", task, v.str("name"), v.str("ret"));
    case model::Ev::sys_restart: return fmt::format("{}: {} → {}", task, v.str("ret"), v.str("outcome"));
    case model::Ev::task_new: return fmt::format("{} creates {} ({})", task, v.str("child"), v.str("clone_flags"));
    case model::Ev::task_exec: return fmt::format("{} execs a new program", task);
    case model::Ev::task_exit: return fmt::format("{} calls do_exit({})", task, v.str("code"));
    case model::Ev::notify_parent:
      return fmt::format("{} notifies {}: {} {}", task, v.str("parent"), v.str("sig"), v.str("code"));
    case model::Ev::release_task: return fmt::format("{} releases {}", task, v.str("released"));
    case model::Ev::reparent: return fmt::format("{} is reparented to {}", task, v.str("parent"));
    case model::Ev::wait_found:
      return fmt::format("{}'s wait finds {}: {} ({})", task, v.str("child"), v.str("means"), v.str("why"));
    case model::Ev::op_result: {
      std::string r = v.has("result") ? " → " + v.str("result") : "";
      if (v.has("status")) r += " (" + v.str("status") + ")";
      return fmt::format("{}: op {} at {}{}", task, v.str("op"), v.str("at"), r);
    }
    case model::Ev::property: return fmt::format("VIOLATED {}: {}", v.str("property"), v.str("message"));
    default: return model::event_text(e, run);
  }
}

std::string kind_of(model::Ev e) {
  switch (e) {
    case model::Ev::sched_state:
    case model::Ev::utrace_stop: return "sched";
    case model::Ev::utrace_state: return "state";
    case model::Ev::utrace_api: return "api";
    case model::Ev::utrace_callback:
    case model::Ev::utrace_return: return "callback";
    case model::Ev::signal_generate:
    case model::Ev::signal_deliver:
    case model::Ev::signal_wakeup:
    case model::Ev::group_stop: return "signal";
    case model::Ev::property: return "property";
    case model::Ev::op_result: return "op";
    default: return "life";
  }
}

// The task a sim thread runs, or "before the first step".
std::string writer_name(const model::Kernel& k, sim::Tid t) {
  return t == sim::kNoTid ? std::string("the boot") : thread_task_name(k, t);
}

// The function a store was made in: the name it was made under when that
// is a function (WRITE_ONCE's, set(v, "set_tsk_thread_flag")), else the
// function of the step that made it (set(v) says "store"; some name the
// field, "task->state").
std::string store_function(const StepLog& log, const model::SharedWrite& w) {
  const std::string_view where = w.where;
  const bool function = where != "store" && std::all_of(where.begin(), where.end(), [](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                        });
  if (function || w.step == 0 || w.step > log.steps.size()) return w.where;
  return log.steps[w.step - 1].acc.where;
}

// Whether a peek() is worth a line of its own: a look at an engine's field
// (engine->ops, engine->flags: R2, R5), or at a utrace field another task
// stored.  The scheduler's and wait's looks at task->state are not shown
// (the step's events say what they found).
bool telling_peek(const model::SharedRead& r) {
  if ((r.obj.v >> 8) >= model::kEngineOwner) return true;
  return r.traced_as && r.from.where[0] && r.from.tid != r.tid;
}

// The rule a why states: the kernel's, plus each race switched on that the
// explanation itself gives as the reason ("R2 is switched on").
std::string rule_of(const std::string& why, const std::string& rule, const model::BugSet& bugs) {
  std::string r = rule;
  for (int n = 1; n <= model::kMaxBug; ++n) {
    if (!bugs.test(static_cast<std::size_t>(n - 1)) || r.find(fmt::format("+R{}", n)) != std::string::npos) continue;
    if (why.find(fmt::format("R{} is switched on", n)) != std::string::npos ||
        why.find(fmt::format("R{} switched on", n)) != std::string::npos)
      r += fmt::format(" +R{}", n);
  }
  return r;
}

// The name of a logged field: the trace's name for a traced one (struct
// utrace's bits share one object), else the object's.
std::string field_text(const model::Simulator& run, const model::SharedRead& r) {
  std::string obj = object_name(run, r.obj);
  if (!r.traced_as) return obj;
  const std::string traced = model::ufield_name(static_cast<model::UField>(r.traced_as - 1));
  const auto sp = obj.find(' ');
  const std::string owner = sp == std::string::npos ? obj : obj.substr(0, sp);
  return owner + " " + traced;
}

// The lockless looks of step `s` inside the step (peek), as lines.
void peek_lines(const model::Simulator& run, const StepLog& log, std::uint64_t s, NarrativeStep* st) {
  const auto& reads = run.values().reads();
  auto it = std::lower_bound(reads.begin(), reads.end(), s,
                             [](const model::SharedRead& r, std::uint64_t step) { return r.step < step; });
  for (; it != reads.end() && it->step == s; ++it) {
    if (it->read_once || !it->has_value || !telling_peek(*it)) continue;
    st->lines.push_back({fmt::format("{} looks at {} without the lock in {}: {}", writer_name(run.kernel(), it->tid),
                                     field_text(run, *it), it->where, read_value_text(run, log, *it)),
                         "", "read", ""});
  }
}

}  // namespace

std::string read_value_text(const model::Simulator& run, const StepLog& log, const model::SharedRead& r) {
  const std::string value = r.has_value ? model::shared_value_text(r.obj, r.traced_as, r.value) : "?";
  const model::SharedWrite& w = r.from;
  if (!w.where[0]) return value + " (its initial value)";
  if (w.step == 0) return value + " (stored at boot)";
  if (w.step == r.step && w.tid == r.tid) return value + " (stored earlier in this step)";
  return fmt::format("{} (stored at step {} by {} in {})", value, w.step, writer_name(run.kernel(), w.tid),
                     store_function(log, w));
}

std::string step_access_text(const model::Simulator& run, const StepLog& log, std::uint64_t step) {
  if (step == 0 || step > log.steps.size()) return "";
  const sim::StepRec& rec = log.steps[step - 1];
  const std::string obj = object_name(run, rec.acc.obj);
  std::string s =
      obj.empty() ? std::string(access_verb(rec.acc.kind)) : fmt::format("{} {}", access_verb(rec.acc.kind), obj);
  if (rec.acc.kind == sim::Acc::Read)
    if (const model::SharedRead* r = run.values().read_once_at(step))
      s = fmt::format("reads {} = {}", field_text(run, *r), read_value_text(run, log, *r));
  return s;
}

std::vector<NarrativeLine> race_lines(const model::Simulator& run, std::uint64_t step, std::string* rule) {
  const char* version = model::kernel_version_name(run.kernel().version());
  *rule = version;
  std::vector<NarrativeLine> out;
  for (const model::RacePath& p : run.values().races_at(step)) {
    const model::BugInfo* bug = model::find_bug(p.race);
    const std::string title = bug ? bug->title : "";
    if (p.switched) {
      *rule += fmt::format(" +R{}", p.race);
      out.push_back({fmt::format("R{} decides this step: {}", p.race, title),
                     fmt::format("R{} is switched on (the scenario's model.bugs, or --bug R{}): this step runs the "
                                 "racy code of §7 R{}, not the fixed rule of {}.",
                                 p.race, p.race, p.race, version),
                     "race", *rule});
    } else {
      out.push_back({fmt::format("R{} decides this step: {}", p.race, title),
                     fmt::format("{} has R{} in its code as written (§7, §9): no switch is needed.", version, p.race),
                     "race", *rule});
    }
  }
  return out;
}

StepWindow step_window(std::uint64_t steps, bool full) {
  StepWindow w;
  w.steps = steps;
  if (full || steps <= kShownSteps) {
    w.head_last = steps;
    w.tail_first = steps + 1;
    return w;
  }
  w.head_last = kShownSteps / 2;
  w.tail_first = steps - kShownSteps / 2 + 1;
  return w;
}

std::uint64_t narrated_steps(const model::Simulator& run, const StepLog& log) {
  const auto& evs = run.kernel().events();
  return std::max<std::uint64_t>(log.steps.size(), evs.empty() ? 0 : evs.back().step);
}

std::vector<NarrativeStep> narrate(const model::Simulator& run, const StepLog& log, const StepWindow* window) {
  const model::Kernel& k = run.kernel();
  std::vector<NarrativeStep> out;
  model::WhyContext why;
  why.version = k.version();
  why.bugs = run.scenario().bugs;
  std::string where;
  const auto& evs = k.events();
  std::size_t ei = 0;
  const std::uint64_t nsteps = narrated_steps(run, log);
  for (std::uint64_t s = 1; s <= nsteps; ++s) {
    if (window && !window->shows(s)) {
      // Left out: its events still feed the context of the ones shown later.
      for (; ei < evs.size() && evs[ei].step <= s; ++ei) why.note(evs[ei]);
      continue;
    }
    const sim::StepRec* rec = s <= log.steps.size() ? &log.steps[s - 1] : nullptr;
    const std::string task = rec ? thread_task_name(k, rec->tid) : std::string("end of run");
    where = rec ? rec->acc.where : "";
    why.where = where;
    NarrativeStep st;
    st.first = st.last = s;
    st.task = task;
    if (!where.empty()) st.functions.push_back(where);
    if (rec) {
      st.access = step_access_text(run, log, s);
      st.chosen = rec->choice != ~0u;
    }
    std::string rule;
    st.lines = race_lines(run, s, &rule);
    for (; ei < evs.size() && evs[ei].step <= s; ++ei) {
      const model::Event& e = evs[ei];
      EventView v = view(e, run);
      why.ptrace_request.reset();
      if (const model::PtraceOp* p = e.kind == model::Ev::op_result ? ptrace_op(e) : nullptr)
        why.ptrace_request = p->request;
      std::string because = model::why_of(e, why);
      st.lines.push_back({what_of(v, run, step_pid(k, log, e.step)), because, kind_of(e.kind),
                          because.empty() ? "" : rule_of(because, rule, why.bugs)});
      why.note(e);
    }
    peek_lines(run, log, s, &st);
    // Quiet steps of the same task fold into one entry.
    if (st.lines.empty() && !out.empty() && out.back().lines.empty() && out.back().task == st.task && !st.chosen &&
        out.back().last + 1 == s) {
      NarrativeStep& prev = out.back();
      prev.last = s;
      prev.access.clear();
      if (!where.empty() && prev.functions.back() != where) prev.functions.push_back(where);
      continue;
    }
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace tools
