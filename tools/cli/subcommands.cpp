// tools/cli/subcommands.cpp: every subcommand's options as CLI11 declares
// them: their ranges (docs/hardening.md "Limits"), help texts and footers.
#include "tools/cli/subcommands.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "model/linux/kernel.h"
#include "sim/schedule.h"
#include "tools/export/export.h"
#include "tools/export/format.h"

namespace tools {
namespace {

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

// --max-memory SIZE, checked by finish_parse (cli.E012: CLI11's own
// message would have no id).
CLI::Option* add_max_memory(CLI::App& c, MemoryFlag& m, const char* what) {
  return c.add_option("--max-memory", m.text,
                      std::string(what) +
                          ": stop cleanly, with what was found, once the exploration holds SIZE bytes (512M, 2G, "
                          "plain bytes; counted from its records, so the same run stops at the same schedule on any "
                          "machine; default: half the memory available when it starts)");
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

// --kernel, --bug, --no-bugs, --memory: the model to simulate instead of the file's.
void add_model_options(CLI::App& c, ModelArgs& m) {
  c.add_option("--kernel", m.kernel,
               "simulate this kernel version instead of the scenario's model.kernel (2009-rfc, 2010-rhel6, 2011-3x)");
  c.add_option("--bug", m.bugs,
               "switch this race of utrace-semantics.md section 7 on, besides the scenario's model.bugs "
               "(repeatable, or R2,R7; utsim list --bugs)")
      ->delimiter(',');
  c.add_flag("--no-bugs", m.no_bugs, "switch the scenario's model.bugs off (then --bug adds)");
  c.add_option("--memory", m.memory,
               "run under this memory model instead of the scenario's model.memory (sc, tso, lkmm; "
               "docs/memory-model.md); a scenario's expect_memory says what to expect under each");
}

// A subcommand's footer: what it wants said, then the exit codes.
std::string footer(const char* note) { return std::string(note) + kExitCodes; }

void add_run_options(CLI::App& c, RunArgs& a) {
  add_scenario(c, a.file);
  add_model_options(c, a.model);
  auto* trace =
      c.add_option("--trace", a.trace,
                   "write the trace: text (ftrace-like lines), json (JSON Lines), chrome "
                   "(Chrome trace JSON for Perfetto), mermaid (sequence diagram), dot "
                   "(each task's states as visited), svg (the report's timeline as a picture, for slides) "
                   "or png (that picture, drawn by rsvg-convert); "
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

// --verify-merges N: the debug mode of the exact state hash (issue 11).
CLI::Option* add_verify_merges(CLI::App& c, std::uint32_t& n) {
  return c
      .add_option("--verify-merges", n,
                  "check the state hash on the first N states the search prunes as seen before: replay the schedule "
                  "that reached each first and the pruned one, each followed by the same continuations, and compare "
                  "what happens after; a difference is an internal error (exit 70)")
      ->check(unsigned_in(1, 1'000'000));
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
  add_verify_merges(*c, a.verify_merges)->needs("--stateful");
  add_shrink_flags(*c, a.shrink, "the counterexamples of a failing scenario (and, with --json, every one)",
                   kCheckShrinkTries);
  add_max_memory(*c, a.max_memory, "per scenario");
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
  add_max_memory(*c, a.max_memory, "the state graph and the search");
  add_verify_merges(*c, a.verify_merges);
  c->footer(footer(
      "Hang cycles are certain only when the exploration is complete and unbounded. More than --max-states states:\n"
      "the DOT and summary cover the part explored, and the exit code is 2 (cli.E010). SIGINT or SIGTERM stops it\n"
      "within a second: the DOT says it was interrupted, and utsim exits with 130.\n"));
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
                               "(a thread letter; u undo, r redo, goto N, s FILE save, l FILE load, q quit, ? help)");
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
  add_max_memory(*c, a.max_memory, "with --explore");
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
  add_max_memory(*c, a.max_memory, "the explorer's records");
  c->add_flag("--stop-at-first", a.stop_at_first,
              "stop at the first schedule that breaks a property (expected or not); it is still shrunk, unless "
              "--no-shrink");
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

// serve: the scheduler in the browser (docs/serve.md)
CLI::App* add_serve(CLI::App& app, ServeArgs& a) {
  auto* c = app.add_subcommand("serve",
                               "be the scheduler in a browser: serve a page on 127.0.0.1 where you pick a "
                               "scenario and, at each choice point, the thread that runs next");
  c->add_option("DIR", a.dir, "the folder of scenarios to serve (default scenarios/)");
  c->add_option("--port", a.port, "the port on 127.0.0.1 (default 8420; 0: a free one, printed)")
      ->check(CLI::Range(0, 65535));
  add_model_options(*c, a.model);
  c->footer(footer("Prints its URL on stdout and serves until SIGINT or SIGTERM (exit 0).\n"));
  return c;
}

}  // namespace

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
      {add_serve(app, p.serve), [&p](Io io) { return cmd_serve(p.serve, io); }},
  };
}

}  // namespace tools
