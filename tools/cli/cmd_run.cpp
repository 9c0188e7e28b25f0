// tools/cli/cmd_run.cpp: utsim run / utsim replay: one schedule, its trace
// and a short summary.
#include <unistd.h>

#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "explore/check.h"
#include "model/events.h"
#include "model/linux/kernel.h"
#include "model/linux/task.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/schedule.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/interrupt.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"
#include "tools/teach/rasterize.h"

namespace tools {

namespace {

struct ViolationRow {
  const model::Violation* v;
  bool tolerated;
};

// Everything the summary says, computed once, printed as text or JSON.
struct RunReport {
  std::string file, scenario, kernel, scheduled_by, schedule, end, outcome, replay;
  std::string model_flags, file_kernel, caveat;  // the model overridden (--kernel, --bug): scenario_text.h
  std::uint64_t steps = 0, choice_points = 0, preemptions = 0, time = 0;
  std::vector<ViolationRow> violations;
  std::size_t unexpected = 0;
  std::optional<bool> outcome_listed;  // with expect.outcomes: whether the run ended in one
  std::string diverged;                // why the schedule could not be followed
  std::optional<std::uint64_t> diverged_at;
  bool interrupted = false;
  int code = kExitOk;
};

// Why the replayed schedule was refused at its choice point.
std::string describe_divergence(const model::Simulator& simu, sim::Tid tid) {
  const sim::Engine& eng = simu.kernel().eng;
  const std::size_t n = eng.thread_count();
  if (tid >= n)
    return fmt::format(
        "the schedule names thread '{}', which did not exist at that point "
        "(there were {} threads, '{}' to '{}')",
        thread_letter(tid), n, thread_letter(0), thread_letter(static_cast<sim::Tid>(n ? n - 1 : 0)));
  std::string who = fmt::format("thread '{}'", thread_letter(tid));
  for (const auto& t : simu.kernel().tasks)
    if (t->tid == tid) who += fmt::format(" ({})", simu.kernel().comm(t->pid));
  const char* why = eng.finished(tid) ? "it had finished" : eng.blocked(tid) ? "it was blocked" : "it could not run";
  return fmt::format("the schedule names {}, which was not enabled there ({})", who, why);
}

RunReport make_report(const RunArgs& a, const model::Simulator& simu, const model::RunOutput& o,
                      const std::string& scheduled_by) {
  const model::Scenario& s = simu.scenario();
  RunReport r;
  r.file = a.file;
  r.scenario = s.name;
  r.kernel = kernel_text(s);
  r.model_flags = model_flags(s);
  r.file_kernel = file_kernel_text(s);
  r.caveat = expect_caveat(s);
  r.scheduled_by = scheduled_by;
  r.schedule = schedule_of(o.engine.choices, o.engine.significant);
  r.steps = o.engine.steps;
  r.choice_points = o.engine.choices.size();
  r.preemptions = o.engine.preemptions;
  r.time = o.engine.time;
  r.end = sim::run_end_name(o.engine.end);
  r.replay = replay_command(a.file, r.schedule, r.model_flags);
  r.interrupted = o.engine.end == sim::RunEnd::Interrupted;
  if (o.engine.end == sim::RunEnd::Diverged) {
    r.diverged_at = o.engine.choices.size();
    r.diverged = describe_divergence(simu, o.engine.diverged_tid);
  } else if (!r.interrupted) {
    r.outcome = model::outcome_signature(simu);
    if (s.expect.has_outcomes) {
      bool any = false;
      for (const model::Outcome& oc : s.expect.outcomes) any = any || simu.matches(oc);
      r.outcome_listed = any;
    }
  }
  const model::PropertySet tolerated = model::tolerated_properties(s);
  for (const model::Violation& v : o.violations) {
    const bool ok = tolerated.test(static_cast<std::size_t>(v.property));
    r.violations.push_back({&v, ok});
    r.unexpected += !ok;
  }
  if (r.interrupted)
    r.code = kExitInterrupted;
  else if (r.diverged_at)
    r.code = kExitDiverged;
  else if (r.unexpected || r.outcome_listed == false)
    r.code = kExitFailed;
  return r;
}

// Judged against the file's expect; under --kernel or --bug the verdict
// says that expect was written for another model.
std::string verdict_text(const RunReport& r) {
  if (r.interrupted) return "interrupted (SIGINT/SIGTERM) before the run ended";
  if (r.diverged_at) return "DIVERGED: the schedule does not fit this scenario";
  std::vector<std::string> why;
  if (r.unexpected) why.push_back(fmt::format("{} unexpected violation{}", r.unexpected, r.unexpected == 1 ? "" : "s"));
  if (r.outcome_listed == false) why.push_back("the run ended in none of expect.outcomes");
  const std::string caveat = r.caveat.empty() ? "" : " (" + r.caveat + ")";
  if (why.empty()) return "as expected" + caveat;
  return "FAIL: " + fmt::format("{}", fmt::join(why, "; ")) + caveat;
}

// Every value goes through printable(): names, labels and messages come
// from the scenario file, the file name from the command line.
void print_text(std::ostream& os, const RunReport& r) {
  auto line = [&](const char* key, const std::string& value) {
    os << fmt::format("{:<15}{}\n", std::string(key) + ":", printable(value));
  };
  line("scenario", fmt::format("{} ({})", r.scenario, r.file));
  line("kernel", r.model_flags.empty()
                     ? r.kernel
                     : fmt::format("{} ({}; the file names {})", r.kernel, r.model_flags, r.file_kernel));
  line("scheduled by", r.scheduled_by);
  line("schedule", "'" + r.schedule + "'");
  line("steps", std::to_string(r.steps));
  line("choice points", std::to_string(r.choice_points));
  line("preemptions", std::to_string(r.preemptions));
  line("virtual time", std::to_string(r.time));
  if (r.diverged_at)
    line("ended", fmt::format("diverged at choice point {}: {}", *r.diverged_at, r.diverged));
  else
    line("ended", r.end);
  if (!r.outcome.empty() || r.outcome_listed)
    os << fmt::format("{:<15}{}{}\n", "outcome:", r.outcome.empty() ? "-" : outcome_text(r.outcome),
                      r.outcome_listed == false ? "  (not in expect.outcomes)" : "");
  if (r.violations.empty()) {
    line("violations", "none");
  } else {
    line("violations", fmt::format("{} ({} unexpected)", r.violations.size(), r.unexpected));
    for (const ViolationRow& v : r.violations)
      os << fmt::format("  {} at step {}: {}  [{}]\n", model::property_name(v.v->property), v.v->step,
                        printable(v.v->message), v.tolerated ? "expected" : "UNEXPECTED");
  }
  line("verdict", verdict_text(r));
  // Every failure ends with the command that reproduces it.
  line("replay", r.replay);
}

nlohmann::json to_json(const RunReport& r) {
  nlohmann::json j;
  j["file"] = r.file;
  j["scenario"] = r.scenario;
  j["kernel"] = r.kernel;
  j["model_flags"] = r.model_flags;
  j["file_kernel"] = r.file_kernel;
  j["scheduled_by"] = r.scheduled_by;
  j["schedule"] = r.schedule;
  j["steps"] = r.steps;
  j["choice_points"] = r.choice_points;
  j["preemptions"] = r.preemptions;
  j["time"] = r.time;
  j["end"] = r.end;
  if (r.diverged_at) j["diverged"] = {{"choice_point", *r.diverged_at}, {"why", r.diverged}};
  j["outcome"] = r.outcome;
  j["outcome_listed"] = r.outcome_listed ? nlohmann::json(*r.outcome_listed) : nlohmann::json();
  j["violations"] = nlohmann::json::array();
  for (const ViolationRow& v : r.violations)
    j["violations"].push_back({{"property", model::property_name(v.v->property)},
                               {"step", v.v->step},
                               {"pid", v.v->pid},
                               {"message", v.v->message},
                               {"expected", v.tolerated}});
  j["unexpected"] = r.unexpected;
  j["interrupted"] = r.interrupted;
  j["verdict"] = verdict_text(r);
  j["exit_code"] = r.code;
  j["replay"] = r.replay;
  return j;
}

}  // namespace

int refuse_diverged(const char* command, const std::string& schedule, const model::Simulator& simu,
                    const model::RunOutput& out, Io io) {
  if (out.engine.end != sim::RunEnd::Diverged) return kExitOk;
  io.err << fmt::format("utsim {}: cli.E006: --schedule '{}' does not fit this scenario: at choice point {}, {}\n",
                        command, schedule, out.engine.choices.size(),
                        printable(describe_divergence(simu, out.engine.diverged_tid)));
  return kExitDiverged;
}

namespace {

// The PNG `--trace png` writes: the SVG picture rasterised by rsvg-convert.
// When that fails, says why (cli.E011) and gives nothing.
std::optional<std::string> trace_png(const RunArgs& a, const model::Simulator& simu, const StepLog& steps, Io io) {
  Rasterized r = rasterize_png(trace_svg(simu, steps));
  if (r.ok) return std::move(r.png);
  io.err << fmt::format("utsim {}: cli.E011: --trace png: {} (--trace svg writes the same picture without it)\n",
                        a.replay ? "replay" : "run", printable(r.error));
  return std::nullopt;
}

}  // namespace

int cmd_run(const RunArgs& a, Io io) {
  // PNG bytes on a terminal would garble it: refused before anything runs.
  if (a.trace == "png" && a.output.empty() && &io.out == &std::cout && isatty(STDOUT_FILENO) == 1) {
    io.err << fmt::format(
        "utsim {}: cli.E011: --trace png writes a picture: give -o FILE.png, or pipe it "
        "(stdout is a terminal)\n",
        a.replay ? "replay" : "run");
    return kExitUsage;
  }
  InterruptGuard guard;  // before loading: a FIFO that never opens is interrupted too
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, a.model, io, loaded, guard.flag()); code != kExitOk) return code;
  const model::Scenario& s = *loaded.scenario;

  // The scenario's explore block gives max_steps; the flags override it.
  model::RunConfig cfg = model::explore_options_for(s, {}).run;
  if (a.max_steps) cfg.max_steps = *a.max_steps;
  if (a.max_tasks) cfg.max_tasks = *a.max_tasks;
  cfg.trace = !a.trace.empty();

  const RunScheduler sched = scheduler_for(a.seed, a.schedule);

  model::Simulator simu(s, cfg);
  simu.set_stop_flag(guard.flag());
  model::RunOutput o;
  std::exception_ptr failure;
  StepLog steps;  // who ran each step, in which function: for the exporters
  RecordingScheduler recording(*sched.scheduler, simu, steps);
  try {
    o = simu.run(cfg.trace ? static_cast<sim::Scheduler&>(recording) : *sched.scheduler);
  } catch (...) {
    failure = std::current_exception();  // the trace so far is still worth writing
  }

  const bool trace_to_stdout = cfg.trace && a.output.empty();
  std::ostream& summary = trace_to_stdout ? io.err : io.out;
  if (cfg.trace) {
    const bool png = a.trace == "png";
    const std::optional<std::string> picture = png ? trace_png(a, simu, steps, io) : std::nullopt;
    const bool written = (!png || picture) && write_output(a.output, a.output_through, io, [&](std::ostream& f) {
                           if (png)
                             f.write(picture->data(), static_cast<std::streamsize>(picture->size()));
                           else
                             write_trace_as(f, a.trace, simu, steps);
                         });
    if (trace_to_stdout) io.out.flush();
    if (!written && !failure) return kExitOutput;
  }
  if (failure) std::rethrow_exception(failure);  // run_cli reports it (exit 70)

  const RunReport r = make_report(a, simu, o, sched.scheduled_by);
  if (a.schedule) refuse_diverged(a.replay ? "replay" : "run", *a.schedule, simu, o, io);  // and the summary
  if (a.json)
    summary << to_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  else
    print_text(summary, r);
  return r.code;
}

}  // namespace tools
