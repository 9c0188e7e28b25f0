// tools/cli/cmd_explore.cpp: utsim explore SCENARIO: explore one scenario's
// schedules with a strategy and report what was found (docs/exploration.md):
// the schedules run, the distinct outcomes and the violations, each with a
// replay command, whether the (bounded) space was exhausted, and an estimate of
// its size.
#include <chrono>
#include <string_view>

#include <fmt/format.h>

#include "explore/check.h"
#include "scenario/load/loader.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/interrupt.h"
#include "tools/cli/memory.h"
#include "tools/cli/progress.h"
#include "tools/export/explore_json.h"
#include "tools/export/format.h"

namespace tools {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

bool parse_shard(const std::string& text, std::uint32_t* index, std::uint32_t* count) {
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  auto number = [](std::string_view d, std::uint64_t* n) {
    if (d.empty() || d.size() > 7 || d.find_first_not_of("0123456789") != std::string_view::npos) return false;
    *n = 0;
    for (char c : d) *n = *n * 10 + static_cast<std::uint64_t>(c - '0');
    return true;
  };
  std::uint64_t i = 0, n = 0;
  const std::string_view t(text);
  if (!number(t.substr(0, slash), &i) || !number(t.substr(slash + 1), &n)) return false;
  if (n < 1 || n > 1'000'000 || i >= n) return false;
  if (index) *index = static_cast<std::uint32_t>(i);
  if (count) *count = static_cast<std::uint32_t>(n);
  return true;
}

model::CounterexampleShrink shrink_from_flags(const ShrinkFlags& f, model::CounterexampleShrink::When when,
                                              std::uint64_t default_tries) {
  model::CounterexampleShrink c;
  c.when = f.no_shrink ? model::CounterexampleShrink::When::Never : when;
  c.max_tries = f.tries.value_or(default_tries);
  c.time_limit = f.time_limit.value_or(0);
  return c;
}

int cmd_explore(const ExploreArgs& a, Io io) {
  InterruptGuard guard;  // before loading: a FIFO that never opens is interrupted too
  model::LoadResult loaded;
  if (const int code = load_for_command(a.file, a.model, io, loaded, guard.flag()); code != kExitOk) return code;
  const model::Scenario& s = *loaded.scenario;

  model::ExploreOverrides ov;
  if (a.strategy) ov.strategy = model::strategy_from_name(*a.strategy);  // checked by CLI11
  ov.max_schedules = a.max_schedules;
  ov.seed = a.seed;
  ov.depth = a.depth;
  ov.preemption_bound = a.unbounded ? std::optional(model::ExploreOptions::kUnbounded) : a.preemption_bound;
  ov.max_steps = a.max_steps;
  ov.max_tasks = a.max_tasks;
  model::ExploreOptions opt = model::explore_options_for(s, {}, ov);
  opt.shard = sim::Shard{a.shard_index, a.shard_count};
  opt.time_limit = a.time_limit.value_or(0);
  opt.dfs_probes = true;
  opt.shrink = shrink_from_flags(a.shrink, model::CounterexampleShrink::When::Always);
  opt.max_memory = memory_budget(a.max_memory.bytes);
  opt.stop_at_first = a.stop_at_first;

  opt.stop = guard.flag();
  const std::string strategy = model::strategy_name(opt.strategy);
  ExploreProgress progress(io.err, io.err_tty, s.name);
  opt.status = [&](const model::ExploreStatus& st) { progress.update(st, strategy); };

  const auto t0 = Clock::now();
  const model::Verdict v = model::check_scenario(s, opt);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  progress.clear();

  ExploreReport r = report_from_verdict(v, s, opt, a.file);
  r.seconds = secs;
  const int code = v.interrupted || guard.interrupted() ? kExitInterrupted : r.exit_code();
  // A report that could not be written is lost, whatever it found: exit 2,
  // never 1, which would say "a bug was found" of a result nobody saw.
  if (!write_output(a.output, a.output_through, io, [&](std::ostream& o) { write_report(o, r, code, a.json); }))
    return kExitOutput;
  if (io.err_tty)
    io.err << fmt::format("explored {} schedules in {:.2f} s ({:.0f} schedules/s)\n", r.schedules, secs,
                          secs > 0 ? static_cast<double>(r.schedules) / secs : 0.0);
  if (r.error) io.err << "utsim: " << printable(*r.error) << '\n';
  return code;
}

}  // namespace tools
