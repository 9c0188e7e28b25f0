// tools/export/explore_json.cpp: the report of an exploration, to JSON and
// back, merged, and as text.
//
// Why one file of ~630 lines: the writer of the report and its reader (what
// merge trusts nothing of) are the two halves of one format; side by side, a
// key added to one is seen missing from the other.
#include "tools/export/explore_json.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/hash.h"
#include "sim/schedule.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

constexpr const char* kFormat = "utsim-explore/1";

using ojson = nlohmann::ordered_json;

ojson example_json(const std::string& file, std::string_view model_flags, const ReportExample& e) {
  return ojson{{"schedule", e.schedule},
               {"replay", replay_command(file, e.schedule, model_flags)},
               {"shard", e.shard},
               {"index", e.index},
               {"preemptions", e.preemptions},
               {"steps", e.steps}};
}

ojson example_json(const ExploreReport& r, const ReportExample& e) { return example_json(r.file, r.model_flags, e); }

ojson violation_json(const ExploreReport& r, const ReportViolation& v) {
  return ojson{{"property", v.property},
               {"message", v.message},
               {"step", v.step},
               {"count", v.count},
               {"expected", v.expected},
               {"example", example_json(r, v.example)},
               {"original", v.shrink ? original_json(r.file, *v.shrink, r.model_flags) : ojson()},
               {"shrink", v.shrink ? shrink_json(*v.shrink, v.example) : ojson()}};
}

// Reading a report back (merge) trusts nothing in the file: every value is
// checked for its type and range, and an error names its JSON pointer
// (RFC 6901) and what was expected.
class Bad : public std::runtime_error {
 public:
  Bad(const std::string& ptr, const std::string& what) : std::runtime_error((ptr.empty() ? "/" : ptr) + ": " + what) {}
};

// The JSON pointer of `key` or `index` below `base` (RFC 6901 escapes, by
// nlohmann's json_pointer).
std::string at(const std::string& base, std::string_view key) {
  return (nlohmann::json::json_pointer(base) / std::string(key)).to_string();
}
std::string at(const std::string& base, std::size_t index) {
  return (nlohmann::json::json_pointer(base) / index).to_string();
}

// The value of `key` in the object `j` (at `ptr`).
const nlohmann::json& member(const nlohmann::json& j, const std::string& ptr, const char* key) {
  if (!j.is_object()) throw Bad(ptr, fmt::format("expected an object, got {}", j.type_name()));
  auto it = j.find(key);
  if (it == j.end()) throw Bad(ptr, fmt::format("missing key \"{}\"", key));
  return *it;
}

// A short quote of a value for an error message.
std::string quote(const nlohmann::json& v) {
  std::string d = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (d.size() > 40) d = d.substr(0, 40) + "...";
  return d;
}

// A non-negative integer at most `max` (no fraction: 1.0 is not a count).
std::uint64_t integer_at(const nlohmann::json& j, const std::string& ptr, const char* key,
                         std::uint64_t max = UINT64_MAX) {
  const nlohmann::json& v = member(j, ptr, key);
  const bool ok = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
  if (!ok || v.get<std::uint64_t>() > max)
    throw Bad(at(ptr, key), fmt::format("expected an integer from 0 to {}, got {}", max, quote(v)));
  return v.get<std::uint64_t>();
}

// A finite number >= 0.
double number_at(const nlohmann::json& j, const std::string& ptr, const char* key) {
  const nlohmann::json& v = member(j, ptr, key);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
    throw Bad(at(ptr, key), fmt::format("expected a finite number >= 0, got {}", quote(v)));
  return v.get<double>();
}

std::string string_at(const nlohmann::json& j, const std::string& ptr, const char* key) {
  const nlohmann::json& v = member(j, ptr, key);
  if (!v.is_string()) throw Bad(at(ptr, key), fmt::format("expected a string, got {}", v.type_name()));
  return v.get<std::string>();
}

bool bool_at(const nlohmann::json& j, const std::string& ptr, const char* key) {
  const nlohmann::json& v = member(j, ptr, key);
  if (!v.is_boolean()) throw Bad(at(ptr, key), fmt::format("expected true or false, got {}", quote(v)));
  return v.get<bool>();
}

const nlohmann::json& array_at(const nlohmann::json& j, const std::string& ptr, const char* key) {
  const nlohmann::json& v = member(j, ptr, key);
  if (!v.is_array()) throw Bad(at(ptr, key), fmt::format("expected an array, got {}", v.type_name()));
  return v;
}

