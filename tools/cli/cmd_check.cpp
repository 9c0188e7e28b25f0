// tools/cli/cmd_check.cpp: utsim check PATH...: explore every scenario,
// judge its expect (model::check_scenario does the judging), print a table.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "explore/check.h"
#include "scenario/load/loader.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/input.h"
#include "tools/cli/interrupt.h"
#include "tools/cli/memory.h"
#include "tools/cli/progress.h"
#include "tools/export/explore_json.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

namespace fs = std::filesystem;

// One scenario file and what became of it.
struct Row {
  std::string file;
  std::string name;  // the scenario's name, or the file's stem when it did not load
  std::string kernel;
  std::string model_flags;            // --kernel, --bug, --memory: the file's model overridden (scenario_text.h)
  std::string caveat;                 // expect_caveat: what its verdict must admit
  bool lkmm = false;                  // run under the lkmm memory model (kLkmmStrongerNote)
  std::vector<std::string> expected;  // expect.violations
  model::PropertySet tolerated;
  std::vector<model::ScenarioError> errors;  // invalid
  std::optional<model::Verdict> verdict;     // explored (possibly with an internal error)

  // "pass" and "FAIL" judge the file's expect; under --kernel or --bug they
  // say that it was written for another model: "pass (model overridden)".
  std::string status() const {
    if (!errors.empty()) return "invalid";
    if (!verdict) return "skipped";
    if (verdict->error) return "error";
    if (!caveat.empty()) return verdict->passed() ? "pass (model overridden)" : "FAIL (model overridden)";
    if (!verdict->passed()) return "FAIL";
    if (verdict->interrupted) return "pass (interrupted)";
    if (verdict->memory_out) return "pass (memory budget)";
    return verdict->timed_out ? "pass (time limit)" : "pass";
  }
};

std::string found_text(const model::Verdict& v) {
  std::vector<std::string> parts;
  for (const model::FoundViolation& f : v.violations)
    parts.push_back(fmt::format("{} ({})", model::property_name(f.property), f.count));
  return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, ", "));
}

void print_table(std::ostream& out, const std::vector<Row>& rows) {
  const std::vector<std::string> head{"scenario", "kernel", "schedules", "outcomes", "expected", "found", "verdict"};
  std::vector<std::vector<std::string>> cells;
  for (const Row& r : rows) {
    const model::Verdict* v = r.verdict ? &*r.verdict : nullptr;
    cells.push_back({printable(r.name), r.kernel.empty() ? "-" : r.kernel, v ? std::to_string(v->schedules) : "-",
                     v ? std::to_string(v->outcomes.size()) : "-",
                     r.expected.empty() ? "-" : fmt::format("{}", fmt::join(r.expected, ", ")),
                     v ? found_text(*v) : "-", r.status()});
  }
  std::vector<std::size_t> width(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) {
    width[c] = head[c].size();
    for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
  }
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const bool number = c == 2 || c == 3;
      const std::size_t pad = width[c] - row[c].size();
      if (number)
        line += std::string(pad, ' ') + row[c];
      else
        line += row[c] + (c + 1 < row.size() ? std::string(pad, ' ') : "");
      if (c + 1 < row.size()) line += "  ";
    }
    out << line << '\n';
  };
  print(head);
  std::size_t total = 2 * (head.size() - 1);
  for (std::size_t w : width) total += w;
  out << std::string(total, '-') << '\n';
  for (const auto& row : cells) print(row);
}

// An example as the report of explore shows it (explore_json.h).
ReportExample shown_example(const model::ScheduleRef& where) {
  return ReportExample{where.schedule, 0, where.index, where.preemptions, where.steps};
}
ReportExample shown_example(const model::FoundViolation& f) { return shown_example(f.where); }

