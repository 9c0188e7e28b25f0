// tools/cli/interrupt.h: SIGINT/SIGTERM stop a run or an exploration cleanly.
//
// While an InterruptGuard lives, both signals set one flag (an
// std::atomic<bool>, lock-free, so a handler may store to it); the model
// polls it (ExploreOptions::stop, Simulator::set_stop_flag) and ends the
// current run as interrupted.  The handler is installed without SA_RESTART:
// a system call blocked when a signal comes fails with EINTR, and reading
// input (tools/cli/input.h) then stops.  The previous handlers come back
// when the guard goes away.
#pragma once

#include <atomic>
#include <csignal>

namespace tools {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  const std::atomic<bool>* flag() const;
  bool interrupted() const;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

}  // namespace tools