// Shard indices: integers below `count`, sorted, each once.
std::vector<std::uint32_t> shards_at(const nlohmann::json& j, const std::string& ptr, const char* key,
                                     std::uint32_t count) {
  const nlohmann::json& a = array_at(j, ptr, key);
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const nlohmann::json& v = a[i];
    const bool ok = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    if (!ok || v.get<std::uint64_t>() >= count)
      throw Bad(at(at(ptr, key), i), fmt::format("expected a shard index from 0 to {}, got {}", count - 1, quote(v)));
    const auto s = static_cast<std::uint32_t>(v.get<std::uint64_t>());
    if (!out.empty() && s <= out.back()) throw Bad(at(at(ptr, key), i), "shard indices must be sorted, each once");
    out.push_back(s);
  }
  return out;
}

// Model flags as model_flags() writes them (a replay command prints them
// unquoted): "--kernel K", "--bug R<n>", "--no-bugs" and "--memory M", K a
// kernel version, M a memory model.
std::string model_flags_at(const nlohmann::json& j, const std::string& ptr, const char* key) {
  if (!j.contains(key)) return {};  // a report of a utsim before --kernel and --bug
  std::string s = string_at(j, ptr, key);
  std::istringstream words(s);
  bool ok = true;
  for (std::string w; ok && words >> w;) {
    std::string v;
    if (w == "--kernel")
      ok = static_cast<bool>(words >> v) && model::kernel_version_from_name(v).has_value();
    else if (w == "--bug")
      ok = static_cast<bool>(words >> v) && model::bug_from_name(v).has_value();
    else if (w == "--memory")
      ok = static_cast<bool>(words >> v) && model::memory_model_from_name(v).has_value();
    else
      ok = w == "--no-bugs";
  }
  if (!ok)
    throw Bad(at(ptr, key),
              fmt::format("expected --kernel, --bug, --no-bugs and --memory flags, got {}", quote(j[key])));
  return s;
}

// A schedule string that decodes (a replay command quotes it).
std::string schedule_at(const nlohmann::json& j, const std::string& ptr, const char* key) {
  std::string s = string_at(j, ptr, key);
  sim::ScheduleError e;
  if (!sim::decode_schedule(s, &e))
    throw Bad(at(ptr, key), fmt::format("not a schedule string: at offset {}: {}", e.offset, e.message));
  return s;
}

ReportExample example_from_json(const nlohmann::json& j, const std::string& ptr, std::uint32_t shard_count) {
  ReportExample e;
  e.schedule = schedule_at(j, ptr, "schedule");
  e.shard = static_cast<std::uint32_t>(integer_at(j, ptr, "shard", shard_count - 1));
  e.index = integer_at(j, ptr, "index");
  e.preemptions = static_cast<std::uint32_t>(integer_at(j, ptr, "preemptions", UINT32_MAX));
  e.steps = integer_at(j, ptr, "steps");
  return e;
}

// "original" and "shrink" of a violation: both null (not shrunk, or a
// report of a utsim before issue #14 that has neither), else both objects.
std::optional<ReportShrink> shrink_from_json(const nlohmann::json& v, const std::string& ptr, std::uint32_t shard_count,
                                             bool with_message = true) {
  const bool has_original = v.contains("original") && !v["original"].is_null();
  const bool has_shrink = v.contains("shrink") && !v["shrink"].is_null();
  if (!has_original && !has_shrink) return std::nullopt;
  if (!has_shrink) throw Bad(at(ptr, "shrink"), "an \"original\" needs its \"shrink\" facts");
  if (!has_original) throw Bad(at(ptr, "original"), "\"shrink\" facts need the \"original\" example");
  const std::string op = at(ptr, "original"), sp = at(ptr, "shrink");
  const nlohmann::json& o = v["original"];
  const nlohmann::json& f = v["shrink"];
  ReportShrink r;
  r.original = example_from_json(o, op, shard_count);
  if (with_message) {  // a violation's; an outcome's original is its example alone
    r.message = string_at(o, op, "message");
    r.step = integer_at(o, op, "step");
  }
  r.runs = integer_at(f, sp, "runs");
  r.minimal = bool_at(f, sp, "minimal");
  r.budget_exhausted = bool_at(f, sp, "budget_exhausted");
  r.timed_out = bool_at(f, sp, "timed_out");
  r.interrupted = bool_at(f, sp, "interrupted");
  if (f.contains("error") && !f["error"].is_null()) r.error = string_at(f, sp, "error");
  return r;
}

