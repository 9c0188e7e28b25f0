// tools/cli/subcommands.h: the subcommands of `utsim` as CLI11 declares
// them (their options, ranges, help texts and footers), and what they fill in.
// cli.cpp parses with them and runs the one that was named.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tools/cli/commands.h"

namespace tools {

// The footer of `utsim --help` and of every subcommand's help.
inline constexpr const char* kExitCodes =
    "Exit codes: 0 as expected, 1 a property or expectation failed, 2 usage error or\n"
    "output lost (-o FILE, stdout or stderr could not be written: this wins over every\n"
    "other code), 3 invalid scenario, 4 replay diverged, 70 internal error (not\n"
    "implemented, model bug), 130 interrupted by SIGINT/SIGTERM (what was found so far\n"
    "is reported).";

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
  ServeArgs serve;
};

// A subcommand and what runs it once it was parsed.
struct Command {
  CLI::App* app;
  std::function<int(Io)> run;
};

// Declares every subcommand on `app`, in the order --help lists them; what
// each parses lands in `p`.
std::vector<Command> add_commands(CLI::App& app, Parsed& p);

}  // namespace tools
