// tests/unit/tools/export/pictures_locks_races_test.cpp: issue #14 item 2,
// the parts of the pictures that read the step log rather than the events:
// the spinlocks held (export.h LockHold) and the race windows of the
// schedule's non-default choices (export.h RaceWindow), in the timeline, the
// Chrome trace and the report's SVG; and the report's SVG slices against the
// events, as pictures_test.cpp checks the other exporters.  Every scenario of
// the race catalogue, its default run and its counterexample.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/load/loader.h"
#include "support/picture_cases.h"
#include "tools/export/export.h"
#include "tools/teach/report.h"
#include "tools/teach/report_assets.h"
#include "tools/teach/report_svg.h"

namespace {

using nlohmann::json;

// As `utsim report --explore 300` shrinks its counterexample.
const model::CounterexampleShrink kShrink{model::CounterexampleShrink::When::Always, 20'000, 0};

using Case = model::test::PictureCase;

// Every race scenario's default run and its shrunk counterexample, once
// (shared with pictures_test.cpp).
const std::vector<Case>& cases() { return model::test::picture_cases(); }

const Case* find_case(const std::string& prefix) {
  for (const Case& c : cases())
    if (c.name.rfind(prefix, 0) == 0) return &c;
  return nullptr;
}

// ---- spinlocks ----------------------------------------------------------------------------

// Each acquire of the step log (a step that begins with Acc::Lock) is one
// hold, by the task of that step's thread, until the Acc::Unlock note of the
// same lock; the holds of one lock never overlap.
TEST(PicturesLocks, EveryHoldOfTheStepLogIsDrawnOnce) {
  bool utrace_lock = false, siglock = false;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::TracedRun& r = *c.run;
    const tools::Timeline t = tools::build_timeline(r.run(), r.log);
    struct Want {
      std::uint32_t lock;
      std::uint64_t acquired, released;
      int pid;
    };
    std::vector<Want> want;
    std::map<std::uint32_t, std::size_t> open;
    for (std::uint64_t s = 1; s <= r.log.steps.size(); ++s) {
      const sim::StepRec& rec = r.log.steps[s - 1];
      if (rec.acc.kind == sim::Acc::Lock) {
        open[rec.acc.obj.v] = want.size();
        want.push_back({rec.acc.obj.v, s, 0, tools::step_pid(r.kernel(), r.log, s)});
      }
      for (std::uint32_t n = rec.notes_begin; n < rec.notes_end; ++n)
        if (r.log.notes[n].kind == sim::Acc::Unlock && open.count(r.log.notes[n].obj.v)) {
          want[open[r.log.notes[n].obj.v]].released = s;
          open.erase(r.log.notes[n].obj.v);
        }
    }
    ASSERT_EQ(t.holds.size(), want.size());
    EXPECT_FALSE(want.empty()) << "no spinlock taken: the test checks nothing";
    for (const Want& w : want) {
      int found = 0;
      for (const tools::LockHold& h : t.holds) {
        if (t.locks.at(h.lock).id.v != w.lock || h.acquired != w.acquired) continue;
        ++found;
        EXPECT_EQ(h.released, w.released);
        EXPECT_EQ(h.pid, w.pid);
        EXPECT_LE(h.begin, static_cast<double>(w.acquired) + 0.5);
        if (w.released) {
          EXPECT_GE(h.end, static_cast<double>(w.released) + 0.5);
        }
      }
      EXPECT_EQ(found, 1) << tools::object_name(r.run(), sim::ObjId{w.lock}) << " taken at step " << w.acquired;
    }
    for (const tools::LockHold& a : t.holds)
      for (const tools::LockHold& b : t.holds)
        if (&a != &b && a.lock == b.lock) {
          EXPECT_TRUE(a.end <= b.begin || b.end <= a.begin) << t.locks[a.lock].name;
        }
    for (const tools::LockLane& l : t.locks) {
      utrace_lock |= l.name.find("utrace->lock") != std::string::npos;
      siglock |= l.name.find("siglock") != std::string::npos;
    }
  }
  EXPECT_TRUE(utrace_lock) << "no run of the catalogue takes a utrace->lock";
  EXPECT_TRUE(siglock) << "no run of the catalogue takes a siglock";
}

TEST(PicturesLocks, ChromeTraceHasALockTrackPerLockAndASlicePerHold) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::TracedRun& r = *c.run;
    const tools::Timeline t = tools::build_timeline(r.run(), r.log);
    std::ostringstream os;
    tools::write_chrome_trace(os, r.run(), r.log);
    const json doc = json::parse(os.str());
    std::map<int, std::string> tracks;  // tid -> lock name
    int lock_pid = -1;
    for (const json& e : doc["traceEvents"])
      if (e["ph"] == "M" && e["name"] == "process_name" && e["args"]["name"] == "spinlocks") lock_pid = e["pid"];
    ASSERT_NE(lock_pid, -1);
    for (const json& e : doc["traceEvents"])
      if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == lock_pid) tracks[e["tid"]] = e["args"]["name"];
    EXPECT_EQ(tracks.size(), t.locks.size());
    std::size_t holds = 0;
    for (const json& e : doc["traceEvents"]) {
      if (e["ph"] != "X" || e["cat"] != "lock") continue;
      ++holds;
      EXPECT_EQ(e["pid"], lock_pid);
      ASSERT_TRUE(tracks.count(e["tid"]));
      EXPECT_EQ(e["args"]["lock"], tracks[e["tid"]]);
      const auto step = e["args"]["acquired_step"].get<std::uint64_t>();
      EXPECT_EQ(e["name"], tools::thread_task_name(r.kernel(), r.log.steps.at(step - 1).tid));
    }
    EXPECT_EQ(holds, t.holds.size());
  }
}

