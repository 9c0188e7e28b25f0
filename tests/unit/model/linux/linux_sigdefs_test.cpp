// tests/unit/model/linux/linux_sigdefs_test.cpp: signal classification and default
// actions (model/linux/sigdefs.h) for every signal 1..64, against the table of
// include/linux/signal.h in Linux 2.6.32 (written out here, independently
// of the code under test).
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "model/linux/sigdefs.h"

namespace model {
namespace {

struct Expected {
  int sig;
  const char* name;
  DefaultAction action;
  bool kernel_only, stop, coredump, ignore;
};

// include/linux/signal.h, 2.6.32: "POSIX signal / default action" and the
// SIG_KERNEL_{ONLY,STOP,COREDUMP,IGNORE}_MASKs (x86: no SIGEMT).
constexpr DefaultAction T = DefaultAction::Terminate, C = DefaultAction::Core, I = DefaultAction::Ignore,
                        S = DefaultAction::Stop, K = DefaultAction::Continue;
const std::array<Expected, 31> kLegacy = {{
    {1, "SIGHUP", T, false, false, false, false},   {2, "SIGINT", T, false, false, false, false},
    {3, "SIGQUIT", C, false, false, true, false},   {4, "SIGILL", C, false, false, true, false},
    {5, "SIGTRAP", C, false, false, true, false},   {6, "SIGABRT", C, false, false, true, false},
    {7, "SIGBUS", C, false, false, true, false},    {8, "SIGFPE", C, false, false, true, false},
    {9, "SIGKILL", T, true, false, false, false},   {10, "SIGUSR1", T, false, false, false, false},
    {11, "SIGSEGV", C, false, false, true, false},  {12, "SIGUSR2", T, false, false, false, false},
    {13, "SIGPIPE", T, false, false, false, false}, {14, "SIGALRM", T, false, false, false, false},
    {15, "SIGTERM", T, false, false, false, false}, {16, "SIGSTKFLT", T, false, false, false, false},
    {17, "SIGCHLD", I, false, false, false, true},  {18, "SIGCONT", K, false, false, false, true},
    {19, "SIGSTOP", S, true, true, false, false},   {20, "SIGTSTP", S, false, true, false, false},
    {21, "SIGTTIN", S, false, true, false, false},  {22, "SIGTTOU", S, false, true, false, false},
    {23, "SIGURG", I, false, false, false, true},   {24, "SIGXCPU", C, false, false, true, false},
    {25, "SIGXFSZ", C, false, false, true, false},  {26, "SIGVTALRM", T, false, false, false, false},
    {27, "SIGPROF", T, false, false, false, false}, {28, "SIGWINCH", I, false, false, false, true},
    {29, "SIGIO", T, false, false, false, false},   {30, "SIGPWR", T, false, false, false, false},
    {31, "SIGSYS", C, false, false, true, false},
}};

TEST(LinuxSigdefs, EveryLegacySignal) {
  for (const Expected& e : kLegacy) {
    SCOPED_TRACE(e.name);
    EXPECT_TRUE(sig_valid(e.sig));
    EXPECT_FALSE(sig_rt(e.sig));
    EXPECT_EQ(signal_name(e.sig), e.name);
    EXPECT_EQ(signal_from_name(e.name), e.sig);
    EXPECT_EQ(default_action(e.sig), e.action) << default_action_name(default_action(e.sig));
    EXPECT_EQ(sig_kernel_only(e.sig), e.kernel_only);
    EXPECT_EQ(sig_kernel_stop(e.sig), e.stop);
    EXPECT_EQ(sig_kernel_coredump(e.sig), e.coredump);
    EXPECT_EQ(sig_kernel_ignore(e.sig), e.ignore);
  }
}

// SIGRTMIN..SIGRTMAX (the kernel's 32..64, not glibc's 34..): real-time
// signals queue, belong to no SIG_KERNEL_*_MASK and terminate by default.
TEST(LinuxSigdefs, EveryRealTimeSignal) {
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) {
    SCOPED_TRACE(sig);
    EXPECT_TRUE(sig_valid(sig));
    EXPECT_TRUE(sig_rt(sig));
    EXPECT_EQ(default_action(sig), DefaultAction::Terminate);
    EXPECT_FALSE(sig_kernel_only(sig));
    EXPECT_FALSE(sig_kernel_stop(sig));
    EXPECT_FALSE(sig_kernel_coredump(sig));
    EXPECT_FALSE(sig_kernel_ignore(sig));
  }
  EXPECT_EQ(SIGRTMIN, 32);
  EXPECT_EQ(SIGRTMAX, 64);
  EXPECT_EQ(kNSig, 64);
  EXPECT_EQ(signal_name(SIGRTMIN), "SIG32");
  EXPECT_EQ(signal_name(SIGRTMIN_USER + 3), "SIGRTMIN+3");
  EXPECT_EQ(signal_from_name("SIGRTMIN+3"), SIGRTMIN_USER + 3);
}

TEST(LinuxSigdefs, ValidRange) {
  EXPECT_FALSE(sig_valid(0));
  EXPECT_FALSE(sig_valid(-1));
  EXPECT_FALSE(sig_valid(65));
  for (int sig = 1; sig <= 64; ++sig) EXPECT_TRUE(sig_valid(sig)) << sig;
}

// The masks partition as the kernel's do: only SIGKILL and SIGSTOP are
// kernel-only, no signal is both "stop" and "ignore" or "coredump", and every
// signal has exactly one default action.
TEST(LinuxSigdefs, MasksAreConsistent) {
  int kernel_only = 0;
  for (int sig = 1; sig <= kNSig; ++sig) {
    SCOPED_TRACE(sig);
    kernel_only += sig_kernel_only(sig);
    const int classes = sig_kernel_stop(sig) + sig_kernel_coredump(sig) + sig_kernel_ignore(sig);
    EXPECT_LE(classes, 1);
    switch (default_action(sig)) {
      case DefaultAction::Stop: EXPECT_TRUE(sig_kernel_stop(sig)); break;
      case DefaultAction::Core: EXPECT_TRUE(sig_kernel_coredump(sig)); break;
      case DefaultAction::Ignore:
      case DefaultAction::Continue: EXPECT_TRUE(sig_kernel_ignore(sig)); break;
      case DefaultAction::Terminate: EXPECT_EQ(classes, 0); break;
    }
  }
  EXPECT_EQ(kernel_only, 2);
}

TEST(LinuxSigdefs, ActionNames) {
  EXPECT_STRNE(default_action_name(DefaultAction::Terminate), default_action_name(DefaultAction::Core));
  for (auto a : {DefaultAction::Terminate, DefaultAction::Core, DefaultAction::Ignore, DefaultAction::Stop,
                 DefaultAction::Continue})
    EXPECT_NE(std::string(default_action_name(a)), "");
}

// SigSet: bit (sig - 1), as the kernel's sigset_t on x86_64.
TEST(LinuxSigdefs, SigSetBits) {
  SigSet s;
  EXPECT_TRUE(s.empty());
  s.add(SIGKILL);
  s.add(SIGRTMAX);
  EXPECT_EQ(s.bits, (std::uint64_t{1} << 8) | (std::uint64_t{1} << 63));
  EXPECT_TRUE(s.has(SIGKILL));
  EXPECT_FALSE(s.has(SIGSTOP));
  s.del(SIGKILL);
  EXPECT_FALSE(s.has(SIGKILL));
  EXPECT_TRUE(s.has(SIGRTMAX));
}

}  // namespace
}  // namespace model
