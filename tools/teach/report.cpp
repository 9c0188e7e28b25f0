// tools/teach/report.cpp: utsim report: one self-contained HTML page about a
// scenario — its text and JSON, an SVG swimlane timeline of a run, the state
// diagram of every task, the narrative of `utsim explain`, and with --explore N
// the outcomes and violations of an exploration (model::check_scenario) with a
// counterexample and its own timeline.  No network: CSS and JS are embedded
// (report_assets.h), the pictures are SVG laid out by report_svg.cpp.
#include "tools/teach/report.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "model/checks/guarantees.h"
#include "tools/export/explore_json.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"
#include "tools/teach/explain.h"
#include "tools/teach/report_assets.h"
#include "tools/teach/report_svg.h"

namespace tools {

namespace {

// Inline Markdown of the explain texts: **bold**, *emphasis*, `code`.
std::string md_inline(const std::string& text) {
  const std::string s = xml_escape(text);
  std::string o;
  bool b = false, i = false, c = false;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (s[k] == '`') {
      o += c ? "</code>" : "<code>";
      c = !c;
    } else if (!c && s[k] == '*' && k + 1 < s.size() && s[k + 1] == '*') {
      o += b ? "</strong>" : "<strong>";
      b = !b;
      ++k;
    } else if (!c && s[k] == '*') {
      o += i ? "</em>" : "<em>";
      i = !i;
    } else {
      o += s[k];
    }
  }
  if (c) o += "</code>";
  if (i) o += "</em>";
  if (b) o += "</strong>";
  return o;
}

// Paragraphs and "- " lists.
std::string md_block(const std::string& md) {
  std::string o, para;
  bool in_list = false;
  auto flush = [&] {
    if (para.empty()) return;
    if (in_list)
      o += "<li>" + md_inline(para) + "</li>";
    else
      o += "<p>" + md_inline(para) + "</p>";
    para.clear();
  };
  std::istringstream in(md);
  std::string line;
  while (std::getline(in, line)) {
    const bool blank = line.find_first_not_of(" \t") == std::string::npos;
    const bool item = line.rfind("- ", 0) == 0 || line.rfind("* ", 0) == 0;
    if (blank) {
      flush();
      if (in_list) o += "</ul>";
      in_list = false;
      continue;
    }
    if (item) {
      flush();
      if (!in_list) o += "<ul>";
      in_list = true;
      para = line.substr(2);
      continue;
    }
    para += (para.empty() ? "" : " ") + line;
  }
  flush();
  if (in_list) o += "</ul>";
  return o;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

const std::string kLegend =
    std::string(report_assets::kLegendSwatches) +
    R"(<span>◆ utrace API call (yellow), ptrace request (orange)</span><span>▲ signal</span><span>● wait</span>)"
    R"(<span>■ fork/exit/notify</span><span>• utrace state: ENGINE_STOP, engine->ops (teal)</span><span>✖ violated property</span>)"
    R"(<span>arrows: wake/resume (red), signal sent → delivered (green), stop/death → wait (blue)</span>)"
    R"(<span><span class="sw" style="background:rgba(215,38,30,.18);border:1px dashed #d7261e"></span>race window: a task passed over by the schedule</span>)"
    R"(<span>① – – ① dashed red: two conflicting accesses, in the order the schedule put them</span>)"
    R"(<span>bottom lanes: the spinlocks, a bar per hold in its holder's colour</span></div>)";

// The summary of one run: how it ended, the violations and the guarantees they break.
std::string run_summary(const model::Scenario& s, const TracedRun& r, const std::string& file) {
  const auto& e = r.out.engine;
  std::string o = "<dl class=\"kv\">";
  auto kv = [&](const std::string& k, const std::string& v) { o += "<dt>" + k + "</dt><dd>" + v + "</dd>"; };
  kv("scheduled by", xml_escape(r.scheduled_by));
  kv("schedule", "<code>'" + xml_escape(r.schedule) + "'</code>");
  kv("steps",
     fmt::format("{} step{}, {} choice point{}, {} preemption{}", e.steps, e.steps == 1 ? "" : "s", e.choices.size(),
                 e.choices.size() == 1 ? "" : "s", e.preemptions, e.preemptions == 1 ? "" : "s"));
  std::string end = sim::run_end_name(e.end);
  for (const sim::BlockedThread& b : e.blocked)
    end += fmt::format("; {} never ran again ({})", thread_task_name(r.kernel(), b.tid), b.reason);
  kv("ended", xml_escape(end));
  if (e.end != sim::RunEnd::Diverged)
    kv("outcome", "<code>" + xml_escape(outcome_text(model::outcome_signature(*r.simu))) + "</code>");
  const model::PropertySet tolerated = model::tolerated_properties(s);
  std::size_t unexpected = 0;
  for (const model::Violation& v : r.out.violations)
    unexpected += !tolerated.test(static_cast<std::size_t>(v.property));
  kv("verdict",
     unexpected ? "<span class=\"verdict-bad\">FAIL: " + std::to_string(unexpected) + " unexpected violation(s)</span>"
                : "<span class=\"verdict-ok\">as expected</span>");
  if (s.file_model) kv("note", xml_escape(expect_caveat(s)));
  kv("replay", "<code>" + xml_escape(replay_command(file, r.schedule, model_flags(s))) + "</code>");
  o += "</dl>";
  for (const model::Violation& v : r.out.violations) {
    const bool ok = tolerated.test(static_cast<std::size_t>(v.property));
    o += fmt::format("<div class=\"violation\"><strong>violated {}</strong> at step {}: {} <em>[{}]</em><br>{}",
                     xml_escape(model::property_name(v.property)), v.step, xml_escape(v.message),
                     ok ? "expected by the scenario" : "UNEXPECTED", xml_escape(model::property_promise(v.property)));
    for (const model::Guarantee& g : model::guarantees_of(v.property))
      o += fmt::format("<blockquote><strong>{}</strong> ({}): “{}”</blockquote>", xml_escape(g.id),
                       xml_escape(g.section), xml_escape(g.quote));
    o += "</div>";
  }
  return o;
}

// What a long run's page leaves out (explain.h kShownSteps), said where it is left out.
std::string elided_note(const StepWindow& w, const char* what) {
  return fmt::format(
      "<p class=\"elided\"><strong>… steps {} to {} are not {}</strong> ({} of the run's {} steps; the first and "
      "last {} are). <code>utsim report --full</code> shows every step.</p>",
      w.head_last + 1, w.tail_first - 1, what, w.hidden(), w.steps, kShownSteps / 2);
}

// The race windows worth showing: those that open before the first
// violation (what comes later cannot have caused it), the last kShownRaces
// of them; every window of a run that broke nothing.
constexpr std::size_t kShownRaces = 6;
std::vector<RaceWindow> shown_races(const Timeline& t, const TracedRun& r) {
  std::uint64_t first = 0;
  for (const model::Violation& v : r.out.violations)
    if (!first || v.step < first) first = v.step;
  std::vector<RaceWindow> out;
  for (const RaceWindow& w : t.races)
    if (!first || w.from <= first) out.push_back(w);
  if (out.size() > kShownRaces) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(kShownRaces));
  return out;
}

// The race windows in words, numbered as the timeline numbers the pairs.
std::string races_html(const std::vector<RaceWindow>& races, const TracedRun& r) {
  if (races.empty()) return "";
  std::string o =
      "<div class=\"races\"><strong>Race window" + std::string(races.size() == 1 ? "" : "s") +
      "</strong>: where the schedule ran another task than the default one, and the accesses it put in an order "
      "the default would not have (the same object, one of them a write). On the timeline: the shaded band and "
      "the numbered dashed lines.<ul>";
  int pair_no = 0;
  for (const RaceWindow& w : races) {
    std::string inside;
    for (const model::Violation& v : r.out.violations)
      if (v.step >= w.from && (w.to == 0 || v.step < w.to))
        inside += fmt::format("{}<strong>{}</strong> (step {})", inside.empty() ? "" : ", ",
                              xml_escape(model::property_name(v.property)), v.step);
    o += fmt::format(
        "<li>At step {} the schedule ran <strong>{}</strong> while <strong>{}</strong> {}; {} ran again at step "
        "{}.{} In between:<ol>",
        w.from, xml_escape(w.chosen), xml_escape(w.passed),
        w.preemption ? "could have gone on (a preemption)" : "was next by default", xml_escape(w.passed), w.to,
        inside.empty() ? "" : " Violated inside this window: " + inside + ".");
    for (const auto& [a, b] : w.conflicts)
      o += fmt::format(R"(<li value="{}"><span class="acc">{}</span> ↔ <span class="acc">{}</span></li>)", ++pair_no,
                       xml_escape(a.text), xml_escape(b.text));
    o += "</ol></li>";
  }
  return o + "</ul></div>";
}

// The timeline of a run; of a long one, its first and last steps, two pictures.
std::string timeline_html(const TracedRun& r, const std::string& id, bool full) {
  Timeline t = build_timeline(r.run(), r.log);
  t.races = shown_races(t, r);
  const std::string races = races_html(t.races, r);
  const StepWindow w = step_window(narrated_steps(r.run(), r.log), full);
  if (!w.elided()) return races + "<div class=\"scroll\">" + timeline_svg(t, id) + "</div>";
  return races + "<div class=\"scroll\">" +
         timeline_svg(clip_timeline(t, 0, static_cast<double>(w.head_last) + 1), id) + "</div>" +
         elided_note(w, "drawn") + "<div class=\"scroll\">" +
         timeline_svg(clip_timeline(t, static_cast<double>(w.tail_first), std::max(t.end, w.tail_first + 1.0)),
                      id + "-tail") +
         "</div>";
}

std::string narrative_table(const TracedRun& r, const std::string& id, bool full) {
  std::string o = fmt::format(
      "<div class=\"scroll\"><table class=\"narrative\" id=\"{}\"><tr><th>step</th><th>task</th><th>kernel "
      "function: what the step touched</th><th>what changed, and why</th></tr>",
      id);
  const StepWindow w = step_window(narrated_steps(r.run(), r.log), full);
  bool gap_said = false;
  for (const NarrativeStep& st : narrate(r.run(), r.log, &w)) {
    if (w.elided() && !gap_said && st.first >= w.tail_first) {
      o += "<tr><td colspan=\"4\">" + elided_note(w, "narrated") + "</td></tr>";
      gap_said = true;
    }
    std::string fn;
    for (std::size_t i = 0; i < st.functions.size(); ++i) fn += (i ? " → " : "") + st.functions[i];
    if (!st.access.empty()) fn += ": " + st.access;
    const std::string steps = st.first == st.last ? std::to_string(st.first) : fmt::format("{}–{}", st.first, st.last);
    o += fmt::format(
        "<tr data-first=\"{}\" data-last=\"{}\"{}><td class=\"step\">{}{}</td><td "
        "class=\"task\">{}</td><td>{}</td><td>",
        st.first, st.last, st.lines.empty() ? " class=\"quiet\"" : "", steps, st.chosen ? " *" : "",
        xml_escape(st.task), xml_escape(fn));
    if (!st.lines.empty()) {
      o += "<ul>";
      for (const NarrativeLine& l : st.lines) {
        o += fmt::format("<li><span class=\"k-{}\">{}</span>", xml_escape(l.kind), xml_escape(l.what));
        if (!l.why.empty()) {
          // The kernel whose rule it is ("2010-rhel6 +R2"), as explain prints it.
          std::string why = xml_escape(l.rule.empty() ? l.why : "(" + l.rule + ") " + l.why);
          for (std::size_t p = why.find('\n'); p != std::string::npos; p = why.find('\n', p)) why.replace(p, 1, "<br>");
          o += "<div class=\"why\">" + why + "</div>";
        }
        o += "</li>";
      }
      o += "</ul>";
    }
    o += "</td></tr>";
  }
  return o + "</table></div>";
}

// "shrunk from 15 to 1 preemption, ..." (explore_json.h shrink_text).
std::string shrink_line(const model::FoundViolation& f, std::uint64_t budget) {
  const ReportExample shown{f.where.schedule, 0, f.where.index, f.where.preemptions, f.where.steps};
  return shrink_text(report_shrink(*f.shrink, 0), shown, budget);
}

std::string exploration_section(const model::Scenario& s, const ReportExploration& x, const std::string& file,
                                bool full) {
  const model::Verdict& v = x.verdict;
  std::string o = "<section id=\"exploration\"><h2>Exploration</h2>";
  // A budget stop passes as in utsim check ("pass (memory budget)"), but
  // says that the verdict covers only what was explored.
  o += fmt::format("<p>{} schedule{} explored ({}), {} steps in all. Verdict: {}{}</p>", v.schedules,
                   v.schedules == 1 ? "" : "s", xml_escape(model::strategy_name(v.strategy)), v.steps,
                   !v.passed()    ? "<span class=\"verdict-bad\">FAIL</span>"
                   : v.memory_out ? "<span class=\"verdict-ok\">pass</span> (memory budget: incomplete)"
                                  : "<span class=\"verdict-ok\">pass</span>",
                   s.file_model ? " (" + xml_escape(expect_caveat(s)) + ")" : std::string());
  if (v.memory_out)
    o += fmt::format(
        "<p class=\"verdict-bad\">The exploration stopped at the memory budget ({}<code>--max-memory</code>) {}: the "
        "verdict covers only the schedules explored. Raise <code>--max-memory</code>, or lower "
        "<code>--max-steps</code>.</p>",
        x.max_memory ? memory_text(x.max_memory) + ", " : std::string(),
        v.schedules ? fmt::format("after {} schedule{}", v.schedules, v.schedules == 1 ? "" : "s")
                    : std::string("before the first schedule ended"));
  if (v.error) o += "<p class=\"verdict-bad\">internal error: " + xml_escape(v.error_message) + "</p>";
  for (const std::string& p : v.problems) o += "<p class=\"verdict-bad\">" + xml_escape(p) + "</p>";
  o += "<h3>Outcomes (distinct end states)</h3><div class=\"scroll\"><table><tr><th>outcome</th><th>schedules</th>"
       "<th>example</th></tr>";
  for (const model::OutcomeClass& c : v.outcomes) {
    const ReportExample shown{c.example.schedule, 0, c.example.index, c.example.preemptions, c.example.steps};
    const bool shrunk = c.shrink && (!c.shrink->error.empty() || c.shrink->original.schedule != c.example.schedule);
    o += fmt::format(
        "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code>{}</td></tr>", xml_escape(outcome_text(c.signature)),
        c.count, xml_escape(replay_command(file, c.example.schedule, model_flags(s))),
        shrunk
            ? "<br><small>" +
                  xml_escape(shrink_text(report_shrink(*c.shrink, 0), shown, x.shrink_tries, "ends in this outcome")) +
                  "</small>"
            : "");
  }
  o += "</table></div><h3>Properties broken</h3>";
  if (v.violations.empty())
    o += v.schedules ? "<p>None: every property held on every schedule explored.</p>"
                     : "<p>None found: no schedule was explored to its end.</p>";
  else {
    const model::PropertySet tolerated = model::tolerated_properties(s);
    o += "<div class=\"scroll\"><table><tr><th>property</th><th>schedules</th><th>expected</th><th>first "
         "example</th></tr>";
    for (const model::FoundViolation& f : v.violations)
      o += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}<br><code>{}</code>{}</td></tr>",
                       xml_escape(model::property_name(f.property)), f.count,
                       tolerated.test(static_cast<std::size_t>(f.property)) ? "yes" : "<strong>no</strong>",
                       xml_escape(f.message), xml_escape(replay_command(file, f.where.schedule, model_flags(s))),
                       f.shrink ? "<br><small>" + xml_escape(shrink_line(f, x.shrink_tries)) + "</small>" : "");
    o += "</table></div>";
  }
  if (x.counterexample) {
    o += fmt::format("<h3>Counterexample: {}</h3>", xml_escape(x.cx_property));
    const model::FoundViolation* cx = nullptr;
    for (const model::FoundViolation& f : v.violations)
      if (model::property_name(f.property) == x.cx_property) cx = &f;
    if (cx && cx->shrink && cx->shrink->error.empty())
      o += "<p>The first schedule that broke it, " + xml_escape(shrink_line(*cx, x.shrink_tries)) +
           ", replayed with its own timeline:</p>";
    else
      o += "<p>The first schedule that broke it, replayed with its own timeline:</p>";
    o += run_summary(s, *x.counterexample, file);
    o += kLegend;
    o += timeline_html(*x.counterexample, "cx-timeline", full);
    o += "<details><summary>its narrative</summary>" + narrative_table(*x.counterexample, "cx-narrative", full) +
         "</details>";
  }
  return o + "</section>";
}

}  // namespace

