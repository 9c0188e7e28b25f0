// tools/cli/cli.cpp: the command line.  CLI11 parses, the cmd_* functions do
// the work.  Every CLI11 error becomes exit code 2; --help and --version exit 0.
#include "tools/cli/cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "model/linux/kernel.h"
#include "sim/engine.h"
#include "sim/schedule.h"
#include "tools/cli/commands.h"
#include "tools/cli/input.h"
#include "tools/export/export.h"
#include "tools/export/fd_buf.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 as expected, 1 a property or expectation failed, 2 usage error or\n"
    "output lost (-o FILE, stdout or stderr could not be written: this wins over every\n"
    "other code), 3 invalid scenario, 4 replay diverged, 70 internal error (not\n"
    "implemented, model bug), 130 interrupted by SIGINT/SIGTERM (what was found so far\n"
    "is reported).";

// A schedule string must decode; a bad one is a usage error with its offset.
std::string check_schedule(const std::string& s) {
  sim::ScheduleError e;
  if (sim::decode_schedule(s, &e)) return {};
  return "malformed schedule at offset " + std::to_string(e.offset) + ": " + e.message;
}

// A usage error of ours, with its stable id (docs/errors.md "Command-line
// errors"): printed as "utsim COMMAND: cli.E00n: message", exit 2.
struct CliError {
  std::string id, message;
};

// Optimal string alignment distance: edits and swaps of two neighbours
// ("rnu" is one swap from "run").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string lower(std::string_view s) {
  std::string l(s);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l;
}

// "; did you mean 'run'?" for the closest candidate (case ignored) within
// two edits and fewer edits than the word has characters; "" if none.  The
// first of equally close candidates wins: callers list them in a fixed order.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string w = lower(word);
  const std::string* best = nullptr;
  std::size_t best_d = 3;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(w, lower(c));
    if (d < best_d && d < w.size()) best_d = d, best = &c;
  }
  return best ? "; did you mean '" + *best + "'?" : "";
}

std::string join_names(const std::vector<std::string>& names, const char* last = " or ") {
  std::string t;
  for (std::size_t i = 0; i < names.size(); ++i) t += (i == 0 ? "" : i + 1 == names.size() ? last : ", ") + names[i];
  return t;
}

std::vector<std::string> kernel_names() {
  return {model::kernel_version_name(model::KernelVersion::V2009Rfc),
          model::kernel_version_name(model::KernelVersion::V2010Rhel6),
          model::kernel_version_name(model::KernelVersion::V2011_3x)};
}

std::vector<std::string> switchable_bug_names() {
  std::vector<std::string> out;
  for (const model::BugInfo& b : model::bug_catalogue())
    if (b.switchable) out.push_back("R" + std::to_string(b.id));
  return out;
}

// --kernel and --bug name what the model has (scenario.E044 and E045 say
// the same of model.kernel and model.bugs in a file).
void check_model_args(const ModelArgs& m) {
  if (m.kernel && !model::kernel_version_from_name(*m.kernel))
    throw CliError{"cli.E004", "--kernel '" + printable(*m.kernel) + "': unknown kernel version (expected " +
                                   join_names(kernel_names()) + did_you_mean(*m.kernel, kernel_names()) + ")"};
  const std::vector<std::string> switchable = switchable_bug_names();
  for (const std::string& b : m.bugs) {
    const std::optional<int> r = model::bug_from_name(b);
    const model::BugInfo* info = r ? model::find_bug(*r) : nullptr;
    if (!r)
      throw CliError{"cli.E005", "--bug '" + printable(b) +
                                     "': unknown bug (expected a race of utrace-semantics.md section 7 that can be "
                                     "switched on: " +
                                     join_names(switchable) + did_you_mean(b, switchable) + ")"};
    if (info && !info->switchable)
      throw CliError{"cli.E005", "--bug '" + b + "': " + b + " cannot be switched on (" + info->status +
                                     "); the races that can: " + join_names(switchable, ", ") + " (utsim list --bugs)"};
  }
}

// The ranges the numeric options take (docs/hardening.md "Limits").  The
// upper bounds are those of a scenario's explore block (the loader's 10^15)
// and, for tasks, a memory bound: each task is a coroutine and its records.
constexpr std::uint64_t kMaxCount = 1'000'000'000'000'000;  // 10^15 steps or schedules
constexpr std::uint64_t kMaxTasksLimit = 4096;

