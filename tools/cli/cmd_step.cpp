// tools/cli/cmd_step.cpp: utsim step FILE: the user is the scheduler
// (tools/teach/step.h), with the keys typed on stdin.
#include <iostream>

#include "scenario/load/loader.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/teach/step.h"

namespace tools {

int cmd_step(const StepArgs& a, Io io) {
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, io, loaded); code != kExitOk) return code;
  step_through(*loaded.scenario, StepSetup{a.file, a.schedule, a.max_steps}, a.in ? *a.in : std::cin, io.out);
  return kExitOk;
}

}  // namespace tools
