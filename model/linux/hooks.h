// model/linux/hooks.h: what the Linux layer tells whoever watches it.
//
// The kernel model never judges a run: it reports typed moments to its
// observers (the property checkers of model/checks, the scenario
// interpreter's waits), each called inside the step where the moment
// happens.  Kernel::observe() adds one; they are called in that order.
#pragma once

namespace model {

class Kernel;
struct Task;

class LinuxHooks {
 public:
  virtual ~LinuxHooks() = default;
  // A task runs one step of user code.
  virtual void on_user_step(Kernel&, Task&) {}
  // The task leaves the kernel for user mode: its exit work loop found
  // neither TIF_SIGPENDING nor TIF_NOTIFY_RESUME set.
  virtual void on_return_to_user(Kernel&, Task&) {}
  // recalc_sigpending() is about to clear the task's TIF_SIGPENDING.
  virtual void on_clear_sigpending(Kernel&, Task&) {}
  // task->state changed.
  virtual void on_state_change(Kernel&, Task&, unsigned /*before*/, unsigned /*after*/) {}
  // task->exit_state changed.
  virtual void on_exit_state_change(Kernel&, Task&, int /*before*/, int /*after*/) {}
  // __exit_signal() released the task: its pid is free.
  virtual void on_release(Kernel&, Task&) {}
  // forget_original_parent() gave the exiting task's children to a reaper.
  virtual void on_children_reparented(Kernel&, Task& /*father*/) {}
  // A BUG_ON() or WARN_ON() of the code modelled fired (Kernel::BUG_ON).
  virtual void on_kernel_bug(Kernel&, Task&, const char* /*which*/, const char* /*what*/) {}
};

}  // namespace model