// Digits only (CLI11 2.1 turns "-1" into 2^64-1 for an unsigned option, and
// takes "1e6" or "0x10"), within [lo, hi].
CLI::Validator unsigned_in(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& v) -> std::string {
        const std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
        if (v.empty() || v.size() > 20 || v.find_first_not_of("0123456789") != std::string::npos)
          return "expected " + range + ", got '" + v + "'";
        std::uint64_t n = 0;
        for (char c : v) {
          if (n > (UINT64_MAX - static_cast<std::uint64_t>(c - '0')) / 10)
            return "expected " + range + ", got '" + v + "' (too large)";
          n = n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (n < lo || n > hi) return "expected " + range + ", got " + v;
        return {};
      },
      "", "unsigned");
}

// Seconds: a plain decimal number ("30", "0.5", ".25"), within [lo, hi].
// strtod alone would take "nan" (no limit: every comparison is false), "inf",
// "-1", "1e400" and "0x10"; CLI11's Range lets NaN through.
CLI::Validator seconds_in(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& v) -> std::string {
        const std::string range = fmt::format("a number of seconds from {} to {} (digits and a decimal point)", lo, hi);
        const std::size_t dot = v.find('.');
        const bool digits_only = v.find_first_not_of("0123456789.") == std::string::npos &&
                                 (dot == std::string::npos || v.find('.', dot + 1) == std::string::npos) &&
                                 v.find_first_of("0123456789") != std::string::npos;
        if (v.empty() || v.size() > 40 || !digits_only) return "expected " + range + ", got '" + v + "'";
        const double d = std::strtod(v.c_str(), nullptr);
        if (!std::isfinite(d) || d < lo || d > hi) return "expected " + range + ", got " + v;
        return {};
      },
      "SECONDS", "seconds");
}

// A count of steps, schedules, states or tries: 1 to 10^15.
template <class T>
CLI::Option* add_count(CLI::App& c, const char* name, T& v, const char* what) {
  return c.add_option(name, v, what)->check(unsigned_in(1, kMaxCount));
}

// --time-limit SECONDS: 0.001 to 10^9.
CLI::Option* add_time_limit(CLI::App& c, std::optional<double>& v, const char* what) {
  return c.add_option("--time-limit", v, what)->check(seconds_in(0.001, 1e9));
}

CLI::Option* add_scenario(CLI::App& c, std::string& file, const char* name = "FILE") {
  return c.add_option(name, file, "the scenario (JSON, SCENARIOS.md)")->required();
}

CLI::Option* add_max_tasks(CLI::App& c, std::optional<std::uint32_t>& v) {
  return c.add_option("--max-tasks", v, "fork fails with -EAGAIN (RLIMIT_NPROC) once N tasks exist (default 64)")
      ->check(unsigned_in(1, kMaxTasksLimit));
}

CLI::Option* add_seed(CLI::App& c, std::optional<std::uint64_t>& v, const char* what) {
  return c.add_option("--seed", v, what)->check(unsigned_in(0, UINT64_MAX));
}

// --seed N or --schedule S, not both: one run, chosen at random or named.
void add_seed_or_schedule(CLI::App& c, std::optional<std::uint64_t>& seed, std::optional<std::string>& schedule,
                          const char* seed_what, const char* schedule_what) {
  CLI::Option* s = add_seed(c, seed, seed_what);
  c.add_option("--schedule", schedule, schedule_what)->excludes(s);
}

CLI::Option* add_strategy(CLI::App& c, std::optional<std::string>& v, const char* what) {
  return c.add_option("--strategy", v, what)->check(CLI::IsMember({"random", "pct", "portfolio", "dfs", "dpor"}));
}

// --no-shrink, or --shrink-tries N and --shrink-time-limit SECONDS (ShrinkFlags).
void add_shrink_flags(CLI::App& c, ShrinkFlags& f, const char* which, std::uint64_t default_tries) {
  CLI::Option* no = c.add_flag("--no-shrink", f.no_shrink,
                               std::string("show ") + which + " as found, not shrunk to the fewest preemptions");
  add_count(c, "--shrink-tries", f.tries,
            ("runs the shrinker may make per counterexample (default " + std::to_string(default_tries) +
             "; deterministic: the same output on any machine)")
                .c_str())
      ->excludes(no);
  c.add_option("--shrink-time-limit", f.time_limit,
               "also stop shrinking each counterexample after SECONDS of wall-clock time (the output says when "
               "it did)")
      ->check(seconds_in(0.001, 1e9))
      ->excludes(no);
}

