// tools/teach/explain_why.h: the table of explanations behind narrate()
// (explain.h), one function per event family.  Internal to teach/: the
// utrace family in explain_why.cpp, the task family (scheduler states,
// signals, life cycle) in why_task.cpp.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/linux/kernel.h"
#include "tools/export/export.h"

namespace tools {

// What the explanations may look at besides the event itself.
struct ExplainCtx {
  const model::Simulator& run;
  const model::Kernel& k;
  std::string where;  // the kernel function of the step
  std::string actor;  // the task that ran the step
  std::map<int, std::string>& last_return;  // pid -> the last callback return value
  bool bug(int r) const { return run.scenario().has_bug(r); }
};

// Why the event of `v` happened: the rule, with the section or guarantee of
// utrace-semantics.md that states it; "" when there is nothing to add.
std::string why_of(const EventView& v, const ExplainCtx& c);

// The families why_of dispatches to.
std::string why_api(const EventView& v, const ExplainCtx& c);       // utrace_api
std::string why_state(const EventView& v, const ExplainCtx& c);     // utrace_state
std::string why_callback(const EventView& v, const ExplainCtx& c);  // utrace_callback
std::string why_return(const EventView& v, const ExplainCtx& c);    // utrace_return
std::string why_sched(const EventView& v, const ExplainCtx& c);     // sched_state, utrace_stop
std::string why_signal(const EventView& v, const ExplainCtx& c);    // signal_*, group_stop
std::string why_life(const EventView& v, const ExplainCtx& c);      // fork, exit, wait, ptrace ...

// "+ENGINE_STOP -QUIESCE" as two lists: the bits of a "A|B" word that
// `after` has and `before` had not, and the other way round.
void diff(const std::string& before, const std::string& after, std::vector<std::string>* added,
          std::vector<std::string>* removed);
inline bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

}  // namespace tools
