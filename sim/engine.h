// sim/engine.h: the deterministic discrete-event engine.
//
// A run is a pure function of (the threads spawned before it, the scheduler's
// choices).  Threads are root coroutines; each step resumes one thread from
// its last yield point up to the next one.  A thread is enabled when it is
// ready and, if its next access is a spinlock acquire, the lock is free.  The
// scheduler is consulted only when more than one thread is enabled.  Virtual
// time (ticks) advances only when nothing is enabled: first threads waiting
// for the system to go idle are released, then the earliest timers fire.
// When nothing is enabled, nobody waits for idleness and no timer is
// pending, the run ends; unfinished non-daemon threads are reported with the
// reason they wait for.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/access.h"
#include "sim/co.h"
#include "sim/hash.h"
#include "sim/lockdep.h"
#include "sim/sched/scheduler.h"

namespace sim {

inline constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

// A programming error in the model (sleeping with a spinlock held, releasing a
// lock one does not hold...).  Never the result of a scenario's content.
struct EngineError : std::logic_error {
  using std::logic_error::logic_error;
};

struct Limits {
  std::uint64_t max_steps = 1'000'000;
  std::uint32_t max_threads = 512;
};

enum class RunEnd : std::uint8_t {
  Finished,     // every non-daemon thread finished
  Blocked,      // nothing can run any more and some non-daemon thread is unfinished
  StepLimit,    // Limits::max_steps reached
  Diverged,     // the scheduler chose a thread that was not enabled
  Interrupted,  // the stop flag was raised
};
const char* run_end_name(RunEnd e) noexcept;

struct BlockedThread {
  Tid tid = kNoTid;
  const char* reason = "";  // what it waits for (static string)
  ObjId obj{};
  bool spinning = false;  // waiting for a spinlock rather than sleeping
};

// One executed transition, recorded when Engine::record() is on.
struct StepRec {
  Tid tid = kNoTid;
  Access acc{};                   // the access the step began with
  std::uint32_t notes_begin = 0;  // [notes_begin, notes_end) in the notes vector
  std::uint32_t notes_end = 0;
  std::uint32_t choice = ~0u;  // index of the choice point that chose it, if any
};

struct RunResult {
  RunEnd end = RunEnd::Finished;
  std::uint64_t steps = 0;
  std::uint64_t time = 0;
  std::uint32_t preemptions = 0;
  std::vector<Tid> choices;     // the thread chosen at each choice point
  std::size_t significant = 0;  // choices past this index were all the default
  std::vector<BlockedThread> blocked;
  std::uint64_t hash = 0;     // hash of the executed transitions (if hashing)
  Tid diverged_tid = kNoTid;  // with RunEnd::Diverged: the refused choice
};

class SpinLock;

class Engine {
 public:
  explicit Engine(Limits limits = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- set-up, between runs -------------------------------------------------
  // Destroys every thread (and the coroutine frames they own); time and steps
  // go back to 0.
  void reset();
  void set_limits(const Limits& l) noexcept { limits_ = l; }
  const Limits& limits() const noexcept { return limits_; }
  // Fold every transition (thread, object, kind) into RunResult::hash.
  void set_hashing(bool on) noexcept { hashing_ = on; }
  // Record each executed step (and the accesses noted inside it).
  void record(std::vector<StepRec>* steps, std::vector<Access>* notes) noexcept {
    log_ = steps;
    notes_ = notes;
  }
  // Checked every 256 steps; when it becomes true the run ends Interrupted.
  void set_stop_flag(const std::atomic<bool>* f) noexcept { stop_ = f; }

  // Creates a thread (before or during a run).  Daemon threads may stay
  // blocked at the end without the run counting as blocked.
  Tid spawn(Co<void> body, void* user = nullptr, bool daemon = false);
  bool can_spawn() const noexcept { return threads_.size() < limits_.max_threads; }
  std::uint32_t max_threads() const noexcept { return limits_.max_threads; }

  RunResult run(Scheduler& s);

  // ---- inside a run ---------------------------------------------------------
  static Engine& current() noexcept { return *tls_current_; }
  static bool in_run() noexcept { return tls_current_ != nullptr; }
  Tid current_tid() const noexcept { return cur_; }
  std::uint64_t now() const noexcept { return time_; }
  std::uint64_t steps() const noexcept { return steps_; }
  std::size_t thread_count() const noexcept { return threads_.size(); }
  void* user(Tid t) const { return threads_[t].user; }
  // What the program running on the engine wants reachable from any step
  // (the model's kernel): set by the program, never read by the engine.
  void set_context(void* c) noexcept { context_ = c; }
  void* context() const noexcept { return context_; }

  // The reference is good until the next spawn (threads live in a vector).
  const Access& pending(Tid t) const { return threads_[t].pending; }
  bool finished(Tid t) const { return threads_[t].st == St::Finished; }
  bool blocked(Tid t) const { return threads_[t].st == St::Blocked || threads_[t].st == St::Idle; }
  bool enabled(Tid t) const;
  const char* wait_reason(Tid t) const { return threads_[t].reason; }
  unsigned locks_held(Tid t) const { return threads_[t].held; }
  // The locks thread t holds, innermost last, with where it took each.
  const HeldStack& held_locks(Tid t) const { return held_[t]; }
  bool holds(Tid t, const SpinLock& l) const;
  // The class dependencies this run took so far (sim/lockdep.h), each the
  // first time, in the order taken; cleared by reset().
  const std::vector<LockDep>& lock_deps() const noexcept { return lock_deps_; }
  // Who is told of a sleep with a spinlock held (sim/lockdep.h); without
  // one, such a sleep is an EngineError.
  void set_lock_observer(LockObserver* o) noexcept { lock_observer_ = o; }
  // A lock the program takes and releases inside the current step, without
  // a yield point of its own (a model's simplification): lockdep records the
  // class dependencies it makes on the current thread's held locks.
  void lock_in_step(const SpinLock& l, const char* where);
  // Where thread t stands, exactly: the position (sim/co.h: site of the
  // last co_await, parameters, kept locals) of each of its frames, from its
  // root to the innermost; 0 for a finished thread.
  std::uint64_t position(Tid t) const;
  // The same, readable: the site of each frame, root first
  // ("interp/user_ops.cpp:88 > linux/entry.cpp:40"), "" for a finished thread.
  std::string frame_sites(Tid t) const;

  // Makes a blocked thread ready (a wake-up); no effect on other threads.
  void wake(Tid t);
  // The memory ordering the kernel has implied where the engine acts, for
  // a weak memory model (model/memory/store_buffers.h); without a hook
  // (sequential consistency) nothing.  Full: a full barrier of the current
  // thread (a sleep, a wake-up, a lock's acquire: a locked instruction on
  // x86).  Release: the current thread releases `lock` (on x86 a plain
  // store, queued behind its earlier stores).  Acquire: `lock` is taken, so
  // every store queued before its last release is visible.
  enum class Fence : std::uint8_t { Full, Release, Acquire };
  using FenceHook = void (*)(void* ctx, Fence f, Tid t, ObjId lock, const char* where);
  void set_fence_hook(FenceHook f, void* ctx) noexcept {
    fence_ = f;
    fence_ctx_ = ctx;
  }
  void fence(const char* where) {
    if (fence_) [[unlikely]]
      fence_(fence_ctx_, Fence::Full, cur_, ObjId{}, where);
  }
  void fence_lock(Fence f, ObjId lock, const char* where) {
    if (fence_) [[unlikely]]
      fence_(fence_ctx_, f, cur_, lock, where);
  }
  // Records an extra access made inside the current step (for explorers).
  void note(const Access& a) {
    if (notes_) notes_->push_back(a);
  }

  // ---- for awaiters ---------------------------------------------------------
  // Called at a plain yield point (never a lock acquire): when the run loop
  // would pick the current thread again without asking the scheduler (it is
  // the only ready thread) and without ending the run (step limit, stop
  // flag), accounts for the next step here and returns true, so the thread
  // continues without a round trip through the run loop.  Choices, steps,
  // hashes and on_step() calls are those the loop would make; with
  // recording on the loop always runs.
  bool continue_current(const Access& a) {
    if (ready_ != 1 || log_ || steps_ >= limits_.max_steps || (stop_ && (steps_ & 255) == 0)) return false;
    if (every_step_) sched_->on_step(cur_, steps_ + 1);
    threads_[cur_].pending = a;
    ++steps_;
    if (hashing_) hash_step(cur_, a);
    return true;
  }
  void suspend_current(std::coroutine_handle<> h, const Access& a, SpinLock* want = nullptr) {
    // Inline: this is the whole cost of a yield point, on every step.
    Thread& th = threads_[cur_];
    th.next = h;
    th.pending = a;
    th.want = want;
  }
  void block_current(std::coroutine_handle<> h, ObjId obj, const char* reason, std::uint64_t deadline);
  void idle_current(std::coroutine_handle<> h, const char* reason);
  bool current_timed_out() const noexcept { return threads_[cur_].timed_out; }

 private:
  friend class SpinLock;
  enum class St : std::uint8_t { Ready, Blocked, Idle, Finished };
  struct Thread {
    // What the run loop reads on every step first.
    std::coroutine_handle<> next;
    SpinLock* want = nullptr;
    St st = St::Ready;
    bool daemon = false;
    bool timed_out = false;
    unsigned held = 0;
    Access pending{};
    Co<void> body;
    const char* reason = "";
    std::uint64_t deadline = kNever;
    void* user = nullptr;
    // With recording: the object the next step's StepRec names instead of
    // pending.obj (a spawned thread's creation, a release by the engine).
    ObjId rec_obj{};
  };

  void execute(Tid t);
  void lock_nested(Tid t, SpinLock& l);
  void add_lock_deps(Tid t, LockClass to, const char* where);
  void lock_released(Tid t, const SpinLock& l);
  void sleeping_with_locks(const char* what, const char* reason);
  void hash_step(Tid t, const Access& a) noexcept {
    hash_ = hash_mix(hash_, t);
    hash_ = hash_mix(hash_, (std::uint64_t{a.obj.v} << 8) | std::uint8_t(a.kind));
  }
  void finish(Thread& th);
  bool release_idle();
  bool fire_timers();

  // Inline with a constant initialiser, so that every access is a plain
  // TLS load (no dynamic-initialisation check).
  static inline thread_local Engine* tls_current_ = nullptr;

  Limits limits_;
  // Indexed by Tid.  A spawn during a step may move the elements: never keep
  // a reference to a Thread across resuming a coroutine.
  std::vector<Thread> threads_;
  std::vector<Tid> enabled_;
  std::vector<Tid> choices_;
  // Indexed by Tid, beside threads_ so that the run loop's scan of
  // threads_ stays as short as it was.
  std::vector<HeldStack> held_;
  std::vector<LockDep> lock_deps_;
  LockObserver* lock_observer_ = nullptr;
  FenceHook fence_ = nullptr;
  void* fence_ctx_ = nullptr;
  Scheduler* sched_ = nullptr;
  void* context_ = nullptr;
  std::vector<StepRec>* log_ = nullptr;
  std::vector<Access>* notes_ = nullptr;
  const std::atomic<bool>* stop_ = nullptr;
  std::uint64_t time_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t hash_ = 0;
  std::uint32_t timers_ = 0;  // threads blocked with a deadline
  std::uint32_t idle_ = 0;    // threads waiting for idleness
  // Threads in St::Ready (enabled or spinning on a lock), kept in step with
  // every change of Thread::st: continue_current() relies on it.
  std::uint32_t ready_ = 0;
  Tid cur_ = kNoTid;
  bool hashing_ = false;
  bool every_step_ = false;  // the scheduler of this run wants on_step()
};

// A simulated spinlock.  Acquiring it is a yield point of kind Lock; the
// thread is not enabled while another holds it.  Releasing is recorded inside
// the releasing step (it cannot be observed apart from that step).
class SpinLock {
 public:
  explicit SpinLock(ObjId id = {}) noexcept : id_(id) {}
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  struct Awaiter {
    SpinLock* lock;
    const char* where;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      Engine::current().suspend_current(h, Access{lock->id_, Acc::Lock, where}, lock);
    }
    void await_resume() const {
      Engine& e = Engine::current();
      e.fence_lock(Engine::Fence::Acquire, lock->id_, "spin_lock");
      e.fence("spin_lock");
    }
  };
  // co_await lock.lock("utrace_control");
  Awaiter lock(const char* where) noexcept { return {this, where}; }
  void unlock();

