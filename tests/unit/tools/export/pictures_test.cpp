// tests/unit/tools/export/pictures_test.cpp: issue #14 item 2, "pictures
// that are right".  Each picture of a run (the timeline the Chrome trace and
// the HTML report draw from, the Chrome trace itself, Mermaid, the report's
// SVG, the narrative of `utsim explain`) is compared, in its STRUCTURE, with
// what the run did: the events and the step log.  Every callback call/return
// pair is one slice on the lane of the task whose thread ran it, from the call
// to the return, whatever happened to the task's state meanwhile; a ptrace
// syscall slice names its request; a narrative line about a callback names
// the task that made the call.  The runs: the default schedule and the
// shrunk counterexample (as `utsim report --explore` finds it) of every
// scenario of the race catalogue, scenarios/races/.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/abi.h"
#include "scenario/load/loader.h"
#include "support/picture_cases.h"
#include "tools/export/export.h"
#include "tools/teach/explain.h"
#include "tools/teach/report.h"
#include "tools/teach/report_svg.h"

namespace {

using nlohmann::json;

// ---- the runs ----------------------------------------------------------------------------

using Case = model::test::PictureCase;

// Every race scenario's default run and, when 300 schedules find a
// violation, its shrunk counterexample; computed once for all the picture
// tests (tests/support/picture_cases.h).
const std::vector<Case>& cases() { return model::test::picture_cases(); }

// ---- what the run did: calls and returns, from the events and the step log -----------------

int runner_pid(const tools::TracedRun& r, std::uint64_t step, int fallback) {
  if (step == 0 || step > r.log.steps.size()) return fallback;
  const sim::Tid t = r.log.steps[step - 1].tid;
  for (const auto& task : r.kernel().tasks)
    if (task->tid == t) return task->pid;
  return fallback;
}

// One callback as the run made it: called by the thread of `runner` (a
// task's pid) for the task `subject`, returned at `return_step` (0: never).
struct Call {
  int runner = 0, subject = 0;
  std::int64_t engine = 0, callback = 0;
  std::string name;  // "report_death"
  std::uint64_t call_step = 0, return_step = 0;
};

std::vector<Call> calls_of(const tools::TracedRun& r) {
  std::vector<Call> calls;
  std::map<int, std::vector<std::size_t>> open;  // runner -> indexes into calls, innermost last
  for (const model::Event& e : r.kernel().events()) {
    if (e.kind != model::Ev::utrace_callback && e.kind != model::Ev::utrace_return) continue;
    const int runner = runner_pid(r, e.step, e.pid);
    const tools::EventView v = tools::view(e, r.run());
    if (e.kind == model::Ev::utrace_callback) {
      open[runner].push_back(calls.size());
      calls.push_back({runner, e.pid, e.a, e.b, v.str("callback"), e.step, 0});
      continue;
    }
    auto& st = open[runner];
    for (std::size_t i = st.size(); i-- > 0;) {
      Call& c = calls[st[i]];
      if (c.engine == e.a && c.callback == e.b && c.subject == e.pid) {
        c.return_step = e.step;
        st.erase(st.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }
  return calls;
}

// The last step a task's thread ran.
std::uint64_t last_step_of(const tools::TracedRun& r, int pid) {
  std::uint64_t last = 0;
  for (std::uint64_t s = 1; s <= r.log.steps.size(); ++s)
    if (runner_pid(r, s, -1) == pid) last = s;
  return last;
}

std::uint64_t step_of(double at) { return static_cast<std::uint64_t>(std::floor(at)); }

std::string describe(const Call& c, const tools::TracedRun& r) {
  std::ostringstream s;
  s << c.name << " of " << r.run().engine(c.engine) << " for " << r.kernel().comm(c.subject) << " run by "
    << r.kernel().comm(c.runner) << ", called at step " << c.call_step << ", returned at step " << c.return_step;
  return s.str();
}

// ---- the timeline (Chrome trace and HTML report) ------------------------------------------

TEST(Pictures, TimelineHasOneSliceOnTheRunnersLaneFromCallToReturn) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::TracedRun& r = *c.run;
    const tools::Timeline t = tools::build_timeline(r.run(), r.log);
    const std::vector<Call> calls = calls_of(r);
    std::size_t callback_slices = 0;
    for (const tools::Slice& s : t.slices) callback_slices += s.category == "callback";
    EXPECT_EQ(callback_slices, calls.size());
    for (const Call& call : calls) {
      int found = 0;
      for (const tools::Slice& s : t.slices) {
        if (s.category != "callback" || step_of(s.begin) != call.call_step) continue;
        if (s.name.find(call.name) == std::string::npos) continue;
        if (s.name.find(r.run().engine(call.engine)) == std::string::npos) continue;
        ++found;
        EXPECT_EQ(s.pid, call.runner) << describe(call, r) << ": drawn on the lane of " << r.kernel().comm(s.pid);
        if (call.return_step)
          EXPECT_EQ(step_of(s.end), call.return_step) << describe(call, r) << ": the slice ends at " << s.end;
        else  // never returned: it lasts as long as its thread ran
          EXPECT_GE(step_of(s.end), last_step_of(r, call.runner)) << describe(call, r) << ": ends at " << s.end;
      }
      EXPECT_EQ(found, 1) << describe(call, r);
    }
  }
}

// The slices of one lane nest: a slice that begins inside another ends inside it.
TEST(Pictures, TimelineSlicesNestPerLane) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::Timeline t = tools::build_timeline(c.run->run(), c.run->log);
    for (const tools::Slice& a : t.slices)
      for (const tools::Slice& b : t.slices) {
        if (&a == &b || a.pid != b.pid) continue;
        if (a.begin < b.begin && b.begin < a.end) {
          EXPECT_LE(b.end, a.end) << b.name << " [" << b.begin << ", " << b.end << ") begins inside " << a.name << " ["
                                  << a.begin << ", " << a.end << ") and ends after it";
        }
      }
  }
}