// a + b, or an error naming what overflowed.
std::uint64_t sum(std::uint64_t a, std::uint64_t b, const std::string& what) {
  if (a > UINT64_MAX - b)
    throw std::invalid_argument(fmt::format("{}: the sum {} + {} does not fit in 64 bits", what, a, b));
  return a + b;
}

std::string join(const std::vector<std::uint32_t>& v) { return fmt::format("{}", fmt::join(v, ", ")); }

// Shard indices of 0..count-1 that are not in `have` (sorted).
std::vector<std::uint32_t> missing(const std::vector<std::uint32_t>& have, std::uint32_t count) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < count && out.size() < 1000; ++i)
    if (!std::binary_search(have.begin(), have.end(), i)) out.push_back(i);
  return out;
}

// Why a report is not complete, in a few words.
std::string incomplete_reason(const ExploreReport& r) {
  if (r.error) return "an internal error stopped it";
  if (r.interrupted) return "interrupted";
  if (r.timed_out) return "stopped by the time limit";
  if (r.stopped == "memory")
    return fmt::format("stopped by the memory budget ({}, --max-memory)", memory_text(r.memory_budget));
  if (r.stopped == "first-violation") return "stopped at the first violation (--stop-at-first)";
  if (r.options.strategy == "random" || r.options.strategy == "pct") return "sampling never exhausts the space";
  if (r.shards.size() < r.shard_count && r.exhausted.size() == r.shards.size())
    return fmt::format("shards not merged in: {}", join(missing(r.shards, r.shard_count)));
  std::vector<std::uint32_t> open;
  std::set_difference(r.shards.begin(), r.shards.end(), r.exhausted.begin(), r.exhausted.end(),
                      std::back_inserter(open));
  if (r.shard_count > 1) return fmt::format("shards that did not exhaust their part: {}", join(open));
  return fmt::format("stopped at --max-schedules {}", r.options.max_schedules);
}

}  // namespace

bool ExploreReport::complete() const {
  return !error && exhausted.size() == shard_count;  // exhausted ⊆ shards ⊆ 0..count-1, sorted, unique
}

std::size_t ExploreReport::unexpected() const {
  return static_cast<std::size_t>(
      std::count_if(violations.begin(), violations.end(), [](const ReportViolation& v) { return !v.expected; }));
}

int ExploreReport::exit_code() const {
  if (error) return 70;
  return unexpected() ? 1 : 0;
}

ReportShrink report_shrink(const model::ShrinkFacts& f, std::uint32_t shard) {
  ReportShrink r;
  r.original = ReportExample{f.original.schedule, shard, f.original.index, f.original.preemptions, f.original.steps};
  r.message = f.message;
  r.step = f.step;
  r.runs = f.runs;
  r.minimal = f.minimal;
  r.budget_exhausted = f.exhausted;
  r.timed_out = f.timed_out;
  r.interrupted = f.interrupted;
  if (!f.error.empty()) r.error = f.error;
  return r;
}

std::string shrink_text(const ReportShrink& s, const ReportExample& shown, std::uint64_t budget,
                        std::string_view what) {
  if (s.error) return "not shrunk: " + printable(*s.error);
  const char* plural = shown.preemptions == 1 ? "" : "s";
  std::string t =
      s.original.preemptions == shown.preemptions && s.original.steps == shown.steps
          ? fmt::format("kept as found: {} preemption{}, {} steps ({} runs)", shown.preemptions, plural, shown.steps,
                        s.runs)
          : fmt::format("shrunk from {} to {} preemption{}, {} to {} steps ({} runs)", s.original.preemptions,
                        shown.preemptions, plural, s.original.steps, shown.steps, s.runs);
  if (s.minimal) return t + fmt::format("; minimal: no schedule with fewer preemptions {}", what);
  if (s.interrupted) return t + "; interrupted: not proven minimal";
  if (s.timed_out)
    return t +
           "; --shrink-time-limit ran out: not proven minimal (a time limit makes this result depend on the "
           "machine)";
  if (s.budget_exhausted)
    return t + fmt::format("; the shrink budget of {} runs ran out (--shrink-tries): not proven minimal", budget);
  return t + "; not proven minimal";
}

