// scenario/load/loader.h: JSON (SCENARIOS.md, version 1) -> model::Scenario.
//
// Every problem found is reported with a stable id ("scenario.E012"), the
// JSON pointer of the offending value and what was expected; the loader goes
// on after an error where it can, so `utsim validate` shows all of them at
// once.  A scenario is returned only when there is no error.  The catalogue of
// ids is in docs/errors.md; ids are never renumbered.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace model {

struct ScenarioError {
  std::string id;       // "scenario.E012"
  std::string pointer;  // JSON pointer, "" for the whole document
  std::string message;  // what is wrong and what was expected
  std::string file;
  // "file: /tasks/0/program/2: scenario.E012: unknown key 'expct' (expected ...)"
  std::string to_string() const;
};

struct LoadLimits {
  std::size_t max_bytes = 8u << 20;  // larger files are refused (scenario.E003)
  std::size_t max_depth = 64;        // JSON nesting
  std::size_t max_ops = 100'000;     // ops in the whole scenario
  std::size_t max_tasks = 256;       // declared tasks plus fork/clone children
};

struct LoadResult {
  std::optional<Scenario> scenario;
  std::vector<ScenarioError> errors;
  bool ok() const { return scenario.has_value(); }
};

LoadResult load_scenario_text(std::string_view text, const std::string& file = "<input>",
                              const LoadLimits& limits = {});
LoadResult load_scenario_file(const std::string& path, const LoadLimits& limits = {});
// The same, stoppable: when `stop` is set and a signal interrupts the opening
// or the reading (a FIFO with no writer), *interrupted is set and the result
// is empty.  Errors: scenario.E007 (cannot open or read, with strerror's
// text), scenario.E003 (larger than LoadLimits::max_bytes), then the text's.
LoadResult load_scenario_file(const std::string& path, const LoadLimits& limits, const std::atomic<bool>* stop,
                              bool* interrupted);

}  // namespace model