  bool held() const noexcept { return holder_ != kNoTid; }
  Tid holder() const noexcept { return holder_; }
  ObjId id() const noexcept { return id_; }
  void set_id(ObjId id) noexcept { id_ = id; }
  // Its lockdep class (sim/lockdep.h); LockClass{} (the default): none.
  LockClass lock_class() const noexcept { return class_; }
  void set_class(LockClass c) noexcept { class_ = c; }
  // Its release is a locked instruction (an x86 rwlock's write_unlock: a
  // full barrier), not a plain store (a spinlock's): Engine::Fence.
  void set_locked_release(bool on) noexcept { locked_release_ = on; }

 private:
  friend class Engine;
  ObjId id_;
  Tid holder_ = kNoTid;
  LockClass class_{};
  bool locked_release_ = false;
};

// Frame identity (sim/co.h): objects by their ids, the engine as nothing
// (there is one).
inline std::uint64_t frame_digest(ObjId o) noexcept { return o.v; }
inline std::uint64_t frame_digest(const SpinLock& l) noexcept { return l.id().v; }
inline std::uint64_t frame_digest(const Engine&) noexcept { return 0; }

// ---- awaitables ---------------------------------------------------------------

struct PointAwaiter {
  Access a;
  bool await_ready() const { return Engine::current().continue_current(a); }
  void await_suspend(std::coroutine_handle<> h) { Engine::current().suspend_current(h, a); }
  void await_resume() const noexcept {}
};

// A yield point before an access: co_await sim::point(obj, Acc::Read, "start_report");
inline PointAwaiter point(ObjId o, Acc k, const char* where) noexcept { return PointAwaiter{Access{o, k, where}}; }
inline PointAwaiter read(ObjId o, const char* where) noexcept { return point(o, Acc::Read, where); }
inline PointAwaiter write(ObjId o, const char* where) noexcept { return point(o, Acc::Write, where); }

struct BlockAwaiter {
  ObjId obj;
  const char* reason;
  std::uint64_t deadline;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { Engine::current().block_current(h, obj, reason, deadline); }
  // true when the deadline passed before anybody woke the thread
  bool await_resume() const noexcept { return Engine::current().current_timed_out(); }
};

// Sleep until Engine::wake() (or until `deadline`, an absolute tick).
inline BlockAwaiter block(ObjId obj, const char* reason, std::uint64_t deadline = kNever) noexcept {
  return BlockAwaiter{obj, reason, deadline};
}
// Sleep `ticks` of virtual time; Engine::wake() ends it early (returns false).
inline BlockAwaiter sleep_for(std::uint64_t ticks, ObjId obj, const char* reason) noexcept {
  auto now = Engine::current().now();
  return BlockAwaiter{obj, reason, ticks >= kNever - now ? kNever : now + ticks};
}

// Ends the current thread from anywhere in its call chain (do_exit() does not
// return): the thread counts as finished; its frames are destroyed at reset().
struct ExitAwaiter {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};
inline ExitAwaiter exit_thread() noexcept { return {}; }

struct IdleAwaiter {
  const char* reason;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { Engine::current().idle_current(h, reason); }
  void await_resume() const noexcept {}
};
// Wait until no other thread is enabled (every other thread blocked, waiting
// for a lock held by a blocked thread, or finished).
inline IdleAwaiter wait_idle(const char* reason) noexcept { return IdleAwaiter{reason}; }

}  // namespace sim
