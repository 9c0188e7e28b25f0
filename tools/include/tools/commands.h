// tools/commands.h: one function per subcommand, called by run_cli once
// CLI11 has parsed the command line.  Each returns an exit code (cli.h).
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace tools {

// Where a command writes.  `err_tty`: stderr is a terminal (progress lines).
struct Io {
  std::ostream& out;
  std::ostream& err;
  bool err_tty = false;
};

struct RunArgs {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> schedule;  // already checked by decode_schedule
  std::string trace;                    // "", "text" or "json"
  std::string output;                   // -o: the trace goes there
  std::optional<std::uint64_t> max_steps;
  std::optional<std::uint32_t> max_tasks;
  bool json = false;
  bool replay = false;  // `utsim replay` (the schedule is required)
};

struct CheckArgs {
  std::vector<std::string> paths;
  std::optional<std::string> strategy;
  std::optional<std::uint64_t> max_schedules;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> max_steps;
  std::optional<std::uint32_t> max_tasks;
  bool json = false;
};

struct ListArgs {
  bool bugs = false, properties = false, kernels = false, strategies = false, callbacks = false;
};

// The teaching commands (cmd_explain.cpp, cmd_step.cpp, cmd_report.cpp).
struct ExplainArgs {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> schedule;  // already checked by decode_schedule
  std::string color = "auto";           // auto, always, never
  std::optional<std::uint64_t> max_steps;
};
struct StepArgs {
  std::string file;
  std::optional<std::string> schedule;  // choices to replay before asking
  std::optional<std::uint64_t> max_steps;
  std::istream* in = nullptr;           // the keys typed (default std::cin)
};
struct ReportArgs {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> schedule;
  std::optional<std::uint64_t> explore;  // schedules to explore (model::check_scenario)
  std::string output = "report.html";
  std::optional<std::uint64_t> max_steps;
};

int cmd_validate(const std::vector<std::string>& files, Io io);
int cmd_run(const RunArgs& a, Io io);
int cmd_check(const CheckArgs& a, Io io);
int cmd_list(const ListArgs& a, Io io);
int cmd_explain(const ExplainArgs& a, Io io);
int cmd_step(const StepArgs& a, Io io);
int cmd_report(const ReportArgs& a, Io io);

}  // namespace tools
