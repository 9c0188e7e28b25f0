// tools/cli/cmd_step.cpp: utsim step FILE: the user is the scheduler
// (tools/teach/step.h), with the keys typed on stdin.
#include <unistd.h>

#include <iostream>

#include "scenario/load/loader.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/export/export.h"
#include "tools/teach/step.h"

namespace tools {

int cmd_step(const StepArgs& a, Io io) {
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, a.model, io, loaded); code != kExitOk) return code;
  // The choices to replay first must fit, as a replay's must: tried once
  // before the session (the rest of that run takes the default schedule).
  if (a.schedule) {
    const auto tried = traced_run(*loaded.scenario, a.schedule, std::nullopt, a.max_steps);
    if (const int code = refuse_diverged("step", *a.schedule, tried->run(), tried->out, io); code != kExitOk)
      return code;
  }
  // Keys from a pipe or a file are echoed after the prompt, as a terminal
  // echoes what is typed: the transcript reads the same.
  const bool echo = a.in || isatty(STDIN_FILENO) != 1;
  step_through(*loaded.scenario, StepSetup{a.file, a.schedule, a.max_steps, echo}, a.in ? *a.in : std::cin, io.out);
  return kExitOk;
}

}  // namespace tools