nlohmann::ordered_json original_json(const std::string& file, const ReportShrink& s, std::string_view model_flags) {
  ojson j = example_json(file, model_flags, s.original);
  j["message"] = s.message;
  j["step"] = s.step;
  return j;
}

nlohmann::ordered_json shrink_json(const ReportShrink& s, const ReportExample& shown) {
  return ojson{{"preemptions_before", s.original.preemptions},
               {"preemptions_after", shown.preemptions},
               {"steps_before", s.original.steps},
               {"steps_after", shown.steps},
               {"runs", s.runs},
               {"minimal", s.minimal},
               {"budget_exhausted", s.budget_exhausted},
               {"timed_out", s.timed_out},
               {"interrupted", s.interrupted},
               {"error", s.error ? ojson(*s.error) : ojson()}};
}

std::string hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return fmt::format("{:016x}", sim::hash_bytes(sim::kHashSeed, bytes));
}

ExploreReport report_from_verdict(const model::Verdict& v, const model::Scenario& s, const model::ExploreOptions& o,
                                  const std::string& file) {
  ExploreReport r;
  r.utsim = UTSIM_VERSION;
  r.scenario = s.name;
  r.file = file;
  r.scenario_hash = hash_file(file);
  r.kernel = kernel_text(s);
  r.model_flags = model_flags(s);
  r.file_kernel = file_kernel_text(s);
  r.options.strategy = model::strategy_name(o.strategy);
  r.options.seed = o.seed;
  r.options.depth = o.depth;
  if (o.strategy == model::Strategy::Dfs && o.preemption_bound != model::ExploreOptions::kUnbounded)
    r.options.preemption_bound = o.preemption_bound;
  r.options.max_schedules = o.max_schedules;
  r.options.max_steps = o.run.max_steps;
  r.options.max_tasks = o.run.max_tasks;
  r.time_limit = o.time_limit;
  if (o.shrink.when != model::CounterexampleShrink::When::Never) {
    r.shrink_tries = o.shrink.max_tries;
    r.shrink_time_limit = o.shrink.time_limit;
  }
  r.shard_count = o.shard.count;
  r.shards = {o.shard.index};
  if (v.complete && !v.error) r.exhausted = {o.shard.index};
  r.schedules = v.schedules;
  r.steps = v.steps;
  r.redundant = v.redundant;
  r.bounded = v.bounded;
  r.interrupted = v.interrupted;
  r.timed_out = v.timed_out;
  if (v.memory_out) {
    r.stopped = "memory";
    r.memory_budget = o.max_memory;
  } else if (v.stopped_at_first) {
    r.stopped = "first-violation";
  }
  r.estimate = v.estimate;
  auto example = [&](const model::ScheduleRef& ref) {
    return ReportExample{ref.schedule, o.shard.index, ref.index, ref.preemptions, ref.steps};
  };
  for (const model::OutcomeClass& c : v.outcomes)
    r.outcomes.push_back(
        ReportOutcome{c.signature, c.count, example(c.example),
                      c.shrink ? std::optional(report_shrink(*c.shrink, o.shard.index)) : std::nullopt});
  const model::PropertySet tolerated = model::tolerated_properties(s);
  for (const model::FoundViolation& f : v.violations)
    r.violations.push_back(
        ReportViolation{model::property_name(f.property), f.message, f.step, f.count,
                        tolerated.test(static_cast<std::size_t>(f.property)), example(f.where),
                        f.shrink ? std::optional(report_shrink(*f.shrink, o.shard.index)) : std::nullopt});
  for (const model::LockCycle& c : v.lockdep.cycles) r.lock_cycles.push_back(ReportLockCycle{c.summary, c.report});
  if (v.error) r.error = v.error_message;
  return r;
}

