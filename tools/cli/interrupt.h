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

  // The flag the model polls: set by the signals, and by stop().
  const std::atomic<bool>* flag() const;
  // A signal came (stop() alone does not make it true); and its flag.
  bool interrupted() const;
  const std::atomic<bool>* signalled() const;
  // Sets flag() without a signal: a command that stops a search for its
  // own reason (utsim graph --max-states) through the same polling.
  void stop();

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

}  // namespace tools