// ---- race windows -------------------------------------------------------------------------

// The choice points recorded beside the steps count the preemptions as the
// engine does; each window is a non-default choice; each pair conflicts.
TEST(PicturesRaces, WindowsAreTheNonDefaultChoicesAndTheirPairsConflict) {
  std::size_t pairs = 0;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::TracedRun& r = *c.run;
    std::size_t preemptions = 0;
    for (const tools::ChoiceRec& ch : r.log.choices) preemptions += ch.preemption;
    EXPECT_EQ(preemptions, r.out.engine.preemptions);
    EXPECT_EQ(r.log.choices.size(), r.out.engine.choices.size());
    const tools::Timeline t = tools::build_timeline(r.run(), r.log);
    for (const tools::RaceWindow& w : t.races) {
      bool is_choice = false;
      for (const tools::ChoiceRec& ch : r.log.choices)
        is_choice |= ch.step == w.from && ch.chosen != ch.dflt && ch.preemption == w.preemption &&
                     tools::step_pid(r.kernel(), r.log, w.from) == w.chosen_pid;
      EXPECT_TRUE(is_choice) << "a window at step " << w.from << " that no choice point made";
      ASSERT_GT(w.to, w.from);
      EXPECT_EQ(tools::step_pid(r.kernel(), r.log, w.to), w.passed_pid);
      for (std::uint64_t s = w.from; s < w.to; ++s)
        EXPECT_NE(tools::step_pid(r.kernel(), r.log, s), w.passed_pid) << "the passed-over task ran at step " << s;
      for (const auto& [a, b] : w.conflicts) {
        ++pairs;
        EXPECT_TRUE(sim::conflicts(a.acc, b.acc)) << a.text << " / " << b.text;
        EXPECT_GE(a.step, w.from);
        EXPECT_LT(a.step, w.to);
        EXPECT_NE(a.pid, w.passed_pid);
        EXPECT_GE(b.step, w.to);
        EXPECT_EQ(b.pid, w.passed_pid);
        EXPECT_EQ(tools::step_pid(r.kernel(), r.log, a.step), a.pid);
        EXPECT_EQ(tools::step_pid(r.kernel(), r.log, b.step), b.pid);
      }
    }
  }
  EXPECT_GT(pairs, 0u) << "no race window in the whole catalogue";
}

// R7's counterexample: P reaps X while X's report_death runs; the window is
// X's, and P's write of X's utrace_flags in utrace_maybe_reap is paired with
// X's own later access to it.
TEST(PicturesRaces, R7WindowShowsTheReaperInsideTheDeathReport) {
  const Case* c = find_case("r7-reap-vs-death-bug (counterexample");
  ASSERT_NE(c, nullptr);
  const tools::Timeline t = tools::build_timeline(c->run->run(), c->run->log);
  bool found = false;
  for (const tools::RaceWindow& w : t.races)
    for (const auto& [a, b] : w.conflicts)
      found |= w.passed.rfind("X-", 0) == 0 && a.who.rfind("P-", 0) == 0 &&
               a.text.find("utrace_flags in utrace_maybe_reap") != std::string::npos;
  EXPECT_TRUE(found);
}

// ---- the report's SVG -----------------------------------------------------------------------