nlohmann::ordered_json report_to_json(const ExploreReport& r, int exit_code) {
  ojson j;
  j["format"] = kFormat;
  j["utsim"] = r.utsim;
  j["scenario"] = r.scenario;
  j["file"] = r.file;
  j["scenario_hash"] = r.scenario_hash;
  j["kernel"] = r.kernel;
  j["model_flags"] = r.model_flags;
  j["file_kernel"] = r.file_kernel;
  const ReportOptions& o = r.options;
  j["options"] = ojson{{"strategy", o.strategy},
                       {"seed", o.seed},
                       {"depth", o.depth},
                       {"preemption_bound", o.preemption_bound ? ojson(*o.preemption_bound) : ojson()},
                       {"max_schedules", o.max_schedules},
                       {"max_steps", o.max_steps},
                       {"max_tasks", o.max_tasks},
                       {"time_limit", r.time_limit},
                       {"shrink_tries", r.shrink_tries ? ojson(r.shrink_tries) : ojson()},
                       {"shrink_time_limit", r.shrink_time_limit}};
  j["shards"] = ojson{{"count", r.shard_count}, {"covered", r.shards}, {"exhausted", r.exhausted}};
  j["schedules"] = r.schedules;
  j["steps"] = r.steps;
  j["redundant"] = r.redundant;
  j["complete"] = r.complete();
  j["bounded"] = r.bounded;
  j["interrupted"] = r.interrupted;
  j["timed_out"] = r.timed_out;
  if (!r.stopped.empty()) {  // only then: a report of a run that was not stopped stays as it was
    j["stopped"] = r.stopped;
    if (r.stopped == "memory") j["memory_budget"] = r.memory_budget;
  }
  j["estimate"] = r.estimate;
  j["outcomes"] = ojson::array();
  for (const ReportOutcome& c : r.outcomes)
    j["outcomes"].push_back(ojson{{"signature", c.signature},
                                  {"count", c.count},
                                  {"example", example_json(r, c.example)},
                                  {"original", c.shrink ? example_json(r, c.shrink->original) : ojson()},
                                  {"shrink", c.shrink ? shrink_json(*c.shrink, c.example) : ojson()}});
  j["violations"] = ojson::array();
  for (const ReportViolation& v : r.violations) j["violations"].push_back(violation_json(r, v));
  j["unexpected_violations"] = r.unexpected();
  if (!r.lock_cycles.empty()) {
    ojson cycles = ojson::array();
    for (const ReportLockCycle& c : r.lock_cycles)
      cycles.push_back(ojson{{"summary", c.summary}, {"report", c.report}});
    j["lockdep"] = ojson{{"cycles", std::move(cycles)}};
  }
  j["error"] = r.error ? ojson(*r.error) : ojson();
  j["exit_code"] = exit_code;
  if (r.seconds >= 0)
    j["timing"] = ojson{{"seconds", r.seconds},
                        {"schedules_per_second", r.seconds > 0 ? static_cast<double>(r.schedules) / r.seconds : 0.0}};
  return j;
}

