// tools/teach/serve_state.cpp: a run of a scenario up to the next choice
// point after a schedule prefix, or to its end, as the JSON of `utsim serve`
// (serve_state.h, docs/serve.md).  The choice points are described as
// `utsim step` lists them (choice.h), the narrative is `utsim explain`'s
// (explain.h) and the timeline `utsim report`'s (report_svg.h): the page
// shows the same words and pictures as the other teaching tools.
#include "tools/teach/serve_state.h"

#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "explore/check.h"
#include "model/checks/guarantees.h"
#include "model/linux/task.h"
#include "sim/schedule.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"
#include "tools/teach/choice.h"
#include "tools/teach/explain.h"
#include "tools/teach/report_svg.h"

namespace tools {

namespace {

using nlohmann::json;

json choice_json(const ChoicePoint& cp) {
  json options = json::array();
  for (const ChoiceOption& o : cp.options)
    options.push_back({{"thread", o.letter},
                       {"task", o.task},
                       {"function", o.function},
                       {"access", o.verb},
                       {"object", o.object},
                       {"default", o.is_default}});
  return {{"index", cp.index}, {"step", cp.step}, {"default", thread_letter(cp.def)}, {"options", options}};
}

// Every task the run created, with its state now.
json tasks_json(const model::Kernel& k) {
  json tasks = json::array();
  for (const auto& t : k.tasks)
    tasks.push_back({{"pid", t->pid},
                     {"name", k.comm(t->pid)},
                     {"state", model::task_state_string(t->state.get(), t->exit_state.get())},
                     {"kthread", t->kthread},
                     {"thread", t->tid == sim::kNoTid ? json(nullptr) : json(thread_letter(t->tid))}});
  return tasks;
}

json violations_json(const model::Scenario& s, const std::vector<model::Violation>& vs) {
  const model::PropertySet tolerated = model::tolerated_properties(s);
  json out = json::array();
  for (const model::Violation& v : vs) {
    json gs = json::array();
    for (const model::Guarantee& g : model::guarantees_of(v.property))
      gs.push_back({{"id", g.id}, {"section", g.section}, {"quote", g.quote}});
    out.push_back({{"property", model::property_name(v.property)},
                   {"step", v.step},
                   {"message", v.message},
                   {"promise", model::property_promise(v.property)},
                   {"expected", tolerated.test(static_cast<std::size_t>(v.property))},
                   {"guarantees", gs}});
  }
  return out;
}

json narrative_json(const model::Simulator& run, const StepLog& log, const StepWindow& w) {
  json steps = json::array();
  for (const NarrativeStep& st : narrate(run, log, &w)) {
    json lines = json::array();
    for (const NarrativeLine& l : st.lines)
      lines.push_back({{"what", l.what}, {"why", l.why}, {"kind", l.kind}, {"rule", l.rule}});
    steps.push_back({{"first", st.first},
                     {"last", st.last},
                     {"task", st.task},
                     {"functions", st.functions},
                     {"access", st.access},
                     {"chosen", st.chosen},
                     {"lines", lines}});
  }
  return steps;
}

// The swimlane timeline so far; of a long run its first and last steps (as
// `utsim report` draws it), two pictures.
json timeline_json(const model::Simulator& run, const StepLog& log, const StepWindow& w) {
  const Timeline t = build_timeline(run, log);
  json lanes = json::array();
  for (const Lane& l : t.lanes) lanes.push_back({{"pid", l.pid}, {"name", l.name}, {"kthread", l.kthread}});
  json svgs = json::array();
  if (!w.elided()) {
    svgs.push_back(timeline_svg(t, "timeline-svg"));
  } else {
    svgs.push_back(timeline_svg(clip_timeline(t, 0, static_cast<double>(w.head_last) + 1), "timeline-svg"));
    svgs.push_back(timeline_svg(
        clip_timeline(t, static_cast<double>(w.tail_first), std::max(t.end, w.tail_first + 1.0)), "timeline-tail"));
  }
  return {{"lanes", lanes}, {"svg", svgs}};
}

// How the run ended, judged as `utsim explain` judges it.
json end_json(const model::Scenario& s, const model::Simulator& run, const model::RunOutput& out) {
  const auto& r = out.engine;
  std::vector<std::string> never;
  for (const sim::BlockedThread& b : r.blocked)
    never.push_back(fmt::format("{} ({})", thread_task_name(run.kernel(), b.tid), b.reason));
  json end = {{"how", sim::run_end_name(r.end)}, {"steps", r.steps}, {"never_ran_again", never}};
  const model::PropertySet tolerated = model::tolerated_properties(s);
  std::size_t unexpected = 0;
  for (const model::Violation& v : out.violations) unexpected += !tolerated.test(static_cast<std::size_t>(v.property));
  bool outcome_ok = true;
  end["outcome"] = model::outcome_signature(run);
  if (s.expect.has_outcomes) {
    outcome_ok = false;
    for (const model::Outcome& oc : s.expect.outcomes) outcome_ok = outcome_ok || run.matches(oc);
  }
  end["outcome_expected"] = outcome_ok;
  end["verdict"] = unexpected || !outcome_ok ? "fail" : "as expected";
  if (s.file_model) end["caveat"] = expect_caveat(s);
  return end;
}

// Everything the page shows, at a choice point (`cp`) or at the end (`out`).
json state_json(const ServeScenario& s, const model::Simulator& run, const StepLog& log,
                const std::vector<sim::Tid>& choices, const ChoicePoint* cp, const model::RunOutput* out) {
  const model::Scenario& scn = *s.scn;
  const std::string schedule = sim::encode_schedule(choices);
  json letters = json::array();
  for (const sim::Tid t : choices) letters.push_back(thread_letter(t));
  const StepWindow w = step_window(narrated_steps(run, log), false);
  json j = {{"api", "utsim-serve/1"},
            {"scenario",
             {{"path", s.path},
              {"file", s.file},
              {"name", scn.name},
              {"summary", scn.summary},
              {"explain", scn.explain},
              {"kernel", kernel_text(scn)}}},
            {"schedule", schedule},
            {"choices", letters},
            {"steps", cp ? cp->step : out->engine.steps},
            {"status", cp ? "choice" : "ended"},
            {"choice_point", cp ? choice_json(*cp) : json(nullptr)},
            {"end", out ? end_json(scn, run, *out) : json(nullptr)},
            {"tasks", tasks_json(run.kernel())},
            {"violations", violations_json(scn, out ? out->violations : run.kernel().violations())},
            {"replay", replay_command(s.file, schedule, model_flags(scn))},
            {"narrative", narrative_json(run, log, w)},
            {"narrative_hidden", w.hidden()},
            {"timeline", timeline_json(run, log, w)}};
  return j;
}

// Why a replayed choice could not be followed (as `utsim replay` says it).
std::string divergence(const model::Simulator& run, std::size_t at, sim::Tid tid) {
  const sim::Engine& eng = run.kernel().eng;
  if (tid >= eng.thread_count())
    return fmt::format("at choice point {}, the schedule names thread '{}', which did not exist at that point", at,
                       thread_letter(tid));
  const char* why = eng.finished(tid) ? "it had finished" : eng.blocked(tid) ? "it was blocked" : "it could not run";
  return fmt::format("at choice point {}, the schedule names thread '{}' ({}), which was not enabled there ({})", at,
                     thread_letter(tid), thread_task_name(run.kernel(), tid), why);
}

}  // namespace

json run_state(const ServeScenario& s, const std::vector<sim::Tid>& choices, RunTo to, std::string* misfit) {
  model::RunConfig cfg = model::explore_options_for(*s.scn, {}).run;
  cfg.trace = true;
  model::Simulator run(*s.scn, cfg);
  StepLog log;
  std::vector<sim::Tid> made = choices;  // with RunTo::kEnd, the default choices are appended
  std::optional<json> paused;
  PrefixScheduler prefix(made, [&](const sim::ChoiceContext& ctx) -> sim::Tid {
    if (to == RunTo::kEnd) return made.emplace_back(sim::default_choice(ctx));
    // Taken here, inside the run: what the page shows is the state at this
    // choice point, before anything ends the run.
    const ChoicePoint cp = describe_choice_point(run, ctx);
    paused = state_json(s, run, log, made, &cp, nullptr);
    return sim::kNoTid;  // ends the run (diverged): the next request replays it with one more choice
  });
  RecordingScheduler rec(prefix, run, log);
  const model::RunOutput out = run.run(rec);
  if (paused) return std::move(*paused);
  if (out.engine.end == sim::RunEnd::Diverged) {
    *misfit = divergence(run, out.engine.choices.size(), out.engine.diverged_tid);
    return nullptr;
  }
  if (out.engine.choices.size() < choices.size()) {
    *misfit = fmt::format("the run ended after {} choice points, and the schedule makes {} choices",
                          out.engine.choices.size(), choices.size());
    return nullptr;
  }
  return state_json(s, run, log, made, nullptr, &out);
}

}  // namespace tools
