// The abstract state of a run (explore/state_hash.h).
#include "explore/state_hash.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/memory/store_buffers.h"
#include "model/ptrace/ptrace.h"
#include "model/utrace/utrace.h"
#include "sim/hash.h"

namespace model {

namespace {

class Hasher {
 public:
  void add(std::uint64_t v) { h_ = sim::hash_mix(h_, v); }
  void add_str(std::string_view s) { add(sim::hash_bytes(sim::kHashSeed, s)); }
  void pid(const Task* t) { add(t ? static_cast<std::uint64_t>(t->pid) : 0); }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = sim::kHashSeed;
};

// The calls an engine got of one callback matter only as the index into its
// lists used call by call (returns, expect_args, set), whose last entry
// repeats (min(calls, size - 1)): capped at the longest list of the scenario
// minus one, so two states with the same capped counts behave the same from
// here on, and a loop can close.
std::uint32_t call_cap(const Scenario& scn) {
  std::size_t longest = 1;
  for (const EngineTable& t : scn.engines)
    for (std::size_t c = 0; c < kCallbackCount; ++c) {
      const CallbackSpec& s = t[static_cast<Callback>(c)];
      longest = std::max({longest, s.returns.size(), s.expect_args.size(), s.sets.size()});
    }
  return static_cast<std::uint32_t>(longest - 1);
}

template <class Queue>
void hash_queue(Hasher& h, const Queue& q) {
  for (const Siginfo& i : q) {
    h.add(static_cast<std::uint64_t>(static_cast<std::uint32_t>(i.signo)) << 32 | static_cast<std::uint32_t>(i.code));
    h.add(static_cast<std::uint64_t>(static_cast<std::uint32_t>(i.pid)) << 32 | static_cast<std::uint32_t>(i.status));
  }
  h.add(0xc4);
}

void hash_frames(Hasher& h, const Task& t, const TaskProgram& p) {
  h.add(p.frames.size());
  for (const Frame& f : p.frames) {
    h.add(static_cast<std::uint64_t>(f.kind) | (std::uint64_t{f.forever} << 8));
    h.add(f.pc);
    h.add(f.op_state);
    h.add(f.remaining);
    h.add(static_cast<std::uint64_t>(f.handler_sig));
    h.add(f.sigframe.blocked.bits);
    const Op* op = f.current();
    h.add_str(op ? std::string_view(op->ptr) : std::string_view("-"));
  }
  // The syscall on its way back to user mode: the kernel's registers and
  // the op's side.
  const PtRegs& s = t.regs;
  h.add(std::uint64_t{p.pending.active} | std::uint64_t{s.nr_valid} << 1 | std::uint64_t{s.restart} << 2);
  h.add(static_cast<std::uint64_t>(s.ret));
  h.add(static_cast<std::uint64_t>(p.pending.result.value) ^ (static_cast<std::uint64_t>(p.pending.result.kind) << 56));
}

void hash_task(Hasher& h, const Kernel& k, const Interpreter& in, const Task& t) {
  h.add(static_cast<std::uint64_t>(t.pid) << 32 | static_cast<std::uint32_t>(t.tgid));
  h.add(t.tid);
  h.add(t.state | static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.exit_state)) << 32);
  h.add(static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.exit_code)) << 32 | t.flags);
  h.add(t.tif);
  h.add(static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.exit_signal)) << 32 | t.self_exec_id);
  h.add(std::uint64_t{t.parent_exec_id} | std::uint64_t{t.clone_thread} << 32);
  h.add(t.ptrace | std::uint64_t{t.on_cpu} << 32 | std::uint64_t{t.released} << 33 |
        std::uint64_t{t.thread_done} << 34 | std::uint64_t{t.restore_sigmask} << 35);
  h.add(static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.final_status)));
  h.pid(t.real_parent);
  h.pid(t.parent);
  h.pid(t.group_leader);
  for (const Task* c : t.children) h.pid(c);
  h.add(0xc1);
  for (const Task* c : t.ptraced) h.pid(c);
  h.add(0xc2);
  h.add(t.blocked.bits);
  h.add(t.real_blocked.bits);
  h.add(t.saved_sigmask.bits);
  h.add(t.pending.signal.bits);
  hash_queue(h, t.pending.list);
  if (const SignalStruct* s = t.signal) {
    h.add(s->flags | static_cast<std::uint64_t>(static_cast<std::uint32_t>(s->group_exit_code)) << 32);
    h.add(static_cast<std::uint64_t>(s->group_stop_count) << 32 | static_cast<std::uint32_t>(s->live));
    h.add(static_cast<std::uint64_t>(s->notify_count));
    h.add(s->shared_pending.signal.bits);
    h.pid(s->group_exit_task);
    h.pid(s->curr_target);  // where the next group-wide signal is delivered
    for (const Task* th : s->threads) h.pid(th);
    h.add(0xc3);
    hash_queue(h, s->shared_pending.list);
    for (const Task* w : s->wait_chldexit.waiters) h.pid(w);
    // ITIMER_REAL: when it fires, its thread, and whose object it sleeps on.
    h.add(s->real_expires);
    h.add(s->real_timer_tid);
    h.pid(s->real_timer_owner);
  }
  h.add(t.jobctl);
  if (const SighandStruct* sh = t.sighand) {
    for (int sig = 1; sig <= kNSig; ++sig) {
      const KSigaction& a = sh->action[static_cast<std::size_t>(sig - 1)];
      if (a.handler == KSigaction::Handler::Default && !a.flags && a.mask.empty()) continue;
      h.add(static_cast<std::uint64_t>(sig) << 40 | static_cast<std::uint64_t>(a.handler) << 32 | a.flags);
      h.add(a.mask.bits);
    }
    h.add(sh->siglock.holder());
    // Which tasks share it (CLONE_SIGHAND): named by the first task that has it.
    h.add(static_cast<std::uint64_t>(sh->count));
    for (const auto& o : k.tasks)
      if (o->sighand == sh) {
        h.pid(o.get());
        break;
      }
  }
  if (t.vfork_done) h.add(0x7f00 | std::uint64_t{t.vfork_done->done});
  if (t.vfork_wait) {  // as a vfork parent: the completion it waits on
    h.add(0x7e00 | std::uint64_t{t.vfork_wait->done});
    h.pid(t.vfork_wait->waiter);
  }
  h.add(t.utrace_flags);
  if (const Utrace* u = t.utrace) {
    h.add(u->lock.holder());
    for (const Engine* e : u->attached) h.add(static_cast<std::uint64_t>(e->id));
    h.add(0xa1);
    for (const Engine* e : u->attaching) h.add(static_cast<std::uint64_t>(e->id));
    h.add(0xa2);
    h.pid(u->cloning);
    h.add(u->reporting ? static_cast<std::uint64_t>(u->reporting->id) : ~0ull);
    h.add(u->resume);
    h.add(std::uint64_t{u->signal_handler} | std::uint64_t{u->vfork_stop} << 1 | std::uint64_t{u->death} << 2 |
          std::uint64_t{u->reap} << 3 | std::uint64_t{u->pending_attach} << 4 | std::uint64_t{u->freeze_stop} << 5 |
          std::uint64_t{u->stopped} << 6 | std::uint64_t{u->report} << 7 | std::uint64_t{u->interrupt} << 8);
    h.add(static_cast<std::uint64_t>(u->walking));
  }
  hash_frames(h, t, in.program(t));
  // The thread: engine status, the access it is about to make, locks held.
  if (t.tid != sim::kNoTid && t.tid < k.eng.thread_count()) {
    const sim::Engine& e = k.eng;
    h.add(std::uint64_t{e.finished(t.tid)} | std::uint64_t{e.blocked(t.tid)} << 1 |
          std::uint64_t{e.enabled(t.tid)} << 2 | std::uint64_t{e.locks_held(t.tid)} << 8);
    if (!e.finished(t.tid)) {
      const sim::Access& a = e.pending(t.tid);
      h.add(std::uint64_t{a.obj.v} << 8 | static_cast<std::uint8_t>(a.kind));
      h.add_str(a.where);
    }
  }
}

}  // namespace

