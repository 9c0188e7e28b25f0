// explore/shrink.h: the minimal counterexample (issue #5, `utsim shrink`).
//
// A counterexample is a schedule that breaks a property.  The shrinker looks
// for the schedule with the fewest preemptions, then the fewest steps, that
// still breaks the same property.  RapidCheck drives it: the schedule is a
// choice vector, and its shrink tree is RapidCheck's own for a container of
// integers (rc::shrinkable::shrinkRecur with rc::shrink::removeChunks, then
// each element towards 0, as rc::gen::container makes), rooted at the given
// schedule by an rc::Gen.  The shrinker walks the tree greedily: the first
// shrink that still breaks the property and is not worse by (preemptions,
// steps) becomes the current one, until no shrink is accepted or the tries
// run out.  A final pass then replaces each remaining non-default choice by
// the default until nothing changes (in the vector; in the thread list,
// later threads kept where they can run; or the choice dropped), and while it
// helps removes one preemption and puts a switch to any thread of the
// schedule at any choice point; both accept strict improvements only.
//
// The moves are local, and a greedy walk can stop in a local minimum (R7:
// 2 preemptions where 1 suffices).  So a last pass searches every schedule
// with fewer preemptions than the result, fewest first (iterative
// preemption-bounded DFS, stopping at the first that breaks the property,
// within max_search runs): it either finds a better counterexample, which
// is then trimmed for steps, or proves the count minimal (`minimal`).
//
// A choice vector is a schedule that can never diverge: at choice point i,
// index k = v[i] picks among [the default choice, then the other enabled
// threads in ascending order] the (k mod their number)-th; past the end of
// the vector, the default (index 0).  So every vector is a valid schedule,
// index 0 never preempts, and shrinking towards 0 removes preemptions.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/linux/kernel.h"
#include "scenario/scenario.h"
#include "sim/sched/scheduler.h"

namespace model {

struct ShrinkOptions {
  std::optional<Property> property;  // none: the first the schedule breaks
  // Instead of a property: keep the run ending in this outcome
  // (outcome_signature, explore/check.h), the example of an outcome shown
  // short.  The points' message is then the signature, their step the
  // run's last.
  std::optional<std::string> outcome;
  RunConfig run;
  std::uint64_t max_tries = 20'000;  // runs, the original's included
  bool final_pass = true;
  // The last pass's budget: schedules of the bounded search for fewer
  // preemptions (within max_tries).
  std::uint64_t max_search = 200'000;
  // Wall-clock seconds the shrink may take, 0: none.  Only a deadline: the
  // result depends on the machine when it is reached, and says so
  // (ShrinkResult::timed_out).  The default budget is max_tries alone.
  double time_limit = 0;
  const std::atomic<bool>* stop = nullptr;  // SIGINT/SIGTERM: stop before the next run
};

// One schedule as the shrinker saw it.
struct ShrinkPoint {
  std::vector<std::uint32_t> indices;    // the choice vector (trailing defaults dropped)
  std::string schedule;                  // the same as a schedule string (sim/schedule.h)
  std::vector<sim::Tid> threads;         // the thread of each choice point, up to the last non-default one
  std::vector<std::uint32_t> preempted;  // the choice points where it preempted a thread that could go on
  std::uint32_t preemptions = 0;
  std::uint64_t steps = 0;
  std::string message;     // the violation's message
  std::uint64_t step = 0;  // the step it was detected at
};

struct ShrinkResult {
  bool ok = false;
  std::string error;  // when !ok: the schedule diverged, or broke no (such) property (ended elsewhere)
  enum class Failure : std::uint8_t { None, Diverged, NothingBroken };
  Failure failure = Failure::None;  // when !ok: which of the two
  Property property = Property::ModelInvariant;
  ShrinkPoint before, after;
  std::uint64_t tries = 0;          // runs made
  std::uint64_t accepted = 0;       // shrinks accepted while walking RapidCheck's tree
  std::uint64_t final_removed = 0;  // choices set to the default by the final pass
  bool exhausted = false;           // stopped by max_tries
  bool timed_out = false;           // stopped by time_limit
  bool interrupted = false;         // stopped by *stop
  std::uint64_t searched = 0;       // better counterexamples found by the bounded search
  bool minimal = false;             // proven: no schedule with fewer preemptions breaks it
};

ShrinkResult shrink_schedule(const Scenario& s, std::span<const sim::Tid> schedule, const ShrinkOptions& o);

// The scheduler of a choice vector (above); `taken()` is the vector the run
// actually used (indices reduced mod the choices, one per choice point).
class IndexScheduler final : public sim::Scheduler {
 public:
  explicit IndexScheduler(std::span<const std::uint32_t> v) : v_(v) {}
  void begin_run() override {
    next_ = 0;
    taken_.clear();
    preempted_.clear();
  }
  sim::Tid choose(const sim::ChoiceContext& c) override;
  const std::vector<std::uint32_t>& taken() const { return taken_; }
  const std::vector<std::uint32_t>& preempted() const { return preempted_; }

 private:
  std::span<const std::uint32_t> v_;
  std::size_t next_ = 0;
  std::vector<std::uint32_t> taken_;
  std::vector<std::uint32_t> preempted_;
};

}  // namespace model
