// scenario/load/loader.cpp: the loader's public entry points
// (scenario/load/loader.h).  Nothing escapes them: every problem, including a
// bug of the loader itself, comes back as a ScenarioError.
#include "scenario/load/loader.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <optional>

#include "scenario/load/impl.h"
#include "scenario/printable.h"

namespace model {

// A file's keys and values are quoted in pointers and messages as they are;
// written out, their control characters become escapes (\n, \t, \x1b:
// scenario/printable.h), so that one error is always one line of output,
// whatever the file holds.
std::string ScenarioError::to_string() const {
  std::string out;
  out.reserve(file.size() + pointer.size() + id.size() + message.size() + 8);
  append_printable(out, file);
  out += ": ";
  append_printable(out, pointer.empty() ? std::string_view("/") : std::string_view(pointer));
  out += ": ";
  out += id;
  out += ": ";
  append_printable(out, message);
  return out;
}

LoadResult load_scenario_text(std::string_view text, const std::string& file, const LoadLimits& limits) {
  LoadResult result;
  loader::Diag diag;
  diag.file = file;
  try {
    if (auto json = loader::parse_document(text, limits, diag)) {
      loader::Loader l(diag, limits);
      auto sc = l.load(*json);
      if (sc && diag.errors.empty()) {
        sc->file = file;
        result.scenario = std::move(sc);
      }
    }
    result.errors = std::move(diag.errors);
  } catch (const std::bad_alloc&) {
    result.scenario.reset();
    result.errors = {{"scenario.E099", "", "out of memory while loading the scenario", file}};
  } catch (const std::exception& e) {
    result.scenario.reset();
    result.errors = {
        {"scenario.E099", "", std::string("internal error in the scenario loader (a bug): ") + e.what(), file}};
  }
  return result;
}

namespace {

// Closes the descriptor however the reading ends.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool stopped(const std::atomic<bool>* stop) { return stop && stop->load(); }

// While a stoppable read runs, this thread holds back every signal that
// can be held back but those a fault raises; they are let in only while it
// waits, by ppoll(), which swaps the mask and sleeps in one step.  So a
// signal that comes after the look at the flag is not missed: it is held
// until the wait, which it then ends.
class HeldSignals {
 public:
  HeldSignals() {
    sigset_t all;
    ::sigfillset(&all);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) ::sigdelset(&all, sig);
    ::pthread_sigmask(SIG_BLOCK, &all, &before_);
  }
  ~HeldSignals() { ::pthread_sigmask(SIG_SETMASK, &before_, nullptr); }
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;
  // Waits until `fd` can be read (or hangs up), letting the signals in:
  // false when a signal ended the wait.
  bool wait_readable(int fd) const {
    pollfd p{fd, POLLIN, 0};
    return ::ppoll(&p, 1, nullptr, &before_) >= 0 || errno != EINTR;
  }

 private:
  sigset_t before_;
};

}  // namespace

// The bytes are read with open(2) and read(2), not std::ifstream, whose reads
// retry EINTR: a FIFO with no writer would hold `utsim check fifo` forever.
// With `stop`, the file is opened without blocking (O_NONBLOCK: a FIFO
// opens at once, writer or not) and every wait for bytes is a ppoll() that
// a signal ends (HeldSignals); the reading ends once the flag is set.  Once
// the flag has been looked at, a signal is held until the wait: none is
// missed, however it falls.
LoadResult load_scenario_file(const std::string& path, const LoadLimits& limits, const std::atomic<bool>* stop,
                              bool* interrupted) {
  LoadResult result;
  const auto interrupt = [&] {
    if (interrupted) *interrupted = true;
    return LoadResult{};
  };
  try {
    std::optional<HeldSignals> held;
    if (stop) held.emplace();
    if (stopped(stop)) return interrupt();
    const int flags = O_RDONLY | O_CLOEXEC | (held ? O_NONBLOCK : 0);
    Fd in{::open(path.c_str(), flags)};
    while (in.fd < 0 && errno == EINTR) in.fd = ::open(path.c_str(), flags);
    if (in.fd < 0) {
      result.errors.push_back(
          {"scenario.E007", "", "cannot open the file: " + std::string(std::strerror(errno)), path});
      return result;
    }
    // Read at most max_bytes + 1: enough to know the file is too large.
    std::string text;
    const std::size_t cap = limits.max_bytes + 1;
    char buf[65536];
    while (text.size() < cap) {
      if (stopped(stop)) return interrupt();
      // Opened without blocking, a FIFO reads as ended until a writer comes:
      // wait for bytes (or a writer that hung up) first.  A signal ends the
      // wait; the flag decides, above.
      if (held && !held->wait_readable(in.fd)) continue;
      const ssize_t n = ::read(in.fd, buf, std::min(sizeof buf, cap - text.size()));
      if (n == 0) break;
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;  // the flag decides
      if (n < 0) {
        result.errors.push_back(
            {"scenario.E007", "", "cannot read the file: " + std::string(std::strerror(errno)), path});
        return result;
      }
      text.append(buf, static_cast<std::size_t>(n));
    }
    if (text.size() > limits.max_bytes) {
      result.errors.push_back({"scenario.E003", "",
                               "file too large: more than " + std::to_string(limits.max_bytes) + " bytes (the limit)",
                               path});
      return result;
    }
    return load_scenario_text(text, path, limits);
  } catch (const std::exception& e) {
    result.scenario.reset();
    result.errors = {{"scenario.E099", "", std::string("internal error reading the scenario: ") + e.what(), path}};
    return result;
  }
}

LoadResult load_scenario_file(const std::string& path, const LoadLimits& limits) {
  return load_scenario_file(path, limits, nullptr, nullptr);
}

}  // namespace model
