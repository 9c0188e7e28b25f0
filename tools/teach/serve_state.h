// tools/teach/serve_state.h: where a scenario's run stands after a schedule
// prefix, as the JSON of `utsim serve` (docs/serve.md "The state"): the next
// choice point with what each runnable thread would do, the tasks' states,
// the narrative and the timeline so far, the violations, the replay command.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/scenario.h"
#include "sim/access.h"

namespace tools {

struct ServeScenario {
  const model::Scenario* scn = nullptr;
  std::string path;  // relative to the scenario folder: "races/r2-detach-before-stop-bug.json"
  std::string file;  // as a replay command names it: "scenarios/races/r2-detach-before-stop-bug.json"
};

// How far to run past `choices`.
enum class RunTo {
  kNextChoice,  // stop at the first choice point after them (or at the end)
  kEnd,         // take the default choice at every later one
};

// The state, or why the choices do not fit (`*misfit`, the state then null):
// a choice names a thread that cannot run there, or there are more choices
// than the run has choice points.
nlohmann::json run_state(const ServeScenario& s, const std::vector<sim::Tid>& choices, RunTo to, std::string* misfit);

}  // namespace tools
