// tests/unit/model/ptrace/ptrace_requests_test.cpp: the error codes of each ptrace
// request (utrace-semantics.md §8.4), and what a tracer's wait() sees of
// tracees that are not its children (__WALL, __WCLONE).
#include "ptrace_harness.h"

namespace model::ptrace_test {
namespace {

// T attaches C (a sibling: both are children of init); C sleeps in pause().
std::string tracer_and_sleeper(const std::string& t_ops) {
  return scenario(R"([{"name": "T", "program": [)" + t_ops + R"(]},
                      {"name": "C", "program": [{"loop": {"forever": true, "do": [{"pause": {}}]}}]}])");
}

TEST(PtraceAttach, SelfTwiceAndAbsentTask) {
  PtRun r(tracer_and_sleeper(R"(
      {"ptrace": {"request": "PTRACE_ATTACH", "pid": "T"}, "label": "self"},
      {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}, "label": "first"},
      {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}, "label": "again"},
      {"waitpid": {"pid": "C", "options": ["__WALL"]}, "label": "st"},
      {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}, "label": "stopped-again"},
      {"kill": {"pid": "C", "sig": "SIGKILL"}},
      {"waitpid": {"pid": "C", "options": ["__WALL"]}, "label": "end"},
      {"await": {"task": "C", "state": "dead"}},
      {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}, "label": "reaped"})"));
  EXPECT_EQ(r.ret("self"), -EPERM);  // same thread group
  EXPECT_EQ(r.ret("first"), 0);
  EXPECT_EQ(r.ret("again"), -EPERM);  // -EEXIST from the exclusive attach becomes -EPERM
  EXPECT_EQ(r.ret("st"), 0x137f);
  EXPECT_EQ(r.ret("stopped-again"), -EPERM);
  EXPECT_EQ(r.ret("end"), 0x9);
  EXPECT_EQ(r.ret("reaped"), -ESRCH);
  EXPECT_EQ(r.violations(), "");
}

TEST(PtraceTraceme, SecondTracemeIsEperm) {
  PtRun r(parent_child(R"({"ptrace": {"request": "PTRACE_TRACEME"}, "label": "one"},
                          {"ptrace": {"request": "PTRACE_TRACEME"}, "label": "two"}, {"exit": 0})",
                       R"({"waitpid": {"pid": "C"}, "label": "end"})"));
  EXPECT_EQ(r.ret("one"), 0);
  EXPECT_EQ(r.ret("two"), -EPERM);
  EXPECT_EQ(r.ret("end"), 0);
}

// Every request but ATTACH/TRACEME needs a traced, stopped tracee of the caller.
TEST(PtraceRequests, EsrchUnlessTracedAndStopped) {
  const char* reqs[] = {"PTRACE_CONT",        "PTRACE_SYSCALL",    "PTRACE_SINGLESTEP", "PTRACE_DETACH",
                        "PTRACE_GETEVENTMSG", "PTRACE_GETSIGINFO", "PTRACE_SETOPTIONS", "PTRACE_PEEKDATA"};
  for (const char* req : reqs) {
    const std::string op = std::string(R"({"ptrace": {"request": ")") + req + R"(", "pid": "C"}, "label": ")";
    PtRun r(tracer_and_sleeper(op + R"(untraced"},
        {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}},
        {"waitpid": {"pid": "C", "options": ["__WALL"]}},
        {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
        {"await": {"task": "C", "state": "sleeping"}}, )" +
                               op + R"(running"},
        {"ptrace": {"request": "PTRACE_KILL", "pid": "C"}, "label": "kill"},
        {"kill": {"pid": "C", "sig": "SIGKILL"}},
        {"waitpid": {"pid": "C", "options": ["__WALL"]}})"));
    EXPECT_EQ(r.ret("untraced"), -ESRCH) << req;
    EXPECT_EQ(r.ret("running"), -ESRCH) << req;
    EXPECT_EQ(r.ret("kill"), 0) << req;  // PTRACE_KILL needs no stop; it does nothing to a running tracee
    EXPECT_EQ(r.violations(), "") << req;
  }
}