// Every callback and syscall slice of the timeline is one rect of the SVG,
// with its lane, call and return; each race window and each conflicting pair
// is drawn, and each lock hold.
TEST(PicturesSvg, SlicesHoldsAndRacesAreDrawn) {
  const std::regex slice_re(
      R"re(<rect class="slice (callback|syscall)"[^>]* data-lane="(\d+)" data-name="([^"]*)" data-call="(\d+)" data-return="(\d*)")re");
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::Timeline t = tools::build_timeline(c.run->run(), c.run->log);
    const std::string svg = tools::timeline_svg(t, "tl");
    std::multiset<std::string> drawn, want;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), slice_re); it != std::sregex_iterator(); ++it)
      drawn.insert((*it)[1].str() + " " + (*it)[2].str() + " " + (*it)[4].str() + "-" + (*it)[5].str());
    for (const tools::Slice& s : t.slices)
      want.insert(s.category + " " + std::to_string(s.pid) + " " + std::to_string(s.call_step) + "-" +
                  (s.returned ? std::to_string(s.return_step) : std::string()));
    EXPECT_EQ(drawn, want);
    std::size_t holds = 0, races = 0, conflicts = 0, pairs = 0;
    for (std::size_t p = svg.find("<rect class=\"hold\""); p != std::string::npos;
         p = svg.find("<rect class=\"hold\"", p + 1))
      ++holds;
    for (std::size_t p = svg.find("<g class=\"race\""); p != std::string::npos;
         p = svg.find("<g class=\"race\"", p + 1))
      ++races;
    for (std::size_t p = svg.find("<path class=\"conflict\""); p != std::string::npos;
         p = svg.find("<path class=\"conflict\"", p + 1))
      ++conflicts;
    for (const tools::RaceWindow& w : t.races) pairs += w.conflicts.size();
    EXPECT_EQ(holds, t.holds.size());
    EXPECT_EQ(races, t.races.size());
    EXPECT_EQ(conflicts, pairs);
  }
}

// `utsim run --trace svg` (for slides) is the report's drawing, byte for
// byte, in a standalone document: one XML declaration, the drawing's own
// <svg> as the root with a title, and every rule of the style the report
// draws it with inside; every counterexample of the catalogue.
TEST(PicturesSvg, StandaloneTimelineIsTheReportsDrawingWithItsStyle) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const tools::Timeline t = tools::build_timeline(c.run->run(), c.run->log);
    const std::string doc = tools::timeline_svg_document(t, "utsim: " + c.name);
    const std::string page = tools::timeline_svg(t, "timeline");
    const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    ASSERT_EQ(doc.rfind(decl, 0), 0u);
    // The document is the page's <svg> with its head inserted after the
    // opening tag: the same drawing, nothing dropped, nothing added inside.
    const std::size_t open_end = page.find('>') + 1;
    ASSERT_EQ(doc.compare(decl.size(), open_end, page, 0, open_end), 0) << "the opening tag differs";
    const std::size_t head_end = doc.find("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    ASSERT_NE(head_end, std::string::npos) << "no white background";
    const std::string head = doc.substr(decl.size() + open_end, head_end - decl.size() - open_end);
    const std::string body =
        doc.substr(head_end + std::string("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>").size());
    EXPECT_EQ(body, page.substr(open_end) + "\n");
    EXPECT_EQ(head.rfind("<title>utsim: " + c.name + "</title><style>", 0), 0u) << head;
    EXPECT_NE(head.find(tools::report_assets::kSvgCss), std::string::npos) << "the style is not the report's";
    // Every class of a shape or text the drawing uses has a rule in that
    // style (a group's class, "lane" or "lock-lane", only names it).
    const std::regex class_re(R"re(<(?:rect|path|text|circle|line|polygon) class="([a-z-]+)( [a-z-]+)?")re");
    std::set<std::string> classes;
    for (auto it = std::sregex_iterator(page.begin(), page.end(), class_re); it != std::sregex_iterator(); ++it)
      if ((*it)[1] != "timeline") classes.insert((*it)[1].str());
    EXPECT_TRUE(classes.count("span") && classes.count("lane-name")) << "the pattern finds no shape";
    for (const std::string& cls : classes)
      EXPECT_NE(std::string(tools::report_assets::kSvgCss).find("." + cls), std::string::npos) << cls;
  }
}

// The report of R7's counterexample names the race window in words, with the
// violation inside it, before the timeline.
TEST(PicturesSvg, ReportSaysTheRaceWindowOfR7) {
  const std::string file = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r7-reap-vs-death-bug.json";
  model::LoadResult r = model::load_scenario_file(file);
  ASSERT_TRUE(r.ok());
  const model::Scenario& s = *r.scenario;
  tools::ReportExploration x = tools::explore_for_report(s, 300, 20000, kShrink);
  ASSERT_TRUE(x.counterexample);
  const auto run = tools::traced_run(s, std::nullopt, std::nullopt, 20000);
  const std::string html = tools::report_html(s, file, *run, &x);
  const auto cx = html.find("Counterexample: reap-before-death");
  ASSERT_NE(cx, std::string::npos);
  const auto box = html.find("<div class=\"races\">", cx);
  ASSERT_NE(box, std::string::npos);
  const std::string text = html.substr(box, html.find("</div>", box) - box);
  EXPECT_NE(text.find("a preemption"), std::string::npos) << text;
  const auto inside = text.find("Violated inside this window:");
  ASSERT_NE(inside, std::string::npos) << text;
  EXPECT_NE(text.substr(inside, text.find("In between", inside) - inside).find("<strong>reap-before-death</strong>"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("utrace_maybe_reap"), std::string::npos) << text;
  EXPECT_NE(html.find("class=\"conflict\"", box), std::string::npos);
}

}  // namespace