// --preemption-bound N or --unbounded, not both.
void add_preemption_bound(CLI::App& c, std::optional<std::uint32_t>& bound, bool& unbounded, const char* bound_what,
                          const char* unbounded_what) {
  CLI::Option* b = c.add_option("--preemption-bound", bound, bound_what)->check(unsigned_in(0, 1'000'000));
  c.add_flag("--unbounded", unbounded, unbounded_what)->excludes(b);
}

// -o FILE and --output-through (write_output; docs/hardening.md "Output
// files").  The flag needs -o, but where FILE has a default (report).
CLI::Option* add_output(CLI::App& c, std::string& path, bool& through, const char* what, bool has_default = false) {
  CLI::Option* o = c.add_option("-o,--output", path, what);
  CLI::Option* t = c.add_flag("--output-through", through,
                              "write into an existing -o target that is not a regular file (a symbolic link, a "
                              "device such as /dev/stdout, a FIFO) in place, as the shell's > does, instead of "
                              "refusing it; not atomic");
  if (!has_default) t->needs(o);
  return o;
}

// --kernel, --bug, --no-bugs: the model to simulate instead of the file's.
void add_model_options(CLI::App& c, ModelArgs& m) {
  c.add_option("--kernel", m.kernel,
               "simulate this kernel version instead of the scenario's model.kernel (2009-rfc, 2010-rhel6, 2011-3x)");
  c.add_option("--bug", m.bugs,
               "switch this race of utrace-semantics.md section 7 on, besides the scenario's model.bugs "
               "(repeatable, or R2,R7; utsim list --bugs)")
      ->delimiter(',');
  c.add_flag("--no-bugs", m.no_bugs, "switch the scenario's model.bugs off (then --bug adds)");
}

// A subcommand's footer: what it wants said, then the exit codes.
std::string footer(const char* note) { return std::string(note) + kExitCodes; }

void add_run_options(CLI::App& c, RunArgs& a) {
  add_scenario(c, a.file);
  add_model_options(c, a.model);
  auto* trace =
      c.add_option("--trace", a.trace,
                   "write the trace: text (ftrace-like lines), json (JSON Lines), chrome "
                   "(Chrome trace JSON for Perfetto), mermaid (sequence diagram) or dot "
                   "(each task's states as visited); "
                   "to stdout (the summary then goes to stderr) or to -o FILE")
          ->check(CLI::IsMember(std::vector<std::string>(std::begin(kTraceFormats), std::end(kTraceFormats))));
  add_output(c, a.output, a.output_through, "write the trace to FILE (atomically) instead of stdout")->needs(trace);
  add_count(c, "--max-steps", a.max_steps, "end the run after N steps (a hang; default 1000000)");
  add_max_tasks(c, a.max_tasks);
  c.add_flag("--json", a.json, "print the summary as one JSON object");
}

// ---- the subcommands, in the order --help lists them ----------------------------------

CLI::App* add_validate(CLI::App& app, std::vector<std::string>& files) {
  auto* c = app.add_subcommand("validate",
                               "check scenario files (files, or folders searched for *.json) against SCENARIOS.md; "
                               "every error of every file, one per line");
  c->add_option("PATH", files, "scenario files or folders")->required();
  c->footer(kExitCodes);
  return c;
}

CLI::App* add_run(CLI::App& app, RunArgs& a) {
  auto* c = app.add_subcommand("run",
                               "run a scenario under one schedule and print what happened "
                               "(default: the non-preemptive schedule)");
  add_run_options(*c, a);
  add_seed_or_schedule(*c, a.seed, a.schedule, "choose at random, from seed N",
                       "follow schedule S (as printed by utsim)");
  c->footer(kExitCodes);
  return c;
}

