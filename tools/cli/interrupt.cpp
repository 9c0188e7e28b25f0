// tools/cli/interrupt.cpp: the SIGINT/SIGTERM handler and its flag.
#include "tools/cli/interrupt.h"

namespace tools {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_signalled{false};
static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler stores to it");

extern "C" void on_stop_signal(int) {
  g_signalled.store(true);
  g_stop.store(true);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_stop.store(false);
  g_signalled.store(false);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  // No SA_RESTART: a call blocked when the signal comes (the open() of a
  // FIFO without a writer, a read() of one that never writes, a write() to
  // a stalled pipe) fails with EINTR instead of starting again, so that the
  // code around it sees the flag (tools/cli/input.h, tools/export/fd_buf.h).
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

const std::atomic<bool>* InterruptGuard::flag() const { return &g_stop; }
bool InterruptGuard::interrupted() const { return g_signalled.load(); }
const std::atomic<bool>* InterruptGuard::signalled() const { return &g_signalled; }
void InterruptGuard::stop() { g_stop.store(true); }

}  // namespace tools
