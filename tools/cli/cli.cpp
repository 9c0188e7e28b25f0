// tools/cli/cli.cpp: the command line.  CLI11 parses, the cmd_* functions do
// the work.  Every CLI11 error becomes exit code 2; --help and --version exit 0.
#include "tools/cli/cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>

#include <CLI/CLI.hpp>

#include "model/linux/kernel.h"
#include "sim/engine.h"
#include "sim/schedule.h"
#include "tools/cli/commands.h"

namespace tools {

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 as expected, 1 a property or expectation failed, 2 usage error,\n"
    "3 invalid scenario, 4 replay diverged, 70 internal error (not implemented,\n"
    "model bug), 130 interrupted by SIGINT/SIGTERM (what was found so far is reported).";

// A schedule string must decode; a bad one is a usage error with its offset.
std::string check_schedule(const std::string& s) {
  sim::ScheduleError e;
  if (sim::decode_schedule(s, &e)) return {};
  return "malformed schedule at offset " + std::to_string(e.offset) + ": " + e.message;
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

void add_run_options(CLI::App& c, RunArgs& a) {
  c.add_option("FILE", a.file, "the scenario (JSON, SCENARIOS.md)")->required();
  auto* trace = c.add_option("--trace", a.trace,
                             "write the trace: text (ftrace-like lines), json (JSON Lines), chrome "
                             "(Chrome trace JSON for Perfetto), mermaid (sequence diagram) or dot "
                             "(each task's states as visited); "
                             "to stdout (the summary then goes to stderr) or to -o FILE")
                    ->check(CLI::IsMember({"text", "json", "chrome", "mermaid", "dot"}));
  c.add_option("-o,--output", a.output, "write the trace to FILE (atomically) instead of stdout")
      ->needs(trace);
  c.add_option("--max-steps", a.max_steps, "end the run after N steps (a hang; default 1000000)")
      ->check(unsigned_in(1, kMaxCount));
  c.add_option("--max-tasks", a.max_tasks,
               "fork fails with -EAGAIN (RLIMIT_NPROC) once N tasks exist (default 64)")
      ->check(unsigned_in(1, kMaxTasksLimit));
  c.add_flag("--json", a.json, "print the summary as one JSON object");
}

}  // namespace

bool load_for_command(const std::string& file, Io io, model::LoadResult& out) {
  out = model::load_scenario_file(file);
  if (out.ok()) return true;
  for (const model::ScenarioError& e : out.errors) io.err << e.to_string() << '\n';
  return false;
}

int run_cli(std::vector<std::string> args, std::ostream& out, std::ostream& err) {
  CLI::App app{"utsim " UTSIM_VERSION
               ": a deterministic simulator of the Linux utrace core and ptrace on utrace.",
               "utsim"};
  app.footer(kExitCodes);
  app.set_version_flag("--version", std::string("utsim " UTSIM_VERSION));
  app.require_subcommand(1);
  app.fallthrough(false);

  // validate
  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "check scenario files against SCENARIOS.md; "
                                                  "every error of every file, one per line");
  validate->add_option("FILE", validate_files, "scenario files")->required();
  validate->footer(kExitCodes);

  // run / replay
  RunArgs run_args, replay_args;
  auto* run = app.add_subcommand("run", "run a scenario under one schedule and print what happened "
                                        "(default: the non-preemptive schedule)");
  add_run_options(*run, run_args);
  auto* seed = run->add_option("--seed", run_args.seed, "choose at random, from seed N")
                   ->check(unsigned_in(0, UINT64_MAX));
  run->add_option("--schedule", run_args.schedule, "follow schedule S (as printed by utsim)")
      ->excludes(seed);
  run->footer(kExitCodes);

  auto* replay = app.add_subcommand("replay", "replay a schedule string, e.g. from a failure message");
  add_run_options(*replay, replay_args);
  replay->add_option("--schedule", replay_args.schedule, "the schedule to follow")->required();
  replay->footer(kExitCodes);
  replay_args.replay = true;

