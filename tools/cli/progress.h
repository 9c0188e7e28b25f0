// tools/cli/progress.h: the progress lines of utsim check and utsim explore,
// one self-erasing line on a terminal's stderr, redrawn at most ten times a
// second.  Wall-clock time is used only to throttle them (and for explore's
// rate); nothing of them reaches stdout.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "explore/check.h"

namespace tools {

// One line that each show() replaces ("\r", the text, erase to the end).
class StatusLine {
 public:
  explicit StatusLine(std::ostream& err) : err_(err) {}
  ~StatusLine() { clear(); }
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  void show(const std::string& line);
  // Erases the line, if one is shown.
  void clear();
  bool shown() const { return shown_; }

 private:
  std::ostream& err_;
  bool shown_ = false;
};

// utsim check: "[3/20] name 456/1000 schedules".
class Progress {
 public:
  // Does nothing at all unless `enabled`.
  Progress(std::ostream& err, bool enabled) : line_(err), enabled_(enabled) {}
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // A new scenario: always drawn.
  void start(std::size_t index, std::size_t total, const std::string& name);
  // Schedules done so far in the current scenario: drawn when due.
  void update(std::uint64_t done, std::uint64_t total);
  // Erases the line.
  void clear() { line_.clear(); }

 private:
  void draw(std::uint64_t done, std::uint64_t total);

  StatusLine line_;
  bool enabled_;
  std::size_t index_ = 0, count_ = 0;
  std::string name_;
  std::chrono::steady_clock::time_point last_{};
};

// utsim explore: schedules, rate, and the estimate of the whole space.
class ExploreProgress {
 public:
  // Does nothing at all unless `enabled`.
  ExploreProgress(std::ostream& err, bool enabled, std::string name);
  ExploreProgress(const ExploreProgress&) = delete;
  ExploreProgress& operator=(const ExploreProgress&) = delete;

  void update(const model::ExploreStatus& s, const std::string& strategy);
  void clear() { line_.clear(); }

 private:
  using Clock = std::chrono::steady_clock;
  StatusLine line_;
  bool enabled_;
  std::string name_;
  Clock::time_point start_, last_{};
};

}  // namespace tools
