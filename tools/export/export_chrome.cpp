// tools/export/export_chrome.cpp: Chrome trace JSON (the Trace Event Format),
// which Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// Each thread group is a process; each task has two tracks: "X-2 state"
// (one slice per state: TASK_RUNNING, TASK_TRACED, EXIT_ZOMBIE ...) and
// "X-2 kernel" (syscalls and callbacks as nested slices, API calls, signals
// and life-cycle events as instants).  A callback is on the kernel track of
// the task whose thread runs it, from its call to its return (report_reap
// on the reaper's track, named "... for X-2").  Flow arrows join a cause to
// its effect: utrace_control/PTRACE_CONT -> the tracee runs again, a stop ->
// the waitpid that reports it, a signal sent -> the signal delivered; and
// the conflicting accesses of each race window (export.h RaceWindow).  A
// process "spinlocks" has a track per spinlock the run took, a slice per
// hold named by its holder.  Time is counted in steps: 1 step = 10 us on the
// time axis.
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/scenario.h"
#include "tools/export/export.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

constexpr int kKernelTrack = 100000;   // tid of a task's second track: pid + this
constexpr int kLockProcess = 1000000;  // the pid of the spinlocks' process; a lock's tid is this + its index + 1

std::int64_t us(double steps) { return std::llround(steps * 10.0); }

// The events of one trace, and the thread group each lane's tid is in.
struct ChromeEvents {
  nlohmann::json evs = nlohmann::json::array();
  std::map<int, int> tgid_of;
  int tgid(int pid) const {
    auto it = tgid_of.find(pid);
    return it == tgid_of.end() ? pid : it->second;
  }
};

