// tools/export/explore_json.cpp: the report of an exploration, to JSON and
// back, merged, and as text.
#include "tools/export/explore_json.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/hash.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

constexpr const char* kFormat = "utsim-explore/1";

using ojson = nlohmann::ordered_json;

ojson example_json(const std::string& file, const ReportExample& e) {
  return ojson{{"schedule", e.schedule},
               {"replay", replay_command(file, e.schedule)},
               {"shard", e.shard},
               {"index", e.index},
               {"preemptions", e.preemptions},
               {"steps", e.steps}};
}

// A key of the document, of the type asked for, or a clear error.
template <class T>
T field(const nlohmann::json& j, const char* key, const char* where = "") {
  if (!j.is_object() || !j.contains(key)) throw std::runtime_error(fmt::format("missing key \"{}\"{}", key, where));
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(fmt::format("key \"{}\"{} has the wrong type ({})", key, where, j.at(key).type_name()));
  }
}

ReportExample example_from_json(const nlohmann::json& j) {
  const char* where = " in an example";
  ReportExample e;
  e.schedule = field<std::string>(j, "schedule", where);
  e.shard = field<std::uint32_t>(j, "shard", where);
  e.index = field<std::uint64_t>(j, "index", where);
  e.preemptions = field<std::uint32_t>(j, "preemptions", where);
  e.steps = field<std::uint64_t>(j, "steps", where);
  return e;
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
  r.options.strategy = model::strategy_name(o.strategy);
  r.options.seed = o.seed;
  r.options.depth = o.depth;
  if (o.strategy == model::Strategy::Dfs && o.preemption_bound != model::ExploreOptions::kUnbounded)
    r.options.preemption_bound = o.preemption_bound;
  r.options.max_schedules = o.max_schedules;
  r.options.max_steps = o.run.max_steps;
  r.options.max_tasks = o.run.max_tasks;
  r.time_limit = o.time_limit;
  r.shard_count = o.shard.count;
  r.shards = {o.shard.index};
  if (v.complete && !v.error) r.exhausted = {o.shard.index};
  r.schedules = v.schedules;
  r.steps = v.steps;
  r.redundant = v.redundant;
  r.bounded = v.bounded;
  r.interrupted = v.interrupted;
  r.timed_out = v.timed_out;
  r.estimate = v.estimate;
  auto example = [&](const model::ScheduleRef& ref) {
    return ReportExample{ref.schedule, o.shard.index, ref.index, ref.preemptions, ref.steps};
  };
  for (const model::OutcomeClass& c : v.outcomes)
    r.outcomes.push_back(ReportOutcome{c.signature, c.count, example(c.example)});
  const model::PropertySet tolerated = model::tolerated_properties(s);
  for (const model::FoundViolation& f : v.violations)
    r.violations.push_back(ReportViolation{model::property_name(f.property), f.message, f.step, f.count,
                                           tolerated.test(static_cast<std::size_t>(f.property)), example(f.where)});
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
  const ReportOptions& o = r.options;
  j["options"] = ojson{{"strategy", o.strategy},
                       {"seed", o.seed},
                       {"depth", o.depth},
                       {"preemption_bound", o.preemption_bound ? ojson(*o.preemption_bound) : ojson()},
                       {"max_schedules", o.max_schedules},
                       {"max_steps", o.max_steps},
                       {"max_tasks", o.max_tasks},
                       {"time_limit", r.time_limit}};
  j["shards"] = ojson{{"count", r.shard_count}, {"covered", r.shards}, {"exhausted", r.exhausted}};
  j["schedules"] = r.schedules;
  j["steps"] = r.steps;
  j["redundant"] = r.redundant;
  j["complete"] = r.complete();
  j["bounded"] = r.bounded;
  j["interrupted"] = r.interrupted;
  j["timed_out"] = r.timed_out;
  j["estimate"] = r.estimate;
  j["outcomes"] = ojson::array();
  for (const ReportOutcome& c : r.outcomes)
    j["outcomes"].push_back(
        ojson{{"signature", c.signature}, {"count", c.count}, {"example", example_json(r.file, c.example)}});
  j["violations"] = ojson::array();
  for (const ReportViolation& v : r.violations)
    j["violations"].push_back(ojson{{"property", v.property},
                                    {"message", v.message},
                                    {"step", v.step},
                                    {"count", v.count},
                                    {"expected", v.expected},
                                    {"example", example_json(r.file, v.example)}});
  j["unexpected_violations"] = r.unexpected();
  j["error"] = r.error ? ojson(*r.error) : ojson();
  j["exit_code"] = exit_code;
  if (r.seconds >= 0)
    j["timing"] = ojson{{"seconds", r.seconds},
                        {"schedules_per_second", r.seconds > 0 ? static_cast<double>(r.schedules) / r.seconds : 0.0}};
  return j;
}

