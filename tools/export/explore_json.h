// tools/export/explore_json.h: the report of `utsim explore` and `utsim merge`.
//
// One ExploreReport is what an exploration found (built from a
// model::Verdict), what `--json` prints (format "utsim-explore/1", fixed key
// order, documented in docs/exploration.md) and what `utsim merge` reads back
// and joins.  Merging is associative: a merged report is a report of the
// shards it covers, and can be merged again.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "explore/check.h"

namespace tools {

// A schedule that shows something: where it came from and how to replay it.
struct ReportExample {
  std::string schedule;
  std::uint32_t shard = 0;  // which shard ran it
  std::uint64_t index = 0;  // its run number in that shard (counted or not)
  std::uint32_t preemptions = 0;
  std::uint64_t steps = 0;  // of the whole run
};

// A counterexample shrunk before it was shown (model::ShrinkFacts): the
// exploration's own example, and what the shrinker did.
struct ReportShrink {
  ReportExample original;  // as the exploration found it
  std::string message;     // the original run's violation message
  std::uint64_t step = 0;  // and its step
  std::uint64_t runs = 0;  // runs the shrinker made
  bool minimal = false;    // proven: no schedule with fewer preemptions breaks the property
  bool budget_exhausted = false;
  bool timed_out = false;  // --shrink-time-limit ran out
  bool interrupted = false;
  std::optional<std::string> error;  // not shrunk, why (the example is the original)
};

struct ReportOutcome {
  std::string signature;
  std::uint64_t count = 0;
  ReportExample example;               // shrunk, when `shrink` says so
  std::optional<ReportShrink> shrink;  // none: shown as found (--no-shrink); its message and step unused
};

// A possible circular locking dependency lockdep found in the
// exploration's lock graph (model::LockCycle): one line, and lockdep's block.
struct ReportLockCycle {
  std::string summary;
  std::string report;
};

struct ReportViolation {
  std::string property;
  std::string message;
  std::uint64_t step = 0;              // of the example's run
  std::uint64_t count = 0;             // schedules that broke it
  bool expected = false;               // the scenario expects or allows it
  ReportExample example;               // shrunk, when `shrink` says so
  std::optional<ReportShrink> shrink;  // none: shown as found (--no-shrink)
};

// The facts of a shrunk example, for a report (the shard and index are the original's).
ReportShrink report_shrink(const model::ShrinkFacts& f, std::uint32_t shard);

// One line about a shrunk counterexample, for text output: "shrunk from 15
// to 1 preemption, 58 to 58 steps (464 runs); minimal: ...", or "kept as
// found: ..." when nothing shorter was found; "... the shrink budget of N
// runs ran out ..." when it did.  `budget` is the runs allowed (--shrink-tries).
// `what` ends the minimal claim ("no schedule with fewer preemptions breaks it").
std::string shrink_text(const ReportShrink& s, const ReportExample& shown, std::uint64_t budget,
                        std::string_view what = "breaks it");

// The JSON of a shrunk example's original and facts (the keys "original"
// and "shrink" of a violation; docs/exploration.md).
nlohmann::ordered_json original_json(const std::string& file, const ReportShrink& s, std::string_view model_flags = {});
nlohmann::ordered_json shrink_json(const ReportShrink& s, const ReportExample& shown);

// What must be equal for reports to be merged (besides utsim's version).
struct ReportOptions {
  std::string strategy;
  std::uint64_t seed = 1;
  unsigned depth = 3;
  std::optional<std::uint32_t> preemption_bound;  // dfs only; none: unbounded (or not dfs)
  std::uint64_t max_schedules = 0;                // per shard
  std::uint64_t max_steps = 0;
  std::uint32_t max_tasks = 0;
  bool operator==(const ReportOptions&) const = default;
};

struct ExploreReport {
  std::string utsim;          // the version that explored
  std::string scenario;       // its name
  std::string file;           // as given on the command line (replay commands use it)
  std::string scenario_hash;  // FNV-1a of the file's bytes, 16 hex digits
  std::string kernel;         // "2010-rhel6 +R2": the model simulated
  std::string model_flags;    // "--kernel 2009-rfc": how the command line overrode the file's model ("" if not)
  std::string file_kernel;    // the model the file names, which its expect was written for
  ReportOptions options;
  double time_limit = 0;  // seconds, 0: none (not compared by merge)
  // How counterexamples were shrunk (not compared by merge: each example
  // carries its own facts).  shrink_tries 0: not shrunk (--no-shrink).
  std::uint64_t shrink_tries = 0;
  double shrink_time_limit = 0;
  std::uint32_t shard_count = 1;
  std::vector<std::uint32_t> shards{0};  // the shard indices covered, sorted
  std::vector<std::uint32_t> exhausted;  // those that ran every schedule of their part, sorted
  std::uint64_t schedules = 0, steps = 0, redundant = 0;
  bool bounded = false;  // dfs: schedules beyond the preemption bound exist
  bool interrupted = false, timed_out = false;
  // Why it stopped before --max-schedules, besides the above: "memory" (the
  // memory budget, memory_budget bytes) or "first-violation"
  // (--stop-at-first); "" when not (and then not in the JSON).
  std::string stopped;
  std::uint64_t memory_budget = 0;
  double estimate = 0;  // of the whole space, 0: unknown
  std::vector<ReportOutcome> outcomes;
  std::vector<ReportViolation> violations;
  // Lock checking: the cycles of the lock-class dependency graph ("lockdep"
  // in the JSON, only when there is one).  Merging keeps each shard's (a
  // cycle whose edges two shards took is not found).
  std::vector<ReportLockCycle> lock_cycles;
  std::optional<std::string> error;  // an internal error stopped it
  double seconds = -1;               // wall-clock time ("timing"; -1: not measured, e.g. merged)

  // Every shard is covered and exhausted its part of the (bounded) space.
  bool complete() const;
  std::size_t unexpected() const;
  // 0 nothing unexpected, 1 an unexpected violation, 70 an internal error
  // (an interrupted exploration exits 130, which the caller decides).
  int exit_code() const;
};

// Reads a scenario file's bytes and hashes them ("" when unreadable).
std::string hash_file(const std::string& path);

ExploreReport report_from_verdict(const model::Verdict& v, const model::Scenario& s, const model::ExploreOptions& o,
                                  const std::string& file);

// The JSON document (format "utsim-explore/1"); `exit_code` is written as given.
nlohmann::ordered_json report_to_json(const ExploreReport& r, int exit_code);
// Throws std::runtime_error saying what is wrong with the document.
ExploreReport report_from_json(const nlohmann::json& j);

// Joins reports of shards of one exploration (`names` name them in errors).
// Refuses (std::invalid_argument, saying what differs) reports of different
// scenarios, options, versions or shard counts, and a shard covered twice.
// Sums the counts; outcomes are joined in shard order, each with its first
// example; of each property's violations the example with the fewest
// preemptions, then steps, is kept.
ExploreReport merge_reports(std::vector<ExploreReport> parts, const std::vector<std::string>& names);

// The human-readable report.
void print_report_text(std::ostream& out, const ExploreReport& r, int exit_code);
// The report as JSON (`json`) or as text.
void write_report(std::ostream& out, const ExploreReport& r, int exit_code, bool json);

}  // namespace tools
