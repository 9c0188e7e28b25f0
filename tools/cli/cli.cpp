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
#include "scenario/suggest.h"
#include "sim/engine.h"
#include "sim/schedule.h"
#include "tools/cli/commands.h"
#include "tools/cli/input.h"
#include "tools/cli/memory.h"
#include "tools/cli/subcommands.h"
#include "tools/export/export.h"
#include "tools/export/fd_buf.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

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
    const std::size_t d = model::edit_distance(w, lower(c), /*swaps=*/true);
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
    if (b.switchable) out.push_back(model::bug_name(b.id));
  return out;
}

// --kernel and --bug name what the model has (scenario.E044 and E045 say
// the same of model.kernel and model.bugs in a file).
void check_model_args(const ModelArgs& m) {
  if (m.memory && !model::memory_model_from_name(*m.memory)) {
    const std::vector<std::string> names{"sc", "tso", "lkmm"};
    throw CliError{"cli.E013", "--memory '" + printable(*m.memory) + "': unknown memory model (expected " +
                                   join_names(names) + did_you_mean(*m.memory, names) + ")"};
  }
  if (m.kernel && !model::kernel_version_from_name(*m.kernel))
    throw CliError{"cli.E004", "--kernel '" + printable(*m.kernel) + "': unknown kernel version (expected " +
                                   join_names(kernel_names()) + did_you_mean(*m.kernel, kernel_names()) + ")"};
  const std::vector<std::string> switchable = switchable_bug_names();
  for (const std::string& b : m.bugs) {
    const std::optional<int> r = model::bug_from_name(b);
    const model::BugInfo* info = r ? model::find_bug(*r) : nullptr;
    if (!r)
      throw CliError{"cli.E005",
                     "--bug '" + printable(b) +
                         "': unknown bug (expected a race of utrace-semantics.md section 7, or a named switch, that "
                         "can be switched on: " +
                         join_names(switchable) + did_you_mean(b, switchable) + ")"};
    if (info && !info->switchable)
      throw CliError{"cli.E005", "--bug '" + b + "': " + b + " cannot be switched on (" + info->status +
                                     "); the races that can: " + join_names(switchable, ", ") + " (utsim list --bugs)"};
  }
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
                             &p.explain.model, &p.step.model, &p.report.model, &p.explore.model, &p.serve.model})
    check_model_args(*m);
  for (MemoryFlag* m : {&p.check.max_memory, &p.graph.max_memory, &p.report.max_memory, &p.explore.max_memory}) {
    if (!m->text) continue;
    std::string why;
    m->bytes = parse_size(*m->text, &why);
    if (!m->bytes) throw CliError{"cli.E012", "--max-memory '" + printable(*m->text) + "': " + why};
  }
  if (p.graph.focus && !model::property_from_name(*p.graph.focus)) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < model::kPropertyCount; ++i)
      names.emplace_back(model::property_name(static_cast<model::Property>(i)));
    throw CliError{"cli.E009", "--focus '" + printable(*p.graph.focus) + "': unknown property (expected one of " +
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
  const model::Scenario::FileModel file{s.kernel, s.bugs, s.memory};
  if (m.kernel) s.kernel = *model::kernel_version_from_name(*m.kernel);  // checked by run_cli
  if (m.no_bugs) s.bugs.reset();
  for (const std::string& b : m.bugs) s.bugs.set(static_cast<std::size_t>(*model::bug_from_name(b) - 1));
  if (m.memory) s.memory = *model::memory_model_from_name(*m.memory);
  // The expectation written for the memory model simulated, if the file
  // has one (expect_memory): then expect is written for it.
  bool expect_fits = s.memory == file.memory;
  if (const auto& e = s.expect_memory[static_cast<std::size_t>(s.memory)]) {
    s.expect = *e;
    expect_fits = true;
  }
  if (s.kernel != file.kernel || s.bugs != file.bugs || !expect_fits) s.file_model = file;
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
