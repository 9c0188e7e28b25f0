#include "sim/sched/determinism.h"

#include <cstdio>
#include <span>

#include "sim/engine.h"
#include "sim/schedule.h"

namespace sim {

namespace {

// A thread as schedule strings name it: a, b, ..., {60}.
std::string thread_name(Tid t) {
  return t == kNoTid ? std::string("none") : encode_schedule(std::span<const Tid>(&t, 1));
}

std::string describe(const ChoicePoint& c) {
  std::string s = "step " + std::to_string(c.step) + ", current " + thread_name(c.current) + ", enabled [";
  for (std::size_t i = 0; i < c.enabled.size(); ++i) s += (i ? " " : "") + thread_name(c.enabled[i]);
  return s + "]";
}

bool same_point(const ChoicePoint& a, const ChoicePoint& b) {
  return a.step == b.step && a.current == b.current && a.enabled == b.enabled;
}

}  // namespace

std::string Nondeterminism::to_string() const {
  const std::string at = "nondeterminism at choice point " + std::to_string(choice) + ": ";
  if (expected && actual)
    return at + "the first run had " + describe(*expected) + " (chose " + thread_name(expected->chosen) +
           "), the second " + describe(*actual);
  if (expected)
    return at + "the first run had " + describe(*expected) + ", the second ended before it (" + actual_end + ")";
  if (actual) return at + "the second run had " + describe(*actual) + ", the first had ended (" + expected_end + ")";
  return "nondeterminism after the last choice point (" + std::to_string(choice) + "): the first run ended " +
         expected_end + ", the second " + actual_end;
}

void DeterminismChecker::begin_run() {
  recording_ = !recording_;
  next_ = 0;
  found_.reset();
  if (!recording_) return;
  recorded_.clear();
  recorded_end_.clear();
  inner_.begin_run();
}

Tid DeterminismChecker::choose(const ChoiceContext& ctx) {
  ChoicePoint seen{ctx.step, ctx.current, std::vector<Tid>(ctx.enabled.begin(), ctx.enabled.end()), kNoTid};
  if (recording_) {
    seen.chosen = inner_.choose(ctx);
    recorded_.push_back(std::move(seen));
    return recorded_.back().chosen;
  }
  if (next_ >= recorded_.size() || !same_point(recorded_[next_], seen)) return differ(std::move(seen));
  return recorded_[next_++].chosen;
}

// Keeps the first difference and ends the run: kNoTid is never enabled, so
// the engine stops it as diverged.
Tid DeterminismChecker::differ(std::optional<ChoicePoint> actual) {
  Nondeterminism d;
  d.choice = static_cast<std::uint32_t>(next_);
  if (next_ < recorded_.size()) d.expected = recorded_[next_];
  d.actual = std::move(actual);
  d.expected_end = recorded_end_;
  found_ = std::move(d);
  return kNoTid;
}

void DeterminismChecker::end_run(const RunResult& r) {
  if (recording_) {
    recorded_end_ = describe_end(r);
    inner_.end_run(r);
    return;
  }
  if (found_) {
    found_->actual_end = describe_end(r);
    return;
  }
  const std::string end = describe_end(r);
  if (next_ == recorded_.size() && end == recorded_end_) return;
  differ(std::nullopt);  // fewer choice points than recorded, or the same ones and another end
  found_->actual_end = end;
}

std::string DeterminismChecker::describe_end(const RunResult& r) {
  std::string s =
      std::string(run_end_name(r.end)) + " after " + std::to_string(r.steps) + " steps, time " + std::to_string(r.time);
  if (r.hash) {
    char hex[24];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(r.hash));
    s += ", hash " + std::string(hex);
  }
  return s;
}

}  // namespace sim