ExploreReport report_from_json(const nlohmann::json& j) {
  const std::string root;
  if (!j.is_object()) throw Bad(root, fmt::format("expected an object, got {}", j.type_name()));
  if (!j.contains("format") || j["format"] != kFormat)
    throw Bad("/format", fmt::format("not a utsim explore report (\"format\" is not \"{}\")", kFormat));
  ExploreReport r;
  r.utsim = string_at(j, root, "utsim");
  r.scenario = string_at(j, root, "scenario");
  r.file = string_at(j, root, "file");
  r.scenario_hash = string_at(j, root, "scenario_hash");
  r.kernel = string_at(j, root, "kernel");
  r.model_flags = model_flags_at(j, root, "model_flags");
  r.file_kernel = j.contains("file_kernel") ? string_at(j, root, "file_kernel") : r.kernel;
  const std::string op = "/options";
  const nlohmann::json& o = member(j, root, "options");
  r.options.strategy = string_at(o, op, "strategy");
  if (!model::strategy_from_name(r.options.strategy))
    throw Bad(at(op, "strategy"), fmt::format("unknown strategy {}", quote(o["strategy"])));
  r.options.seed = integer_at(o, op, "seed");
  r.options.depth = static_cast<unsigned>(integer_at(o, op, "depth", UINT32_MAX));
  if (o.contains("preemption_bound") && !o["preemption_bound"].is_null())
    r.options.preemption_bound = static_cast<std::uint32_t>(integer_at(o, op, "preemption_bound", UINT32_MAX));
  r.options.max_schedules = integer_at(o, op, "max_schedules");
  r.options.max_steps = integer_at(o, op, "max_steps");
  r.options.max_tasks = static_cast<std::uint32_t>(integer_at(o, op, "max_tasks", UINT32_MAX));
  r.time_limit = number_at(o, op, "time_limit");
  if (o.contains("shrink_tries") && !o["shrink_tries"].is_null())  // absent before issue #14
    r.shrink_tries = integer_at(o, op, "shrink_tries");
  if (o.contains("shrink_time_limit")) r.shrink_time_limit = number_at(o, op, "shrink_time_limit");
  const std::string sp = "/shards";
  const nlohmann::json& sh = member(j, root, "shards");
  r.shard_count = static_cast<std::uint32_t>(integer_at(sh, sp, "count", 1'000'000));
  if (r.shard_count == 0) throw Bad(at(sp, "count"), "expected an integer from 1 to 1000000, got 0");
  r.shards = shards_at(sh, sp, "covered", r.shard_count);
  r.exhausted = shards_at(sh, sp, "exhausted", r.shard_count);
  if (r.shards.empty()) throw Bad(at(sp, "covered"), "a report covers at least one shard");
  if (!std::includes(r.shards.begin(), r.shards.end(), r.exhausted.begin(), r.exhausted.end()))
    throw Bad(at(sp, "exhausted"), "a shard can only be exhausted if it is covered");
  r.schedules = integer_at(j, root, "schedules");
  r.steps = integer_at(j, root, "steps");
  r.redundant = integer_at(j, root, "redundant");
  r.bounded = bool_at(j, root, "bounded");
  r.interrupted = bool_at(j, root, "interrupted");
  r.timed_out = bool_at(j, root, "timed_out");
  if (j.contains("stopped")) r.stopped = string_at(j, root, "stopped");
  if (j.contains("memory_budget")) r.memory_budget = integer_at(j, root, "memory_budget");
  r.estimate = number_at(j, root, "estimate");
  const nlohmann::json& outcomes = array_at(j, root, "outcomes");
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const std::string p = at("/outcomes", i);
    const nlohmann::json& c = outcomes[i];
    r.outcomes.push_back(ReportOutcome{string_at(c, p, "signature"), integer_at(c, p, "count"),
                                       example_from_json(member(c, p, "example"), at(p, "example"), r.shard_count),
                                       shrink_from_json(c, p, r.shard_count, false)});
  }
  const nlohmann::json& violations = array_at(j, root, "violations");
  for (std::size_t i = 0; i < violations.size(); ++i) {
    const std::string p = at("/violations", i);
    const nlohmann::json& v = violations[i];
    r.violations.push_back(ReportViolation{
        string_at(v, p, "property"), string_at(v, p, "message"), integer_at(v, p, "step"), integer_at(v, p, "count"),
        bool_at(v, p, "expected"), example_from_json(member(v, p, "example"), at(p, "example"), r.shard_count),
        shrink_from_json(v, p, r.shard_count)});
  }
  if (j.contains("lockdep")) {
    const nlohmann::json& cycles = array_at(j["lockdep"], "/lockdep", "cycles");
    for (std::size_t i = 0; i < cycles.size(); ++i) {
      const std::string p = at("/lockdep/cycles", i);
      r.lock_cycles.push_back(ReportLockCycle{string_at(cycles[i], p, "summary"), string_at(cycles[i], p, "report")});
    }
  }
  if (j.contains("error") && !j["error"].is_null()) r.error = string_at(j, root, "error");
  return r;  // "timing" is ignored: wall-clock time does not merge
}

