// tests/unit/model/ptrace/ptrace_status_test.cpp: the wait statuses a tracer sees for each
// kind of ptrace stop (utrace-semantics.md §8.1, §8.5): exit_code =
// stop_code & 0xffff, so a signal-delivery stop reports the signal, a
// syscall stop SIGTRAP (| 0x80 with PTRACE_O_TRACESYSGOOD), a
// PTRACE_EVENT_x stop SIGTRAP | x << 8; a job-control stop of a tracee is
// reported through do_signal_stop with the stop signal.
#include "ptrace_harness.h"

namespace model::ptrace_test {
namespace {

TEST(PtraceStatus, SignalDeliveryStopReportsTheSignal) {
  PtRun r(parent_child(R"({"ptrace": {"request": "PTRACE_TRACEME"}}, {"raise": "SIGUSR1"}, {"exit": 0})",
                       R"({"waitpid": {"pid": "C"}, "label": "st"},
                          {"ptrace": {"request": "PTRACE_GETSIGINFO", "pid": "C"}, "label": "si"},
                          {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
                          {"waitpid": {"pid": "C"}, "label": "end"})"));
  EXPECT_EQ(r.ret("st"), 0x0a7f);
  EXPECT_EQ(r.ret("si"), 10);
  EXPECT_EQ(r.ret("end"), 0x0000);  // the signal was cancelled
  EXPECT_EQ(r.violations(), "");
}

TEST(PtraceStatus, GroupStopOfATraceeReportsTheStopSignalAndHasNoSiginfo) {
  PtRun r(parent_child(std::string(kTracemeStop) + R"(, {"exit": 0})", std::string(kWaitStop) + R"(,
                          {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": "SIGSTOP"}, "label": "cont"},
                          {"waitpid": {"pid": "C"}, "label": "st"},
                          {"assert_state": {"task": "C", "state": "stopped"}},
                          {"ptrace": {"request": "PTRACE_GETSIGINFO", "pid": "C"}, "label": "si"},
                          {"kill": {"pid": "C", "sig": "SIGKILL"}},
                          {"waitpid": {"pid": "C"}, "label": "end"})"));
  EXPECT_EQ(r.ret("cont"), 0);
  EXPECT_EQ(r.ret("st"), 0x137f);
  EXPECT_EQ(r.ret("si"), -EINVAL);
  EXPECT_EQ(r.ret("end"), 0x9);
  EXPECT_EQ(r.violations(), "");
}

std::string syscall_stops(bool sysgood) {
  const std::string opts =
      sysgood ? R"({"ptrace": {"request": "PTRACE_SETOPTIONS", "pid": "C", "options": ["PTRACE_O_TRACESYSGOOD"]}},)"
              : "";
  return parent_child(std::string(kTracemeStop) + R"(, {"syscall": "getppid"}, {"exit_group": 0})",
                      std::string(kWaitStop) + "," + opts + R"(
                         {"ptrace": {"request": "PTRACE_SYSCALL", "pid": "C", "sig": 0}},
                         {"waitpid": {"pid": "C"}, "label": "entry"},
                         {"ptrace": {"request": "PTRACE_GETSIGINFO", "pid": "C"}, "label": "si"},
                         {"ptrace": {"request": "PTRACE_SYSCALL", "pid": "C", "sig": 0}},
                         {"waitpid": {"pid": "C"}, "label": "exit"},
                         {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
                         {"waitpid": {"pid": "C"}, "label": "end"})");
}

TEST(PtraceStatus, SyscallStopIsSigtrap) {
  PtRun r(syscall_stops(false));
  EXPECT_EQ(r.ret("entry"), 0x057f);
  EXPECT_EQ(r.ret("exit"), 0x057f);
  EXPECT_EQ(r.ret("si"), 5);  // a synthesized SIGTRAP siginfo
  EXPECT_EQ(r.ret("end"), 0);
  EXPECT_EQ(r.violations(), "");
}

TEST(PtraceStatus, SyscallStopWithTracesysgoodHasBit7) {
  PtRun r(syscall_stops(true));
  EXPECT_EQ(r.ret("entry"), 0x857f);
  EXPECT_EQ(r.ret("exit"), 0x857f);
  EXPECT_EQ(r.ret("end"), 0);
  EXPECT_EQ(r.violations(), "");
}

// C does `what` with `options` set: P sees SIGTRAP | event << 8 and the event message.
struct EventCase {
  const char* option;
  const char* c_op;
  int status;
  bool msg_is_child;
};

class PtraceEventStatus : public ::testing::TestWithParam<EventCase> {};

TEST_P(PtraceEventStatus, IsSigtrapWithTheEventInBits16To23) {
  const EventCase& ec = GetParam();
  PtRun r(parent_child(std::string(kTracemeStop) + ", " + ec.c_op, std::string(kWaitStop) + R"(,
                          {"ptrace": {"request": "PTRACE_SETOPTIONS", "pid": "C", "options": [")" +
                                                                       ec.option + R"("]}},
                          {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
                          {"waitpid": {"pid": "C"}, "label": "st"},
                          {"ptrace": {"request": "PTRACE_GETEVENTMSG", "pid": "C"}, "label": "msg"},
                          {"ptrace": {"request": "PTRACE_GETSIGINFO", "pid": "C"}, "label": "si"},
                          {"kill": {"pid": "C", "sig": "SIGKILL"}})"));
  EXPECT_EQ(r.ret("st"), ec.status) << ec.option;
  EXPECT_EQ(r.ret("si"), 5) << ec.option;
  if (ec.msg_is_child) {
    EXPECT_EQ(r.ret("msg"), r.pid("G")) << ec.option;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Events, PtraceEventStatus,
    ::testing::Values(
        EventCase{"PTRACE_O_TRACEFORK", R"({"fork": {"child": "G", "program": [{"exit": 0}]}})", 0x1057f, true},
        EventCase{"PTRACE_O_TRACEVFORK", R"({"vfork": {"child": "G", "program": [{"exit": 0}]}})", 0x2057f, true},
        EventCase{"PTRACE_O_TRACECLONE", R"({"clone": {"flags": [], "child": "G", "program": [{"exit": 0}]}})", 0x3057f,
                  true},
        EventCase{"PTRACE_O_TRACEEXEC", R"({"exec": {"program": [{"exit": 0}]}})", 0x4057f, false},
        EventCase{"PTRACE_O_TRACEEXIT", R"({"exit": 7})", 0x6057f, false}));

TEST(PtraceStatus, VforkDoneAndExitEventMessages) {
  PtRun r(
      parent_child(std::string(kTracemeStop) + R"(, {"vfork": {"child": "G", "program": [{"exit": 0}]}}, {"exit": 9})",
                   std::string(kWaitStop) + R"(,
                          {"ptrace": {"request": "PTRACE_SETOPTIONS", "pid": "C",
                                      "options": ["PTRACE_O_TRACEVFORKDONE", "PTRACE_O_TRACEEXIT"]}},
                          {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
                          {"waitpid": {"pid": "C"}, "label": "done"},
                          {"ptrace": {"request": "PTRACE_GETEVENTMSG", "pid": "C"}, "label": "done-msg"},
                          {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
                          {"waitpid": {"pid": "C"}, "label": "sigchld"},
                          {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
                          {"waitpid": {"pid": "C"}, "label": "exit"},
                          {"ptrace": {"request": "PTRACE_GETEVENTMSG", "pid": "C"}, "label": "exit-msg"},
                          {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
                          {"waitpid": {"pid": "C"}, "label": "end"})"));
  // Only TRACEVFORKDONE: no VFORK stop, no auto-attach; one stop after the vfork wait.
  EXPECT_EQ(r.ret("done"), 0x5057f);
  EXPECT_EQ(r.ret("done-msg"), r.pid("G"));
  EXPECT_EQ(r.ret("sigchld"), 0x117f);  // G's exit: the SIGCHLD is reported too
  EXPECT_EQ(r.ret("exit"), 0x6057f);
  EXPECT_EQ(r.ret("exit-msg"), 9 << 8);
  EXPECT_EQ(r.ret("end"), 0x900);
  EXPECT_EQ(r.violations(), "");
}

}  // namespace
}  // namespace model::ptrace_test
