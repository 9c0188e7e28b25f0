// tools/kernel/ops.cpp: the ops of a scenario, numbered; what a real kernel
// can and cannot replay.
#include <functional>

#include "tools/kernel/replay.h"

namespace ukern {

using namespace model;

OpIndex::OpIndex(const Scenario& s) {
  // repeats: inside a forever loop or a retry, where how often an op runs
  // depends on timing, not on the scenario.
  std::function<void(const Program&, bool)> walk = [&](const Program& prog, bool repeats) {
    for (const Op& op : prog) {
      add(&op, repeats);
      if (const auto* l = op.as_if<LoopOp>()) walk(l->body, repeats || l->forever);
      if (const auto* f = op.as_if<ForkOp>()) walk(f->program, repeats);
      if (const auto* c = op.as_if<CloneOp>()) walk(c->program, repeats);
      if (const auto* e = op.as_if<ExecOp>()) walk(e->program, repeats);
      if (const auto* a = op.as_if<SigactionOp>()) walk(a->handler.body, repeats);
      if (const auto* r = op.as_if<RetryOp>()) add(r->body.get(), true);  // owned by the retry: numbered alone
    }
  };
  for (const TaskDecl& t : s.tasks) walk(t.program, false);
}

void OpIndex::add(const Op* op, bool repeats) {
  id.emplace(op, static_cast<int>(ops.size()));
  if (repeats) repeating.insert(static_cast<int>(ops.size()));
  ops.push_back(op);
}

std::string not_applicable(const Scenario& s) {
  for (const TaskDecl& t : s.tasks)
    if (t.kthread)
      return "a kernel thread (" + s.task_names[static_cast<std::size_t>(t.slot)] +
             ") and the utrace API exist only in the model";
  if (!s.engines.empty()) return "utrace engines exist only in the model";
  if (s.bugs.any()) return "model.bugs re-enables a historical race of the model";
  OpIndex idx(s);
  for (const Op* op : idx.ops) {
    if (op->as_if<AttachOp>() || op->as_if<SetEventsOp>() || op->as_if<ControlOp>() || op->as_if<BarrierOp>() ||
        op->as_if<ExamineOp>() || op->as_if<EnginePutOp>())
      return "utrace API op '" + op->key + "' at " + op->ptr;
  }
  return "";
}

std::string unsupported(const Scenario& s) {
  OpIndex idx(s);
  for (const Op* op : idx.ops) {
    if (const auto* c = op->as_if<CloneOp>()) {
      if ((c->flags & CLONE_VFORK) && !(c->flags & CLONE_VM))
        return "clone(CLONE_VFORK without CLONE_VM) at " + op->ptr +
               " (its child would run on the suspended parent's stack copy)";
    }
    if (const auto* p = op->as_if<PtraceOp>()) {
      if (p->request == 31 /* SYSEMU */ || p->request == 32 /* SYSEMU_SINGLESTEP */ || p->request == 33)
        return "PTRACE_SYSEMU/SINGLEBLOCK at " + op->ptr + " (x86_64 of 2.6.32 has neither)";
    }
    if (const auto* w = op->as_if<SyscallOp>()) {
      if (w->name == "getsid" || w->name == "getpgrp")
        return "syscall '" + w->name + "' at " + op->ptr +
               " (the model's session/process group is the first task's; the replayer's differ)";
    }
  }
  return "";
}

}  // namespace ukern