ReportExploration explore_for_report(const model::Scenario& s, std::uint64_t schedules,
                                     const std::optional<std::uint64_t>& max_steps,
                                     const model::CounterexampleShrink& shrink, std::uint64_t max_memory) {
  model::ExploreOverrides ov;
  ov.max_schedules = schedules;
  if (max_steps) ov.max_steps = *max_steps;
  ReportExploration x;
  model::ExploreOptions opt = model::explore_options_for(s, {}, ov);
  opt.shrink = shrink;
  opt.max_memory = max_memory;
  x.max_memory = max_memory;
  x.shrink_tries = shrink.max_tries;
  x.verdict = model::check_scenario(s, opt);
  const model::PropertySet expected = s.expect.violations;
  const model::FoundViolation* pick = nullptr;
  for (const model::FoundViolation& f : x.verdict.violations)
    if (!pick || (expected.test(static_cast<std::size_t>(f.property)) &&
                  !expected.test(static_cast<std::size_t>(pick->property))))
      pick = &f;
  if (pick) {
    x.cx_schedule = pick->where.schedule;
    x.cx_property = model::property_name(pick->property);
    x.counterexample = traced_run(s, pick->where.schedule, std::nullopt, max_steps);
  }
  return x;
}

std::string report_html(const model::Scenario& s, const std::string& file, const TracedRun& run,
                        const ReportExploration* x, bool full) {
  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  html += "<title>utsim report: " + xml_escape(s.name) + "</title><style>";
  html += report_assets::kCss;
  html += report_assets::kSvgCss;
  html += "</style></head><body>\n";
  html += "<header><h1>" + xml_escape(s.name) + "</h1><div class=\"summary\">" + xml_escape(s.summary) + "</div>";
  html += fmt::format(
      "<div class=\"meta\">kernel <code>{}</code>{} · file <code>{}</code> · <span "
      "id=\"counts\"></span></div></header>\n",
      xml_escape(kernel_text(s)),
      s.file_model ? fmt::format(" (<code>{}</code>; the file names <code>{}</code>)", xml_escape(model_flags(s)),
                                 xml_escape(file_kernel_text(s)))
                   : std::string(),
      xml_escape(file));
  html +=
      "<nav><a href=\"#scenario\">Scenario</a><a href=\"#run\">The run</a><a href=\"#timeline\">Timeline</a>"
      "<a href=\"#states\">States</a><a href=\"#narrative-section\">Narrative</a>";
  if (x) html += "<a href=\"#exploration\">Exploration</a>";
  html += "</nav><div id=\"js-errors\"></div><main>\n";

  html += "<section id=\"scenario\"><h2>The scenario</h2>";
  if (!s.explain.empty()) html += "<div class=\"explain\">" + md_block(s.explain) + "</div>";
  if (!s.origin.empty()) html += "<p><em>Origin:</em> " + md_inline(s.origin) + "</p>";
  html += "<details><summary>its JSON (" + xml_escape(file) + ")</summary><pre>" + xml_escape(read_file(file)) +
          "</pre></details></section>\n";

  html += "<section id=\"run\"><h2>The run</h2>" + run_summary(s, run, file) + "</section>\n";
  html +=
      "<section id=\"timeline\"><h2>Timeline</h2><p>A lane per task; time flows right, one unit per "
      "simulated step. Hover for details; click a marker to see that step in the narrative.</p>";
  html += kLegend;
  html += timeline_html(run, "run-timeline", full) + "</section>\n";
  html +=
      "<section id=\"states\"><h2>Task states as visited</h2><p>Each task's state machine in this run: the "
      "states it went through, each transition labelled with the kernel function of the step that made it "
      "(hover an arrow for the steps). The same graph as <code>utsim run --trace dot</code>.</p>";
  html += "<div class=\"scroll\">" + state_diagram_svg(state_machines(run.run(), run.log)) + "</div></section>\n";
  html +=
      "<section id=\"narrative-section\"><h2>Narrative</h2><p>What <code>utsim explain</code> says, step by step "
      "(* marks a step a choice point gave to that task).</p>" +
      narrative_table(run, "narrative", full) + "</section>\n";
  if (x) html += exploration_section(s, *x, file, full) + "\n";
  html += "</main><footer>Generated by utsim " UTSIM_VERSION
          " — a deterministic simulator of the Linux utrace core and ptrace on utrace. This page is self-contained."
          "</footer>\n<script>";
  html += report_assets::kJs;
  html += "</script></body></html>\n";
  return html;
}

}  // namespace tools