// Lock checking: lockdep's report of each cycle of a scenario's lock graph
// (model::Verdict::lockdep), after the table, passing or not.
void print_lockdep(std::ostream& out, const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    if (!r.verdict || r.verdict->lockdep.cycles.empty()) continue;
    const auto& cycles = r.verdict->lockdep.cycles;
    out << fmt::format(
        "\nlockdep: {} ({}): {} possible deadlock{} in the lock-class dependency graph of its {} "
        "schedules\n",
        printable(r.name), printable(r.file), cycles.size(), cycles.size() == 1 ? "" : "s", r.verdict->schedules);
    for (const model::LockCycle& c : cycles) {
      out << '\n';
      std::size_t at = 0;
      while (at < c.report.size()) {
        std::size_t end = c.report.find('\n', at);
        if (end == std::string::npos) end = c.report.size();
        out << printable(std::string_view(c.report).substr(at, end - at)) << '\n';
        at = end + 1;
      }
    }
  }
}

nlohmann::json lock_edge_json(const model::LockEdge& e) {
  return nlohmann::json{{"from", e.from}, {"to", e.to},        {"from_where", e.from_where}, {"to_where", e.to_where},
                        {"task", e.task}, {"step", e.to_step}, {"schedule", e.schedule},     {"run", e.run + 1}};
}

void print_details(std::ostream& out, const std::vector<Row>& rows, std::uint64_t shrink_tries) {
  for (const Row& r : rows) {
    const std::string st = r.status();
    if (st == "pass" || st == "skipped") continue;
    out << '\n' << st << ": " << printable(r.name) << " (" << printable(r.file) << ")\n";
    if (!r.caveat.empty()) out << "  " << r.caveat << '\n';
    for (const model::ScenarioError& e : r.errors) out << "  " << e.to_string() << '\n';
    if (!r.verdict) continue;
    const model::Verdict& v = *r.verdict;
    if (v.interrupted) out << "  interrupted after " << v.schedules << " schedules\n";
    if (v.timed_out) out << "  stopped by --time-limit after " << v.schedules << " schedules\n";
    if (v.memory_out) out << "  stopped by the memory budget (--max-memory) after " << v.schedules << " schedules\n";
    if (v.error) out << "  internal error: " << printable(v.error_message) << '\n';
    for (const std::string& p : v.problems) out << "  - " << printable(p) << '\n';
    for (const model::FoundViolation& f : v.violations) {
      const bool ok = r.tolerated.test(static_cast<std::size_t>(f.property));
      out << fmt::format("  {} {}: {} of {} schedules, first at step {}: {}\n", ok ? "expected" : "VIOLATION",
                         model::property_name(f.property), f.count, v.schedules, f.step, printable(f.message));
      if (f.shrink) out << "    " << shrink_text(report_shrink(*f.shrink, 0), shown_example(f), shrink_tries) << '\n';
      out << "    " << replay_command(r.file, f.where.schedule, r.model_flags) << '\n';
    }
    if (!v.error)
      for (const model::OutcomeClass& o : v.outcomes) {
        out << fmt::format("  outcome ({} of {}): {}\n", o.count, v.schedules, outcome_text(o.signature));
        if (o.shrink && (!o.shrink->error.empty() || o.shrink->original.schedule != o.example.schedule))
          out << "    "
              << shrink_text(report_shrink(*o.shrink, 0), shown_example(o.example), shrink_tries,
                             "ends in this outcome")
              << '\n';
        out << "    " << replay_command(r.file, o.example.schedule, r.model_flags) << '\n';
      }
  }
}

nlohmann::json ref_json(const Row& r, const model::ScheduleRef& ref) {
  return {{"schedule", ref.schedule},
          {"index", ref.index},
          {"replay", replay_command(r.file, ref.schedule, r.model_flags)}};
}