// Another tracer's tracee is not ours.
TEST(PtraceRequests, EsrchForSomeoneElsesTracee) {
  PtRun r(scenario(R"([{"name": "T", "program": [
        {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}},
        {"waitpid": {"pid": "C", "options": ["__WALL"]}},
        {"complete": "stopped"},
        {"wait_for_completion": "done"},
        {"kill": {"pid": "C", "sig": "SIGKILL"}},
        {"waitpid": {"pid": "C", "options": ["__WALL"]}}]},
      {"name": "U", "program": [
        {"wait_for_completion": "stopped"},
        {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}, "label": "cont"},
        {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}, "label": "attach"},
        {"waitpid": {"pid": "C", "options": ["__WALL", "WNOHANG"]}, "label": "wait"},
        {"complete": "done"}]},
      {"name": "C", "program": [{"loop": {"forever": true, "do": [{"pause": {}}]}}]}])"));
  EXPECT_EQ(r.ret("cont"), -ESRCH);
  EXPECT_EQ(r.ret("attach"), -EPERM);
  EXPECT_EQ(r.ret("wait"), -ECHILD);
  EXPECT_EQ(r.violations(), "");
}

TEST(PtraceRequests, EioForAnInvalidSignalOrAnUnknownRequest) {
  PtRun r(tracer_and_sleeper(R"(
      {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}},
      {"waitpid": {"pid": "C", "options": ["__WALL"]}},
      {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 65}, "label": "cont"},
      {"ptrace": {"request": "PTRACE_SYSCALL", "pid": "C", "sig": 1000}, "label": "syscall"},
      {"ptrace": {"request": "PTRACE_SINGLESTEP", "pid": "C", "sig": 100}, "label": "step"},
      {"ptrace": {"request": "PTRACE_DETACH", "pid": "C", "sig": 65}, "label": "detach"},
      {"ptrace": {"request": 17049, "pid": "C"}, "label": "unknown"},
      {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 64}, "label": "sig64"},
      {"waitpid": {"pid": "C", "options": ["__WALL"]}, "label": "st64"},
      {"kill": {"pid": "C", "sig": "SIGKILL"}},
      {"waitpid": {"pid": "C", "options": ["__WALL"]}})"));
  EXPECT_EQ(r.ret("cont"), -EIO);
  EXPECT_EQ(r.ret("syscall"), -EIO);
  EXPECT_EQ(r.ret("step"), -EIO);
  EXPECT_EQ(r.ret("detach"), -EIO);
  EXPECT_EQ(r.ret("unknown"), -EIO);
  // _NSIG itself is valid: SIGRTMAX (64), whose default action is to
  // terminate, is injected and kills the tracee.
  EXPECT_EQ(r.ret("sig64"), 0);
  EXPECT_EQ(r.ret("st64"), 64);
  EXPECT_EQ(r.violations(), "");
}

// PTRACE_SEIZE, _INTERRUPT and _LISTEN (Linux 3.4) are unknown to 2.6.32: like any
// request but TRACEME/ATTACH they go through ptrace_check_attach() first (-ESRCH
// for a task that is not our stopped tracee), then ptrace_request()'s default
// (-EIO). scenarios/ptrace/seize-interrupt-listen declares what 3.4+ does.
TEST(PtraceRequests, SeizeInterruptListenAreUnknownRequests) {
  PtRun r(tracer_and_sleeper(R"(
      {"ptrace": {"request": "PTRACE_SEIZE", "pid": "C"}, "label": "seize-untraced"},
      {"ptrace": {"request": "PTRACE_INTERRUPT", "pid": "C"}, "label": "interrupt-untraced"},
      {"ptrace": {"request": "PTRACE_LISTEN", "pid": "C"}, "label": "listen-untraced"},
      {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}},
      {"waitpid": {"pid": "C", "options": ["__WALL"]}},
      {"ptrace": {"request": "PTRACE_SEIZE", "pid": "C"}, "label": "seize"},
      {"ptrace": {"request": "PTRACE_INTERRUPT", "pid": "C"}, "label": "interrupt"},
      {"ptrace": {"request": "PTRACE_LISTEN", "pid": "C"}, "label": "listen"},
      {"kill": {"pid": "C", "sig": "SIGKILL"}},
      {"waitpid": {"pid": "C", "options": ["__WALL"]}, "label": "end"})"));
  EXPECT_EQ(r.ret("seize-untraced"), -ESRCH);
  EXPECT_EQ(r.ret("interrupt-untraced"), -ESRCH);
  EXPECT_EQ(r.ret("listen-untraced"), -ESRCH);
  EXPECT_EQ(r.ret("seize"), -EIO);
  EXPECT_EQ(r.ret("interrupt"), -EIO);
  EXPECT_EQ(r.ret("listen"), -EIO);
  EXPECT_EQ(r.ret("end"), 0x9);
  EXPECT_EQ(r.violations(), "");
}

