// tools/cli/input.cpp: reading a scenario file so that SIGINT and SIGTERM can
// stop it (input.h).
#include "tools/cli/input.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tools {

namespace {

bool stopped(const std::atomic<bool>* stop) { return stop && stop->load(); }

// Closes the descriptor however the reading ends.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

InputResult load_scenario_interruptible(const std::string& path, const std::atomic<bool>* stop,
                                        const model::LoadLimits& limits) {
  InputResult r;
  // A signal that came before a call cannot interrupt it: look at the flag
  // first.  (One in the few instructions between the look and the call is
  // missed; the next signal ends the call.)
  if (stopped(stop)) {
    r.interrupted = true;
    return r;
  }
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};  // a FIFO without a writer blocks here
  while (in.fd < 0 && errno == EINTR && !stopped(stop)) in.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in.fd < 0 && errno == EINTR) {
    r.interrupted = true;
    return r;
  }
  if (in.fd < 0) {
    r.loaded.errors.push_back(
        {"scenario.E007", "", "cannot open the file: " + std::string(std::strerror(errno)), path});
    return r;
  }
  // Read at most max_bytes + 1: enough to know the file is too large.
  std::string text;
  const std::size_t cap = limits.max_bytes + 1;
  char buf[65536];
  while (text.size() < cap) {
    if (stopped(stop)) {
      r.interrupted = true;
      return r;
    }
    const ssize_t n = ::read(in.fd, buf, std::min(sizeof buf, cap - text.size()));
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;  // the flag decides, above
    if (n < 0) {
      r.loaded.errors.push_back(
          {"scenario.E007", "", "cannot read the file: " + std::string(std::strerror(errno)), path});
      return r;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  if (text.size() > limits.max_bytes) {
    r.loaded.errors.push_back({"scenario.E003", "",
                               "file too large: more than " + std::to_string(limits.max_bytes) + " bytes (the limit)",
                               path});
    return r;
  }
  r.loaded = model::load_scenario_text(text, path, limits);
  return r;
}

}  // namespace tools
