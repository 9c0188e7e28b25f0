// sim/sync.h: wait queues and completions on top of the engine.
//
// Checking a condition and going to sleep happen inside one step, so a
// wake-up cannot be lost between them (as with set_current_state() before the
// test in the kernel).  Spinlocks live in engine.h because they decide which
// threads are enabled.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/engine.h"

namespace sim {

class WaitQueue {
 public:
  explicit WaitQueue(ObjId id = {}) : id_(id) {}

  struct Awaiter {
    WaitQueue* q;
    const char* reason;
    std::uint64_t deadline;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      Engine& e = Engine::current();
      q->waiters_.push_back(e.current_tid());
      e.note(Access{q->id_, Acc::Write, reason});  // for explorers: joins the queue
      e.block_current(h, q->id_, reason, deadline);
    }
    // true when the deadline passed first
    bool await_resume() {
      Engine& e = Engine::current();
      q->forget(e.current_tid());
      return e.current_timed_out();
    }
  };
  // co_await wq.wait("wait_for_completion");
  Awaiter wait(const char* reason, std::uint64_t deadline = kNever) noexcept { return {this, reason, deadline}; }

  void wake_all() {
    Engine& e = Engine::current();
    e.note(Access{id_, Acc::Read, "wake_up"});  // for explorers: looks at the queue
    for (Tid t : waiters_) e.wake(t);
    waiters_.clear();
  }
  // Wakes the first waiter that is still asleep.  A waiter whose deadline
  // has passed (or that was woken directly) but has not run yet is still in
  // the queue; as in the kernel's exclusive wake-up, where try_to_wake_up()
  // of a running task does not count, it is skipped rather than spending
  // the wake-up (it removes itself when it runs).
  void wake_one() {
    Engine& e = Engine::current();
    e.note(Access{id_, Acc::Read, "wake_up"});
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
      if (e.blocked(*it)) {
        e.wake(*it);
        waiters_.erase(it);
        return;
      }
    }
  }
  bool empty() const noexcept { return waiters_.empty(); }
  ObjId id() const noexcept { return id_; }
  void set_id(ObjId id) noexcept { id_ = id; }

 private:
  void forget(Tid t) {
    auto it = std::find(waiters_.begin(), waiters_.end(), t);
    if (it != waiters_.end()) waiters_.erase(it);
  }
  ObjId id_;
  std::vector<Tid> waiters_;
};

// struct completion: complete() wakes one waiter, wait() consumes one "done".
class Completion {
 public:
  explicit Completion(ObjId id = {}) : wq_(id) {}
  void complete() {
    ++done_;
    wq_.wake_one();
  }
  void complete_all() {
    done_ = kAll;
    wq_.wake_all();
  }
  bool try_consume() {
    if (!done_) return false;
    if (done_ != kAll) --done_;
    return true;
  }
  // wait_for_completion(): a yield point, then sleep until done.
  Co<void> wait(const char* reason = "wait_for_completion") {
    co_await point(wq_.id(), Acc::Write, reason);
    while (!try_consume()) co_await wq_.wait(reason);
  }
  // Sleeps on the completion's queue once, without the yield point and the
  // test of wait(): for a caller that models wait_for_completion()'s loop
  // itself (the model keeps the sleeping task's state, as do_wait_for_common).
  WaitQueue::Awaiter sleep(const char* reason = "wait_for_completion") noexcept { return wq_.wait(reason); }
  ObjId id() const noexcept { return wq_.id(); }
  unsigned done() const noexcept { return done_; }

 private:
  static constexpr unsigned kAll = ~0u / 2;
  unsigned done_ = 0;
  WaitQueue wq_;
};

// Frame identity (sim/co.h): a completion by its object.
inline std::uint64_t frame_digest(const Completion& c) noexcept { return c.id().v; }

}  // namespace sim