CLI::App* add_replay(CLI::App& app, RunArgs& a) {
  auto* c = app.add_subcommand("replay", "replay a schedule string, e.g. from a failure message");
  add_run_options(*c, a);
  c->add_option("--schedule", a.schedule, "the schedule to follow")->required();
  c->footer(kExitCodes);
  a.replay = true;
  return c;
}

CLI::App* add_check(CLI::App& app, CheckArgs& a) {
  auto* c = app.add_subcommand("check",
                               "explore each scenario (files, or folders searched for *.json) and judge its "
                               "expect; print a table");
  c->add_option("PATH", a.paths, "scenario files or folders")->required();
  add_model_options(*c, a.model);
  add_strategy(*c, a.strategy, "how to explore (default: the scenario's explore block, else portfolio)");
  add_count(*c, "--max-schedules", a.max_schedules, "schedules per scenario (default 1000)");
  add_seed(*c, a.seed, "seed of the random and PCT schedulers");
  add_count(*c, "--max-steps", a.max_steps, "steps per schedule (longer: a hang; default 1000000)");
  add_max_tasks(*c, a.max_tasks);
  add_time_limit(*c, a.time_limit,
                 "stop exploring each scenario after SECONDS of wall-clock time; its verdict covers the "
                 "schedules run, marked \"stopped by --time-limit\"");
  c->add_flag("--json", a.json, "one JSON document with every verdict");
  c->add_flag("--stateful", a.stateful,
              "stateful DFS: prune abstract states seen before (unbounded unless the scenario sets a "
              "preemption bound); report cycles no schedule leaves as hang (when the space is complete) "
              "and each violation's shortest schedule")
      ->excludes("--strategy");
  add_shrink_flags(*c, a.shrink, "the counterexamples of a failing scenario (and, with --json, every one)",
                   kCheckShrinkTries);
  c->footer(
      footer("SIGINT or SIGTERM stops the exploration cleanly: what was found so far is "
             "reported, marked interrupted, and utsim exits with 130.\n"));
  return c;
}

CLI::App* add_list(CLI::App& app, ListArgs& a) {
  auto* c = app.add_subcommand("list", "list what scenarios can name (all sections by default)");
  c->add_flag("--bugs", a.bugs, "the races of utrace-semantics.md section 7 (model.bugs)");
  c->add_flag("--properties", a.properties, "the properties checked on every run");
  c->add_flag("--kernels", a.kernels, "the kernel versions (model.kernel)");
  c->add_flag("--strategies", a.strategies, "the exploration strategies");
  c->add_flag("--callbacks", a.callbacks, "the engine callbacks");
  return c;
}

// graph, shrink: stateful exploration and minimal counterexamples
CLI::App* add_graph(CLI::App& app, GraphArgs& a) {
  auto* c = app.add_subcommand("graph",
                               "explore the abstract states (stateful DFS) and write the state graph as DOT; report "
                               "the cycles no schedule leaves (hang) and the shortest path to each violation");
  add_scenario(*c, a.file, "SCENARIO");
  add_model_options(*c, a.model);
  add_output(*c, a.output, a.output_through, "write the DOT to FILE (atomically; the summary then goes to stdout)");
  add_count(*c, "--max-states", a.max_states, "stop after N states (default 100000)");
  add_count(*c, "--max-schedules", a.max_schedules, "stop after N schedules (default 1000000)");
  add_preemption_bound(*c, a.preemption_bound, a.unbounded, "at most N preemptions per schedule (default: unbounded)",
                       "no preemption bound (the default)");
  add_count(*c, "--max-steps", a.max_steps, "steps per schedule (default 1000000)");
  c->add_option("--focus", a.focus,
                "draw only the paths to where PROPERTY is first broken with the fewest preemptions (utsim list "
                "--properties)");
  c->add_option("--focus-slack", a.focus_slack,
                "with --focus, also the paths with up to N more preemptions than the fewest (default 0)")
      ->check(unsigned_in(0, 1000))
      ->needs("--focus");
  c->add_flag("--no-fold", a.no_fold, "draw every state: do not fold chains of states with one way in and out");
  c->footer(footer(
      "Hang cycles are certain only when the exploration is complete and unbounded. More than --max-states states:\n"
      "the DOT and summary cover the part explored, and the exit code is 2 (cli.E009).\n"));
  return c;
}