ExploreReport report_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("not a JSON object");
  if (!j.contains("format") || j["format"] != kFormat)
    throw std::runtime_error(fmt::format("not a utsim explore report (\"format\" is not \"{}\")", kFormat));
  ExploreReport r;
  r.utsim = field<std::string>(j, "utsim");
  r.scenario = field<std::string>(j, "scenario");
  r.file = field<std::string>(j, "file");
  r.scenario_hash = field<std::string>(j, "scenario_hash");
  r.kernel = field<std::string>(j, "kernel");
  const nlohmann::json& o = j.contains("options") ? j["options"] : nlohmann::json();
  const char* in_opt = " in \"options\"";
  r.options.strategy = field<std::string>(o, "strategy", in_opt);
  r.options.seed = field<std::uint64_t>(o, "seed", in_opt);
  r.options.depth = field<unsigned>(o, "depth", in_opt);
  if (o.contains("preemption_bound") && !o["preemption_bound"].is_null())
    r.options.preemption_bound = field<std::uint32_t>(o, "preemption_bound", in_opt);
  r.options.max_schedules = field<std::uint64_t>(o, "max_schedules", in_opt);
  r.options.max_steps = field<std::uint64_t>(o, "max_steps", in_opt);
  r.options.max_tasks = field<std::uint32_t>(o, "max_tasks", in_opt);
  r.time_limit = field<double>(o, "time_limit", in_opt);
  const nlohmann::json& sh = j.contains("shards") ? j["shards"] : nlohmann::json();
  const char* in_sh = " in \"shards\"";
  r.shard_count = field<std::uint32_t>(sh, "count", in_sh);
  r.shards = field<std::vector<std::uint32_t>>(sh, "covered", in_sh);
  r.exhausted = field<std::vector<std::uint32_t>>(sh, "exhausted", in_sh);
  auto sorted_unique = [](const std::vector<std::uint32_t>& v) {
    return std::adjacent_find(v.begin(), v.end(), std::greater_equal<>()) == v.end();
  };
  if (r.shard_count == 0 || r.shards.empty() || !sorted_unique(r.shards) || !sorted_unique(r.exhausted) ||
      r.shards.back() >= r.shard_count ||
      !std::includes(r.shards.begin(), r.shards.end(), r.exhausted.begin(), r.exhausted.end()))
    throw std::runtime_error(
        "\"shards\" is inconsistent (covered and exhausted must be sorted shard "
        "indices below count, exhausted within covered)");
  r.schedules = field<std::uint64_t>(j, "schedules");
  r.steps = field<std::uint64_t>(j, "steps");
  r.redundant = field<std::uint64_t>(j, "redundant");
  r.bounded = field<bool>(j, "bounded");
  r.interrupted = field<bool>(j, "interrupted");
  r.timed_out = field<bool>(j, "timed_out");
  r.estimate = field<double>(j, "estimate");
  for (const nlohmann::json& c : field<nlohmann::json>(j, "outcomes"))
    r.outcomes.push_back(ReportOutcome{field<std::string>(c, "signature", " in an outcome"),
                                       field<std::uint64_t>(c, "count", " in an outcome"),
                                       example_from_json(field<nlohmann::json>(c, "example", " in an outcome"))});
  for (const nlohmann::json& v : field<nlohmann::json>(j, "violations")) {
    const char* in_v = " in a violation";
    r.violations.push_back(ReportViolation{
        field<std::string>(v, "property", in_v), field<std::string>(v, "message", in_v),
        field<std::uint64_t>(v, "step", in_v), field<std::uint64_t>(v, "count", in_v), field<bool>(v, "expected", in_v),
        example_from_json(field<nlohmann::json>(v, "example", in_v))});
  }
  if (j.contains("error") && !j["error"].is_null()) r.error = field<std::string>(j, "error");
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
    m.schedules += p.schedules;
    m.steps += p.steps;
    m.redundant += p.redundant;
    m.bounded = m.bounded || p.bounded;
    m.interrupted = m.interrupted || p.interrupted;
    m.timed_out = m.timed_out || p.timed_out;
    if (!m.error && p.error) m.error = p.error;
    estimates += p.estimate;
    for (const ReportOutcome& c : p.outcomes) {
      auto it = std::find_if(m.outcomes.begin(), m.outcomes.end(),
                             [&](const ReportOutcome& x) { return x.signature == c.signature; });
      if (it == m.outcomes.end())
        m.outcomes.push_back(c);
      else
        it->count += c.count;
    }
    for (const ReportViolation& v : p.violations) {
      auto it = std::find_if(m.violations.begin(), m.violations.end(),
                             [&](const ReportViolation& x) { return x.property == v.property; });
      if (it == m.violations.end()) {
        m.violations.push_back(v);
        continue;
      }
      const std::uint64_t count = it->count + v.count;
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
  return m;
}

void print_report_text(std::ostream& out, const ExploreReport& r, int exit_code) {
  out << fmt::format("scenario    {}  ({})\n", r.scenario, r.file);
  out << fmt::format("kernel      {}\n", r.kernel);
  std::string how = r.options.strategy;
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
      complete = fmt::format("true: every schedule with at most {} preemptions was run{}", *r.options.preemption_bound,
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
    out << "     " << replay_command(r.file, c.example.schedule) << '\n';
  }
  out << fmt::format("violations  {} ({} unexpected)\n", r.violations.size(), r.unexpected());
  for (const ReportViolation& v : r.violations) {
    out << fmt::format("  {} {}: {} of {} schedules; at step {} of schedule '{}' ({} preemption{}, {} steps): {}\n",
                       v.expected ? "expected" : "VIOLATION", printable(v.property), v.count, r.schedules, v.step,
                       printable(v.example.schedule), v.example.preemptions, v.example.preemptions == 1 ? "" : "s",
                       v.example.steps, printable(v.message));
    out << "     " << replay_command(r.file, v.example.schedule) << '\n';
  }
  out << fmt::format("exit        {}\n", exit_code);
}

void write_report(std::ostream& out, const ExploreReport& r, int exit_code, bool json) {
  if (json)
    out << report_to_json(r, exit_code).dump(2) << '\n';
  else
    print_report_text(out, r, exit_code);
}

}  // namespace tools