nlohmann::json row_json(const Row& r) {
  nlohmann::json j{{"file", r.file},        {"scenario", r.name},
                   {"kernel", r.kernel},    {"model_flags", r.model_flags},
                   {"verdict", r.status()}, {"expected_violations", r.expected}};
  j["errors"] = nlohmann::json::array();
  for (const model::ScenarioError& e : r.errors)
    j["errors"].push_back({{"id", e.id}, {"pointer", e.pointer}, {"message", e.message}, {"text", e.to_string()}});
  if (!r.verdict) return j;
  const model::Verdict& v = *r.verdict;
  j["strategy"] = model::strategy_name(v.strategy);
  j["schedules"] = v.schedules;
  j["steps"] = v.steps;
  j["interrupted"] = v.interrupted;
  j["complete"] = v.complete && !v.bounded;  // every schedule of the space was run
  j["timed_out"] = v.timed_out;
  if (v.memory_out) j["stopped"] = "memory";  // only then: other rows stay as they were
  j["passed"] = v.passed();
  j["problems"] = v.problems;
  j["error"] = v.error ? nlohmann::json(v.error_message) : nlohmann::json();
  j["outcomes"] = nlohmann::json::array();
  for (const model::OutcomeClass& o : v.outcomes) {
    nlohmann::json oj{{"signature", o.signature}, {"count", o.count}, {"example", ref_json(r, o.example)}};
    oj["example"]["preemptions"] = o.example.preemptions;
    oj["example"]["steps"] = o.example.steps;
    if (o.shrink) {  // as a violation's (below), the original without a message
      const ReportShrink sh = report_shrink(*o.shrink, 0);
      oj["original"] = ref_json(r, o.shrink->original);
      oj["original"]["preemptions"] = o.shrink->original.preemptions;
      oj["original"]["steps"] = o.shrink->original.steps;
      oj["shrink"] = shrink_json(sh, shown_example(o.example));
    } else {
      oj["original"] = nullptr;
      oj["shrink"] = nullptr;
    }
    j["outcomes"].push_back(std::move(oj));
  }
  if (v.analysis) {  // --stateful
    j["states"] = v.states;
    j["hang_cycles"] = v.analysis->hangs.size();
    j["hangs_certain"] = v.analysis->certain;
  }
  if (v.merges) {  // --verify-merges
    j["merges_checked"] = v.merges->checked;
    j["merges_differ"] = v.merges->differ;
  }
  j["violations"] = nlohmann::json::array();
  for (const model::FoundViolation& f : v.violations) {
    nlohmann::json fj = ref_json(r, f.where);
    fj["property"] = model::property_name(f.property);
    fj["message"] = f.message;
    fj["step"] = f.step;
    fj["count"] = f.count;
    fj["expected"] = r.tolerated.test(static_cast<std::size_t>(f.property));
    fj["preemptions"] = f.where.preemptions;
    fj["steps"] = f.where.steps;
    if (f.shrink) {
      const ReportShrink sh = report_shrink(*f.shrink, 0);
      nlohmann::json original = original_json(r.file, sh, r.model_flags);
      original.erase("shard");  // check does not shard
      fj["original"] = std::move(original);
      fj["shrink"] = shrink_json(sh, shown_example(f));
    } else {
      fj["original"] = nullptr;
      fj["shrink"] = nullptr;
    }
    j["violations"].push_back(std::move(fj));
  }
  if (!v.lockdep.cycles.empty()) {
    nlohmann::json deps = nlohmann::json::array(), cycles = nlohmann::json::array();
    for (const model::LockEdge& e : v.lockdep.dependencies) deps.push_back(lock_edge_json(e));
    for (const model::LockCycle& c : v.lockdep.cycles) {
      nlohmann::json chain = nlohmann::json::array();
      for (const model::LockEdge& e : c.chain) chain.push_back(lock_edge_json(e));
      cycles.push_back(nlohmann::json{{"summary", c.summary}, {"chain", std::move(chain)}, {"report", c.report}});
    }
    j["lockdep"] = nlohmann::json{
        {"classes", v.lockdep.classes}, {"dependencies", std::move(deps)}, {"cycles", std::move(cycles)}};
  }
  return j;
}

