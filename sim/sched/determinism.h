// sim/sched/determinism.h: a scheduler that checks the program is deterministic.
//
// DESIGN.md, contract 1: the same scenario, model version and schedule give a
// byte-identical run.  Everything the explorers do rests on it (a schedule
// string replays a failure, DPOR re-runs prefixes), and it breaks silently
// when the program depends on something the schedule does not control: state
// that survives from one run to the next (a static counter, a cache), an
// address or a hash order, the wall clock.
//
// DeterminismChecker wraps any scheduler and runs each of its schedules
// twice, as awslabs/shuttle's UncontrolledNondeterminismCheckScheduler does.
// Odd runs (the 1st, 3rd, ...) ask the wrapped scheduler and record, at every
// choice point, the step count, the thread that ran before and the enabled
// set, and the choice; even runs replay those choices without asking it, and
// compare what they see at each choice point, then how the run ended (end,
// steps, virtual time, and the transition hash if the engine hashes).  The
// first difference is kept (nondeterminism()) and ends the check run as
// diverged.  The wrapped scheduler sees only the recording runs, so an
// explorer behind the checker explores what it would alone.
//
// A run that passes does not prove the program deterministic: only the
// differences that reach a choice point or the run's end are seen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/sched/scheduler.h"

namespace sim {

// What a run saw at one choice point.
struct ChoicePoint {
  std::uint64_t step = 0;    // steps executed before it
  Tid current = kNoTid;      // the thread that ran the step before
  std::vector<Tid> enabled;  // ascending
  Tid chosen = kNoTid;       // the recording run's choice
};

// Where the check run first differed from the recording run.
struct Nondeterminism {
  std::uint32_t choice = 0;              // index of the choice point, or their count if only the ends differ
  std::optional<ChoicePoint> expected;   // the recording run's; none: it had no more choice points
  std::optional<ChoicePoint> actual;     // the check run's; none: it had no more choice points
  std::string expected_end, actual_end;  // how each run ended, when the choice points all agree
  std::string to_string() const;
};

class DeterminismChecker final : public Scheduler {
 public:
  explicit DeterminismChecker(Scheduler& inner) noexcept : inner_(inner) {}

  void begin_run() override;
  Tid choose(const ChoiceContext& ctx) override;
  void on_spawn(Tid t) override {
    if (recording_) inner_.on_spawn(t);
  }
  bool wants_steps() const override { return inner_.wants_steps(); }
  void on_step(Tid t, std::uint64_t step) override {
    if (recording_) inner_.on_step(t, step);
  }
  void end_run(const RunResult& r) override;

  // Whether the last run was a check run (the replay of a recorded one).
  bool checked() const noexcept { return !recording_; }
  // The first difference the last check run found, if any.
  const std::optional<Nondeterminism>& nondeterminism() const noexcept { return found_; }

 private:
  static std::string describe_end(const RunResult& r);
  Tid differ(std::optional<ChoicePoint> actual);

  Scheduler& inner_;
  bool recording_ = false;  // flipped by each begin_run(): the first run records
  std::vector<ChoicePoint> recorded_;
  std::string recorded_end_;
  std::size_t next_ = 0;  // check run: the next recorded choice point
  std::optional<Nondeterminism> found_;
};

}  // namespace sim