// Every ptrace request the run made: the syscall slice of its caller names
// it.  The race catalogue makes none: the default runs of scenarios/ptrace/.
TEST(Pictures, PtraceSlicesNameTheirRequest) {
  std::size_t seen = 0;
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(std::string(UTSIM_SOURCE_DIR) + "/scenarios/ptrace"))
    if (f.path().extension() == ".json") files.push_back(f.path().string());
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    model::LoadResult loaded = model::load_scenario_file(file);
    ASSERT_TRUE(loaded.ok());
    const auto run = tools::traced_run(*loaded.scenario, std::nullopt, std::nullopt, 20000);
    const tools::TracedRun& r = *run;
    const tools::Timeline t = tools::build_timeline(r.run(), r.log);
    for (const tools::Slice& s : t.slices)
      if (s.category == "syscall") {
        EXPECT_NE(s.name, "ptrace") << "a ptrace slice without its request";
      }
    for (const model::Event& e : r.kernel().events()) {
      const model::PtraceOp* p = e.kind == model::Ev::op_result ? tools::ptrace_op(e) : nullptr;
      if (!p) continue;
      ++seen;
      const std::string want = "ptrace(" + model::ptrace_request_name(p->request) + ")";
      int found = 0;
      for (const tools::Slice& s : t.slices)
        found += s.pid == e.pid && s.category == "syscall" && s.name == want && step_of(s.end) <= e.step;
      EXPECT_GE(found, 1) << r.kernel().comm(e.pid) << " made " << want << " (step " << e.step << ")";
    }
  }
  EXPECT_GT(seen, 0u) << "no ptrace request in scenarios/ptrace: the test checks nothing";
}

// ---- the Chrome trace ---------------------------------------------------------------------

constexpr int kKernelTrack = 100000;  // export_chrome.cpp: a task's second track is pid + this

json chrome_of(const tools::TracedRun& r) {
  std::ostringstream os;
  tools::write_chrome_trace(os, r.run(), r.log);
  return json::parse(os.str());
}