CLI::App* add_shrink(CLI::App& app, ShrinkArgs& a) {
  auto* c = app.add_subcommand("shrink",
                               "shrink a counterexample: the schedule with the fewest preemptions, then the fewest "
                               "steps, that still breaks the same property (RapidCheck shrink trees)");
  add_scenario(*c, a.file, "SCENARIO");
  add_model_options(*c, a.model);
  c->add_option("--schedule", a.schedule, "the schedule that breaks the property")->required();
  c->add_option("--property", a.property, "the property to keep broken (default: the first the schedule breaks)");
  add_count(*c, "--max-tries", a.max_tries, "runs the shrinker may make (default 20000)");
  add_count(*c, "--max-steps", a.max_steps, "steps per run (default 1000000)");
  c->add_flag("--json", a.json, "print the result as one JSON object (no narration)");
  c->footer(kExitCodes);
  return c;
}

// explain, step, report: the teaching commands
CLI::App* add_explain(CLI::App& app, ExplainArgs& a) {
  auto* c = app.add_subcommand("explain",
                               "narrate one run step by step: the task, the kernel function, what it read or "
                               "changed, and why");
  add_scenario(*c, a.file);
  add_model_options(*c, a.model);
  add_seed_or_schedule(*c, a.seed, a.schedule, "choose at random, from seed N", "follow schedule S");
  c->add_option("--color", a.color, "colour: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  add_count(*c, "--max-steps", a.max_steps, "end the run after N steps");
  c->add_flag("--full", a.full,
              "narrate every step; without it a run of more than 2000 steps is narrated at its first and "
              "last 1000, and a line says which steps are left out");
  c->footer(kExitCodes);
  return c;
}

CLI::App* add_step(CLI::App& app, StepArgs& a) {
  auto* c = app.add_subcommand("step",
                               "be the scheduler: at each choice point pick the thread that runs next "
                               "(a thread letter; u undo, s FILE save the schedule, q quit, ? help)");
  add_scenario(*c, a.file);
  add_model_options(*c, a.model);
  c->add_option("--schedule", a.schedule, "replay these choices first, then ask");
  add_count(*c, "--max-steps", a.max_steps, "end the run after N steps");
  return c;
}

CLI::App* add_report(CLI::App& app, ReportArgs& a) {
  auto* c = app.add_subcommand("report",
                               "write one self-contained HTML page: the scenario, a timeline and the state "
                               "diagram of a run, its narrative, and with --explore the outcomes and a counterexample");
  add_scenario(*c, a.file);
  add_model_options(*c, a.model);
  add_seed_or_schedule(*c, a.seed, a.schedule, "run from seed N", "run schedule S");
  add_count(*c, "--explore", a.explore, "also explore N schedules (as utsim check)");
  add_shrink_flags(*c, a.shrink, "the exploration's counterexample", kShrinkTries);
  add_output(*c, a.output, a.output_through, "the HTML file to write (atomically; default report.html)", true);
  add_count(*c, "--max-steps", a.max_steps, "steps per run");
  c->add_flag("--full", a.full,
              "draw and narrate every step; without it a run of more than 2000 steps is shown at its first and "
              "last 1000, and the page says which steps are left out");
  c->footer(kExitCodes);
  return c;
}

// explore, merge (docs/exploration.md)
CLI::App* add_explore(CLI::App& app, ExploreArgs& a, std::string& shard) {
  auto* c = app.add_subcommand("explore",
                               "explore one scenario's schedules: outcomes, violations with replay commands, "
                               "whether the (bounded) space was exhausted");
  add_scenario(*c, a.file, "SCENARIO");
  add_model_options(*c, a.model);
  add_strategy(*c, a.strategy,
               "random, pct, dfs (iterative preemption bounding), dpor (source-DPOR) or "
               "portfolio (default: the scenario's explore block, else portfolio)");
  c->add_option("--depth", a.depth, "PCT depth d (pct, portfolio; default 3)")->check(unsigned_in(1, 64));
  add_preemption_bound(*c, a.preemption_bound, a.unbounded, "dfs: at most N preemptions per schedule (default 2)",
                       "dfs: no preemption bound");
  add_count(*c, "--max-schedules", a.max_schedules, "schedules to run, per shard (default: the scenario's, else 1000)");
  add_time_limit(*c, a.time_limit,
                 "stop exploring after SECONDS of wall-clock time (the report covers the schedules run)");
  add_seed(*c, a.seed, "seed of random, PCT and the dfs estimator");
  c->add_option("--shard", shard,
                "explore shard i of N (0 <= i < N): shards are disjoint, their union is the "
                "whole; join their --json reports with utsim merge")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            return parse_shard(v, nullptr, nullptr) ? std::string()
                                                    : "expected i/N with 0 <= i < N <= 1000000, got '" + v + "'";
          },
          "i/N", "shard"));
  add_count(*c, "--max-steps", a.max_steps, "steps per schedule (longer: a hang; default 1000000)");
  add_max_tasks(*c, a.max_tasks);
  add_shrink_flags(*c, a.shrink, "each violation's counterexample", kShrinkTries);
  c->add_flag("--json", a.json, "print the report as one JSON document (utsim-explore/1)");
  add_output(*c, a.output, a.output_through, "write the report to FILE (atomically)");
  c->footer(
      footer("On a terminal, a progress line on stderr. SIGINT or SIGTERM stops the "
             "exploration: what was found is reported, marked interrupted, and "
             "utsim exits with 130.\n"));
  return c;
}