std::uint64_t state_hash(const Simulator& run) {
  const Kernel& k = run.kernel();
  const Interpreter& in = run.interp();
  // Every field as memory holds it, whichever thread the hash is taken on
  // (no store forwarding); the buffers are hashed on their own below.
  const StoreBuffers::MemoryOnly memory_only;
  Hasher h;
  h.add(k.eng.now());
  h.add(k.tasklist_lock.holder());
  h.add(k.tasks.size());
  for (const auto& t : k.tasks) hash_task(h, k, in, *t);
  const std::uint32_t cap = call_cap(run.scenario());
  for (const auto& e : k.engines) {
    h.add(static_cast<std::uint64_t>(e->id) << 32 | static_cast<std::uint32_t>(e->kref));
    h.add(static_cast<std::uint64_t>(e->ops.get()) | std::uint64_t{e->on_list} << 8 | std::uint64_t{e->freed} << 9 |
          std::uint64_t{e->exam_valid} << 10 | static_cast<std::uint64_t>(in.handle_of(*e) + 1) << 16);
    h.add(e->flags);
    h.add(e->data);
    // Which table it calls (two engines may differ only by their ops).
    h.add_str(e->table ? std::string_view(e->table->name()) : std::string_view("-"));
    h.add(std::uint64_t{e->has_release});
    h.pid(e->target);
    for (std::uint32_t c : in.calls_of(*e)) h.add(std::min(c, cap));
    h.add(e->exam_state);
    // What utrace_finish_examine() compares: whether the target has slept
    // since utrace_prepare_examine() took its count (the counts themselves
    // only grow).
    if (e->exam_valid && e->exam_ncsw && e->target)
      h.add(e->target->nvcsw - (e->exam_ncsw & ~(std::uint64_t{1} << 63)));
  }
  for (const auto& c : k.ptrace_contexts) {
    h.add(static_cast<std::uint64_t>(static_cast<std::uint32_t>(c->options)) << 32 |
          static_cast<std::uint32_t>(c->signr));
    h.add(static_cast<std::uint64_t>(static_cast<std::uint32_t>(c->stop_code)) << 32 | c->resume);
    h.add(static_cast<std::uint64_t>(c->eventmsg));
    h.add(std::uint64_t{c->freed} | std::uint64_t{c->siginfo != nullptr} << 1);
  }
  // The latest result of each label (what outcomes see), in label order:
  // independent ops may record theirs in either order.
  for (std::size_t label = 0; label < run.scenario().labels.size(); ++label) {
    const OpResult* r = in.result_of(static_cast<int>(label));
    if (!r) continue;
    h.add(label);
    h.add(static_cast<std::uint64_t>(r->value) ^ (static_cast<std::uint64_t>(r->kind) << 56) ^
          (static_cast<std::uint64_t>(r->pid) << 40));
  }
  for (const auto& c : in.completions()) {
    h.add(c->done.done());
    for (const Task* w : c->waiters.waiters) h.pid(w);  // complete() wakes the first
    h.add(0xc5);
  }
  // The shared variables of litmus ops: coherence orders, views, buffers.
  if (const Memory* m = in.memory()) h.add(m->digest());
  // The kernel fields' store buffers (tso, lkmm): what each CPU has not
  // made visible yet.  The fields above were read as memory holds them.
  if (const StoreBuffers* sb = run.store_buffers()) h.add(sb->digest());
  h.add(k.broken().to_ullong());
  // What the property checkers recorded for the checks still to come.
  h.add(run.checks().digest());
  // Where every thread stands, exactly (sim/co.h, frame identity): each of
  // its frames' last co_await site, parameters and kept locals.  The
  // threads in creation order (a thread's number is its creation index).
  h.add(k.eng.thread_count());
  for (sim::Tid t = 0; t < k.eng.thread_count(); ++t) {
    const sim::Engine& e = k.eng;
    h.add(e.position(t));
    // Its engine status, for threads of no task too (timers, kernel threads).
    h.add(std::uint64_t{e.finished(t)} | std::uint64_t{e.blocked(t)} << 1 | std::uint64_t{e.enabled(t)} << 2 |
          std::uint64_t{e.locks_held(t)} << 8);
  }
  return h.value();
}

