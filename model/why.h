// model/why.h: why an event of a trace happened, in words: the rule of the
// kernel that made it happen, with the section or guarantee of
// utrace-semantics.md that states it.  `utsim explain` and `utsim report`
// print these next to each event; the tools only present them.
//
// The explanations sit next to the events they explain and are keyed by
// the typed event (model/events.h): the utrace family (API calls by `Api`
// and return code, utrace_state by `UField` and the bits that changed,
// callbacks by `Callback`, their returns by the resume action) in
// model/utrace/why.cpp; the task family (scheduler states, signals, the
// life cycle) in model/linux/why.cpp; what a violated property promises in
// model/checks/guarantees.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/events.h"
#include "model/versions.h"

namespace model {

// What the explanations look at besides the event itself.  The caller fills
// it step by step from its record of the run.
struct WhyContext {
  // The kernel function the step ran in ("finish_callback_report"), "" past
  // the last step.
  std::string_view where;
  KernelVersion version = KernelVersion::V2010Rhel6;
  BugSet bugs;  // the races of §7 switched back on
  // pid -> the return value of its last callback, once it returned one; none
  // while a callback runs or after a void one (report_reap, release).
  std::map<int, std::optional<std::uint32_t>> last_return;
  // For an op_result event: the request, when the op was a ptrace call (the
  // op itself is the scenario's, Event::ref).
  std::optional<int> ptrace_request;

  bool bug(int r) const { return r >= 1 && r <= kMaxBugId && bugs.test(static_cast<std::size_t>(r - 1)); }
  // Keeps last_return up to date: call after why_of(e, *this) for each event.
  void note(const Event& e);
};

// Why `e` happened; "" when there is nothing to add.
std::string why_of(const Event& e, const WhyContext& c);

// The families why_of dispatches to.
std::string why_utrace(const Event& e, const WhyContext& c);  // model/utrace/why.cpp
std::string why_task(const Event& e, const WhyContext& c);    // model/linux/why.cpp

}  // namespace model