  // check
  CheckArgs check_args;
  auto* check = app.add_subcommand(
      "check", "explore each scenario (files, or folders searched for *.json) and judge its "
               "expect; print a table");
  check->add_option("PATH", check_args.paths, "scenario files or folders")->required();
  check->add_option("--strategy", check_args.strategy,
                    "how to explore (default: the scenario's explore block, else portfolio)")
      ->check(CLI::IsMember({"random", "pct", "portfolio", "dfs", "dpor"}));
  check->add_option("--max-schedules", check_args.max_schedules, "schedules per scenario (default 1000)")
      ->check(unsigned_in(1, kMaxCount));
  check->add_option("--seed", check_args.seed, "seed of the random and PCT schedulers")
      ->check(unsigned_in(0, UINT64_MAX));
  check->add_option("--max-steps", check_args.max_steps,
                    "steps per schedule (longer: a hang; default 1000000)")
      ->check(unsigned_in(1, kMaxCount));
  check->add_option("--max-tasks", check_args.max_tasks,
                    "fork fails with -EAGAIN (RLIMIT_NPROC) once N tasks exist (default 64)")
      ->check(unsigned_in(1, kMaxTasksLimit));
  check->add_flag("--json", check_args.json, "one JSON document with every verdict");
  check->add_flag("--stateful", check_args.stateful,
                  "stateful DFS: prune abstract states seen before (unbounded unless the scenario sets a "
                  "preemption bound); report cycles no schedule leaves as hang (when the space is complete) "
                  "and each violation's shortest schedule")
      ->excludes("--strategy");
  check->footer(std::string(
                    "SIGINT or SIGTERM stops the exploration cleanly: what was found so far is "
                    "reported, marked interrupted, and utsim exits with 130.\n") +
                kExitCodes);

  // list
  ListArgs list_args;
  auto* list = app.add_subcommand("list", "list what scenarios can name (all sections by default)");
  list->add_flag("--bugs", list_args.bugs, "the races of utrace-semantics.md section 7 (model.bugs)");
  list->add_flag("--properties", list_args.properties, "the properties checked on every run");
  list->add_flag("--kernels", list_args.kernels, "the kernel versions (model.kernel)");
  list->add_flag("--strategies", list_args.strategies, "the exploration strategies");
  list->add_flag("--callbacks", list_args.callbacks, "the engine callbacks");

  // graph, shrink: stateful exploration and minimal counterexamples
  GraphArgs graph_args;
  auto* graph = app.add_subcommand(
      "graph", "explore the abstract states (stateful DFS) and write the state graph as DOT; report "
               "the cycles no schedule leaves (hang) and the shortest path to each violation");
  graph->add_option("SCENARIO", graph_args.file, "the scenario (JSON, SCENARIOS.md)")->required();
  graph->add_option("-o,--output", graph_args.output, "write the DOT to FILE (atomically; the summary then goes to stdout)");
  graph->add_option("--max-states", graph_args.max_states, "stop after N states (default 100000)")
      ->check(unsigned_in(1, kMaxCount));
  graph->add_option("--max-schedules", graph_args.max_schedules, "stop after N schedules (default 1000000)")
      ->check(unsigned_in(1, kMaxCount));
  auto* graph_bound = graph->add_option("--preemption-bound", graph_args.preemption_bound,
                                        "at most N preemptions per schedule (default: unbounded)")
                          ->check(unsigned_in(0, 1'000'000));
  graph->add_flag("--unbounded", graph_args.unbounded, "no preemption bound (the default)")->excludes(graph_bound);
  graph->add_option("--max-steps", graph_args.max_steps, "steps per schedule (default 1000000)")
      ->check(unsigned_in(1, kMaxCount));
  graph->footer(std::string("Hang cycles are certain only when the exploration is complete and unbounded.\n") +
                kExitCodes);

  ShrinkArgs shrink_args;
  auto* shrink = app.add_subcommand(
      "shrink", "shrink a counterexample: the schedule with the fewest preemptions, then the fewest "
                "steps, that still breaks the same property (RapidCheck shrink trees)");
  shrink->add_option("SCENARIO", shrink_args.file, "the scenario (JSON, SCENARIOS.md)")->required();
  shrink->add_option("--schedule", shrink_args.schedule, "the schedule that breaks the property")->required();
  shrink->add_option("--property", shrink_args.property,
                     "the property to keep broken (default: the first the schedule breaks)");
  shrink->add_option("--max-tries", shrink_args.max_tries, "runs the shrinker may make (default 20000)")
      ->check(unsigned_in(1, kMaxCount));
  shrink->add_option("--max-steps", shrink_args.max_steps, "steps per run (default 1000000)")
      ->check(unsigned_in(1, kMaxCount));
  shrink->add_flag("--json", shrink_args.json, "print the result as one JSON object (no narration)");
  shrink->footer(kExitCodes);

