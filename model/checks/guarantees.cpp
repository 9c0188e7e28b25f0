// model/checks/guarantees.cpp: what each property promises (SCENARIOS.md
// "Properties") and the guarantees of utrace-semantics.md (§6), races (§7)
// and invariants it stands for (guarantees.h).
#include "model/checks/guarantees.h"

#include <fmt/format.h>

namespace model {

std::string property_promise(Property p) {
  switch (p) {
    case Property::UnexpectedResult: return "Every op result matches its `expect` in the scenario.";
    case Property::CallbackAfterDetach:
      return "No callback of an engine starts after utrace_control(DETACH) returned 0, or after utrace_barrier "
             "answered for a detached engine.";
    case Property::DisabledCallback:
      return "After utrace_set_events returned 0, no callback for an event it removed starts.";
    case Property::StopWithoutEngine:
      return "A task never stays in TASK_TRACED when no attached engine wants it stopped.";
    case Property::MissingDeathReport:
      return "An engine that enabled DEATH (0 from set_events) and did not detach gets report_death before "
             "report_reap.";
    case Property::ReapBeforeDeath: return "report_reap never starts before report_death returned.";
    case Property::CallbackWithLock: return "No callback runs with utrace->lock or siglock held.";
    case Property::CallbackOrder: return "Engines are called in attach order (reverse for syscall entry).";
    case Property::EventBeforeAttach:
      return "An engine never gets a callback for an event that began before it was attached.";
    case Property::NullCallback: return "The core never calls a callback the ops table lacks.";
    case Property::EngineLifetime:
      return "release runs exactly once per engine, after its last reference, and nothing touches an engine after "
             "that.";
    case Property::RunWhileStopped:
      return "A task stopped by UTRACE_STOP runs no user code and makes no callbacks until released or killed.";
    case Property::SigkillPrimacy: return "SIGKILL is never reported to report_signal and always ends the task.";
    case Property::Hang:
      return "No task is blocked forever at the end of a run, except waits whose expect is \"blocks\".";
    case Property::ModelInvariant: return "The model's internal invariants (utrace-semantics.md §6, I1–I9) hold.";
    case Property::LockNotHeld:
      return "Every kernel function whose source asserts or states that its caller holds a lock (lockdep_assert_held, "
             "\"Called with utrace->lock held\") is entered with that lock held by the calling task.";
    case Property::SleepInAtomic:
      return "No task sleeps (a wait queue, a completion, a stop) or makes an engine callback, which may sleep, while "
             "it holds a spinlock.";
    case Property::LockOrder:
      return "The lock classes are always taken in one order: the dependencies of every explored schedule form no "
             "cycle (lockdep's possible circular locking dependency).";
    case Property::MissingReport:
      return "After utrace_control(UTRACE_REPORT) returned 0, the engine gets a report pass (report_quiesce, or the "
             "report_signal of an interrupt owed too) before the task is back in user mode (unless it detached or "
             "dropped QUIESCE first).";
    case Property::kCount: break;
  }
  return "";
}

std::vector<Guarantee> guarantees_of(Property p) {
  const std::string s6 = "utrace-semantics.md §6", s7 = "utrace-semantics.md §7";
  const Guarantee G1{"G1", s6, "Callbacks run at safe points with no locks held"};
  const Guarantee G2{"G2", s6,
                     "Engines are called in attach order; for SYSCALL_ENTRY (and its preceding quiesce) in reverse "
                     "order"};
  const Guarantee G3{"G3", s6, "An engine attached after an event started gets no callback for it"};
  const Guarantee G5{"G5", s6,
                     "report_reap is always the final callback; report_death is the penultimate one and is seen "
                     "unless the thread was already dying when the engine attached."};
  const Guarantee G6{"G6", s6, "report_reap is never made before report_death has returned"};
  const Guarantee G7{"G7", s6, "utrace_control(DETACH) → 0 means no more callbacks"};
  const Guarantee G8{"G8", s6,
                     "After a 0 from utrace_set_events on a stopped target, no callbacks for removed events are "
                     "made"};
  const Guarantee G9{"G9", s6, "0 from barrier means the callback's return value is already applied"};
  const Guarantee G10{"G10", s6, "After a DETACH, further utrace_control on that engine returns -ESRCH"};
  const Guarantee G11{"G11", s6,
                      "A thread stopped with UTRACE_STOP stays stopped (does not run user code, makes no further "
                      "callbacks) until the engine releases it"};
  const Guarantee G12{"G12", s6, "No engine can prevent or delay SIGKILL."};
  const Guarantee G16{"G16", s6, "release(data) is called after the last put"};
  const Guarantee G18{"G18", s6, "A detached engine never causes (or prolongs) a stop."};
  switch (p) {
    case Property::CallbackAfterDetach: return {G7, G9, G10};
    case Property::DisabledCallback:
      return {G8, {"R4", s7, "if T's call returned 0, X never starts a callback that T disabled"}};
    case Property::StopWithoutEngine:
      return {G18,
              {"R2", s7,
               "X parks in TASK_TRACED on behalf of an engine that no longer exists — nobody will ever resume it"},
              {"R10", s7, "resume/detach vs. a task that is about to stop (lost wake-up)"}};
    case Property::MissingDeathReport:
      return {G5, {"R13", s7, "detach between exit_notify and the death report (possible lost report_death)"}};
    case Property::ReapBeforeDeath:
      return {G6, {"R7", s7, "P tears down engines and calls report_reap while X is still calling report_death"}};
    case Property::CallbackWithLock: return {G1};
    case Property::SleepInAtomic:
      return {G1,
              {"review", "the 2009 review (seed thread)",
               "Surely you are not suggesting that all these callbacks should be made with a spin lock held, because "
               "that would obviously be quite insane."}};
    case Property::LockNotHeld:
      return {{"review", "the 2009 review (seed thread)",
               "You could codify locking assumptions like here using: lockdep_assert_held(&utrace->lock);"}};
    case Property::MissingReport:
      return {{"review", "the 2009 review (seed thread)",
               "Its not entirely clear why we can check pending_attach outside of the utrace->lock and not be racy."}};
    case Property::CallbackOrder: return {G2};
    case Property::EventBeforeAttach:
      return {G3, {"R1", s7, "the new engine would get a callback for an event that began before it existed"}};
    case Property::NullCallback: return {{"R5", s7, "the sentinel has no such callback → NULL function call"}};
    case Property::EngineLifetime: return {G16};
    case Property::RunWhileStopped: return {G11};
    case Property::SigkillPrimacy: return {G12};
    case Property::ModelInvariant: return {{"I1–I9", s6, "Additional invariants worth asserting in a simulator"}};
    default: break;
  }
  return {};
}

std::string why_property(Property p) {
  std::string s = property_promise(p);
  for (const Guarantee& g : guarantees_of(p)) s += fmt::format("\n{} ({}): \"{}\"", g.id, g.section, g.quote);
  return s;
}

}  // namespace model
