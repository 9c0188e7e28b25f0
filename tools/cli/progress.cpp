// tools/cli/progress.cpp: the progress line of utsim check.
#include "tools/cli/progress.h"

#include <fmt/format.h>

namespace tools {

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
  // \033[K erases what a longer previous line left behind.
  err_ << '\r' << line << "\033[K" << std::flush;
  shown_ = true;
}

void Progress::clear() {
  if (!shown_) return;
  err_ << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace tools