// One file (the i-th of n): loaded, its model overridden by the flags,
// explored.  A row that is never explored (interrupted, or the file does not
// load) says why.
Row check_file(const std::string& file, const CheckArgs& a, const model::ExploreOptions& defaults,
               InterruptGuard& guard, Progress& progress, std::size_t i, std::size_t n) {
  Row row;
  row.file = file;
  row.name = fs::path(file).stem().string();
  if (guard.interrupted()) return row;  // not reached: "skipped"
  // A signal while the file is opened or read (a FIFO with no writer)
  // stops the reading: the file is not checked ("skipped"), like the rest.
  InputResult input = load_scenario_interruptible(file, guard.flag());
  if (input.interrupted) return row;
  model::LoadResult& loaded = input.loaded;
  if (!loaded.ok()) {
    row.errors = std::move(loaded.errors);
    return row;
  }
  override_model(a.model, *loaded.scenario);
  const model::Scenario& s = *loaded.scenario;
  row.name = s.name;
  row.kernel = kernel_text(s);
  row.model_flags = model_flags(s);
  row.caveat = expect_caveat(s);
  row.lkmm = s.has_memory() && s.memory == model::MemoryModel::LKMM;
  row.expected = property_names(s.expect.violations);
  row.tolerated = model::tolerated_properties(s);
  model::ExploreOverrides ov;
  if (a.strategy) ov.strategy = model::strategy_from_name(*a.strategy);  // checked by CLI11
  // --stateful: DFS pruning visited abstract states, unbounded unless the
  // scenario bounds it; the state graph's hang cycles and shortest paths.
  if (a.stateful) {
    ov.strategy = model::Strategy::Dfs;
    if (!s.explore.preemption_bound) ov.preemption_bound = model::ExploreOptions::kUnbounded;
  }
  ov.max_schedules = a.max_schedules;
  ov.seed = a.seed;
  ov.max_steps = a.max_steps;
  ov.max_tasks = a.max_tasks;
  model::ExploreOptions opt = model::explore_options_for(s, defaults, ov);
  opt.stateful = a.stateful;
  opt.verify_merges = a.verify_merges;
  opt.time_limit = a.time_limit.value_or(0);  // per scenario, as explore's
  opt.max_memory = memory_budget(a.max_memory.bytes);
  opt.stop = guard.flag();
  // The counterexamples shown are shrunk: the text table shows those of
  // failing scenarios only, the JSON every one.
  opt.shrink = shrink_from_flags(
      a.shrink, a.json ? model::CounterexampleShrink::When::Always : model::CounterexampleShrink::When::IfFailed,
      kCheckShrinkTries);
  progress.start(i, n, s.name);
  opt.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  row.verdict = model::check_scenario(s, opt);
  return row;
}

// The rows counted by status, and what their explorations did.
struct Totals {
  std::size_t passed = 0, failed = 0, invalid = 0, errors = 0, skipped = 0, timed_out = 0, memory_out = 0;
  std::size_t shrink_ran_out = 0;  // counterexamples whose shrink ran out of runs or time, not proven minimal
  std::uint64_t schedules = 0, steps = 0;
};

Totals tally(const std::vector<Row>& rows) {
  Totals t;
  for (const Row& r : rows) {
    const std::string st = r.status();
    if (st == "invalid")
      ++t.invalid;
    else if (st == "error")
      ++t.errors;
    else if (st.starts_with("FAIL"))
      ++t.failed;
    else if (st == "skipped")
      ++t.skipped;
    else
      ++t.passed;
    if (!r.verdict) continue;
    t.schedules += r.verdict->schedules, t.steps += r.verdict->steps, t.timed_out += r.verdict->timed_out;
    t.memory_out += r.verdict->memory_out;
    for (const model::FoundViolation& f : r.verdict->violations)
      if (f.shrink && !f.shrink->minimal && (f.shrink->exhausted || f.shrink->timed_out)) ++t.shrink_ran_out;
  }
  return t;
}

}  // namespace