StateFacts state_facts(const Simulator& run) {
  const Kernel& k = run.kernel();
  const Interpreter& in = run.interp();
  StateFacts f;
  f.broken = k.broken();
  for (const auto& t : k.tasks) {
    const TaskProgram& p = in.program(*t);
    if (p.slot < 0) continue;  // init
    if (t->state & __TASK_TRACED && !t->exit_state && !t->released) {
      f.traced |= std::uint64_t{1} << (t->idx & 63);
      f.traced_tasks.emplace_back(t->idx & 63, t->comm);
    }
    std::string line =
        fmt::format("{}: {}", t->comm, t->released ? "released" : task_state_string(t->state, t->exit_state));
    // What it is doing: the op of its innermost frame.
    if (!t->released && !t->thread_done && !p.frames.empty())
      if (const Op* op = p.frames.back().current(); op && !op->key.empty()) line += " in " + op->key;
    if (t->utrace && t->utrace->reporting) line += fmt::format(" reporting e{}", t->utrace->reporting->id);
    // Where its thread stands: the kernel function of its next yield point.
    if (t->tid != sim::kNoTid && t->tid < k.eng.thread_count() && !k.eng.finished(t->tid) &&
        k.eng.pending(t->tid).where)
      line += fmt::format(" @ {}", k.eng.pending(t->tid).where);
    f.lines.push_back(std::move(line));
  }
  for (std::size_t p = 0; p < kPropertyCount; ++p)
    if (f.broken.test(p)) f.lines.push_back(fmt::format("!{}", property_name(static_cast<Property>(p))));
  for (const std::string& l : f.lines) f.label += (f.label.empty() ? "" : ", ") + l;
  return f;
}

}  // namespace model
