// tools/cli/commands.h: one function per subcommand, called by run_cli once
// CLI11 has parsed the command line.  Each returns an exit code (cli.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "explore/check.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"

namespace tools {

// Where a command writes.  `err_tty`: stderr is a terminal (progress lines).
// `output_failed`: set by write_output when an -o file could not be
// written; run_cli then exits kExitOutput whatever the command returns.
struct Io {
  std::ostream& out;
  std::ostream& err;
  bool err_tty = false;
  bool* output_failed = nullptr;
};

// --kernel VERSION, --bug NAME (repeatable, or a comma list) and --no-bugs:
// the model a command simulates instead of the one the scenario file names
// (docs/scenarios.md "Overriding the model").  --kernel replaces
// model.kernel; --bug adds races to model.bugs; --no-bugs clears the file's
// first.  run_cli checks every name before a command runs (a bad one is a
// usage error, cli.E004 or cli.E005).
struct ModelArgs {
  std::optional<std::string> kernel;
  std::optional<std::string> memory;  // --memory sc|tso|lkmm (issue 12)
  std::vector<std::string> bugs;
  bool no_bugs = false;
};

// Gives `s` the model `m` asks for.  When it differs from the file's, the
// file's is kept in s.file_model: the tools then print the flags in every
// replay command, and say that expect was written for the file's model.
void override_model(const ModelArgs& m, model::Scenario& s);

// Loads the scenario a command works on into `out`, with the model `m`
// asks for (override_model).  Returns kExitOk; or,
// on any error, prints each one (one line, with its id and JSON pointer) to
// io.err and returns kExitInvalid: the command then exits with it and
// writes nothing else.  With `stop` (an InterruptGuard's flag, the guard
// installed before the call), a signal while the file is opened or read
// (a FIFO with no writer) stops it: "utsim: FILE: interrupted while reading
// it" on io.err, and kExitInterrupted (tools/cli/input.h).
int load_for_command(const std::string& file, const ModelArgs& m, Io io, model::LoadResult& out,
                     const std::atomic<bool>* stop = nullptr);

// A run that followed --schedule S and diverged (a choice named a thread
// that did not exist or could not run there): says so on io.err as
// "utsim CMD: cli.E006: --schedule 'S' does not fit this scenario: ..." with
// the choice point and why, and returns kExitDiverged; any other run:
// kExitOk.  Every command that takes a schedule refuses it so, as replay does.
int refuse_diverged(const char* command, const std::string& schedule, const model::Simulator& simu,
                    const model::RunOutput& out, Io io);

// Writes what `write` writes to -o FILE (tools::write_file_atomic: a regular
// file replaced atomically, anything else refused unless `through`,
// --output-through), or to io.out when `path` is empty.  With `through`, a
// path naming the file utsim's own stdout (or stderr) is open on, such
// as /dev/stdout, is written through that stream, in order with the rest.  A
// file that cannot be written is said on io.err ("utsim: ..."), marks
// io.output_failed, and the result is false: the command returns
// kExitOutput.
bool write_output(const std::string& path, bool through, Io io, const std::function<void(std::ostream&)>& write);

struct RunArgs {
  std::string file;
  ModelArgs model;  // --kernel, --bug, --no-bugs
  std::optional<std::uint64_t> seed;
  std::optional<std::string> schedule;  // already checked by decode_schedule
  std::string trace;                    // "", "text" or "json"
  std::string output;                   // -o: the trace goes there
  bool output_through = false;          // --output-through (write_output)
  std::optional<std::uint64_t> max_steps;
  std::optional<std::uint32_t> max_tasks;
  bool json = false;
  bool replay = false;  // `utsim replay` (the schedule is required)
};

// --no-shrink, --shrink-tries N, --shrink-time-limit SECONDS: how check,
// explore and report shrink the counterexamples they show
// (model::CounterexampleShrink; docs/exploration.md "Shrunk by default").
struct ShrinkFlags {
  bool no_shrink = false;
  std::optional<std::uint64_t> tries;  // runs per counterexample (default: the command's)
  std::optional<double> time_limit;    // wall-clock seconds per counterexample
};

// --max-memory SIZE (tools/cli/memory.h): as typed, and in bytes once
// finish_parse has checked it (cli.E012); none: the default budget.
struct MemoryFlag {
  std::optional<std::string> text;
  std::optional<std::uint64_t> bytes;
};

// The default --shrink-tries: explore and report look hard at one scenario;
// check runs folders and must stay about as fast as without shrinking.
inline constexpr std::uint64_t kShrinkTries = 20'000;
inline constexpr std::uint64_t kCheckShrinkTries = 2'000;

// The shrinking the flags ask for, `when` flags allow it (cmd_explore.cpp).
model::CounterexampleShrink shrink_from_flags(const ShrinkFlags& f, model::CounterexampleShrink::When when,
                                              std::uint64_t default_tries = kShrinkTries);

struct CheckArgs {
  std::vector<std::string> paths;
  ModelArgs model;  // --kernel, --bug, --no-bugs
  std::optional<std::string> strategy;
  std::optional<std::uint64_t> max_schedules;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> max_steps;
  std::optional<std::uint32_t> max_tasks;
  std::optional<double> time_limit;  // seconds, per scenario
  bool json = false;
  bool stateful = false;            // dfs pruning visited abstract states, with the state graph's analysis
  std::uint32_t verify_merges = 0;  // --verify-merges N (with --stateful)
  ShrinkFlags shrink;
  MemoryFlag max_memory;  // per scenario
};

struct ListArgs {
  bool bugs = false, properties = false, kernels = false, strategies = false, callbacks = false;
};

// utsim graph and utsim shrink (cmd_graph.cpp, cmd_shrink.cpp; stateful
// exploration, explore/graph_analysis.h, explore/shrink.h).
struct GraphArgs {
  std::string file;
  ModelArgs model;              // --kernel, --bug, --no-bugs
  std::string output;           // -o: the DOT goes there (atomically), else stdout
  bool output_through = false;  // --output-through (write_output)
  std::uint64_t max_states = 100'000;
  std::optional<std::uint64_t> max_schedules;
  std::optional<std::uint32_t> preemption_bound;  // none (or --unbounded): every schedule
  bool unbounded = false;
  std::optional<std::uint64_t> max_steps;
  std::optional<std::string> focus;  // --focus PROPERTY: only the paths to it (checked by finish_parse)
  std::uint32_t focus_slack = 0;     // --focus-slack N: paths with up to N more preemptions than the fewest
  bool no_fold = false;              // --no-fold: every state drawn
  MemoryFlag max_memory;
  std::uint32_t verify_merges = 0;  // --verify-merges N (ExploreOptions::verify_merges)
};
struct ShrinkArgs {
  std::string file;
  ModelArgs model;  // --kernel, --bug, --no-bugs
  std::string schedule;
  std::optional<std::string> property;  // a property name (checked by cmd_shrink)
  std::optional<std::uint64_t> max_steps;
  std::uint64_t max_tries = 20'000;  // runs the shrinker may make
  bool json = false;
};
int cmd_graph(const GraphArgs& a, Io io);
int cmd_shrink(const ShrinkArgs& a, Io io);

// The teaching commands (cmd_explain.cpp, cmd_step.cpp, cmd_report.cpp).
struct ExplainArgs {
  std::string file;
  ModelArgs model;  // --kernel, --bug, --no-bugs
  std::optional<std::uint64_t> seed;
  std::optional<std::string> schedule;  // already checked by decode_schedule
  std::string color = "auto";           // auto, always, never
  std::optional<std::uint64_t> max_steps;
  bool full = false;  // narrate every step of a long run (tools/teach/explain.h kShownSteps)
};
struct StepArgs {
  std::string file;
  ModelArgs model;                      // --kernel, --bug, --no-bugs
  std::optional<std::string> schedule;  // choices to replay before asking
  std::optional<std::uint64_t> max_steps;
  std::istream* in = nullptr;  // the keys typed (default std::cin)
};
struct ReportArgs {
  std::string file;
  ModelArgs model;  // --kernel, --bug, --no-bugs
  std::optional<std::uint64_t> seed;
  std::optional<std::string> schedule;
  std::optional<std::uint64_t> explore;  // schedules to explore (model::check_scenario)
  std::string output = "report.html";
  bool output_through = false;  // --output-through (write_output)
  std::optional<std::uint64_t> max_steps;
  bool full = false;  // draw and narrate every step of a long run
  ShrinkFlags shrink;
  MemoryFlag max_memory;  // of the --explore exploration
};

// utsim explore and utsim merge (cmd_explore.cpp, cmd_merge.cpp; docs/exploration.md).
struct ExploreArgs {
  std::string file;
  ModelArgs model;                      // --kernel, --bug, --no-bugs
  std::optional<std::string> strategy;  // checked by CLI11
  std::optional<unsigned> depth;
  std::optional<std::uint32_t> preemption_bound;
  bool unbounded = false;  // dfs: no preemption bound
  std::optional<std::uint64_t> max_schedules;
  std::optional<double> time_limit;  // seconds
  std::optional<std::uint64_t> seed;
  std::uint32_t shard_index = 0, shard_count = 1;  // --shard i/N
  std::optional<std::uint64_t> max_steps;
  std::optional<std::uint32_t> max_tasks;
  ShrinkFlags shrink;
  MemoryFlag max_memory;
  bool stop_at_first = false;  // stop at the first violation
  bool json = false;
  std::string output;           // -o: the report goes there (atomically)
  bool output_through = false;  // --output-through (write_output)
};
// "i/N" with 0 <= i < N <= 10^6 (digits only): true, and the two numbers
// stored where asked (null: only check).
bool parse_shard(const std::string& text, std::uint32_t* index, std::uint32_t* count);
struct MergeArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string output;
  bool output_through = false;  // --output-through (write_output)
};

