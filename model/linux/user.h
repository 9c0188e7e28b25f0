// model/linux/user.h: what runs on top of the kernel — the code of user
// tasks and the functions of kernel threads and modules.
//
// The kernel never looks inside a program.  It keeps addresses in user
// space (a signal handler, the entry point of a new task, the image execve
// loads) without interpreting them, and calls into the code tasks run only
// where the real kernel enters or sets up user space: a task's first return
// to user mode, copy_thread() at fork, start_thread() at execve,
// setup_rt_frame() when a handler is to run.  The scenario interpreter
// (scenario/interp/) implements this interface; the kernel model depends on
// nothing above it.
#pragma once

#include "sim/co.h"

namespace model {

struct Task;
struct KSigaction;
struct SigFrame;

// An address in user space, opaque to the kernel.
using UserAddr = const void*;

class UserCode {
 public:
  virtual ~UserCode() = default;

  // A user task in user mode, from its first return to user mode on: it
  // runs until it calls exit (it never returns).
  virtual sim::Co<void> run_user(Task& t) = 0;
  // A kernel thread's function (kthread_run's threadfn); the thread exits
  // when it returns.
  virtual sim::Co<void> run_kthread(Task& t) = 0;
  // copy_thread(): fork or clone made `child` of `parent`; it starts in user
  // mode at `entry`.  Called inside copy_process(), before the child can run.
  virtual void copy_thread(Task& parent, Task& child, UserAddr entry) = 0;
  // start_thread(): execve loaded `image`; the old program is gone.
  virtual void start_thread(Task& t, UserAddr image) = 0;
  // setup_rt_frame(): the handler ka.user runs next, for `sig`, on a frame
  // that saves `frame` for rt_sigreturn.
  virtual void setup_rt_frame(Task& t, int sig, const KSigaction& ka, const SigFrame& frame) = 0;
};

}  // namespace model