CLI::App* add_merge(CLI::App& app, MergeArgs& a) {
  auto* c =
      app.add_subcommand("merge", "join the explore --json reports of the shards of one exploration into one report");
  c->add_option("FILE", a.files, "reports of utsim explore --json")->required();
  c->add_flag("--json", a.json, "print the merged report as JSON (utsim-explore/1)");
  add_output(*c, a.output, a.output_through, "write the merged report to FILE (atomically)");
  c->footer(
      footer("Reports of different scenarios, versions or options, or with a shard "
             "twice, are refused (exit 2).\n"));
  return c;
}

// ---- parsing and dispatch -----------------------------------------------------------

// What CLI11 fills in: every subcommand's arguments.
struct Parsed {
  std::vector<std::string> validate_files;
  RunArgs run, replay;
  CheckArgs check;
  ListArgs list;
  GraphArgs graph;
  ShrinkArgs shrink;
  ExplainArgs explain;
  StepArgs step;
  ReportArgs report;
  ExploreArgs explore;
  std::string explore_shard;  // "i/N", split into explore.shard_* once parsed
  MergeArgs merge;
};

// A subcommand and what runs it once it was parsed.
struct Command {
  CLI::App* app;
  std::function<int(Io)> run;
};

std::vector<Command> add_commands(CLI::App& app, Parsed& p) {
  return {
      {add_validate(app, p.validate_files), [&p](Io io) { return cmd_validate(p.validate_files, io); }},
      {add_run(app, p.run), [&p](Io io) { return cmd_run(p.run, io); }},
      {add_replay(app, p.replay), [&p](Io io) { return cmd_run(p.replay, io); }},
      {add_check(app, p.check), [&p](Io io) { return cmd_check(p.check, io); }},
      {add_list(app, p.list), [&p](Io io) { return cmd_list(p.list, io); }},
      {add_graph(app, p.graph), [&p](Io io) { return cmd_graph(p.graph, io); }},
      {add_shrink(app, p.shrink), [&p](Io io) { return cmd_shrink(p.shrink, io); }},
      {add_explain(app, p.explain), [&p](Io io) { return cmd_explain(p.explain, io); }},
      {add_step(app, p.step), [&p](Io io) { return cmd_step(p.step, io); }},
      {add_report(app, p.report), [&p](Io io) { return cmd_report(p.report, io); }},
      {add_explore(app, p.explore, p.explore_shard), [&p](Io io) { return cmd_explore(p.explore, io); }},
      {add_merge(app, p.merge), [&p](Io io) { return cmd_merge(p.merge, io); }},
  };
}