int cmd_validate(const std::vector<std::string>& paths, Io io);
int cmd_run(const RunArgs& a, Io io);
int cmd_check(const CheckArgs& a, Io io);

// The scenario files that `paths` name, for validate and check: files as
// given, folders searched (recursively) for *.json, each folder's sorted by
// path, each file once.  A folder with no *.json, or that cannot be read, is
// said on io.err ("utsim COMMAND: ...") and the result is empty: checking
// nothing must not pass (the command exits kExitUsage).
std::optional<std::vector<std::string>> scenario_files(const char* command, const std::vector<std::string>& paths,
                                                       Io io);
int cmd_list(const ListArgs& a, Io io);
int cmd_explain(const ExplainArgs& a, Io io);
int cmd_step(const StepArgs& a, Io io);
int cmd_report(const ReportArgs& a, Io io);
int cmd_explore(const ExploreArgs& a, Io io);
int cmd_merge(const MergeArgs& a, Io io);

// utsim serve (cmd_serve.cpp; tools/teach/serve.h, docs/serve.md).
struct ServeArgs {
  std::string dir = "scenarios";  // the scenarios it serves, and nothing else
  int port = 8420;                // on 127.0.0.1; 0: a free port
  ModelArgs model;                // --kernel, --bug, --no-bugs: each scenario loaded runs on that model
};
int cmd_serve(const ServeArgs& a, Io io);

}  // namespace tools
