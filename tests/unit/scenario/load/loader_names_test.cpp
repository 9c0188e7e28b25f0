// tests/unit/scenario/load/loader_names_test.cpp: the name tables of abi.h and scenario.h
// (the spellings are part of the scenario format).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <csignal>  // abi.h must work whatever the include order
#include <string>

#include "model/abi.h"
#include "scenario/scenario.h"

using namespace model;

TEST(AbiNames, Signals) {
  EXPECT_EQ(signal_from_name("SIGSTOP"), 19);
  EXPECT_EQ(signal_from_name("SIGKILL"), 9);
  EXPECT_EQ(signal_from_name("SIGSYS"), 31);
  EXPECT_EQ(signal_from_name("SIGIOT"), SIGABRT);
  EXPECT_EQ(signal_from_name("SIGPOLL"), SIGIO);
  EXPECT_EQ(signal_from_name("SIGCLD"), SIGCHLD);
  // Names as a C program sees them: glibc's SIGRTMIN is 34.
  EXPECT_EQ(signal_from_name("SIGRTMIN"), 34);
  EXPECT_EQ(signal_from_name("SIGRTMIN+2"), 36);
  EXPECT_EQ(signal_from_name("SIGRTMIN+30"), 64);
  EXPECT_FALSE(signal_from_name("SIGRTMIN+31"));
  EXPECT_EQ(signal_from_name("SIG32"), 32);
  EXPECT_EQ(signal_from_name("SIG33"), 33);
  EXPECT_EQ(signal_from_name("SIGRTMAX"), 64);
  EXPECT_EQ(signal_from_name("SIGRTMAX-1"), 63);
  for (const char* bad : {"", "SIG", "sigstop", "SIGFOO", "SIGRTMIN+33", "SIGRTMIN-1", "SIGRTMIN+", "SIGRTMIN+x",
                          "SIGRTMAX+1", "SIGRTMIN+002", "19", "SIGSTOP "})
    EXPECT_FALSE(signal_from_name(bad)) << bad;
  EXPECT_EQ(signal_name(19), "SIGSTOP");
  EXPECT_EQ(signal_name(6), "SIGABRT");
  EXPECT_EQ(signal_name(32), "SIG32");
  EXPECT_EQ(signal_name(34), "SIGRTMIN");
  EXPECT_EQ(signal_name(36), "SIGRTMIN+2");
  EXPECT_EQ(signal_name(0), "0");
  EXPECT_EQ(signal_name(99), "99");
  for (int s = 1; s <= kNSig; ++s) EXPECT_EQ(signal_from_name(signal_name(s)), s) << s;
  EXPECT_EQ(SIGRTMIN, 32);  // the kernel's, not glibc's run-time 34
}

TEST(AbiNames, Errno) {
  EXPECT_EQ(errno_from_name("-ESRCH"), 3);
  EXPECT_EQ(errno_from_name("ESRCH"), 3);
  EXPECT_EQ(errno_from_name("EINPROGRESS"), 115);
  EXPECT_EQ(errno_from_name("-ERESTARTSYS"), 512);
  EXPECT_EQ(errno_from_name("ERESTARTNOHAND"), 514);
  EXPECT_EQ(errno_from_name("ERESTART_RESTARTBLOCK"), 516);
  EXPECT_EQ(errno_from_name("EWOULDBLOCK"), EAGAIN);
  EXPECT_FALSE(errno_from_name("EFOO"));
  EXPECT_FALSE(errno_from_name(""));
  EXPECT_FALSE(errno_from_name("-"));
  EXPECT_EQ(errno_name(3), "ESRCH");
  EXPECT_EQ(errno_name(11), "EAGAIN");
  EXPECT_EQ(errno_name(512), "ERESTARTSYS");
  EXPECT_EQ(errno_name(9999), "E9999");
}

