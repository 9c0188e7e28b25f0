// The tracer/tracee links of kernel/ptrace.c (2.6.32), shared by every ptrace
// implementation: __ptrace_link, __ptrace_unlink, ptrace_release_task.
#include <algorithm>

#include "model/ptrace.h"

namespace model {

void ptrace_link(Kernel& k, Task& child, Task& new_parent) {
  new_parent.ptraced.push_back(&child);
  child.parent = &new_parent;
  k.emit(Ev::reparent, child.pid, new_parent.pid);
}

void ptrace_unlink(Kernel& k, Task& child) {
  if (!child.ptrace) return;
  child.ptrace = 0;
  std::erase(child.parent->ptraced, &child);
  child.parent = child.real_parent;
  k.emit(Ev::reparent, child.pid, child.real_parent->pid);
}

void ptrace_release_task(Kernel& k, Task& p) {
  if (!p.ptraced.empty()) throw ModelBug("release_task: a task that still traces others");
  ptrace_unlink(k, p);
}

}  // namespace model
