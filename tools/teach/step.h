// tools/teach/step.h: `utsim step`, the user as the scheduler: at each choice
// point the runnable threads, what each would do next, and the user picks.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "scenario/scenario.h"

namespace tools {

struct StepSetup {
  std::string file;                     // the scenario's file, for replay commands
  std::optional<std::string> schedule;  // choices to replay before asking (a valid schedule)
  std::optional<std::uint64_t> max_steps;
  bool echo = false;  // print each command read after its prompt (keys from a pipe, not a terminal)
};

// Runs `scn` with the keys read from `in` as the choices, narrating on `out`,
// until the user quits or the input ends.
void step_through(const model::Scenario& scn, const StepSetup& setup, std::istream& in, std::ostream& out);

}  // namespace tools
