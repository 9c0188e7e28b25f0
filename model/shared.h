// model/shared.h: state that more than one CPU touches — the one way the
// kernel model reads and writes it.
//
// A field another CPU reads or writes without the lock that serialises its
// writers (task->state, utrace_flags, utrace->pending_attach, engine->ops
// ...) is a Shared<T>.  How the code touches it says what the kernel does:
//
//   READ_ONCE(x, "start_report")       a lockless load that is its own yield
//                                       point: another CPU may run just before
//   WRITE_ONCE(x, v, "utrace_control")  a lockless store, its own yield point
//   x  (or x.get())                     a plain load inside the current step:
//                                       under the lock, or the owner's own field
//   x.peek("schedule")                  a lockless load inside the current step
//                                       (no preemption point of its own; the
//                                       explorers are told it is a read)
//   x.set(v)                            a store inside the current step (under
//                                       the lock): the explorers are told, and a
//                                       traced field's change shows in the trace
//
// Every access of a shared field is thus announced to the explorers (the
// dependency relation of DPOR and the state graph) in one place, and the
// memory models of a later stage can hang their store buffers here.  The
// barriers are named where the kernel has them (smp_mb() ...): under the
// sequentially consistent model every one of them is a no-op, and the
// comment beside it says what it pairs with.  The
// object the explorers see is an ObjId (owner << 8 | field, model/linux/
// kernel.h), bound when the owner is created.  A structure other CPUs read
// locklessly as a whole (a pending-signal set, a wait queue, the pid hash) is
// a SharedObject: peek and touch inside a step, read_point and write_point
// for the yield point before a step that reads or writes it.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "sim/engine.h"
#include "sim/note.h"

namespace model {

class SharedObject {
 public:
  SharedObject() = default;
  explicit SharedObject(sim::ObjId id) noexcept : id_(id) {}
  void bind(sim::ObjId id) noexcept { id_ = id; }
  sim::ObjId id() const noexcept { return id_; }
  // A lockless read of the object inside the current step.
  void peek(const char* where) const { sim::note(id_, sim::Acc::Read, where); }
  // A write of the object inside the current step (under its lock).
  void touch(const char* where) const { sim::note(id_, sim::Acc::Write, where); }
  // co_await o.read_point(where) / write_point(where): a yield point before
  // the step that reads or writes the object as a whole (a lockless test of
  // a pending-signal set; a store under a lock the model does not simulate).
  sim::PointAwaiter read_point(const char* where) const noexcept { return sim::read(id_, where); }
  sim::PointAwaiter write_point(const char* where) const noexcept { return sim::write(id_, where); }
  // A yield point before a call into code outside the model (an engine's
  // callback) that may touch the object.
  sim::PointAwaiter call_point(const char* where) const noexcept { return sim::point(id_, sim::Acc::Callback, where); }