TEST(AbiNames, CloneWaitPtrace) {
  EXPECT_EQ(clone_flag_from_name("CLONE_VM"), CLONE_VM);
  EXPECT_EQ(clone_flag_from_name("CLONE_CHILD_SETTID"), 0x1000000u);
  EXPECT_EQ(clone_flag_from_name("CLONE_UNTRACED"), 0x800000u);
  EXPECT_FALSE(clone_flag_from_name("CLONE_NOPE"));
  EXPECT_FALSE(clone_flag_from_name("SIGCHLD"));
  EXPECT_EQ(wait_option_from_name("__WALL"), 0x40000000u);
  EXPECT_EQ(wait_option_from_name("WNOHANG"), 1u);
  EXPECT_FALSE(wait_option_from_name("WALL"));
  EXPECT_EQ(ptrace_request_from_name("PTRACE_SETOPTIONS"), 0x4200);
  EXPECT_EQ(ptrace_request_from_name("PTRACE_PEEKUSER"), PTRACE_PEEKUSR);
  EXPECT_EQ(ptrace_request_name(PTRACE_CONT), "PTRACE_CONT");
  EXPECT_EQ(ptrace_option_from_name("PTRACE_O_TRACEVFORKDONE"), 0x20u);
  EXPECT_EQ(ptrace_event_from_name("PTRACE_EVENT_CLONE"), 3);
  EXPECT_EQ(ptrace_event_name(6), "PTRACE_EVENT_EXIT");
  // Linux 3.4 names (the 2.6.32 model knows the names, not the requests).
  EXPECT_EQ(ptrace_request_from_name("PTRACE_SEIZE"), 0x4206);
  EXPECT_EQ(ptrace_request_from_name("PTRACE_INTERRUPT"), 0x4207);
  EXPECT_EQ(ptrace_request_from_name("PTRACE_LISTEN"), 0x4208);
  EXPECT_EQ(ptrace_request_name(0x4206), "PTRACE_SEIZE");
  EXPECT_EQ(ptrace_request_name(0x4209), "PTRACE_0x4209");
  EXPECT_EQ(ptrace_event_from_name("PTRACE_EVENT_STOP"), 128);
  EXPECT_EQ(ptrace_event_name(128), "PTRACE_EVENT_STOP");
}

TEST(AbiNames, WaitStatus) {
  EXPECT_EQ(describe_wait_status(w_exited(42)), "exited 42");
  EXPECT_EQ(describe_wait_status(0), "exited 0");
  EXPECT_EQ(describe_wait_status(w_signaled(SIGKILL)), "killed by SIGKILL");
  EXPECT_EQ(describe_wait_status(w_signaled(SIGSEGV, true)), "killed by SIGSEGV (core dumped)");
  EXPECT_EQ(describe_wait_status(0x137f), "stopped by SIGSTOP");
  EXPECT_EQ(describe_wait_status(w_stopped(SIGTRAP | 0x80)), "stopped by SIGTRAP|0x80");
  EXPECT_EQ(describe_wait_status(w_stopped(SIGTRAP | (PTRACE_EVENT_CLONE << 8))),
            "stopped by SIGTRAP (PTRACE_EVENT_CLONE)");
  EXPECT_EQ(describe_wait_status(0x80057f), "stopped by SIGTRAP (PTRACE_EVENT_STOP)");
  EXPECT_EQ(describe_wait_status(kWContinued), "continued");
}

TEST(AbiNames, UtraceEvents) {
  EXPECT_EQ(utrace_event_from_name("QUIESCE"), 0x1u);
  EXPECT_EQ(utrace_event_from_name("UTRACE_EVENT(QUIESCE)"), 0x1u);
  EXPECT_EQ(utrace_event_from_name("UTRACE_EVENT(JCTL)"), 0x2000u);
  EXPECT_EQ(utrace_event_from_name("SIGNAL_ALL"), 0x1f00u);
  EXPECT_EQ(utrace_event_from_name("SYSCALL"), 0xc0u);
  EXPECT_EQ(utrace_event_from_name("SIGNAL_CORE"), 0x1000u);
  EXPECT_FALSE(utrace_event_from_name("UTRACE_EVENT(SIGNAL_ALL)"));
  EXPECT_FALSE(utrace_event_from_name("QUIESCENT"));
  EXPECT_FALSE(utrace_event_from_name("UTRACE_EVENT(QUIESCE"));
  EXPECT_EQ(utrace_events_string(0x21), "QUIESCE|DEATH");
  EXPECT_EQ(utrace_events_string(0), "0");
  EXPECT_EQ(utrace_events_string(ENGINE_STOP | 1), "QUIESCE|ENGINE_STOP");
  EXPECT_EQ(utrace_events_string(0x10000), "0x10000");
}

