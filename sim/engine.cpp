#include "sim/engine.h"

#include <algorithm>
#include <string>

#include "sim/hash.h"

namespace sim {

const char* acc_name(Acc a) noexcept {
  switch (a) {
    case Acc::Local: return "local";
    case Acc::Read: return "read";
    case Acc::Write: return "write";
    case Acc::Lock: return "lock";
    case Acc::Unlock: return "unlock";
    case Acc::Callback: return "callback";
    case Acc::Sleep: return "sleep";
    case Acc::Spawn: return "spawn";
  }
  return "?";
}

const char* run_end_name(RunEnd e) noexcept {
  switch (e) {
    case RunEnd::Finished: return "finished";
    case RunEnd::Blocked: return "blocked";
    case RunEnd::StepLimit: return "step-limit";
    case RunEnd::Diverged: return "diverged";
    case RunEnd::Interrupted: return "interrupted";
  }
  return "?";
}

Engine::Engine(Limits limits) : limits_(limits) {}

Engine::~Engine() { reset(); }

void Engine::reset() {
  // Destroy the newest threads first: a child's frames may refer to objects
  // its creator owns, never the other way round.
  while (!threads_.empty()) threads_.pop_back();
  held_.clear();
  lock_deps_.clear();
  enabled_.clear();
  choices_.clear();
  time_ = 0;
  steps_ = 0;
  hash_ = 0;
  timers_ = 0;
  idle_ = 0;
  ready_ = 0;
  cur_ = kNoTid;
}

Tid Engine::spawn(Co<void> body, void* user, bool daemon) {
  if (threads_.size() >= limits_.max_threads)
    throw EngineError("sim: thread limit reached (callers must check can_spawn())");
  Tid t = static_cast<Tid>(threads_.size());
  Thread& th = threads_.emplace_back();
  held_.emplace_back();
  th.next = body.handle();
  th.body = std::move(body);
  th.user = user;
  th.daemon = daemon;
  th.pending = Access{ObjId{}, Acc::Spawn, "spawn"};
  if (log_ && cur_ != kNoTid) {
    // For explorers: the creating step happens before the child's first step.
    th.rec_obj = thread_obj(t);
    note(Access{thread_obj(t), Acc::Write, "spawn"});
  }
  ++ready_;
  if (sched_) sched_->on_spawn(t);
  return t;
}

std::uint64_t Engine::position(Tid t) const {
  const Thread& th = threads_[t];
  if (th.st == St::Finished || !th.body) return 0;
  std::uint64_t h = kHashSeed;
  for (const detail::PromiseBase* p = &th.body.handle().promise(); p; p = p->child) h = hash_mix(h, p->position());
  return h;
}

std::string Engine::frame_sites(Tid t) const {
  const Thread& th = threads_[t];
  std::string out;
  if (th.st == St::Finished || !th.body) return out;
  for (const detail::PromiseBase* p = &th.body.handle().promise(); p; p = p->child) {
    if (!out.empty()) out += " > ";
    std::string_view f = p->site_file ? p->site_file : "?";
    // The last two path components, as position() hashes them.
    if (auto a = f.rfind('/'); a != std::string_view::npos && a > 0)
      if (auto b = f.rfind('/', a - 1); b != std::string_view::npos) f.remove_prefix(b + 1);
    out += std::string(f) + ":" + std::to_string(p->site_line);
  }
  return out;
}

bool Engine::enabled(Tid t) const {
  const Thread& th = threads_[t];
  return th.st == St::Ready && (!th.want || th.want->holder_ == kNoTid);
}

void Engine::wake(Tid t) {
  if (threads_[t].st != St::Blocked) return;
  fence("wake_up");  // try_to_wake_up()'s barrier
  Thread& th = threads_[t];
  // For explorers: the waker writes what the sleeper's next step reads.
  if (notes_ && th.pending.obj.v) notes_->push_back(Access{th.pending.obj, Acc::Write, "wake"});
  if (th.deadline != kNever) {
    th.deadline = kNever;
    --timers_;
  }
  th.timed_out = false;
  th.st = St::Ready;
  ++ready_;
}

void Engine::sleeping_with_locks(const char* what, const char* reason) {
  if (!lock_observer_) throw EngineError(std::string("sim: thread ") + what + " (" + reason + ") with a spinlock held");
  lock_observer_->sleep_with_locks(cur_, reason, held_[cur_]);
}

void Engine::block_current(std::coroutine_handle<> h, ObjId obj, const char* reason, std::uint64_t deadline) {
  if (threads_[cur_].held) sleeping_with_locks("blocks", reason);
  fence("schedule");  // a sleep orders everything before it
  Thread& th = threads_[cur_];
  th.next = h;
  th.pending = Access{obj, Acc::Sleep, reason};
  th.reason = reason;
  th.st = St::Blocked;
  --ready_;
  th.timed_out = false;
  th.deadline = deadline;
  if (deadline != kNever) ++timers_;
}

void Engine::idle_current(std::coroutine_handle<> h, const char* reason) {
  if (threads_[cur_].held) sleeping_with_locks("waits", reason);
  Thread& th = threads_[cur_];
  th.next = h;
  th.pending = Access{ObjId{}, Acc::Sleep, reason};
  th.reason = reason;
  th.st = St::Idle;
  --ready_;
  ++idle_;
}

bool Engine::release_idle() {
  if (!idle_) return false;
  for (Thread& th : threads_) {
    if (th.st != St::Idle) continue;
    th.st = St::Ready;
    if (log_) th.rec_obj = kGlobalObj;  // released by the state of every thread
  }
  ready_ += idle_;
  idle_ = 0;
  return true;
}

bool Engine::fire_timers() {
  if (!timers_) return false;
  std::uint64_t first = kNever;
  for (const Thread& th : threads_)
    if (th.st == St::Blocked && th.deadline < first) first = th.deadline;
  time_ = std::max(time_, first);
  for (Thread& th : threads_) {
    if (th.st == St::Blocked && th.deadline == first) {
      th.deadline = kNever;
      --timers_;
      th.st = St::Ready;
      ++ready_;
      th.timed_out = true;
      if (log_) th.rec_obj = kGlobalObj;  // released because nothing else could run
    }
  }
  return true;
}

// Inlined into run(): the call and its register saves were a tenth of a step.
[[gnu::always_inline]] inline void Engine::execute(Tid t) {
  Thread* th = &threads_[t];
  cur_ = t;
  ++steps_;
  if (th->want) {
    SpinLock* l = th->want;
    l->holder_ = t;
    ++th->held;
    th->want = nullptr;
    // lockdep: the first lock a thread takes only goes on its stack.
    HeldStack& hs = held_[t];
    if (hs.depth == 0) [[likely]]
      hs.locks[hs.depth++] = HeldLock{l, l->class_, th->pending.where, steps_};
    else
      lock_nested(t, *l);
  }
  if (hashing_) hash_step(t, th->pending);
  if (log_) {
    auto n = notes_ ? static_cast<std::uint32_t>(notes_->size()) : 0u;
    Access a = th->pending;
    if (th->rec_obj.v) {
      a.obj = th->rec_obj;
      th->rec_obj = {};
    }
    log_->push_back(StepRec{t, a, n, n, ~0u});
  }
  std::coroutine_handle<> h = th->next;
  th->next = {};
  h.resume();
  th = &threads_[t];  // the step may have spawned threads and moved the vector
  if (log_ && notes_) log_->back().notes_end = static_cast<std::uint32_t>(notes_->size());
  if (!th->next) [[unlikely]]
    finish(*th);
}

// Out of line so that execute() stays small enough to inline into run().
void Engine::finish(Thread& th) {
  th.st = St::Finished;
  --ready_;
  // The thread's own exception first: an EngineError thrown from an awaiter
  // (blocking with a lock held) or a model exception inside a critical
  // section also ends the thread with a lock held, and the lock check below
  // would hide the real cause.
  auto& p = th.body.handle().promise();
  if (p.error) std::rethrow_exception(p.error);
  if (th.held) throw EngineError("sim: thread finished with a spinlock held");
}

RunResult Engine::run(Scheduler& s) {
  struct Current {
    Engine* saved;
    explicit Current(Engine* e) : saved(tls_current_) { tls_current_ = e; }
    ~Current() { tls_current_ = saved; }
  } current(this);
  struct Sched {
    Engine& e;
    ~Sched() { e.sched_ = nullptr; }
  } sched_guard{*this};

  sched_ = &s;
  s.begin_run();
  for (Tid t = 0; t < threads_.size(); ++t) s.on_spawn(t);
  const bool every_step = s.wants_steps();
  every_step_ = every_step;

  RunResult r;
  choices_.clear();
  std::size_t significant = 0;
  Tid last = kNoTid;
  for (;;) {
    // The enabled threads, ascending, in en[0, ne).  enabled_ is only ever
    // grown, so this loop writes through a plain pointer.
    const Tid n = static_cast<Tid>(threads_.size());
    if (enabled_.size() < n) enabled_.resize(n);
    Tid* const en = enabled_.data();
    Tid ne = 0;
    const Thread* const ths = threads_.data();
    for (Tid t = 0; t < n; ++t) {
      const Thread& th = ths[t];
      if (th.st == St::Ready && (!th.want || th.want->holder_ == kNoTid)) en[ne++] = t;
    }
    if (ne == 0) {
      if (release_idle() || fire_timers()) continue;
      break;
    }
    if (steps_ >= limits_.max_steps) {
      r.end = RunEnd::StepLimit;
      break;
    }
    if (stop_ && (steps_ & 255) == 0 && stop_->load(std::memory_order_relaxed)) {
      r.end = RunEnd::Interrupted;
      break;
    }
    Tid t = en[0];
    const bool chosen = ne > 1;
    if (chosen) {
      ChoiceContext ctx{std::span<const Tid>(en, ne), last, steps_, static_cast<std::uint32_t>(choices_.size()), this};
      t = s.choose(ctx);
      // enabled_ holds every enabled thread, so these O(1) tests mean
      // ctx.is_enabled(t), ctx.is_enabled(last) and default_choice(ctx).
      if (t >= n || !enabled(t)) {
        r.end = RunEnd::Diverged;
        r.diverged_tid = t;
        break;
      }
      const bool last_enabled = last != kNoTid && enabled(last);
      if (t != (last_enabled ? last : en[0])) significant = choices_.size() + 1;
      if (t != last && last_enabled) ++r.preemptions;
      choices_.push_back(t);
    }
    if (every_step) s.on_step(t, steps_ + 1);
    execute(t);
    if (chosen && log_) log_->back().choice = static_cast<std::uint32_t>(choices_.size() - 1);
    last = t;
  }

  r.steps = steps_;
  r.time = time_;
  r.choices = choices_;
  r.significant = significant;
  r.hash = hash_;
  for (Tid t = 0; r.end == RunEnd::Finished && t < threads_.size(); ++t) {
    const Thread& th = threads_[t];
    if (th.st == St::Finished || th.daemon) continue;
    BlockedThread b{t, th.reason, th.pending.obj, false};
    if (th.st == St::Ready) {  // spinning on a lock
      b.spinning = true;
      b.reason = th.pending.where;
    }
    r.blocked.push_back(b);
  }
  if (r.end == RunEnd::Finished && !r.blocked.empty()) r.end = RunEnd::Blocked;
  cur_ = kNoTid;
  s.end_run(r);
  return r;
}

// lockdep's __lock_acquire(), as far as this engine needs it: the lock goes
// on the thread's held stack, and each lock already held gives a class
// dependency, recorded the first time this run takes it (check_prevs_add()
// adds one for every held lock, not only the innermost).  For a lock taken
// while others are held; execute() pushes a thread's first lock itself.
void Engine::lock_nested(Tid t, SpinLock& l) {
  HeldStack& hs = held_[t];
  if (hs.depth == kMaxHeldLocks) throw EngineError("sim: lockdep: more than kMaxHeldLocks locks held (MAX_LOCK_DEPTH)");
  const char* where = threads_[t].pending.where;
  if (l.class_.v) add_lock_deps(t, l.class_, where);
  hs.locks[hs.depth++] = HeldLock{&l, l.class_, where, steps_};
}

void Engine::add_lock_deps(Tid t, LockClass to, const char* where) {
  const HeldStack& hs = held_[t];
  for (std::uint32_t i = 0; i < hs.depth; ++i) {
    const HeldLock& h = hs.locks[i];
    if (!h.cls.v) continue;
    bool seen = false;
    for (const LockDep& d : lock_deps_) seen = seen || (d.from == h.cls && d.to == to);
    if (!seen) lock_deps_.push_back(LockDep{h.cls, to, h.where, where, h.step, steps_, t});
  }
}

void Engine::lock_in_step(const SpinLock& l, const char* where) {
  if (l.class_.v) add_lock_deps(cur_, l.class_, where);
  fence(where);
}

// A lock released out of order (the innermost is popped by unlock()).
void Engine::lock_released(Tid t, const SpinLock& l) {
  HeldStack& hs = held_[t];
  for (std::uint32_t i = hs.depth; i-- > 0;) {
    if (hs.locks[i].lock != &l) continue;
    for (std::uint32_t j = i + 1; j < hs.depth; ++j) hs.locks[j - 1] = hs.locks[j];
    --hs.depth;
    return;
  }
}

bool Engine::holds(Tid t, const SpinLock& l) const {
  const HeldStack& hs = held_[t];
  for (std::uint32_t i = 0; i < hs.depth; ++i)
    if (hs.locks[i].lock == &l) return true;
  return false;
}

void SpinLock::unlock() {
  Engine& e = Engine::current();
  Tid me = e.current_tid();
  if (holder_ != me) throw EngineError("sim: spin_unlock of a lock this thread does not hold");
  if (locked_release_)
    e.fence_lock(Engine::Fence::Full, id_, "write_unlock");
  else
    e.fence_lock(Engine::Fence::Release, id_, "spin_unlock");
  holder_ = kNoTid;
  --e.threads_[me].held;
  HeldStack& hs = e.held_[me];
  if (hs.depth && hs.locks[hs.depth - 1].lock == this)
    --hs.depth;  // the innermost, as nearly always
  else
    e.lock_released(me, *this);
  e.note(Access{id_, Acc::Unlock, "spin_unlock"});
}

}  // namespace sim