int cmd_check(const CheckArgs& a, Io io) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto collected = scenario_files("check", a.paths, io);
  if (!collected) return kExitUsage;
  const std::vector<std::string>& files = *collected;

  model::ExploreOptions defaults;
  if (a.strategy) defaults.strategy = *model::strategy_from_name(*a.strategy);  // checked by CLI11
  if (a.max_schedules) defaults.max_schedules = *a.max_schedules;
  if (a.seed) defaults.seed = *a.seed;

  InterruptGuard guard;
  Progress progress(io.err, io.err_tty && !a.json);
  std::vector<Row> rows;
  for (std::size_t i = 0; i < files.size(); ++i)
    rows.push_back(check_file(files[i], a, defaults, guard, progress, i, files.size()));
  progress.clear();

  const auto [passed, failed, invalid, errors, skipped, timed_out, memory_out, shrink_ran_out, schedules, steps] =
      tally(rows);
  const bool interrupted = guard.interrupted();
  int code = errors ? kExitInternal : invalid ? kExitInvalid : failed ? kExitFailed : kExitOk;
  if (interrupted) code = kExitInterrupted;

  std::string summary = fmt::format("{} scenarios: {} passed, {} failed, {} invalid, {} errors; {} schedules, {} steps",
                                    rows.size(), passed, failed, invalid, errors, schedules, steps);
  if (timed_out) summary += fmt::format("; {} stopped by --time-limit", timed_out);
  if (memory_out) summary += fmt::format("; {} stopped by the memory budget (--max-memory)", memory_out);
  if (shrink_ran_out)
    summary += fmt::format("; the shrink budget ran out on {} counterexample{} (--shrink-tries, --shrink-time-limit)",
                           shrink_ran_out, shrink_ran_out == 1 ? "" : "s");
  if (interrupted) summary += fmt::format(" (interrupted: {} not checked)", skipped);
  // Under lkmm, where its verdicts may be stronger than LKMM's (issue 12).
  const bool lkmm = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.lkmm; });

  if (a.json) {
    nlohmann::json doc;
    doc["utsim"] = UTSIM_VERSION;
    doc["scenarios"] = nlohmann::json::array();
    for (const Row& r : rows) doc["scenarios"].push_back(row_json(r));
    doc["summary"] = {{"scenarios", rows.size()},
                      {"passed", passed},
                      {"failed", failed},
                      {"invalid", invalid},
                      {"errors", errors},
                      {"skipped", skipped},
                      {"schedules", schedules},
                      {"steps", steps},
                      {"interrupted", interrupted},
                      {"timed_out", timed_out},
                      {"time_limit", a.time_limit.value_or(0)},
                      {"shrink_tries", a.shrink.no_shrink ? nlohmann::json()
                                                          : nlohmann::json(a.shrink.tries.value_or(kCheckShrinkTries))},
                      {"shrink_time_limit", a.shrink.time_limit.value_or(0)},
                      {"shrink_ran_out", shrink_ran_out},
                      {"exit_code", code},
                      {"text", summary}};
    if (lkmm) doc["summary"]["notes"] = {model::kLkmmStrongerNote};
    // A file name need not be UTF-8: its bad bytes become U+FFFD, not an exception.
    io.out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print_table(io.out, rows);
    print_details(io.out, rows, a.shrink.tries.value_or(kCheckShrinkTries));
    print_lockdep(io.out, rows);
    io.out << '\n' << summary << '\n';
    if (lkmm) io.out << "note: " << model::kLkmmStrongerNote << '\n';
  }
  if (io.err_tty) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    io.err << fmt::format("checked in {:.2f} s\n", secs);
  }
  return code;
}

}  // namespace tools
