// tools/cli/cli.h: the `utsim` command line, callable in-process (main.cpp
// and the unit tests both go through run_cli).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tools {

// Exit codes of DESIGN.md "Contracts" (5).
enum ExitCode : int {
  kExitOk = 0,            // as expected
  kExitFailed = 1,        // a property or an expectation failed
  kExitUsage = 2,         // bad command line (CLI11's errors are remapped here)
  kExitOutput = 2,        // output lost: -o FILE, stdout or stderr could not be written (wins over the rest)
  kExitInvalid = 3,       // an invalid scenario
  kExitDiverged = 4,      // a replayed schedule named a thread that could not run
  kExitInternal = 70,     // not implemented, model bug, engine error (EX_SOFTWARE)
  kExitInterrupted = 130  // SIGINT/SIGTERM: stopped cleanly, partial report
};

// Runs `utsim args...` (args without the program name).  Everything the
// command prints goes to `out` and `err`; returns the exit code.  Both
// streams are flushed before it returns: when either failed (or an -o file
// could not be written) the exit code is kExitOutput, whatever the command
// found, and the failure is said on `err` with its errno's text when `out`
// has a tools::FdOutBuf (main.cpp gives std::cout and std::cerr one).
int run_cli(std::vector<std::string> args, std::ostream& out, std::ostream& err);

}  // namespace tools