ExploreReport merge_reports(std::vector<ExploreReport> parts, const std::vector<std::string>& names) {
  if (parts.empty()) throw std::invalid_argument("nothing to merge");
  std::vector<std::size_t> order(parts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return parts[a].shards.front() < parts[b].shards.front(); });
  auto name = [&](std::size_t i) { return i < names.size() ? names[i] : fmt::format("report {}", i + 1); };

  const std::size_t b = order.front();
  ExploreReport m = parts[b];
  m.seconds = -1;
  double estimates = m.estimate;
  std::map<std::uint32_t, std::size_t> owner;  // shard index -> report that covers it
  for (std::uint32_t s : m.shards) owner[s] = b;
  for (std::size_t k = 1; k < order.size(); ++k) {
    const std::size_t i = order[k];
    const ExploreReport& p = parts[i];
    auto differ = [&](const char* what, const std::string& x, const std::string& y) {
      if (x != y)
        throw std::invalid_argument(
            fmt::format("{} and {} are not shards of one exploration: {} {} vs {}", name(b), name(i), what, x, y));
    };
    differ("utsim version", m.utsim, p.utsim);
    differ("scenario", m.scenario, p.scenario);
    differ("scenario file contents (scenario_hash)", m.scenario_hash, p.scenario_hash);
    differ("kernel", m.kernel, p.kernel);
    differ("model flags", m.model_flags, p.model_flags);
    differ("strategy", m.options.strategy, p.options.strategy);
    differ("seed", std::to_string(m.options.seed), std::to_string(p.options.seed));
    differ("shard count", std::to_string(m.shard_count), std::to_string(p.shard_count));
    if (!(m.options == p.options))
      throw std::invalid_argument(
          fmt::format("{} and {} are not shards of one exploration: their options differ (depth, preemption "
                      "bound, max-schedules, max-steps or max-tasks)",
                      name(b), name(i)));
    for (std::uint32_t s : p.shards)
      if (auto [it, fresh] = owner.emplace(s, i); !fresh)
        throw std::invalid_argument(
            fmt::format("shard {} is in both {} and {}: it would be counted twice", s, name(it->second), name(i)));

    m.shards.insert(m.shards.end(), p.shards.begin(), p.shards.end());
    m.exhausted.insert(m.exhausted.end(), p.exhausted.begin(), p.exhausted.end());
    m.schedules = sum(m.schedules, p.schedules, name(i) + ": /schedules");
    m.steps = sum(m.steps, p.steps, name(i) + ": /steps");
    m.redundant = sum(m.redundant, p.redundant, name(i) + ": /redundant");
    m.bounded = m.bounded || p.bounded;
    m.interrupted = m.interrupted || p.interrupted;
    m.timed_out = m.timed_out || p.timed_out;
    if (m.stopped.empty()) {
      m.stopped = p.stopped;
      m.memory_budget = p.memory_budget;
    }
    if (!m.error && p.error) m.error = p.error;
    for (const ReportLockCycle& c : p.lock_cycles)
      if (std::none_of(m.lock_cycles.begin(), m.lock_cycles.end(),
                       [&](const ReportLockCycle& x) { return x.summary == c.summary; }))
        m.lock_cycles.push_back(c);
    estimates += p.estimate;
    for (std::size_t n = 0; n < p.outcomes.size(); ++n) {
      const ReportOutcome& c = p.outcomes[n];
      auto it = std::find_if(m.outcomes.begin(), m.outcomes.end(),
                             [&](const ReportOutcome& x) { return x.signature == c.signature; });
      if (it == m.outcomes.end()) {
        m.outcomes.push_back(c);
        continue;
      }
      const std::uint64_t count = sum(it->count, c.count, fmt::format("{}: /outcomes/{}/count", name(i), n));
      if (std::pair(c.example.preemptions, c.example.steps) < std::pair(it->example.preemptions, it->example.steps))
        *it = c;  // the shortest example of the shards'
      it->count = count;
    }
    for (std::size_t n = 0; n < p.violations.size(); ++n) {
      const ReportViolation& v = p.violations[n];
      auto it = std::find_if(m.violations.begin(), m.violations.end(),
                             [&](const ReportViolation& x) { return x.property == v.property; });
      if (it == m.violations.end()) {
        m.violations.push_back(v);
        continue;
      }
      const std::uint64_t count = sum(it->count, v.count, fmt::format("{}: /violations/{}/count", name(i), n));
      const bool expected = it->expected;
      if (std::pair(v.example.preemptions, v.example.steps) < std::pair(it->example.preemptions, it->example.steps))
        *it = v;
      it->count = count;
      it->expected = expected;
    }
  }
  std::sort(m.shards.begin(), m.shards.end());
  std::sort(m.exhausted.begin(), m.exhausted.end());
  // A dfs shard's probes walk the whole tree: its estimate is of the whole
  // space, and the shards' mean is the better one.  DPOR's (and the
  // portfolio's) is of the part a shard explores: they add up.
  m.estimate = m.options.strategy == "dfs" ? estimates / static_cast<double>(parts.size()) : estimates;
  if (!std::isfinite(m.estimate)) throw std::invalid_argument("the sum of the estimates is not a finite number");
  return m;
}

// A block of lines (lockdep's report) as text shows it: each line printable.
namespace {
std::string printable_lines(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    out += printable(std::string_view(text).substr(at, end - at));
    if (end < text.size()) out += '\n';
    at = end + 1;
  }
  return out;
}
}  // namespace

