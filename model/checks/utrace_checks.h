// model/checks/utrace_checks.h: the properties of SCENARIOS.md that watch
// the utrace layer.  They observe the core through its hooks
// (model/utrace/hooks.h) and the Linux layer's (model/linux/hooks.h); the
// core never calls them.  Each check names the guarantee
// (utrace-semantics.md §6) or invariant it enforces and reports what
// happened, with the steps involved.
#pragma once

#include <string>
#include <vector>

#include "model/utrace/internal.h"

namespace model::ut {

class Checks final : public LinuxHooks, public UtraceHooks, public sim::LockObserver, public sim::Pooled {
 public:
  explicit Checks(Kernel& k) : k_(k) {}

  // LinuxHooks (called by the Linux layer)
  void on_user_step(Kernel& k, Task& t) override;
  void on_clear_sigpending(Kernel& k, Task& t) override;
  void on_state_change(Kernel& k, Task& t, unsigned before, unsigned after) override;
  // A BUG_ON or WARN_ON of the kernel code: a model invariant.
  void on_kernel_bug(Kernel& k, Task& t, const char* which, const char* what) override;
  // sim::LockObserver: a task sleeps with a spinlock held (sleep-in-atomic).
  void sleep_with_locks(sim::Tid t, const char* reason, const sim::HeldStack& held) override;
  // The properties judged at the end of a run.
  void end_of_run(Kernel& k, const sim::RunResult& r);
  // What the records mean for the checks still to come, for the state hash
  // (explore/state_hash.h): every flag, mask and count, and of the steps
  // they recorded only which are set and their order (each check compares
  // a recorded step with a later one, which is always greater, or two
  // recorded steps with each other).
  std::uint64_t digest() const;

  // UtraceHooks (the moments of the utrace core)
  void engine_attached(Engine& e, Task& t) override;
  void report_begin(Task& t) override;
  void walk_begin(Task& t, bool reverse) override;
  void walk_end(Task& t) override;
  void callback_start(Task& t, Engine& e, const CallbackArgs& a) override;
  void callback_return(Task& t, Engine& e, Callback cb, std::uint32_t ret) override;
  void detach_returned(Task& t, Engine& e) override;
  void null_callback(Task& t, Engine& e, EngineOps* ops, Callback cb) override;
  void api_start(Engine* e) override;
  void events_set(Engine& e, unsigned long old_events, unsigned long events) override;
  void api_return(Task& cur, Task* target, Engine* e, Api call, std::uint64_t arg, int ret) override;
  void on_return_to_user(Kernel& k, Task& t) override;
  void engine_touched(Engine& e, const char* what) override;
  void engine_freed(Engine& e) override;
  void field_changed(Task& t, Engine* e, UField f, std::int64_t before, std::int64_t after) override;
  void entering_traced(Task& t) override;
  void leaving_traced(Task& t, bool sigkill) override;
  void woken_by_sigkill(Task& t) override;
  void list_change(Task& t, const char* where) override;
  void after_reset(Task& t) override;

 private:
  void invariant(Task& t, const char* which, const std::string& message);
  void ops_changed(Engine& e, Engine::Ops was);

  struct TaskInfo {
    std::uint64_t pass_begin = 0;  // step at which the event being reported began
    bool walking = false;
    bool reverse = false;
    int last_engine = 0;          // the last engine called in this walk (its id, for messages)
    std::uint64_t last_link = 0;  // ... and its link sequence number (callback-order)
    bool stopped = false;         // stopped by UTRACE_STOP (TASK_TRACED)
    std::uint64_t stopped_at = 0;
    bool sigkilled = false;  // woken from a utrace stop by SIGKILL
    // utrace_set_events() returned 0 for an engine of this task after the reap
    // teardown had emptied its lists: utrace_flags is non-zero again (V3).
    std::uint64_t rearmed_after_reap = 0;
  };
  struct EngineInfo {
    std::uint64_t attached_at = 0;
    // Position in the order engines were linked onto utrace->attaching
    // (utrace_add_engine, under utrace->lock): the attach order of G2.  Not
    // the engine id, which is allocation order: two attachers can allocate in
    // one order and take the lock in the other.
    std::uint64_t link_seq = 0;
    std::uint64_t detach_done = 0;  // step after which no callback may start
    std::string detach_how;
    bool detach_pending = false;  // DETACH returned -EINPROGRESS
    bool detach_requested = false;
    std::uint64_t ops_gone = 0;            // step the ops stopped being the real table
    std::uint64_t detach_cb_returned = 0;  // a callback returned UTRACE_DETACH
    std::uint64_t api_started = 0;
    // missing-report: the step utrace_control(UTRACE_REPORT) answered 0,
    // until the engine's next callback (or it stops wanting one).
    std::uint64_t report_asked = 0;
    bool has_mask = false;
    unsigned long mask = 0;  // events of the last utrace_set_events that returned 0
    std::uint64_t mask_at = 0;
    // disabled-callback's promise: the events removed by calls that returned
    // 0, counted from the moment the change was made under utrace->lock
    // (bits added again leave it at once, even before that call returns).
    unsigned long disabled = 0;
    unsigned long pending_removed = 0;  // removed by the call in flight
    // Events a call removed while answering -EINPROGRESS, not confirmed since
    // (by utrace_barrier, §3.5): a later 0 that removes nothing more does not
    // cover them (§3.3 step 8 checks `reporting` only when bits are removed).
    unsigned long unconfirmed = 0;
    bool death_wanted = false;
    std::uint64_t death_wanted_at = 0;
    bool got_death = false;
    bool in_death = false;
    std::uint64_t death_at = 0;
    bool got_reap = false;
    int released = 0;
    std::uint64_t freed_at = 0;
  };
  TaskInfo& task(const Task& t);
  EngineInfo& engine(const Engine& e);
  EngineInfo* recorded(const Engine& e);
  std::string name(const Engine& e) const { return k_.names->engine(e.id); }
  std::uint64_t step() const { return k_.eng.steps(); }

  Kernel& k_;
  std::vector<TaskInfo> tasks_;
  std::vector<EngineInfo> engines_;
  std::uint64_t links_ = 0;  // engines linked so far (link_seq)
};

}  // namespace model::ut
