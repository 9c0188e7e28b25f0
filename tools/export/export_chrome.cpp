// tools/export/export_chrome.cpp: Chrome trace JSON (the Trace Event Format),
// which Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// Each thread group is a process; each task has two tracks: "X-2 state"
// (one slice per state: TASK_RUNNING, TASK_TRACED, EXIT_ZOMBIE ...) and
// "X-2 kernel" (syscalls and callbacks as nested slices, API calls, signals
// and life-cycle events as instants).  Flow arrows join a cause to its
// effect: utrace_control/PTRACE_CONT -> the tracee runs again, a stop -> the
// waitpid that reports it, a signal sent -> the signal delivered.  Time is
// counted in steps: 1 step = 10 us on the time axis.
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "scenario/scenario.h"
#include "tools/export/export.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

constexpr int kKernelTrack = 100000;  // tid of a task's second track: pid + this

std::int64_t us(double steps) { return std::llround(steps * 10.0); }

}  // namespace

void write_chrome_trace(std::ostream& os, const model::Simulator& run, const StepLog& log) {
  const Timeline t = build_timeline(run, log);
  nlohmann::json evs = nlohmann::json::array();
  std::map<int, int> tgid_of;
  int order = 0;
  for (const Lane& l : t.lanes) {
    tgid_of[l.pid] = l.tgid;
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
  auto tgid = [&](int pid) { return tgid_of.count(pid) ? tgid_of[pid] : pid; };
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
  int id = 1;
  for (const Flow& f : t.flows) {
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