void print_report_text(std::ostream& out, const ExploreReport& r, int exit_code) {
  // A merged report's strings come from files: every one goes through printable().
  out << fmt::format("scenario    {}  ({})\n", printable(r.scenario), printable(r.file));
  out << fmt::format("kernel      {}\n", printable(r.kernel));
  if (!r.model_flags.empty())
    out << fmt::format(
        "model       {} overrode the file's {}: its expect, which says below what is expected, was written for "
        "that one\n",
        r.model_flags, printable(r.file_kernel));
  std::string how = printable(r.options.strategy);
  if (r.options.strategy == "dfs")
    how += r.options.preemption_bound ? fmt::format(", preemption bound {}", *r.options.preemption_bound)
                                      : std::string(", unbounded");
  if (r.options.strategy == "pct" || r.options.strategy == "portfolio")
    how += fmt::format(", depth {}", r.options.depth);
  if (r.options.strategy != "dpor") how += fmt::format(", seed {}", r.options.seed);
  out << fmt::format("strategy    {}\n", how);
  if (r.shard_count > 1)
    out << fmt::format("shards      {} of {} (indices {})\n", r.shards.size(), r.shard_count, join(r.shards));
  out << fmt::format("schedules   {} ({} redundant runs not counted), {} steps\n", r.schedules, r.redundant, r.steps);
  std::string complete;
  if (r.complete()) {
    complete = "true: every schedule of the space was run";
    if (r.options.preemption_bound)
      complete = fmt::format("true: every schedule with at most {} preemption{} was run{}", *r.options.preemption_bound,
                             *r.options.preemption_bound == 1 ? "" : "s",
                             r.bounded ? "; schedules with more preemptions exist" : "; there are no others");
  } else {
    complete = "false: " + incomplete_reason(r);
  }
  out << fmt::format("complete    {}\n", complete);
  if (r.estimate > 0)
    out << fmt::format(
        "estimate    ~{:.0f} schedules in the space explored ({}){}\n", r.estimate,
        r.options.strategy == "dfs" ? "Knuth's estimator, rough on lopsided trees" : "from DPOR's progress",
        r.complete() ? fmt::format("; the search ended: exactly {}", r.schedules) : "");
  else
    out << "estimate    unknown\n";
  if (r.error) out << fmt::format("error       {}\n", printable(*r.error));
  out << fmt::format("outcomes    {}\n", r.outcomes.size());
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    const ReportOutcome& c = r.outcomes[i];
    out << fmt::format("  {}. {} of {} schedules: {}\n", i + 1, c.count, r.schedules, outcome_text(c.signature));
    // Said only when the example shown is not the one found (most are found short).
    if (c.shrink && (c.shrink->error || c.shrink->original.schedule != c.example.schedule))
      out << "     " << shrink_text(*c.shrink, c.example, r.shrink_tries, "ends in this outcome") << '\n';
    out << "     " << replay_command(r.file, c.example.schedule, r.model_flags) << '\n';
  }
  out << fmt::format("violations  {} ({} unexpected)\n", r.violations.size(), r.unexpected());
  for (const ReportViolation& v : r.violations) {
    out << fmt::format("  {} {}: {} of {} schedules; at step {} of schedule '{}' ({} preemption{}, {} steps): {}\n",
                       v.expected ? "expected" : "VIOLATION", printable(v.property), v.count, r.schedules, v.step,
                       printable(v.example.schedule), v.example.preemptions, v.example.preemptions == 1 ? "" : "s",
                       v.example.steps, printable(v.message));
    if (v.shrink) out << "     " << shrink_text(*v.shrink, v.example, r.shrink_tries) << '\n';
    out << "     " << replay_command(r.file, v.example.schedule, r.model_flags) << '\n';
  }
  if (!r.lock_cycles.empty()) {
    out << fmt::format("lockdep     {} possible deadlock{} in the lock-class dependency graph of every schedule run\n",
                       r.lock_cycles.size(), r.lock_cycles.size() == 1 ? "" : "s");
    for (const ReportLockCycle& c : r.lock_cycles) out << '\n' << printable_lines(c.report) << '\n';
  }
  out << fmt::format("exit        {}\n", exit_code);
}

void write_report(std::ostream& out, const ExploreReport& r, int exit_code, bool json) {
  if (json)
    out << report_to_json(r, exit_code).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  else
    print_report_text(out, r, exit_code);
}

}  // namespace tools