TEST(AbiNames, UtraceActions) {
  EXPECT_EQ(utrace_action_from_name("UTRACE_STOP")->value, 0u);
  EXPECT_EQ(utrace_action_from_name("UTRACE_DETACH")->value, 6u);
  EXPECT_EQ(utrace_action_from_name("UTRACE_RESUME_MAX")->value, 7u);
  EXPECT_EQ(utrace_action_from_name("UTRACE_RESUME")->family, ActionFamily::Resume);
  EXPECT_EQ(utrace_action_from_name("UTRACE_SIGNAL_TSTP")->value, 0x50u);
  EXPECT_EQ(utrace_action_from_name("UTRACE_SIGNAL_HOLD")->value, 0x100u);
  EXPECT_EQ(utrace_action_from_name("UTRACE_SIGNAL_HANDLER")->family, ActionFamily::Signal);
  EXPECT_EQ(utrace_action_from_name("UTRACE_SYSCALL_ABORT")->value, 0x10u);
  EXPECT_EQ(utrace_action_from_name("UTRACE_SYSCALL_RUN")->family, ActionFamily::Syscall);
  EXPECT_FALSE(utrace_action_from_name("UTRACE_NOPE"));
  EXPECT_EQ(utrace_resume_action_name(UTRACE_BLOCKSTEP), "UTRACE_BLOCKSTEP");
  EXPECT_EQ(utrace_resume_action_name(99), "UTRACE_\?\?\?(99)");  // never another action's name
  EXPECT_EQ(utrace_action_string(UTRACE_SIGNAL_IGN | UTRACE_STOP, ActionFamily::Signal),
            "UTRACE_SIGNAL_IGN | UTRACE_STOP");
  EXPECT_EQ(utrace_action_string(UTRACE_SIGNAL_HOLD | UTRACE_SIGNAL_TERM | UTRACE_RESUME, ActionFamily::Signal),
            "UTRACE_SIGNAL_TERM | UTRACE_SIGNAL_HOLD | UTRACE_RESUME");
  EXPECT_EQ(utrace_action_string(UTRACE_SYSCALL_ABORT | UTRACE_REPORT, ActionFamily::Syscall),
            "UTRACE_SYSCALL_ABORT | UTRACE_REPORT");
  EXPECT_EQ(utrace_action_string(UTRACE_DETACH, ActionFamily::Resume), "UTRACE_DETACH");
  // The signal mask has room for 16 actions and the kernel names 8: the rest are bits
  // (a fuzzed callback returned 0xf0 and the name table was indexed past its end).
  for (std::uint32_t s = 0x80; s <= UTRACE_SIGNAL_MASK; s += 0x10)
    EXPECT_EQ(utrace_action_string(s | UTRACE_RESUME, ActionFamily::Signal), fmt::format("{:#x} | UTRACE_RESUME", s));
  EXPECT_EQ(utrace_attach_flag_from_name("UTRACE_ATTACH_MATCH_DATA"), 0x2u);
  EXPECT_EQ(utrace_attach_flag_from_name("UTRACE_ATTACH_EXCLUSIVE"), 0x20u);
}

TEST(ScenarioNames, Tables) {
  EXPECT_STREQ(kernel_version_name(KernelVersion::V2010Rhel6), "2010-rhel6");
  EXPECT_EQ(kernel_version_from_name("2009-rfc"), KernelVersion::V2009Rfc);
  EXPECT_EQ(kernel_version_from_name("2011-3x"), KernelVersion::V2011_3x);
  EXPECT_FALSE(kernel_version_from_name("2012"));
  EXPECT_EQ(bug_from_name("R2"), 2);
  EXPECT_EQ(bug_from_name("R17"), 17);
  for (const char* bad : {"R0", "R18", "R02", "r2", "R", "R1x", "R100", ""}) EXPECT_FALSE(bug_from_name(bad)) << bad;
  for (std::size_t i = 0; i < kPropertyCount; ++i) {
    auto p = static_cast<Property>(i);
    EXPECT_EQ(property_from_name(property_name(p)), p);
  }
  EXPECT_STREQ(property_name(Property::StopWithoutEngine), "stop-without-engine");
  EXPECT_STREQ(property_name(Property::ModelInvariant), "model-invariant");
  EXPECT_EQ(property_from_name("sigkill-primacy"), Property::SigkillPrimacy);
  EXPECT_STREQ(task_state_name(TaskState::Traced), "traced");
  EXPECT_EQ(task_state_from_name("zombie"), TaskState::Zombie);
  for (std::size_t i = 0; i < kCallbackCount; ++i) {
    auto c = static_cast<Callback>(i);
    EXPECT_EQ(callback_from_name(callback_name(c)), c);
  }
  EXPECT_STREQ(callback_name(Callback::report_syscall_entry), "report_syscall_entry");
  EXPECT_EQ(strategy_from_name("portfolio"), Strategy::Portfolio);
  EXPECT_STREQ(strategy_name(Strategy::Dpor), "dpor");
}

TEST(ScenarioNames, PlainSyscalls) {
  EXPECT_EQ(plain_syscalls().size(), 20u);
  EXPECT_EQ(find_plain_syscall("getpgid")->nr, 121);  // getpgid(0): the process group
  EXPECT_EQ(find_plain_syscall("sched_getscheduler")->nr, 145);
  ASSERT_TRUE(find_plain_syscall("getpid"));
  EXPECT_EQ(find_plain_syscall("getpid")->nr, 39);
  EXPECT_EQ(find_plain_syscall("gettid")->nr, 186);
  EXPECT_EQ(find_plain_syscall("read")->nr, 0);
  EXPECT_EQ(find_plain_syscall("write")->nr, 1);
  EXPECT_EQ(find_plain_syscall("time")->nr, 201);
  EXPECT_FALSE(find_plain_syscall("fork"));
}