// What CLI11 cannot check itself: a schedule must decode (a usage error);
// --shard i/N is split into its numbers.
void finish_parse(Parsed& p) {
  for (const std::optional<std::string>* sched :
       {&p.run.schedule, &p.replay.schedule, &p.explain.schedule, &p.step.schedule, &p.report.schedule})
    if (*sched)
      if (std::string why = check_schedule(**sched); !why.empty()) throw CLI::ValidationError("--schedule", why);
  if (!p.explore_shard.empty()) parse_shard(p.explore_shard, &p.explore.shard_index, &p.explore.shard_count);
  for (const ModelArgs* m : {&p.run.model, &p.replay.model, &p.check.model, &p.graph.model, &p.shrink.model,
                             &p.explain.model, &p.step.model, &p.report.model, &p.explore.model})
    check_model_args(*m);
  if (p.graph.focus && !model::property_from_name(*p.graph.focus)) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < model::kPropertyCount; ++i)
      names.emplace_back(model::property_name(static_cast<model::Property>(i)));
    throw CliError{"cli.E008", "--focus '" + printable(*p.graph.focus) + "': unknown property (expected one of " +
                                   join_names(names) + did_you_mean(*p.graph.focus, names) + ")"};
  }
}

// What CLI11 left over on the command that was parsed (allow_extras: CLI11
// 2.1 would list them in reverse order): an unknown option, with the
// closest the command has; else an argument it does not take.
void refuse_extras(const CLI::App& c) {
  const std::vector<std::string> left = c.remaining();
  if (left.empty()) return;
  std::vector<std::string> names{"--help"};
  for (const CLI::Option* o : c.get_options()) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& n : o->get_snames()) names.push_back("-" + n);
  }
  for (const std::string& arg : left) {
    if (arg.size() < 2 || arg[0] != '-') continue;
    const std::string flag = arg.substr(0, arg.find('='));
    throw CliError{"cli.E002", "unknown option '" + printable(flag) + "'" + did_you_mean(flag, names) + " (utsim " +
                                   c.get_name() + " --help lists its options)"};
  }
  throw CliError{"cli.E003", std::string(left.size() == 1 ? "unexpected argument '" : "unexpected arguments '") +
                                 printable(left.front()) + (left.size() == 1 ? "'" : "' ...") + " (utsim " +
                                 c.get_name() + " --help says what it takes)"};
}

// The first word must be a subcommand (or --help, --version): else the
// closest subcommand, instead of CLI11's "A subcommand is required".
void check_subcommand(const CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> names;
  for (const CLI::App* c : app.get_subcommands({})) names.push_back(c->get_name());
  const std::string list = join_names(names, ", ");
  if (args.empty())
    throw CliError{"cli.E001", "a subcommand is required: " + list + " (utsim --help says what each does)"};
  const std::string& w = args.front();
  if (w == "--help" || w == "-h" || w == "--version") return;
  if (std::find(names.begin(), names.end(), w) != names.end()) return;
  if (!w.empty() && w[0] == '-') {
    const std::string flag = w.substr(0, w.find('='));
    std::vector<std::string> top{"--help", "--version"};
    const std::string hint = did_you_mean(flag, top);
    throw CliError{"cli.E002", "unknown option '" + printable(flag) + "'" +
                                   (hint.empty() ? " (the subcommand comes first, then its options: "
                                                   "utsim SUBCOMMAND --help lists them)"
                                                 : hint)};
  }
  throw CliError{"cli.E001", "unknown subcommand '" + printable(w) + "'" + did_you_mean(w, names) +
                                 " (the subcommands: " + list + ")"};
}

// Runs a command; what escapes it is an internal error (exit 70), said on `err`.
int run_guarded(const Command& c, Io io) {
  try {
    return c.run(io);
  } catch (const model::NotImplemented& e) {
    io.err << "not implemented: " << e.what() << '\n';
  } catch (const model::ModelBug& e) {
    io.err << "internal error: model bug: " << e.what() << '\n';
  } catch (const sim::EngineError& e) {
    io.err << "internal error: engine: " << e.what() << '\n';
  } catch (const std::exception& e) {
    io.err << "internal error: " << e.what() << '\n';
  }
  return kExitInternal;
}

}  // namespace

void override_model(const ModelArgs& m, model::Scenario& s) {
  const model::Scenario::FileModel file{s.kernel, s.bugs};
  if (m.kernel) s.kernel = *model::kernel_version_from_name(*m.kernel);  // checked by run_cli
  if (m.no_bugs) s.bugs.reset();
  for (const std::string& b : m.bugs) s.bugs.set(static_cast<std::size_t>(*model::bug_from_name(b) - 1));
  if (s.kernel != file.kernel || s.bugs != file.bugs) s.file_model = file;
}