 private:
  sim::ObjId id_{};
};

// What a spinlock guards, as one object for the explorers: a step that
// changes state other CPUs test under the lock without taking the lock
// itself touches it; a lockless look at what it guards peeks at it.
inline SharedObject guarded_by(const sim::SpinLock& l) noexcept { return SharedObject(l.id()); }

// The log of the values a traced run's lockless loads saw and of the stores
// they came from (model/values.h): installed by a traced run only, so that
// an untraced access pays one thread-local load and a test.
class ValueLog;
inline thread_local ValueLog* tls_value_log = nullptr;
// Defined by model/values.cpp; called only while a log is installed.
// `traced_as`: the field's trace code (Shared::bind), which tells apart the
// fields that share one ObjId (struct utrace's bits).
void log_shared_read(sim::ObjId id, std::uint8_t traced_as, bool has_value, std::int64_t value, const char* where,
                     bool read_once);
void log_shared_write(sim::ObjId id, std::uint8_t traced_as, std::int64_t value, const char* where);

// The kernel's own fields under a weak memory model (issue 12 item 3;
// model/memory/store_buffers.h): installed for a run whose memory model is
// tso or lkmm, so that under sc an access of a Shared field pays nothing but
// a test of a member.  A field marked weak (set_weak(): the lockless fields of
// the barrier pairs, utrace_flags, exit_state, utrace->reporting, engine->flags
// ...) then stores into its CPU's store buffer; the CPU's own loads see it,
// the others see memory until the buffer's daemon flushes it or a full barrier
// drains it (smp_mb(), a lock, a locked bit operation, a sleep or a wake-up).
class StoreBuffers;
inline thread_local StoreBuffers* tls_store_buffers = nullptr;
class SharedObject;
// How the store buffers handle a field's buffered store, whatever its type.
struct WeakOps {
  void (*apply)(SharedObject& field, std::uint64_t bits);  // into memory
  std::int64_t (*show)(std::uint64_t bits);                // the value the trace shows
};
// Defined by model/memory/store_buffers.cpp; called only while installed.
// sb_store: buffers the store (false: not possible, store it now);
// sb_forward: the current CPU's newest buffered store to the field, or null;
// sb_fence: a full barrier of the current CPU.
bool sb_store(SharedObject& field, std::uint64_t bits, const WeakOps& ops, const char* where);
const std::uint64_t* sb_forward(const SharedObject& field);
void sb_fence(const char* where);

// How a Shared field's changes show in the trace: 0 not at all, else the
// utrace field code (UField, model/utrace/hooks.h) of a utsim_utrace_state
// event.  Defined by model/utrace/trace.cpp.
void trace_shared_change(sim::ObjId id, std::uint8_t field, std::int64_t before, std::int64_t after);

// The value a change shows in the trace.  A pointer field that is traced
// overloads it (utrace->reporting shows the engine's id); one that is not
// has none, and its changes cannot be traced.
template <class T>
concept TracedScalar = std::is_arithmetic_v<T> || std::is_enum_v<T>;
template <TracedScalar T>
std::int64_t trace_value(T v) {
  return static_cast<std::int64_t>(v);
}

template <class T>
class Shared : public SharedObject {
 public:
  Shared() = default;
  explicit Shared(T v) noexcept : v_(v) {}
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  // Which object the explorers see, and how a change is traced (0: not).
  void bind(sim::ObjId id, std::uint8_t traced_as = 0) noexcept {
    SharedObject::bind(id);
    traced_as_ = traced_as;
  }

  // Before the owner is visible to another CPU (a new task, a new engine):
  // no access to announce, nothing to trace.
  void init(T v) noexcept { v_ = v; }

  // A load: the value in memory, or the current CPU's own store still in
  // its store buffer (store forwarding).
  operator T() const noexcept { return get(); }
  T get() const noexcept {
    if (buffered_) [[unlikely]]
      return forwarded();
    return v_;
  }
  T operator->() const noexcept requires std::is_pointer_v<T> { return get(); }
  T peek(const char* where) const {
    SharedObject::peek(where);
    if (tls_value_log) [[unlikely]]
      log_read(where, false);
    return get();
  }
  // The value in memory, whatever a CPU has buffered (the state hash).
  T memory_value() const noexcept { return v_; }

  // A field whose lockless stores a weak memory model may delay (the
  // barrier pairs of issue 12; model/memory/store_buffers.h).
  void set_weak() noexcept requires(std::is_trivially_copyable_v<T> && sizeof(T) <= 8) { weak_ = true; }

  // Returns the value before (as the storing CPU sees it).
  T set(T v, const char* where = "store") {
    if constexpr (std::is_trivially_copyable_v<T> && sizeof(T) <= 8) {
      if (weak_ && tls_store_buffers && sim::Engine::in_run()) [[unlikely]] {
        const T before = get();
        if (sb_store(*this, to_bits(v), kWeakOps, where)) {
          touch(where);
          ++buffered_;
          if (tls_value_log) [[unlikely]]
            log_write(v, where);
          return before;
        }
      }
    }
    return store(v, where);
  }

