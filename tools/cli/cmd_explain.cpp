// tools/cli/cmd_explain.cpp: utsim explain FILE: one run, narrated step by
// step (tools/teach/explain_text.h); colour on a terminal.
#include <unistd.h>

#include <iostream>

#include "scenario/load/loader.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/export/export.h"
#include "tools/teach/explain_text.h"

namespace tools {

int cmd_explain(const ExplainArgs& a, Io io) {
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, a.model, io, loaded); code != kExitOk) return code;
  const model::Scenario& s = *loaded.scenario;
  const bool colour = a.color == "always" || (a.color == "auto" && &io.out == &std::cout && isatty(STDOUT_FILENO) == 1);
  const auto run = traced_run(s, a.schedule, a.seed, a.max_steps);
  if (a.schedule)
    if (const int code = refuse_diverged("explain", *a.schedule, run->run(), run->out, io); code != kExitOk)
      return code;
  switch (print_explanation(io.out, s, a.file, *run, colour, a.full)) {
    case ExplainVerdict::AsExpected: return kExitOk;
    case ExplainVerdict::Diverged: return kExitDiverged;
    case ExplainVerdict::Failed: break;
  }
  return kExitFailed;
}

}  // namespace tools
