// tests/unit/model/why_test.cpp: the explanations of model/why.h, straight
// from typed events (no run, no JSON): each is keyed by the event's enums and
// integers (the `Api` and its return code, the `UField` and the bits that
// changed, the resume action a callback returned) and by the little context
// a step gives (its kernel function, the races switched on, the last
// callback return of each task).
#include <gtest/gtest.h>

#include <string>

#include "model/abi.h"
#include "model/checks/guarantees.h"
#include "model/linux/task.h"
#include "model/utrace/hooks.h"
#include "model/why.h"

namespace model {
namespace {

bool has(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

Event api(Api call, std::int64_t arg, std::int64_t ret) {
  return Event{.kind = Ev::utrace_api, .pid = 3, .a = 1, .b = static_cast<int>(call), .c = arg, .d = ret};
}

TEST(Why, AttachReturnCodes) {
  const WhyContext c;
  const std::string esrch = why_of(api(Api::attach, 0, -ESRCH), c);
  EXPECT_TRUE(esrch.starts_with("the target is being reaped")) << esrch;
  EXPECT_TRUE(has(esrch, "R6")) << esrch;
  EXPECT_TRUE(has(why_of(api(Api::attach, 0, 0), c), "(G3)"));
  EXPECT_TRUE(has(why_of(api(Api::attach, 0, -EEXIST), c), "UTRACE_ATTACH_EXCLUSIVE"));
  EXPECT_EQ(why_of(api(Api::attach, 0, -EIO), c), "") << "a code the table does not know says nothing";
}

TEST(Why, SetEventsAndBarrier) {
  const WhyContext c;
  EXPECT_TRUE(has(why_of(api(Api::set_events, 0, -EINPROGRESS), c), "(G9, R4)"));
  EXPECT_TRUE(has(why_of(api(Api::barrier, 0, -ERESTARTSYS), c), "signal pending"));
  EXPECT_TRUE(has(why_of(api(Api::finish_examine, 0, -EAGAIN), c), "torn (G20)"));
}

TEST(Why, ControlDependsOnActionAndOnR2) {
  WhyContext c;
  EXPECT_TRUE(has(why_of(api(Api::control, UTRACE_DETACH, -ESRCH), c), "(G7, G10)"));
  EXPECT_TRUE(has(why_of(api(Api::control, UTRACE_STOP, -ESRCH), c), "(G10, G17)"));
  EXPECT_TRUE(has(why_of(api(Api::control, UTRACE_STOP, 0), c), "(G11)"));
  const std::string fixed = why_of(api(Api::control, UTRACE_DETACH, -EINPROGRESS), c);
  EXPECT_TRUE(has(fixed, "re-checks engine->ops under the lock (R2, G18)")) << fixed;
  c.bugs.set(1);  // R2
  const std::string bug = why_of(api(Api::control, UTRACE_DETACH, -EINPROGRESS), c);
  EXPECT_TRUE(has(bug, "R2 is switched on")) << bug;
}

TEST(Why, UtraceStateByFieldAndBits) {
  WhyContext c;
  auto state = [](UField f, std::int64_t before, std::int64_t after) {
    return Event{.kind = Ev::utrace_state, .pid = 2, .a = static_cast<int>(f), .b = before, .c = after};
  };
  const auto reap = static_cast<std::int64_t>(UTRACE_EVENT(_UTRACE_EVENT_REAP));
  EXPECT_TRUE(has(why_of(state(UField::utrace_flags, 0, reap), c), "the Dekker pattern"));
  EXPECT_TRUE(has(why_of(state(UField::utrace_flags, reap, 0), c), "(R14)"));
  const auto stop = static_cast<std::int64_t>(ENGINE_STOP);
  c.where = "finish_callback_report";
  EXPECT_TRUE(has(why_of(state(UField::utrace_flags, reap, reap | stop), c), "(the R2 fix)"));
  c.where = "utrace_control";
  EXPECT_FALSE(has(why_of(state(UField::utrace_flags, reap, reap | stop), c), "R2"));
  const auto notify = static_cast<std::int64_t>(tif_bit(TIF_NOTIFY_RESUME));
  EXPECT_TRUE(has(why_of(state(UField::tif, 0, notify), c), "tracehook_notify_resume"));
  EXPECT_TRUE(has(why_of(state(UField::tif, notify, 0), c), "consumes the request"));
  EXPECT_TRUE(has(why_of(state(UField::engine_ops, 0, 1), c), "(R5)"));
  EXPECT_EQ(why_of(state(UField::stopped, 0, 1), c), "");
}

TEST(Why, ParkingRemembersTheLastReturn) {
  WhyContext c;
  const Event cb{.kind = Ev::utrace_callback, .pid = 2, .a = 1, .b = static_cast<int>(Callback::report_quiesce)};
  const Event ret{
      .kind = Ev::utrace_return, .pid = 2, .a = 1, .b = static_cast<int>(Callback::report_quiesce), .c = UTRACE_STOP};
  const Event park{.kind = Ev::utrace_stop, .pid = 2, .a = 1};
  EXPECT_TRUE(has(why_of(park, c), "the forced STOP")) << "no return seen yet";
  c.note(cb);
  c.note(ret);
  EXPECT_TRUE(has(why_of(ret, c), "(G18, the R2 fix)"));
  EXPECT_TRUE(has(why_of(park, c), "the pass ended with UTRACE_STOP"));
  c.note(cb);
  EXPECT_TRUE(has(why_of(park, c), "the forced STOP")) << "a new callback forgets the old return";
}

TEST(Why, TaskFamily) {
  WhyContext c;
  c.where = "utrace_do_stop";
  const Event traced{.kind = Ev::sched_state, .pid = 2, .a = TASK_STOPPED, .b = TASK_TRACED};
  EXPECT_TRUE(has(why_of(traced, c), "(§5.8)"));
  const Event kill{.kind = Ev::signal_generate, .pid = 2, .a = SIGKILL};
  EXPECT_TRUE(has(why_of(kill, c), "(G12, §5.13)"));
  const Event op{.kind = Ev::op_result, .pid = 3};
  EXPECT_EQ(why_of(op, c), "") << "not a ptrace op";
  c.ptrace_request = PTRACE_ATTACH;
  EXPECT_TRUE(has(why_of(op, c), "sends it SIGSTOP (§8.4)"));
}

TEST(Why, PropertyQuotesItsGuarantees) {
  const Event v{.kind = Ev::property, .pid = 2, .a = static_cast<int>(Property::StopWithoutEngine)};
  const std::string s = why_of(v, WhyContext{});
  EXPECT_TRUE(s.starts_with(property_promise(Property::StopWithoutEngine)));
  EXPECT_TRUE(has(s, "\nG18 (utrace-semantics.md §6): \"A detached engine never causes (or prolongs) a stop.\""));
  EXPECT_EQ(guarantees_of(Property::Hang).size(), 0u);
}

}  // namespace
}  // namespace model
