// tools/cli/progress.cpp: the progress lines of utsim check and utsim explore.
#include "tools/cli/progress.h"

#include <fmt/format.h>

namespace tools {

void StatusLine::show(const std::string& line) {
  // \033[K erases what a longer previous line left behind.
  err_ << '\r' << line << "\033[K" << std::flush;
  shown_ = true;
}

void StatusLine::clear() {
  if (!shown_) return;
  err_ << "\r\033[K" << std::flush;
  shown_ = false;
}

void Progress::start(std::size_t index, std::size_t total, const std::string& name) {
  if (!enabled_) return;
  index_ = index;
  count_ = total;
  name_ = name;
  draw(0, 0);
}

void Progress::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  draw(done, total);
}

void Progress::draw(std::uint64_t done, std::uint64_t total) {
  last_ = std::chrono::steady_clock::now();
  std::string line = fmt::format("[{}/{}] {}", index_ + 1, count_, name_);
  if (total) line += fmt::format(" {}/{} schedules", done, total);
  line_.show(line);
}

ExploreProgress::ExploreProgress(std::ostream& err, bool enabled, std::string name)
    : line_(err), enabled_(enabled), name_(std::move(name)), start_(Clock::now()) {}

void ExploreProgress::update(const model::ExploreStatus& s, const std::string& strategy) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (line_.shown() && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  std::string line = fmt::format("{} {}: {} schedules", strategy, name_, s.schedules);
  if (s.redundant) line += fmt::format(" (+{} redundant)", s.redundant);
  if (secs > 0) line += fmt::format(", {:.0f}/s", static_cast<double>(s.schedules) / secs);
  if (s.estimate > static_cast<double>(s.schedules))
    line +=
        fmt::format(", estimate {:.3g} ({:.0f}%)", s.estimate, 100.0 * static_cast<double>(s.schedules) / s.estimate);
  else if (s.estimate > 0)  // Knuth's estimator often falls short: its walks miss the deep subtrees
    line += fmt::format(", estimate {:.3g} (exceeded)", s.estimate);
  if (strategy == "dfs") line += fmt::format(", level {}", s.level);
  line += fmt::format(", {} outcomes, {} violations", s.outcomes, s.violations);
  line_.show(line);
}

}  // namespace tools
