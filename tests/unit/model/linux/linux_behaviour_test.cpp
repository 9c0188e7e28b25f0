// tests/unit/model/linux/linux_behaviour_test.cpp: the Linux model at work — scenarios
// of scenarios/linux (and small ones written here) run through
// model::Simulator under a fixed schedule, with assertions on the trace and
// the outcome; and the Linux invariants catching a corrupted kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "model/checks/linux_invariants.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/random.h"
#include "sim/sched/replay.h"
#include "support/linux_run.h"

namespace fs = std::filesystem;

namespace model {
namespace {

using test::loaded;
using test::traced;
using test::violations;

const fs::path kRoot = UTSIM_SOURCE_DIR;

Scenario load_linux(const std::string& name) {
  return loaded(load_scenario_file((kRoot / "scenarios/linux" / (name + ".json")).string()));
}

Scenario load_text(const std::string& text) { return loaded(load_scenario_text(text)); }

int slot_of(const Scenario& s, const std::string& name) {
  auto it = std::find(s.task_names.begin(), s.task_names.end(), name);
  return it == s.task_names.end() ? -1 : static_cast<int>(it - s.task_names.begin());
}

int label_of(const Scenario& s, const std::string& name) {
  auto it = std::find(s.labels.begin(), s.labels.end(), name);
  return it == s.labels.end() ? -1 : static_cast<int>(it - s.labels.begin());
}

std::vector<Event> events_of(const Kernel& k, Ev kind, int pid = 0) {
  std::vector<Event> out;
  for (const Event& e : k.events())
    if (e.kind == kind && (!pid || e.pid == pid)) out.push_back(e);
  return out;
}

// The default (non-preemptive) schedule.
RunOutput run_default(Simulator& sim) {
  sim::ReplayScheduler def;
  return sim.run(def);
}

TEST(LinuxBehaviour, SaRestartRestartsTheInterruptedWait) {
  const Scenario s = load_linux("waitpid-sa-restart");
  Simulator sim(s, traced());
  const RunOutput out = run_default(sim);
  ASSERT_EQ(out.engine.end, sim::RunEnd::Finished);
  ASSERT_TRUE(out.violations.empty()) << violations(out);
  const Kernel& k = sim.kernel();
  const int p = sim.interp().slot_pid(slot_of(s, "P")), c = sim.interp().slot_pid(slot_of(s, "C"));

  // wait4 went back with -ERESTARTSYS, handle_signal() restarted it ...
  const auto restarts = events_of(k, Ev::sys_restart, p);
  ASSERT_EQ(restarts.size(), 1u);
  EXPECT_EQ(restarts[0].b, -ERESTARTSYS);
  EXPECT_EQ(restarts[0].c, 1);  // restarted, not -EINTR
  const auto handled = events_of(k, Ev::signal_deliver, p);
  ASSERT_EQ(handled.size(), 1u);
  EXPECT_EQ(handled[0].a, SIGUSR1);
  EXPECT_EQ(handled[0].b, static_cast<int>(SigDisp::Handler));
  // ... and the same waitpid op then reaped the child.
  const auto found = events_of(k, Ev::wait_found, p);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].a, c);
  EXPECT_EQ(found[0].b, 0x700);
  const OpResult* r = sim.interp().result_of(label_of(s, "wait"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->kind, ResultKind::WaitStatus);
  EXPECT_EQ(r->value, 0x700);
  EXPECT_EQ(r->pid, c);
  for (const Outcome& o : s.expect.outcomes) EXPECT_TRUE(sim.matches(o));
}

TEST(LinuxBehaviour, WithoutSaRestartTheWaitFailsWithEintr) {
  const Scenario s = load_linux("waitpid-eintr");
  Simulator sim(s, traced());
  const RunOutput out = run_default(sim);
  ASSERT_TRUE(out.violations.empty()) << violations(out);
  const Kernel& k = sim.kernel();
  const int p = sim.interp().slot_pid(slot_of(s, "P"));
  const auto restarts = events_of(k, Ev::sys_restart, p);
  ASSERT_GE(restarts.size(), 1u);
  EXPECT_EQ(restarts[0].b, -EINTR);
  EXPECT_EQ(restarts[0].c, 0);
  const OpResult* r = sim.interp().result_of(label_of(s, "wait"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->kind, ResultKind::Errno);
  EXPECT_EQ(r->value, EINTR);
  const TaskEnd c = sim.interp().task_end(slot_of(s, "C"));
  EXPECT_TRUE(c.died);
  EXPECT_EQ(c.status, 0x9);
}

// Job control, written here: the parent sees 0x137f, 0xffff, 0x9 in this
// order, and CLD_STOPPED then CLD_CONTINUED notifications, on every schedule.
TEST(LinuxBehaviour, StopContinueKillStatusesInOrder) {
  const Scenario s = load_text(R"({
    "utsim": 1, "name": "stop-cont-kill", "summary": "job control statuses",
    "tasks": [{"name": "P", "program": [
      {"fork": {"child": "C", "program": [{"loop": {"forever": true, "do": [{"pause": {}}]}}]}},
      {"kill": {"pid": "C", "sig": "SIGSTOP"}},
      {"waitpid": {"pid": "C", "options": ["WUNTRACED"]}, "expect": "0x137f"},
      {"kill": {"pid": "C", "sig": "SIGCONT"}},
      {"waitpid": {"pid": "C", "options": ["WCONTINUED"]}, "expect": "0xffff"},
      {"kill": {"pid": "C", "sig": "SIGKILL"}},
      {"waitpid": {"pid": "C", "options": ["WUNTRACED", "WCONTINUED"]}, "expect": "0x9"}
    ]}]})");
  Simulator sim(s, traced());
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    sim::RandomScheduler rs(seed);
    const RunOutput out = sim.run(rs);
    ASSERT_EQ(out.engine.end, sim::RunEnd::Finished) << seed;
    ASSERT_TRUE(out.violations.empty()) << "seed " << seed << ": " << violations(out);
    const Kernel& k = sim.kernel();
    const int p = sim.interp().slot_pid(slot_of(s, "P")), c = sim.interp().slot_pid(slot_of(s, "C"));
    std::vector<std::int64_t> statuses;
    for (const Event& e : events_of(k, Ev::wait_found, p)) statuses.push_back(e.b);
    EXPECT_EQ(statuses, (std::vector<std::int64_t>{0x137f, 0xffff, 0x9})) << seed;
    std::vector<std::int64_t> why;
    for (const Event& e : events_of(k, Ev::notify_parent, c)) why.push_back(e.c);
    ASSERT_GE(why.size(), 1u) << seed;
    EXPECT_EQ(why.front(), CLD_STOPPED) << seed;
    EXPECT_EQ(why.back(), CLD_KILLED) << seed;
  }
}