  // explain, step, report: the teaching commands
  ExplainArgs explain_args;
  auto* explain = app.add_subcommand(
      "explain", "narrate one run step by step: the task, the kernel function, what it read or "
                 "changed, and why");
  explain->add_option("FILE", explain_args.file, "the scenario (JSON, SCENARIOS.md)")->required();
  auto* explain_seed = explain->add_option("--seed", explain_args.seed, "choose at random, from seed N")
                           ->check(unsigned_in(0, UINT64_MAX));
  explain->add_option("--schedule", explain_args.schedule, "follow schedule S")->excludes(explain_seed);
  explain->add_option("--color", explain_args.color, "colour: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  explain->add_option("--max-steps", explain_args.max_steps, "end the run after N steps")->check(unsigned_in(1, kMaxCount));
  explain->footer(kExitCodes);

  StepArgs step_args;
  auto* step = app.add_subcommand(
      "step", "be the scheduler: at each choice point pick the thread that runs next "
              "(a thread letter; u undo, s FILE save the schedule, q quit, ? help)");
  step->add_option("FILE", step_args.file, "the scenario (JSON, SCENARIOS.md)")->required();
  step->add_option("--schedule", step_args.schedule, "replay these choices first, then ask");
  step->add_option("--max-steps", step_args.max_steps, "end the run after N steps")->check(unsigned_in(1, kMaxCount));

  ReportArgs report_args;
  auto* report = app.add_subcommand(
      "report", "write one self-contained HTML page: the scenario, a timeline and the state "
                "diagram of a run, its narrative, and with --explore the outcomes and a counterexample");
  report->add_option("FILE", report_args.file, "the scenario (JSON, SCENARIOS.md)")->required();
  auto* report_seed = report->add_option("--seed", report_args.seed, "run from seed N")->check(unsigned_in(0, UINT64_MAX));
  report->add_option("--schedule", report_args.schedule, "run schedule S")->excludes(report_seed);
  report->add_option("--explore", report_args.explore, "also explore N schedules (as utsim check)")
      ->check(unsigned_in(1, kMaxCount));
  report->add_option("-o,--output", report_args.output, "the HTML file to write (default report.html)");
  report->add_option("--max-steps", report_args.max_steps, "steps per run")->check(unsigned_in(1, kMaxCount));
  report->footer(kExitCodes);

  // explore, merge (docs/exploration.md)
  ExploreArgs explore_args;
  std::string explore_shard;
  auto* explore = app.add_subcommand(
      "explore", "explore one scenario's schedules: outcomes, violations with replay commands, "
                 "whether the (bounded) space was exhausted");
  explore->add_option("SCENARIO", explore_args.file, "the scenario (JSON, SCENARIOS.md)")->required();
  explore->add_option("--strategy", explore_args.strategy,
                      "random, pct, dfs (iterative preemption bounding), dpor (source-DPOR) or "
                      "portfolio (default: the scenario's explore block, else portfolio)")
      ->check(CLI::IsMember({"random", "pct", "portfolio", "dfs", "dpor"}));
  explore->add_option("--depth", explore_args.depth, "PCT depth d (pct, portfolio; default 3)")
      ->check(unsigned_in(1, 64));
  auto* bound = explore->add_option("--preemption-bound", explore_args.preemption_bound,
                                    "dfs: at most N preemptions per schedule (default 2)")
                    ->check(unsigned_in(0, 1'000'000));
  explore->add_flag("--unbounded", explore_args.unbounded, "dfs: no preemption bound")->excludes(bound);
  explore->add_option("--max-schedules", explore_args.max_schedules,
                      "schedules to run, per shard (default: the scenario's, else 1000)")
      ->check(unsigned_in(1, kMaxCount));
  explore->add_option("--time-limit", explore_args.time_limit, "stop after SECONDS of wall-clock time")
      ->check(CLI::Range(0.001, 1e9));
  explore->add_option("--seed", explore_args.seed, "seed of random, PCT and the dfs estimator")
      ->check(unsigned_in(0, UINT64_MAX));
  explore->add_option("--shard", explore_shard,
                      "explore shard i of N (0 <= i < N): shards are disjoint, their union is the "
                      "whole; join their --json reports with utsim merge")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            return parse_shard(v, nullptr, nullptr) ? std::string() : "expected i/N with 0 <= i < N <= 1000000, got '" + v + "'";
          },
          "i/N", "shard"));
  explore->add_option("--max-steps", explore_args.max_steps,
                      "steps per schedule (longer: a hang; default 1000000)")
      ->check(unsigned_in(1, kMaxCount));
  explore->add_option("--max-tasks", explore_args.max_tasks,
                      "fork fails with -EAGAIN (RLIMIT_NPROC) once N tasks exist (default 64)")
      ->check(unsigned_in(1, kMaxTasksLimit));
  explore->add_flag("--json", explore_args.json, "print the report as one JSON document (utsim-explore/1)");
  explore->add_option("-o,--output", explore_args.output, "write the report to FILE (atomically)");
  explore->footer(std::string("On a terminal, a progress line on stderr. SIGINT or SIGTERM stops the "
                              "exploration: what was found is reported, marked interrupted, and "
                              "utsim exits with 130.\n") +
                  kExitCodes);

  MergeArgs merge_args;
  auto* merge = app.add_subcommand(
      "merge", "join the explore --json reports of the shards of one exploration into one report");
  merge->add_option("FILE", merge_args.files, "reports of utsim explore --json")->required();
  merge->add_flag("--json", merge_args.json, "print the merged report as JSON (utsim-explore/1)");
  merge->add_option("-o,--output", merge_args.output, "write the merged report to FILE (atomically)");
  merge->footer(std::string("Reports of different scenarios, versions or options, or with a shard "
                            "twice, are refused (exit 2).\n") +
                kExitCodes);

  std::vector<std::string> argv(args.rbegin(), args.rend());  // CLI11 wants them reversed
  try {
    app.parse(argv);
    for (RunArgs* a : {&run_args, &replay_args}) {
      if (!a->schedule) continue;
      if (std::string why = check_schedule(*a->schedule); !why.empty())
        throw CLI::ValidationError("--schedule", why);
    }
    for (const auto* sched : {&explain_args.schedule, &step_args.schedule, &report_args.schedule})
      if (*sched)
        if (std::string why = check_schedule(**sched); !why.empty())
          throw CLI::ValidationError("--schedule", why);
    if (!explore_shard.empty()) parse_shard(explore_shard, &explore_args.shard_index, &explore_args.shard_count);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  Io io{out, err, &err == &std::cerr && isatty(STDERR_FILENO) == 1};
  try {
    if (graph->parsed()) return cmd_graph(graph_args, io);
    if (shrink->parsed()) return cmd_shrink(shrink_args, io);
    if (validate->parsed()) return cmd_validate(validate_files, io);
    if (run->parsed()) return cmd_run(run_args, io);
    if (replay->parsed()) return cmd_run(replay_args, io);
    if (check->parsed()) return cmd_check(check_args, io);
    if (list->parsed()) return cmd_list(list_args, io);
    if (explain->parsed()) return cmd_explain(explain_args, io);
    if (step->parsed()) return cmd_step(step_args, io);
    if (report->parsed()) return cmd_report(report_args, io);
    if (explore->parsed()) return cmd_explore(explore_args, io);
    if (merge->parsed()) return cmd_merge(merge_args, io);
  } catch (const model::NotImplemented& e) {
    err << "not implemented: " << e.what() << '\n';
    return kExitInternal;
  } catch (const model::ModelBug& e) {
    err << "internal error: model bug: " << e.what() << '\n';
    return kExitInternal;
  } catch (const sim::EngineError& e) {
    err << "internal error: engine: " << e.what() << '\n';
    return kExitInternal;
  } catch (const std::exception& e) {
    err << "internal error: " << e.what() << '\n';
    return kExitInternal;
  }
  err << "utsim: no subcommand\n";
  return kExitUsage;
}

}  // namespace tools
