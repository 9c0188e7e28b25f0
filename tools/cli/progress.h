// tools/cli/progress.h: one self-erasing progress line on a terminal's stderr
// ("\r[3/20] name 456/1000 schedules"), redrawn at most ten times a second.
// Wall-clock time is used only to throttle it; nothing of it reaches stdout.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace tools {

class Progress {
 public:
  // Does nothing at all unless `enabled`.
  Progress(std::ostream& err, bool enabled) : err_(err), enabled_(enabled) {}
  ~Progress() { clear(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // A new scenario: always drawn.
  void start(std::size_t index, std::size_t total, const std::string& name);
  // Schedules done so far in the current scenario: drawn when due.
  void update(std::uint64_t done, std::uint64_t total);
  // Erases the line.
  void clear();

 private:
  void draw(std::uint64_t done, std::uint64_t total);

  std::ostream& err_;
  bool enabled_;
  bool shown_ = false;
  std::size_t index_ = 0, count_ = 0;
  std::string name_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace tools
