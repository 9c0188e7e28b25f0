// tools/cli/cmd_shrink.cpp: utsim shrink SCENARIO --schedule S: the minimal
// counterexample, fewest preemptions then fewest steps, that still breaks the
// same property (explore/shrink.h: RapidCheck's shrink tree over choice vectors,
// then a pass that removes each remaining preemption).  Prints the schedule, the
// replay command, preemptions and steps before and after, and the narrated run
// (utsim explain's narration, called, not copied).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "explore/shrink.h"
#include "scenario/load/loader.h"
#include "sim/schedule.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

nlohmann::json point_json(const std::string& file, const std::string& flags, const model::ShrinkPoint& p) {
  return {{"schedule", p.schedule}, {"preemptions", p.preemptions},
          {"steps", p.steps},       {"step", p.step},
          {"message", p.message},   {"replay", replay_command(file, p.schedule, flags)}};
}

}  // namespace

int cmd_shrink(const ShrinkArgs& a, Io io) {
  sim::ScheduleError se;
  const auto schedule = sim::decode_schedule(a.schedule, &se);
  if (!schedule) {
    io.err << fmt::format("utsim shrink: --schedule: malformed schedule at offset {}: {}\n", se.offset, se.message);
    return kExitUsage;
  }
  model::ShrinkOptions o;
  if (a.property) {
    o.property = model::property_from_name(*a.property);
    if (!o.property) {
      io.err << "utsim shrink: --property: unknown property '" << *a.property << "' (see utsim list --properties)\n";
      return kExitUsage;
    }
  }
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, a.model, io, loaded); code != kExitOk) return code;
  const model::Scenario& s = *loaded.scenario;
  if (a.max_steps)
    o.run.max_steps = *a.max_steps;
  else if (s.explore.max_steps)
    o.run.max_steps = *s.explore.max_steps;
  o.max_tries = a.max_tries;
  // A schedule that does not fit is refused as replay refuses it, with why.
  const auto tried = traced_run(s, a.schedule, std::nullopt, o.run.max_steps);
  if (const int code = refuse_diverged("shrink", a.schedule, tried->run(), tried->out, io); code != kExitOk)
    return code;

  const model::ShrinkResult r = model::shrink_schedule(s, *schedule, o);
  if (!r.ok) {
    if (r.failure == model::ShrinkResult::Failure::NothingBroken) {
      // Nothing to shrink: an impossible request, as a bad flag is (exit 2),
      // not a failure of the scenario (exit 1 would read as a broken property).
      io.err << "utsim shrink: nothing to shrink: " << r.error
             << "; give the schedule of a counterexample (utsim check and utsim explore print one with each "
                "violation)\n";
      return kExitUsage;
    }
    io.err << "utsim shrink: " << r.error << '\n';
    return r.failure == model::ShrinkResult::Failure::Diverged ? kExitDiverged : kExitInternal;
  }
  if (a.json) {
    nlohmann::json j = {{"scenario", s.name},
                        {"file", a.file},
                        {"property", model::property_name(r.property)},
                        {"kernel", kernel_text(s)},
                        {"model_flags", model_flags(s)},
                        {"file_kernel", file_kernel_text(s)},
                        {"before", point_json(a.file, model_flags(s), r.before)},
                        {"after", point_json(a.file, model_flags(s), r.after)},
                        {"tries", r.tries},
                        {"accepted", r.accepted},
                        {"final_removed", r.final_removed},
                        {"exhausted", r.exhausted},
                        {"searched", r.searched},
                        {"minimal", r.minimal}};
    io.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return kExitOk;
  }
  std::ostream& os = io.out;
  os << fmt::format("{}: shrunk a counterexample of {}\n", s.name, model::property_name(r.property));
  os << fmt::format("  before: schedule '{}' ({} preemption{}, {} steps)\n", r.before.schedule, r.before.preemptions,
                    r.before.preemptions == 1 ? "" : "s", r.before.steps);
  os << fmt::format("  after:  schedule '{}' ({} preemption{}, {} steps)\n", r.after.schedule, r.after.preemptions,
                    r.after.preemptions == 1 ? "" : "s", r.after.steps);
  os << fmt::format("  preemptions {} -> {}, steps {} -> {}\n", r.before.preemptions, r.after.preemptions,
                    r.before.steps, r.after.steps);
  os << fmt::format(
      "  {} runs: {} shrinks accepted from RapidCheck's shrink tree, {} choices reset by the final "
      "pass{}\n",
      r.tries, r.accepted, r.final_removed, r.exhausted ? " (stopped by --max-tries)" : "");
  if (r.searched)
    os << fmt::format("  the bounded search found {} counterexample{} with fewer preemptions than the moves reached\n",
                      r.searched, r.searched == 1 ? "" : "s");
  os << (r.minimal ? "  minimal: no schedule with fewer preemptions breaks it (searched to the end)\n"
                   : "  minimal: not proven (the search for fewer preemptions ran out of --max-tries)\n");
  os << fmt::format("  violated at step {}: {}\n", r.after.step, printable(r.after.message));
  if (s.file_model)
    os << fmt::format("  model: {} ({}; the file names {})\n", kernel_text(s), model_flags(s), file_kernel_text(s));
  os << "  replay: " << replay_command(a.file, r.after.schedule, model_flags(s)) << "\n\n";

  // The narrated run of the shrunk schedule.
  ExplainArgs ex;
  ex.file = a.file;
  ex.model = a.model;
  ex.schedule = r.after.schedule;
  ex.color = "never";
  ex.max_steps = o.run.max_steps;
  const int code = cmd_explain(ex, io);
  // explain's verdict judges the run against the scenario; the shrink itself worked.
  return code == kExitInternal ? code : kExitOk;
}

}  // namespace tools
