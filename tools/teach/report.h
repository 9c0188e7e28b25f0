// tools/teach/report.h: the HTML page of `utsim report`: a scenario, one run
// of it as a timeline, state diagrams and a narrative, and what an
// exploration found.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "explore/check.h"
#include "scenario/scenario.h"
#include "tools/export/export.h"

namespace tools {

// An exploration as the report shows it, with one counterexample replayed.
struct ReportExploration {
  model::Verdict verdict;
  std::unique_ptr<TracedRun> counterexample;  // none when nothing was violated
  std::string cx_schedule, cx_property;
  std::uint64_t shrink_tries = 0;  // the budget the counterexamples were shrunk with
  std::uint64_t max_memory = 0;    // the memory budget it ran with (0: none)
};

// Explores `schedules` schedules (as utsim check), shrinks each violation's
// example as `shrink` says, and replays the one of a violation the scenario
// expects, else of the first violation; within `max_memory` bytes
// (model::ExploreOptions::max_memory, 0: none).
ReportExploration explore_for_report(const model::Scenario& s, std::uint64_t schedules,
                                     const std::optional<std::uint64_t>& max_steps,
                                     const model::CounterexampleShrink& shrink = {}, std::uint64_t max_memory = 0);

// The self-contained page (CSS, JS and pictures inline) about `run` of the
// scenario in `file`, with the exploration `x` when there is one.  The
// timeline and narrative of a run longer than kShownSteps (explain.h) show
// its first and last kShownSteps / 2 steps and say what is left out, unless
// `full`: the page of a million-step run stays a few megabytes.
std::string report_html(const model::Scenario& s, const std::string& file, const TracedRun& run,
                        const ReportExploration* x, bool full = false);

}  // namespace tools