// Regression tests of the model fixes (each scenario was checked on a real
// kernel), under several schedules.
void expect_all_outcomes(const std::string& name, int seeds) {
  const Scenario s = load_linux(name);
  Simulator sim(s, RunConfig{});
  for (int seed = 0; seed < seeds; ++seed) {
    sim::RandomScheduler rs(static_cast<std::uint64_t>(seed));
    const RunOutput out = sim.run(rs);
    ASSERT_TRUE(out.violations.empty()) << name << " seed " << seed << ": " << violations(out);
    bool any = false;
    for (const Outcome& o : s.expect.outcomes) any = any || sim.matches(o);
    EXPECT_TRUE(any) << name << " seed " << seed;
  }
}

TEST(LinuxBehaviour, ExecUnsharesASharedHandlerTable) { expect_all_outcomes("exec-unshares-sighand", 30); }
TEST(LinuxBehaviour, WcloneWaitIgnoresThreads) { expect_all_outcomes("wclone-ignores-threads", 30); }
TEST(LinuxBehaviour, ExecFromAThreadKeepsTheListsSound) { expect_all_outcomes("exec-from-thread", 30); }

// ---- the invariants catch a corrupted kernel -------------------------------------

class InvariantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scn_ = load_text(R"({"utsim": 1, "name": "two", "summary": "two tasks",
      "tasks": [{"name": "A", "program": [{"exit": 0}]}, {"name": "B", "program": [{"exit": 0}]}]})");
    kernel_ = std::make_unique<Kernel>(scn_.kernel, scn_.bugs, eng_, RunConfig{});
    interp_ = std::make_unique<Interpreter>(scn_, *kernel_);
    kernel_->user = interp_.get();
    kernel_->boot();  // threads spawned, never run: a quiescent kernel
    interp_->boot();
  }
  void TearDown() override {
    eng_.reset();  // coroutine frames first: they refer to the kernel
    interp_.reset();
    kernel_.reset();
  }
  Task& task(const char* name) { return *interp_->task_of_slot(slot_of(scn_, name)); }
  std::string check() {
    sim::RunResult r;
    r.end = sim::RunEnd::Finished;
    check_linux_invariants(*kernel_, r);
    std::string s;
    for (const Violation& v : kernel_->violations())
      if (v.property == Property::ModelInvariant) s += v.message + "\n";
    return s;
  }

  Scenario scn_;
  sim::Engine eng_{sim::Limits{}};
  std::unique_ptr<Kernel> kernel_;
  std::unique_ptr<Interpreter> interp_;
};

TEST_F(InvariantsTest, AFreshKernelIsSound) { EXPECT_EQ(check(), ""); }

TEST_F(InvariantsTest, ATaskTwiceOnItsParentsList) {
  Task& a = task("A");
  a.real_parent->children.push_back(&a);
  EXPECT_NE(check().find("twice on its parent's children list"), std::string::npos);
}

TEST_F(InvariantsTest, AChildWithAnotherRealParent) {
  task("B").real_parent = &task("A");
  EXPECT_NE(check().find("real_parent"), std::string::npos);
}

TEST_F(InvariantsTest, StoppedWithoutAGroupStop) {
  task("A").state.init(TASK_STOPPED);
  EXPECT_NE(check().find("TASK_STOPPED without a group stop"), std::string::npos);
}

TEST_F(InvariantsTest, AReleasedTaskStillHashed) {
  Task& b = task("B");
  b.released = true;
  b.exit_state.init(EXIT_DEAD);
  b.flags.init(b.flags | PF_EXITING);
  EXPECT_NE(check().find("released but"), std::string::npos);
}

TEST_F(InvariantsTest, AWrongSighandCount) {
  task("A").sighand->count = 2;
  EXPECT_NE(check().find("sighand_struct has count 2"), std::string::npos);
}

}  // namespace
}  // namespace model