TEST(Pictures, ChromeTraceHasOneSliceOnTheRunnersTrackFromCallToReturn) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::TracedRun& r = *c.run;
    const json doc = chrome_of(r);
    std::vector<json> slices;
    for (const json& e : doc["traceEvents"])
      if (e["ph"] == "X" && e["cat"] == "callback") slices.push_back(e);
    const std::vector<Call> calls = calls_of(r);
    EXPECT_EQ(slices.size(), calls.size());
    for (const Call& call : calls) {
      int found = 0;
      for (const json& s : slices) {
        const auto ts = s["ts"].get<std::int64_t>(), dur = s["dur"].get<std::int64_t>();
        const std::string name = s["name"];
        if (static_cast<std::uint64_t>(ts / 10) != call.call_step || name.find(call.name) == std::string::npos ||
            name.find(r.run().engine(call.engine)) == std::string::npos)
          continue;
        ++found;
        EXPECT_EQ(s["tid"].get<int>(), call.runner + kKernelTrack) << describe(call, r);
        if (call.return_step) {
          EXPECT_EQ(static_cast<std::uint64_t>((ts + dur) / 10), call.return_step) << describe(call, r);
        }
      }
      EXPECT_EQ(found, 1) << describe(call, r);
    }
    for (const json& e : doc["traceEvents"])
      if (e["ph"] == "X" && e["cat"] == "syscall") {
        EXPECT_NE(e["name"], "ptrace");
      }
  }
}

// ---- Mermaid ------------------------------------------------------------------------------

std::vector<std::string> mermaid_lines(const tools::TracedRun& r) {
  std::ostringstream os;
  tools::write_mermaid(os, r.run(), r.log);
  std::vector<std::string> lines;
  std::istringstream in(os.str());
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// A callback is an arrow from the task that runs it to the engine, with
// activation (+) until the engine's return arrow (-) to the same task; the
// text is the callback's name and its arguments as the kernel passes them.
TEST(Pictures, MermaidDrawsEachCallbackFromItsRunnerAsAnActivation) {
  const std::regex call_re(R"(^    P(\d+)->>\+E(\d+): (\w+)\((.*)\).*$)");
  const std::regex return_re(R"(^    E(\d+)-->>-P(\d+): .*$)");
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::TracedRun& r = *c.run;
    const std::vector<Call> calls = calls_of(r);
    std::vector<std::string> drawn_calls, drawn_returns, want_calls, want_returns;
    for (const std::string& l : mermaid_lines(r)) {
      std::smatch m;
      if (std::regex_match(l, m, call_re)) {
        drawn_calls.push_back("P" + m[1].str() + " E" + m[2].str() + " " + m[3].str());
        EXPECT_EQ(m[4].str().find("_UTRACE"), std::string::npos) << "an internal name as the argument: " << l;
      } else if (std::regex_match(l, m, return_re)) {
        drawn_returns.push_back("E" + m[1].str() + " P" + m[2].str());
      } else if (l.find("report_") != std::string::npos && l.find("->>") != std::string::npos) {
        ADD_FAILURE() << "a callback arrow without activation: " << l;
      }
    }
    // In the order of the events.
    std::vector<std::pair<std::uint64_t, std::string>> returns;
    for (const Call& call : calls) {
      want_calls.push_back("P" + std::to_string(call.runner) + " E" + std::to_string(call.engine) + " " + call.name);
      if (call.return_step)
        returns.push_back({call.return_step, "E" + std::to_string(call.engine) + " P" + std::to_string(call.runner)});
    }
    std::stable_sort(returns.begin(), returns.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (auto& [s, w] : returns) want_returns.push_back(w);
    EXPECT_EQ(drawn_calls, want_calls);
    EXPECT_EQ(drawn_returns, want_returns);
  }
}

// ---- the narrative (utsim explain, the report's table) ------------------------------------

// A line about a callback call names the task that makes it, which is the
// task of its row.
TEST(Pictures, NarrativeNamesTheTaskThatCallsBack) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::TracedRun& r = *c.run;
    for (const tools::NarrativeStep& st : tools::narrate(r.run(), r.log))
      for (const tools::NarrativeLine& l : st.lines) {
        const auto at = l.what.find(" calls ");
        if (l.kind != "callback" || at == std::string::npos) continue;
        EXPECT_EQ(l.what.substr(0, at), st.task) << "step " << st.first << ": " << l.what;
      }
  }
}

}  // namespace