 private:
  // The store itself, into memory: announced, traced, logged.
  T store(T v, const char* where) {
    touch(where);
    const T before = std::exchange(v_, v);
    if constexpr (requires { trace_value(v); }) {
      if (traced_as_ && before != v && sim::Engine::in_run())
        trace_shared_change(id(), traced_as_, trace_value(before), trace_value(v));
    }
    if (tls_value_log) [[unlikely]]
      log_write(v, where);
    return before;
  }
  void log_write(T v, const char* where) const {
    if constexpr (requires { trace_value(v); })
      log_shared_write(id(), traced_as_, trace_value(v), where);
    else
      log_shared_write(id(), traced_as_, v != T{}, where);
  }
  static std::uint64_t to_bits(T v) noexcept {
    std::uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
  }
  static T from_bits(std::uint64_t b) noexcept {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
  }
  T forwarded() const noexcept {
    if constexpr (std::is_trivially_copyable_v<T> && sizeof(T) <= 8) {
      if (tls_store_buffers)
        if (const std::uint64_t* b = sb_forward(*this)) return from_bits(*b);
    }
    return v_;
  }
  static std::int64_t show_bits(std::uint64_t bits) {
    if constexpr (requires(T v) { trace_value(v); })
      return trace_value(from_bits(bits));
    else
      return bits != 0;
  }
  // A buffered store reaching memory (the store buffer's flush or a drain).
  static void apply_bits(SharedObject& o, std::uint64_t bits) {
    auto& f = static_cast<Shared&>(o);
    --f.buffered_;
    const T v = from_bits(bits);
    f.touch("store buffer");
    const T before = std::exchange(f.v_, v);
    if constexpr (requires { trace_value(v); }) {
      if (f.traced_as_ && before != v && sim::Engine::in_run())
        trace_shared_change(f.id(), f.traced_as_, trace_value(before), trace_value(v));
    }
  }

 public:
  // A lockless load of a traced run, into its value log (READ_ONCE, peek).
  void log_read(const char* where, bool read_once) const {
    if constexpr (requires { trace_value(v_); })
      log_shared_read(id(), traced_as_, true, trace_value(get()), where, read_once);
    else
      log_shared_read(id(), traced_as_, false, 0, where, read_once);
  }

 private:
  static constexpr WeakOps kWeakOps{&apply_bits, &show_bits};
  T v_{};
  std::uint8_t traced_as_ = 0;
  bool weak_ = false;
  std::uint16_t buffered_ = 0;  // its stores waiting in store buffers (any CPU)
};

// co_await READ_ONCE(x, where): a yield point, then the load.
template <class T>
struct ReadOnce {
  const Shared<T>& x;
  sim::PointAwaiter point;
  bool await_ready() const { return point.await_ready(); }
  void await_suspend(std::coroutine_handle<> h) { point.await_suspend(h); }
  T await_resume() const {
    if (tls_value_log) [[unlikely]]
      x.log_read(point.a.where, true);
    return x.get();
  }
};
template <class T>
ReadOnce<T> READ_ONCE(const Shared<T>& x, const char* where) noexcept {
  return ReadOnce<T>{x, sim::read(x.id(), where)};
}

// co_await WRITE_ONCE(x, v, where): a yield point, then the store; returns
// the value before.
template <class T>
struct WriteOnce {
  Shared<T>& x;
  T v;
  sim::PointAwaiter point;
  bool await_ready() const { return point.await_ready(); }
  void await_suspend(std::coroutine_handle<> h) { point.await_suspend(h); }
  T await_resume() { return x.set(v, point.a.where); }
};
template <class T, class V>
WriteOnce<T> WRITE_ONCE(Shared<T>& x, V v, const char* where) noexcept {
  return WriteOnce<T>{x, static_cast<T>(v), sim::write(x.id(), where)};
}

// The kernel's barriers.  Under sc each orders nothing that is not ordered
// already.  Under tso and lkmm (model/memory/store_buffers.h) smp_mb()
// drains the current CPU's store buffer; the kernel fields' store buffers
// are FIFO and their loads are made in order, so smp_wmb() and smp_rmb()
// order nothing more there (docs/memory-model.md: the kernel model's fields
// are x86-TSO under lkmm too).
inline void smp_mb() {
  if (tls_store_buffers) [[unlikely]]
    sb_fence("smp_mb");
}
inline void smp_wmb() noexcept {}
inline void smp_rmb() noexcept {}
// An atomic read-modify-write.  On x86 every one is a locked instruction
// and drains the store buffer as smp_mb() does (tso).  In LKMM only a
// value-returning one (test_and_set_bit(), xchg(), cmpxchg()) is a full
// barrier; set_bit() and clear_bit() order nothing (lkmm).
bool sb_plain_atomics_order() noexcept;  // model/memory/store_buffers.cpp
inline void atomic_rmw(const char* where, bool value_returning) {
  if (tls_store_buffers) [[unlikely]]
    if (value_returning || sb_plain_atomics_order()) sb_fence(where);
}

}  // namespace model
