#include "model/versions.h"

#include "model/name_table.h"

namespace model {

namespace {
constexpr std::string_view kKernelNames[] = {"2009-rfc", "2010-rhel6", "2011-3x"};
}  // namespace

const char* kernel_version_name(KernelVersion v) { return name_at(kKernelNames, v); }
std::optional<KernelVersion> kernel_version_from_name(std::string_view s) {
  return index_of<KernelVersion>(kKernelNames, s);
}

std::optional<int> bug_from_name(std::string_view s) {
  for (const BugInfo& b : bug_catalogue())
    if (b.name && s == b.name) return b.id;
  // "R1".."R17": no sign, no leading zero, no spaces.
  if (s.size() < 2 || s.size() > 3 || s[0] != 'R' || s[1] < '1' || s[1] > '9') return std::nullopt;
  int n = s[1] - '0';
  if (s.size() == 3) {
    if (s[2] < '0' || s[2] > '9') return std::nullopt;
    n = n * 10 + (s[2] - '0');
  }
  if (n > kMaxBug) return std::nullopt;
  return n;
}

std::string bug_name(int id) {
  if (const BugInfo* b = find_bug(id); b && b->name) return b->name;
  return "R" + std::to_string(id);
}

// `switchable` is true only where the model implements the switch (the
// historical code path comes back with the bug id).  Keep in step with
// model/utrace/*.cpp.
const std::vector<BugInfo>& bug_catalogue() {
  static const std::vector<BugInfo> bugs = {
      {1, "asynchronous attach signalled through utrace->report + TIF_NOTIFY_RESUME instead of pending_attach",
       "event-before-attach", "V1", true},
      {2, "detach-before-stop: a callback's STOP marked without re-checking for a detach", "stop-without-engine", "V1",
       true},
      {3, "a callback's DETACH stored without the lock: utrace_barrier returns 0 too early", "callback-after-detach",
       "V2 (2009-rfc)", true},
      {4, "set_events/control without the reporting protocol: a removed callback still starts", "disabled-callback",
       "none (the protocol is the design)", true},
      {5, "start_callback sees stale flags with the detached sentinel: NULL callback", "null-callback",
       "V2, V3 (fixed in V4)", true},
      {6, "attach racing release_task: the engine is never reaped", "engine-lifetime", "2008", true},
      {7, "reap racing the death report: report_reap before report_death", "reap-before-death",
       "none (the deferral is the design)", true},
      {8, "DEATH enabled after exit_notify: report_death promised but never made", "missing-death-report",
       "none (the tasklist_lock check is the design)", true},
      {9, "SIGKILL wake-up while a tracer holds utrace->lock", "model-invariant",
       "V2 (stopped bit); fixed by utrace_finish_stop", true},
      {10, "RESUME from an engine that returned STOP before the task parked: a stop nobody wants",
       "stop-without-engine", "all versions (derived)", false,
       "in the code as written (every version): see scenarios/races/r10-*"},
      {11, "UTRACE_INTERRUPT lost to recalc_sigpending (I2)", "model-invariant", "before tracehook_force_sigpending",
       true},
      {12, "bitfield stores without the lock clobber each other", "model-invariant", "before V3", false,
       "closed by construction: every bitfield store is made under utrace->lock"},
      {13, "DETACH between exit_notify and the death report loses another engine's report_death",
       "missing-death-report", "V2, V3, V4 (derived)", false,
       "in the code as written (2009-rfc, 2010-rhel6, 2011-3x): see scenarios/races/r13-*"},
      {14, "utrace_flags cleared and lock dropped outside RCU: unlock after free", "model-invariant", "none", false,
       "closed by construction: the store of utrace_flags and the unlock are one step"},
      {15, "a TASK_STOPPED task treated as quiescent while still in report_jctl", "model-invariant", "V1", false,
       "closed by construction: the job-control hook runs before TASK_STOPPED (V2 on)"},
      {16, "stale utrace_flags bits never recomputed: endless spurious reports", "hang", "none", false,
       "closed by construction: a spurious pass recomputes utrace_flags"},
      {17, "ptrace-level races of ptrace-utrace.c", "", "RHEL6", false, "ptrace-level: see scenarios/ptrace"},
      // The review's locking points (issue 12 item 4), by name.
      {switch_number(Switch::ReapCallbacksUnderLock),
       "utrace_reap() makes its report_reap callbacks and engine puts with utrace->lock held (the review's \"quite "
       "insane\" variant of the asymmetric unlock)",
       "sleep-in-atomic", "none (the 2009 review)", true, "", "reap-callbacks-under-lock"},
      {switch_number(Switch::LockInversion),
       "utrace_get_signal() takes utrace->lock before it drops siglock: siglock -> utrace->lock, the reverse of "
       "utrace_stop(), utrace_do_stop() and utrace_wakeup()",
       "lock-order", "none (made up to show lockdep)", true, "", "lock-inversion"},
      // The barriers (issue 12 item 3): found only under tso or lkmm.
      {switch_number(Switch::NoMbAddEngine),
       "utrace_add_engine() without the smp_mb() between storing utrace_flags and reading exit_state: under a weak "
       "memory model release_task() and the attach both miss each other's store (the Dekker pair of R6)",
       "engine-lifetime", "none (the barrier is the design)", true, "", "no-mb-add-engine"},
      {switch_number(Switch::NoMbStartCallback),
       "start_callback() without the smp_mb() between storing utrace->reporting and reading engine->flags: a "
       "callback starts that utrace_set_events() or utrace_control() was told is not running (R4's pair)",
       "disabled-callback", "none (the barrier is the design)", true, "", "no-mb-start-callback"},
      {switch_number(Switch::NoMbSetEvents),
       "utrace_set_events() without the smp_mb() before reading utrace->reporting: it returns 0 while a callback it "
       "disabled is starting (R4's pair)",
       "disabled-callback", "none (the barrier is the design)", true, "", "no-mb-set-events"},
      {switch_number(Switch::NoMbControl),
       "utrace_control(UTRACE_DETACH) without the smp_mb() before reading utrace->reporting: it returns 0 while a "
       "callback to the detached engine is starting",
       "callback-after-detach", "none (the barrier is the design)", true, "", "no-mb-control"},
      {switch_number(Switch::SetBitNotifyResume),
       "set_notify_resume() sets TIF_NOTIFY_RESUME with a plain set_bit() instead of test_and_set_bit(): under LKMM "
       "the flag can be seen before the utrace->resume or pending_attach stored before it (the 2009 review's "
       "question)",
       "missing-report", "none (the barrier is the design)", true, "", "set-bit-notify-resume"},
  };
  return bugs;
}

const BugInfo* find_bug(int id) {
  for (const BugInfo& b : bug_catalogue())
    if (b.id == id) return &b;
  return nullptr;
}

}  // namespace model