TEST(PtraceRequests, SetoptionsAndPeekPokeSucceedAtAStop) {
  PtRun r(parent_child(std::string(kTracemeStop) + R"(, {"exit": 0})", std::string(kWaitStop) + R"(,
        {"ptrace": {"request": "PTRACE_SETOPTIONS", "pid": "C", "options": ["PTRACE_O_TRACESYSGOOD"]}, "label": "opt"},
        {"ptrace": {"request": "PTRACE_PEEKDATA", "pid": "C"}, "label": "peek"},
        {"ptrace": {"request": "PTRACE_POKEDATA", "pid": "C"}, "label": "poke"},
        {"ptrace": {"request": "PTRACE_GETREGS", "pid": "C"}, "label": "regs"},
        {"ptrace": {"request": "PTRACE_GETEVENTMSG", "pid": "C"}, "label": "msg"},
        {"ptrace": {"request": "PTRACE_SETSIGINFO", "pid": "C"}, "label": "setsi"},
        {"ptrace": {"request": "PTRACE_KILL", "pid": "C"}, "label": "kill"},
        {"waitpid": {"pid": "C"}, "label": "end"})"));
  EXPECT_EQ(r.ret("opt"), 0);
  EXPECT_EQ(r.ret("peek"), 0);
  EXPECT_EQ(r.ret("poke"), 0);
  EXPECT_EQ(r.ret("regs"), 0);
  EXPECT_EQ(r.ret("msg"), 0);  // no event yet
  EXPECT_EQ(r.ret("setsi"), 0);
  EXPECT_EQ(r.ret("kill"), 0);
  EXPECT_EQ(r.ret("end"), 0x9);
}

// ---- wait() of a tracer for tracees that are not its children ---------------------------------
// 2.6.32's eligible_child() applies __WCLONE to tracees as to children; since
// 4.7 a tracee is eligible whatever __WCLONE says (scenarios/ptrace/wait-tracer-wclone).

TEST(PtraceWait, TracerSeesASigchldTraceeWithoutWallButNotWithWclone) {
  PtRun r(tracer_and_sleeper(R"(
      {"ptrace": {"request": "PTRACE_ATTACH", "pid": "C"}},
      {"await": {"task": "C", "state": "traced"}},
      {"waitpid": {"pid": "C", "options": ["__WCLONE", "WNOHANG"]}, "label": "wclone"},
      {"waitpid": {"pid": "C"}, "label": "plain"},
      {"waitpid": {"pid": "C", "options": ["WNOHANG"]}, "label": "consumed"},
      {"kill": {"pid": "C", "sig": "SIGKILL"}},
      {"waitpid": {"pid": -1, "options": ["__WALL"]}, "label": "any"})"));
  EXPECT_EQ(r.ret("wclone"), -ECHILD);  // a SIGCHLD tracee is not a __WCLONE child
  EXPECT_EQ(r.ret("plain"), 0x137f);
  EXPECT_EQ(r.ret("consumed"), 0);  // the stop was reported once (exit_code cleared)
  EXPECT_EQ(r.ret("any"), 0x9);
  EXPECT_EQ(r.violations(), "");
}

TEST(PtraceWait, ACloneTraceeNeedsWcloneOrWall) {
  // C clones G with no exit signal; TRACECLONE makes P trace G too.
  PtRun r(parent_child(std::string(kTracemeStop) +
                           R"(, {"clone": {"flags": [], "child": "G", "program": [{"exit": 4}]}},
                              {"waitpid": {"pid": "G", "options": ["__WCLONE"]}}, {"exit": 0})",
                       std::string(kWaitStop) + R"(,
        {"ptrace": {"request": "PTRACE_SETOPTIONS", "pid": "C", "options": ["PTRACE_O_TRACECLONE"]}},
        {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
        {"waitpid": {"pid": "C"}, "label": "clone-stop"},
        {"await": {"task": "G", "state": "traced"}},
        {"waitpid": {"pid": "G", "options": ["WNOHANG"]}, "label": "plain"},
        {"waitpid": {"pid": "G", "options": ["__WCLONE"]}, "label": "wclone"},
        {"ptrace": {"request": "PTRACE_CONT", "pid": "G", "sig": 0}},
        {"waitpid": {"pid": "G", "options": ["__WALL"]}, "label": "g-end"},
        {"ptrace": {"request": "PTRACE_CONT", "pid": "C", "sig": 0}},
        {"waitpid": {"pid": "C"}, "label": "c-end"})"));
  EXPECT_EQ(r.ret("clone-stop"), 0x3057f);
  EXPECT_EQ(r.ret("plain"), -ECHILD);  // P's only other child C is no clone child... and G is not plain
  EXPECT_EQ(r.ret("wclone"), 0x137f);
  EXPECT_EQ(r.ret("g-end"), 0x400);
  EXPECT_EQ(r.ret("c-end"), 0);
  EXPECT_EQ(r.violations(), "");
}

}  // namespace
}  // namespace model::ptrace_test