int load_for_command(const std::string& file, const ModelArgs& m, Io io, model::LoadResult& out,
                     const std::atomic<bool>* stop) {
  InputResult r = load_scenario_interruptible(file, stop);
  if (r.interrupted) {
    io.err << "utsim: " << file << ": interrupted while reading it\n";
    return kExitInterrupted;
  }
  out = std::move(r.loaded);
  if (out.ok()) {
    override_model(m, *out.scenario);
    return kExitOk;
  }
  for (const model::ScenarioError& e : out.errors) io.err << e.to_string() << '\n';
  return kExitInvalid;
}

namespace {

// Whether `path` names the file that descriptor `fd` is open on.
bool names_fd(const std::string& path, int fd) {
  struct stat p {
  }, f{};
  return ::stat(path.c_str(), &p) == 0 && ::fstat(fd, &f) == 0 && p.st_dev == f.st_dev && p.st_ino == f.st_ino;
}

}  // namespace

bool write_output(const std::string& path, bool through, Io io, const std::function<void(std::ostream&)>& write) {
  if (path.empty()) {
    write(io.out);
    return true;
  }
  // -o /dev/stdout --output-through: our own stdout, through its stream.
  // Opened again, a file stdout is redirected to would be written from its
  // start, over what the stream writes (and truncated).
  if (through && &io.out == &std::cout && names_fd(path, STDOUT_FILENO)) {
    write(io.out);
    return true;
  }
  if (through && &io.err == &std::cerr && names_fd(path, STDERR_FILENO)) {
    write(io.err);
    return true;
  }
  const std::string why = write_file_atomic(path, write, through ? OutputMode::kThrough : OutputMode::kReplace);
  if (why.empty()) return true;
  io.err << "utsim: " << why << '\n';
  if (io.output_failed) *io.output_failed = true;
  return false;
}

namespace {

// Every byte out, or exit kExitOutput, whatever the command found: a result
// the user never saw is not a result (docs/hardening.md "Output").  stderr
// is checked too (the summary of run --trace goes there); when it failed
// there is nowhere left to say so.
int finish_output(int code, std::ostream& out, std::ostream& err, bool file_failed) {
  bool lost = file_failed;
  out.flush();
  if (!out) {
    lost = true;
    err << "utsim: cannot write to standard output: " << stream_error(out) << '\n';
  }
  err.flush();
  if (!err) lost = true;
  return lost ? kExitOutput : code;
}

int run_parsed(std::vector<std::string> args, std::ostream& out, std::ostream& err, bool* output_failed) {
  CLI::App app{"utsim " UTSIM_VERSION ": a deterministic simulator of the Linux utrace core and ptrace on utrace.",
               "utsim"};
  app.footer(kExitCodes);
  app.set_version_flag("--version", std::string("utsim " UTSIM_VERSION));
  app.require_subcommand(1);
  app.fallthrough(false);
  Parsed parsed;
  const std::vector<Command> commands = add_commands(app, parsed);

  for (const Command& c : commands) c.app->allow_extras();  // refuse_extras says what is left, in order

  std::vector<std::string> argv(args.rbegin(), args.rend());  // CLI11 wants them reversed
  const Command* parsed_command = nullptr;
  try {
    check_subcommand(app, args);
    app.parse(argv);
    for (const Command& c : commands)
      if (c.app->parsed()) parsed_command = &c;
    if (parsed_command) refuse_extras(*parsed_command->app);
    finish_parse(parsed);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const CliError& e) {
    err << "utsim" << (parsed_command ? " " + parsed_command->app->get_name() : std::string()) << ": " << e.id << ": "
        << e.message << '\n';
    return kExitUsage;
  }

  const Io io{out, err, &err == &std::cerr && isatty(STDERR_FILENO) == 1, output_failed};
  if (parsed_command) return run_guarded(*parsed_command, io);
  err << "utsim: no subcommand\n";
  return kExitUsage;
}

}  // namespace

int run_cli(std::vector<std::string> args, std::ostream& out, std::ostream& err) {
  bool output_failed = false;
  const int code = run_parsed(std::move(args), out, err, &output_failed);
  return finish_output(code, out, err, output_failed);
}

}  // namespace tools
