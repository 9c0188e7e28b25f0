// tests/unit/model/linux/linux_wait_status_test.cpp: the wait status word (the W*
// helpers of model/abi.h) against Linux's encoding, which <sys/wait.h>
// decodes on this machine, and describe_wait_status().
#include <gtest/gtest.h>

#include <sys/wait.h>

#include "model/abi.h"

namespace {

// The C library's macros.  model/abi.h gives them back after declaring its
// own constexpr functions of the same names, so below the model's are called
// as (WIFEXITED)(s): a parenthesized name is not a macro invocation.
bool libc_exited(int s) { return WIFEXITED(s); }
int libc_exitstatus(int s) { return WEXITSTATUS(s); }
bool libc_signaled(int s) { return WIFSIGNALED(s); }
int libc_termsig(int s) { return WTERMSIG(s); }
bool libc_stopped(int s) { return WIFSTOPPED(s); }
int libc_stopsig(int s) { return WSTOPSIG(s); }
bool libc_continued(int s) { return WIFCONTINUED(s); }
bool libc_coredump(int s) { return WCOREDUMP(s); }

}  // namespace

namespace model {
namespace {

TEST(LinuxWaitStatus, ExitedIsCodeTimes256) {
  for (int code = 0; code < 256; ++code) {
    const int s = w_exited(code);
    EXPECT_EQ(s, code << 8);
    EXPECT_TRUE((WIFEXITED)(s));
    EXPECT_FALSE((WIFSIGNALED)(s));
    EXPECT_FALSE((WIFSTOPPED)(s));
    EXPECT_FALSE((WIFCONTINUED)(s));
    EXPECT_EQ((WEXITSTATUS)(s), code);
    EXPECT_TRUE(libc_exited(s));
    EXPECT_EQ(libc_exitstatus(s), code);
  }
  // Only the low 8 bits of exit()'s argument survive: sys_exit() does
  // (error_code & 0xff) << 8.
  EXPECT_EQ(w_exited(256 + 42), 0x2a00);
  EXPECT_EQ(w_exited(-1), 0xff00);
}

TEST(LinuxWaitStatus, SignaledIsTheSignalWithCoreBit) {
  for (int sig = 1; sig < 0x7f; ++sig) {
    for (bool core : {false, true}) {
      const int s = w_signaled(sig, core);
      EXPECT_EQ(s, sig | (core ? 0x80 : 0));
      EXPECT_TRUE((WIFSIGNALED)(s)) << sig;
      EXPECT_FALSE((WIFEXITED)(s));
      EXPECT_FALSE((WIFSTOPPED)(s));
      EXPECT_EQ((WTERMSIG)(s), sig);
      EXPECT_EQ((WCOREDUMP)(s), core);
      EXPECT_TRUE(libc_signaled(s));
      EXPECT_EQ(libc_termsig(s), sig);
      EXPECT_EQ(libc_coredump(s), core);
    }
  }
  EXPECT_EQ(w_signaled(SIGKILL), 0x9);
  EXPECT_EQ(w_signaled(SIGTERM), 0xf);
  EXPECT_EQ(w_signaled(SIGSEGV, true), 0x8b);
}

TEST(LinuxWaitStatus, StoppedIsSignalShiftedWith0x7f) {
  for (int sig = 1; sig <= kNSig; ++sig) {
    const int s = w_stopped(sig);
    EXPECT_EQ(s, (sig << 8) | 0x7f);
    EXPECT_TRUE((WIFSTOPPED)(s));
    EXPECT_FALSE((WIFEXITED)(s));
    EXPECT_FALSE((WIFSIGNALED)(s));
    EXPECT_EQ((WSTOPSIG)(s), sig);
    EXPECT_TRUE(libc_stopped(s));
    EXPECT_EQ(libc_stopsig(s), sig);
  }
  EXPECT_EQ(w_stopped(SIGSTOP), 0x137f);
  EXPECT_EQ(w_stopped(SIGTSTP), 0x147f);
  // ptrace: SIGTRAP|0x80 (TRACESYSGOOD) and the event in bits 16-23.
  EXPECT_EQ(w_stopped(SIGTRAP | 0x80), 0x857f);
  EXPECT_EQ(w_stopped(SIGTRAP | (PTRACE_EVENT_CLONE << 8)), 0x3057f);
  EXPECT_EQ((WSTOPSIG)(0x3057f), SIGTRAP);
}

TEST(LinuxWaitStatus, ContinuedIs0xffff) {
  EXPECT_EQ(kWContinued, 0xffff);
  EXPECT_TRUE((WIFCONTINUED)(kWContinued));
  EXPECT_TRUE(libc_continued(kWContinued));
  EXPECT_FALSE((WIFEXITED)(kWContinued));
  EXPECT_FALSE((WIFSIGNALED)(kWContinued));
  // 0xffff has 0x7f in its low byte, as a stop status has; WIFSTOPPED is
  // true for it in both definitions, so callers test WIFCONTINUED first.
  EXPECT_EQ((WIFSTOPPED)(kWContinued), libc_stopped(kWContinued));
}

TEST(LinuxWaitStatus, AgreesWithTheCLibraryOnEveryLowWord) {
  for (int s = 0; s <= 0xffff; ++s) {
    ASSERT_EQ((WIFEXITED)(s), libc_exited(s)) << std::hex << s;
    ASSERT_EQ((WIFSIGNALED)(s), libc_signaled(s)) << std::hex << s;
    ASSERT_EQ((WIFSTOPPED)(s), libc_stopped(s)) << std::hex << s;
    ASSERT_EQ((WIFCONTINUED)(s), libc_continued(s)) << std::hex << s;
    ASSERT_EQ((WEXITSTATUS)(s), libc_exitstatus(s)) << std::hex << s;
    ASSERT_EQ((WTERMSIG)(s), libc_termsig(s)) << std::hex << s;
    ASSERT_EQ((WSTOPSIG)(s), libc_stopsig(s)) << std::hex << s;
    ASSERT_EQ((WCOREDUMP)(s), libc_coredump(s)) << std::hex << s;
  }
}

TEST(LinuxWaitStatus, DescribeEveryKind) {
  EXPECT_EQ(describe_wait_status(0), "exited 0");
  EXPECT_EQ(describe_wait_status(w_exited(42)), "exited 42");
  EXPECT_EQ(describe_wait_status(w_signaled(SIGKILL)), "killed by SIGKILL");
  EXPECT_EQ(describe_wait_status(w_signaled(SIGSEGV, true)), "killed by SIGSEGV (core dumped)");
  EXPECT_EQ(describe_wait_status(w_signaled(SIGRTMIN_USER + 2)), "killed by SIGRTMIN+2");
  EXPECT_EQ(describe_wait_status(w_stopped(SIGSTOP)), "stopped by SIGSTOP");
  EXPECT_EQ(describe_wait_status(w_stopped(SIGTSTP)), "stopped by SIGTSTP");
  EXPECT_EQ(describe_wait_status(w_stopped(SIGTRAP | 0x80)), "stopped by SIGTRAP|0x80");
  EXPECT_EQ(describe_wait_status(w_stopped(SIGTRAP | (PTRACE_EVENT_EXEC << 8))),
            "stopped by SIGTRAP (PTRACE_EVENT_EXEC)");
  EXPECT_EQ(describe_wait_status(kWContinued), "continued");
}

TEST(LinuxWaitStatus, DescribeNonsenseAsRaw) {
  // Bits outside the field of the kind: not a status the kernel makes.
  EXPECT_EQ(describe_wait_status(0x10000), "status 0x10000");
  EXPECT_EQ(describe_wait_status(0x109), "status 0x109");
  EXPECT_EQ(describe_wait_status(0x1000000 | 0x137f), "status 0x100137f");
}

TEST(LinuxWaitStatus, EveryStatusHasADescription) {
  for (int s = 0; s <= 0x3ffff; s += 7) EXPECT_FALSE(describe_wait_status(s).empty()) << s;
}

}  // namespace
}  // namespace model
