// model/linux/sigdefs.h: signal classification (include/linux/signal.h, 2.6.32):
// the sig_kernel_* masks and each signal's default action.
#pragma once

#include "model/abi.h"

namespace model {

enum class DefaultAction : unsigned char { Terminate, Core, Ignore, Stop, Continue };
const char* default_action_name(DefaultAction a);

constexpr bool sig_valid(int sig) { return sig >= 1 && sig <= kNSig; }
constexpr bool sig_rt(int sig) { return sig >= SIGRTMIN; }

// SIG_KERNEL_ONLY_MASK: cannot be caught, blocked or ignored
constexpr bool sig_kernel_only(int sig) { return sig == SIGKILL || sig == SIGSTOP; }
// SIG_KERNEL_STOP_MASK
constexpr bool sig_kernel_stop(int sig) {
  return !sig_rt(sig) && (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU);
}
// SIG_KERNEL_COREDUMP_MASK
constexpr bool sig_kernel_coredump(int sig) {
  if (sig_rt(sig)) return false;
  switch (sig) {
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGFPE:
    case SIGSEGV:
    case SIGBUS:
    case SIGSYS:
    case SIGXCPU:
    case SIGXFSZ: return true;
    default: return false;
  }
}
// SIG_KERNEL_IGNORE_MASK
constexpr bool sig_kernel_ignore(int sig) {
  return !sig_rt(sig) && (sig == SIGCONT || sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG);
}

constexpr DefaultAction default_action(int sig) {
  if (sig == SIGCONT) return DefaultAction::Continue;
  if (sig_kernel_ignore(sig)) return DefaultAction::Ignore;
  if (sig_kernel_stop(sig)) return DefaultAction::Stop;
  if (sig_kernel_coredump(sig)) return DefaultAction::Core;
  return DefaultAction::Terminate;
}

}  // namespace model
