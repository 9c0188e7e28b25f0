// tools/cli/cmd_report.cpp: utsim report FILE: one run (and with --explore N
// an exploration) written as a self-contained HTML page (tools/teach/report.h).
#include <filesystem>
#include <optional>

#include "scenario/load/loader.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/memory.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/teach/report.h"

namespace tools {

int cmd_report(const ReportArgs& a, Io io) {
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, a.model, io, loaded); code != kExitOk) return code;
  const model::Scenario& s = *loaded.scenario;
  const auto run = traced_run(s, a.schedule, a.seed, a.max_steps);
  // A schedule that does not fit: no page (it would show a run that is not the one asked for).
  if (a.schedule)
    if (const int code = refuse_diverged("report", *a.schedule, run->run(), run->out, io); code != kExitOk) return code;
  std::optional<ReportExploration> x;
  if (a.explore)
    x = explore_for_report(s, *a.explore, a.max_steps,
                           shrink_from_flags(a.shrink, model::CounterexampleShrink::When::Always),
                           memory_budget(a.max_memory.bytes));
  const std::string html = report_html(s, a.file, *run, x ? &*x : nullptr, a.full);

  if (!write_output(a.output, a.output_through, io, [&](std::ostream& f) { f << html; })) return kExitOutput;
  std::error_code ec;
  const auto abs = std::filesystem::absolute(a.output, ec);
  io.out << "wrote " << printable(a.output) << " (" << html.size() / 1024 << " KiB): open it in a browser, e.g. file://"
         << printable(ec ? a.output : abs.string()) << '\n';
  return kExitOk;
}

}  // namespace tools