// Metadata: a process per thread group, two tracks per task (its states;
// its kernel calls), and the spinlocks' process with a track per lock.
void add_track_names(ChromeEvents& c, const Timeline& t) {
  nlohmann::json& evs = c.evs;
  int order = 0;
  for (const Lane& l : t.lanes) {
    c.tgid_of[l.pid] = l.tgid;
    if (l.pid == l.tgid)
      evs.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", l.tgid}, {"args", {{"name", l.name}}}});
    evs.push_back({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", l.tgid}, {"args", {{"sort_index", l.tgid}}}});
    evs.push_back({{"ph", "M"},
                   {"name", "thread_name"},
                   {"pid", l.tgid},
                   {"tid", l.pid},
                   {"args", {{"name", l.name + " state"}}}});
    evs.push_back({{"ph", "M"},
                   {"name", "thread_sort_index"},
                   {"pid", l.tgid},
                   {"tid", l.pid},
                   {"args", {{"sort_index", order++}}}});
    evs.push_back({{"ph", "M"},
                   {"name", "thread_name"},
                   {"pid", l.tgid},
                   {"tid", l.pid + kKernelTrack},
                   {"args", {{"name", l.name + " kernel"}}}});
    evs.push_back({{"ph", "M"},
                   {"name", "thread_sort_index"},
                   {"pid", l.tgid},
                   {"tid", l.pid + kKernelTrack},
                   {"args", {{"sort_index", order++}}}});
  }
  if (!t.locks.empty()) {
    evs.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", kLockProcess}, {"args", {{"name", "spinlocks"}}}});
    evs.push_back(
        {{"ph", "M"}, {"name", "process_sort_index"}, {"pid", kLockProcess}, {"args", {{"sort_index", kLockProcess}}}});
    for (std::size_t i = 0; i < t.locks.size(); ++i) {
      const int tid = kLockProcess + static_cast<int>(i) + 1;
      evs.push_back({{"ph", "M"},
                     {"name", "thread_name"},
                     {"pid", kLockProcess},
                     {"tid", tid},
                     {"args", {{"name", t.locks[i].name}}}});
      evs.push_back({{"ph", "M"},
                     {"name", "thread_sort_index"},
                     {"pid", kLockProcess},
                     {"tid", tid},
                     {"args", {{"sort_index", static_cast<int>(i)}}}});
    }
  }
}

// The task states, the calls on the runner's kernel track, and the marks.
void add_task_slices(ChromeEvents& c, const Timeline& t, const model::Simulator& run) {
  nlohmann::json& evs = c.evs;
  auto tgid = [&](int pid) { return c.tgid(pid); };
  for (const Span& s : t.spans) {
    if (us(s.end) <= us(s.begin)) continue;
    evs.push_back({{"ph", "X"},
                   {"name", s.state},
                   {"cat", "state"},
                   {"pid", tgid(s.pid)},
                   {"tid", s.pid},
                   {"ts", us(s.begin)},
                   {"dur", us(s.end) - us(s.begin)},
                   {"args", {{"from_step", s.begin}, {"to_step", s.end}}}});
  }
  for (const Slice& s : t.slices) {
    nlohmann::json args = {{"from_step", s.begin}, {"to_step", s.end}};
    if (!s.detail.empty()) args["detail"] = s.detail;
    if (s.category == "callback") args["task"] = run.kernel().comm(s.subject);
    if (!s.returned) args["returned"] = false;
    evs.push_back({{"ph", "X"},
                   {"name", s.name},
                   {"cat", s.category},
                   {"pid", tgid(s.pid)},
                   {"tid", s.pid + kKernelTrack},
                   {"ts", us(s.begin)},
                   {"dur", std::max<std::int64_t>(us(s.end) - us(s.begin), 1)},
                   {"args", args}});
  }
  for (const Mark& m : t.marks) {
    nlohmann::json args = {{"step", static_cast<std::int64_t>(m.at)}};
    if (!m.detail.empty()) args["detail"] = m.detail;
    evs.push_back({{"ph", "i"},
                   {"s", "t"},
                   {"name", m.name},
                   {"cat", m.category},
                   {"pid", tgid(m.pid)},
                   {"tid", m.pid + kKernelTrack},
                   {"ts", us(m.at)},
                   {"args", args}});
  }
}

// The spinlock holds, the race windows, and the arrows: the timeline's
// flows and each race window's conflicting pairs.
void add_locks_and_races(ChromeEvents& c, const Timeline& t) {
  nlohmann::json& evs = c.evs;
  auto tgid = [&](int pid) { return c.tgid(pid); };
  for (const LockHold& h : t.holds) {
    nlohmann::json args = {{"lock", t.locks[h.lock].name},
                           {"taken_in", h.where},
                           {"acquired_step", h.acquired},
                           {"released_step", h.released ? nlohmann::json(h.released) : nlohmann::json("never")}};
    evs.push_back({{"ph", "X"},
                   {"name", h.holder},
                   {"cat", "lock"},
                   {"pid", kLockProcess},
                   {"tid", kLockProcess + static_cast<int>(h.lock) + 1},
                   {"ts", us(h.begin)},
                   {"dur", std::max<std::int64_t>(us(h.end) - us(h.begin), 1)},
                   {"args", args}});
  }
  std::vector<Flow> flows = t.flows;
  for (const RaceWindow& w : t.races) {
    const std::string name =
        fmt::format("{} {} {} (steps {}–{})", w.preemption ? "preempted:" : "passed over:", w.passed, "for " + w.chosen,
                    w.from, w.to - 1);
    evs.push_back({{"ph", "i"},
                   {"s", "t"},
                   {"name", name},
                   {"cat", "race"},
                   {"pid", tgid(w.passed_pid)},
                   {"tid", w.passed_pid + kKernelTrack},
                   {"ts", us(static_cast<double>(w.from))},
                   {"args", {{"step", w.from}, {"runs_again_at_step", w.to}}}});
    for (const auto& [a, b] : w.conflicts)
      flows.push_back({a.pid, b.pid, static_cast<double>(a.step) + 0.5, static_cast<double>(b.step) + 0.5,
                       "conflict: " + a.text + " ↔ " + b.text, "race"});
  }
  int id = 1;
  for (const Flow& f : flows) {
    // Both ends bind to the enclosing slice of the state tracks ("bp": "e").
    evs.push_back({{"ph", "s"},
                   {"id", id},
                   {"name", f.name},
                   {"cat", f.category},
                   {"pid", tgid(f.from_pid)},
                   {"tid", f.from_pid},
                   {"ts", us(f.from)},
                   {"bp", "e"}});
    evs.push_back({{"ph", "f"},
                   {"id", id},
                   {"name", f.name},
                   {"cat", f.category},
                   {"pid", tgid(f.to_pid)},
                   {"tid", f.to_pid},
                   {"ts", us(f.to)},
                   {"bp", "e"}});
    ++id;
  }
}

}  // namespace

void write_chrome_trace(std::ostream& os, const model::Simulator& run, const StepLog& log) {
  const Timeline t = build_timeline(run, log);
  ChromeEvents c;
  add_track_names(c, t);
  add_task_slices(c, t, run);
  add_locks_and_races(c, t);
  nlohmann::json evs = std::move(c.evs);
  nlohmann::json doc;
  doc["displayTimeUnit"] = "ms";
  doc["otherData"] = {{"generator", "utsim"},
                      {"scenario", run.scenario().name},
                      {"kernel", kernel_text(run.scenario())},
                      {"time", "1 simulated step = 10 us"}};
  doc["traceEvents"] = std::move(evs);
  // One event per line: diffable, and still one JSON document.
  os << "{\"displayTimeUnit\":" << doc["displayTimeUnit"].dump() << ",\n\"otherData\":" << doc["otherData"].dump()
     << ",\n\"traceEvents\":[\n";
  const auto& list = doc["traceEvents"];
  for (std::size_t i = 0; i < list.size(); ++i) os << list[i].dump() << (i + 1 < list.size() ? ",\n" : "\n");
  os << "]}\n";
}

}  // namespace tools
