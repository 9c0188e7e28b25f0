// scenario/interp/interp.cpp: the interpreter's set-up, the names it binds
// during a run, and what the kernel asks of user space (copy_thread,
// start_thread, setup_rt_frame: model/linux/user.h).
#include "scenario/interp/interp.h"

#include "scenario/interp/op_kind.h"

#include <fmt/format.h>

namespace model {

Interpreter::Interpreter(const Scenario& scn, Kernel& k) : scn_(scn), k_(k) {
  slot_pid_.assign(scn.task_names.size(), 0);
  completions_.reserve(scn.completion_names.size());
  for (std::size_t i = 0; i < scn.completion_names.size(); ++i)
    completions_.push_back(
        std::make_unique<Completion>(oid(kCompletionOwner + static_cast<std::uint32_t>(i), Field::completion)));
  handles_.assign(scn.handle_names.size(), nullptr);
  setup_engine_tables();
  setup_memory();
}

Interpreter::~Interpreter() = default;

void Interpreter::boot() {
  progs_.resize(k_.tasks.size());
  for (const TaskDecl& d : scn_.tasks) {
    Task& t = k_.create_task(scn_.task_names[static_cast<std::size_t>(d.slot)], d.kthread);
    progs_.resize(k_.tasks.size());
    prog(t).slot = d.slot;
    prog(t).frames.push_back(Frame::of_program(&d.program));
    slot_pid_[static_cast<std::size_t>(d.slot)] = t.pid;
  }
  // Threads in pid order, after every task exists (a task's first step may
  // name any other declared task).  A litmus program's tasks are CPUs
  // running their function (Scenario::litmus); the memory's daemons (store
  // buffers, propagation) come after every task's thread.
  for (std::size_t i = 1; i < k_.tasks.size(); ++i) {
    Task& t = *k_.tasks[i];
    if (scn_.litmus)
      t.tid = k_.eng.spawn(litmus_cpu(&t), &t);
    else
      k_.spawn_thread(t);
  }
  if (mem_) {
    for (const Memory::Daemon& d : mem_->spawn_daemons(k_.eng)) {
      const std::string cpu = k_.comm(slot_pid(static_cast<int>(d.cpu)));
      k_.named_threads.emplace_back(
          d.tid, d.var < 0 ? "store buffer(" + cpu + ")"
                           : "propagate(" + scn_.var_names[static_cast<std::size_t>(d.var)] + " to " + cpu + ")");
    }
  }
}

// ---- names --------------------------------------------------------------------------------

Task* Interpreter::task_of_slot(int slot) const {
  k_.pid_hash.peek("task_of_slot");
  if (slot < 0 || static_cast<std::size_t>(slot) >= slot_pid_.size()) return nullptr;
  const int pid = slot_pid_[static_cast<std::size_t>(slot)];
  if (!pid) return nullptr;
  // Released: the last task that had the pid (for "dead" and outcomes).
  return k_.last_task_with_pid(pid);
}

int Interpreter::slot_pid(int slot) const {
  if (slot < 0 || static_cast<std::size_t>(slot) >= slot_pid_.size()) return 0;
  return slot_pid_[static_cast<std::size_t>(slot)];
}

int Interpreter::slot_of(const Task& t) const {
  return static_cast<std::size_t>(t.idx) < progs_.size() ? progs_[static_cast<std::size_t>(t.idx)].slot : -1;
}

Task* Interpreter::resolve(const TaskRef& r, const OpCtx& ctx) const {
  switch (r.kind) {
    case TaskRef::Kind::Named: return task_of_slot(r.slot);
    case TaskRef::Kind::Child: return ctx.child;
    case TaskRef::Kind::Self: return ctx.self ? ctx.self : &k_.current();
    case TaskRef::Kind::Any:
    case TaskRef::Kind::Engine: return nullptr;  // the utrace op resolves it from its engine
  }
  return nullptr;
}

// ---- outcomes --------------------------------------------------------------------------------

TaskEnd Interpreter::task_end(int slot) const {
  TaskEnd e;
  const Task* t = task_of_slot(slot);
  if (!t) return e;
  e.exists = true;
  e.state = k_.task_state_of(*t);
  if (t->final_status >= 0) {
    e.died = true;
    // A zombie nobody reaped yet reports what a wait would read now (its
    // group may have been killed after it exited); a reaped task what its
    // reaper read.
    e.status = t->exit_state == EXIT_ZOMBIE ? Kernel::task_exit_status(*t) : t->final_status;
  }
  return e;
}

const OpResult* Interpreter::result_of(int label) const {
  for (auto it = results_.rbegin(); it != results_.rend(); ++it)
    if (it->first == label) return &it->second;
  return nullptr;
}

void Interpreter::end_of_run(const sim::RunResult& r) {
  if (r.end == sim::RunEnd::StepLimit) {
    k_.violation(Property::Hang, 0,
                 fmt::format("the run did not end within {} steps (a livelock, or a program that "
                             "never ends)",
                             r.steps));
    return;
  }
  if (r.end != sim::RunEnd::Blocked) return;
  for (const sim::BlockedThread& b : r.blocked) {
    const Task& t = *static_cast<const Task*>(k_.eng.user(b.tid));
    const Op* op = program(t).cur_op;
    bool expected = false;
    if (op && op->expect) {
      for (const ResultPattern& p : op->expect->any_of)
        if (p.kind == ResultPattern::Kind::Blocks) expected = true;
    }
    if (expected) {
      k_.emit(Ev::op_result, t.pid, 0, static_cast<int>(ResultKind::None), 0, 1, op);
      continue;
    }
    std::string where = op ? fmt::format(" in {} at {}", op->key, op->ptr) : std::string();
    k_.violation(Property::Hang, t.pid,
                 fmt::format("{} is blocked forever in {} ({}){}", k_.comm(t.pid),
                             task_state_string(t.state, t.exit_state), b.reason, where));
  }
}

// ---- what the kernel asks of user space --------------------------------------------------------

// The child of a fork, vfork or clone op: its name, and its program from
// the start.  `entry` is the op that forked (user_ops.cpp passes it).
void Interpreter::copy_thread(Task& parent, Task& child, UserAddr entry) {
  const Op& op = *static_cast<const Op*>(entry);
  const Program* program = nullptr;
  int child_slot = -1;
  if (const auto* f = op.as_if<ForkOp>()) {
    program = &f->program;
    child_slot = f->child;
  } else if (const auto* c = op.as_if<CloneOp>()) {
    program = &c->program;
    child_slot = c->child;
  } else {
    throw ModelBug("copy_thread: the op that forked is not fork, vfork or clone");
  }
  progs_.resize(k_.tasks.size());
  TaskProgram& p = prog(child);
  if (child_slot >= 0) {
    child.comm = scn_.task_names[static_cast<std::size_t>(child_slot)];
    slot_pid_[static_cast<std::size_t>(child_slot)] = child.pid;
  }
  p.slot = child_slot;
  p.frames.push_back(Frame::of_program(program));
}

// execve: `image` is the exec op's program.
void Interpreter::start_thread(Task& t, UserAddr image) {
  TaskProgram& p = prog(t);
  p.frames.clear();
  p.frames.push_back(Frame::of_program(static_cast<const Program*>(image)));
  p.pending = PendingOp{};
}

// A handler frame above the interrupted op.  If the handler's arrival made
// the interrupted syscall return -EINTR (handle_signal()), that is the op's
// result now.
void Interpreter::setup_rt_frame(Task& t, int sig, const KSigaction& ka, const SigFrame& frame) {
  TaskProgram& p = prog(t);
  Frame f;
  f.kind = Frame::Kind::Handler;
  f.ops = &handler_program(*static_cast<const SignalHandler*>(ka.user));
  f.sigframe = frame;
  f.saved_op = std::exchange(p.pending, PendingOp{});
  if (f.saved_op.active && frame.regs.ret != f.saved_op.ret) {
    f.saved_op.ret = frame.regs.ret;
    f.saved_op.result = from_ret(frame.regs.ret);
  }
  f.handler_sig = sig;
  p.frames.push_back(f);
}

// The program of a handler: its `do` list, or one made for the shorthands.
const Program& Interpreter::handler_program(const SignalHandler& h) {
  static const Program empty;
  switch (h.kind) {
    case SignalHandler::Kind::Do: return h.body;
    case SignalHandler::Kind::Exit:
    case SignalHandler::Kind::Raise: {
      for (auto& [key, prog] : synth_)
        if (key == &h) return *prog;
      auto prog = std::make_unique<Program>();
      Op op;
      if (h.kind == SignalHandler::Kind::Exit) {
        op.body = ExitOp{h.value, true};
        op.key = "exit";
      } else {
        op.body = RaiseOp{h.value};
        op.key = "raise";
      }
      op.ptr = "(signal handler)";
      prog->push_back(std::move(op));
      synth_.emplace_back(&h, std::move(prog));
      return *synth_.back().second;
    }
    default: return empty;
  }
}

}  // namespace model
