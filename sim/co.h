// sim/co.h: the coroutine type every simulated kernel path is written in.
//
// A `sim::Co<T>` is a lazily started coroutine that returns a T to the
// coroutine awaiting it (symmetric transfer, so a chain of nested kernel
// functions costs one resume, not one per level).  A virtual thread is a
// root `Co<void>`; when a coroutine anywhere in its call chain suspends at a
// yield point, the engine keeps the innermost handle and resumes it when the
// scheduler picks that thread again.
//
// Frames come from a size-class free list (FramePool), because a kernel path
// calls a handful of small coroutines per step and the global allocator would
// dominate the cost of a step.  Sanitizer builds define UTSIM_NO_FRAME_POOL so
// that ASan sees every frame.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <utility>

namespace sim {

// Size-class free lists for coroutine frames, one set per OS thread.  The
// common case (a frame of a size freed before) is inline: a pop or a push on
// a constinit thread_local list, so no TLS guard and no call.  Frames are
// rounded up to 64-byte classes up to 4 KiB; larger frames (there should be
// none in the model) go to the global allocator.  Freed frames are never
// returned: a run reuses the frames of the previous one, and they are freed
// when the OS thread ends.
class FramePool {
 public:
  static constexpr std::size_t kGrain = 64;
  static constexpr std::size_t kClasses = 64;
  struct FreeNode {
    FreeNode* next;
  };

  static void* allocate(std::size_t n) {
#ifndef UTSIM_NO_FRAME_POOL
    const std::size_t c = (n + kGrain - 1) / kGrain;
    if (c < kClasses) {
      if (FreeNode* f = heads_[c]) {
        heads_[c] = f->next;
        return f;
      }
    }
#endif
    return allocate_new(n);
  }
  static void deallocate(void* p, std::size_t n) noexcept {
#ifndef UTSIM_NO_FRAME_POOL
    const std::size_t c = (n + kGrain - 1) / kGrain;
    if (c < kClasses) {
      auto* f = static_cast<FreeNode*>(p);
      f->next = heads_[c];
      heads_[c] = f;
      return;
    }
#endif
    ::operator delete(p);
  }

 private:
  // The first frame of a size class (and every frame too large for one).
  static void* allocate_new(std::size_t n);
  static constinit thread_local FreeNode* heads_[kClasses];
};

template <class T>
class Co;

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();
  std::exception_ptr error;

  static void* operator new(std::size_t n) { return FramePool::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FramePool::deallocate(p, n); }

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      return h.promise().continuation;
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Co<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct Promise<void> : PromiseBase {
  Co<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] Co {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Co() = default;
  explicit Co(Handle h) noexcept : h_(h) {}
  Co(Co&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Co& operator=(Co&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Co(const Co&) = delete;
  Co& operator=(const Co&) = delete;
  ~Co() { reset(); }

  void reset() noexcept {
    if (h_) {
      h_.destroy();
      h_ = {};
    }
  }

  // Awaiting a Co starts it; it transfers back here when it finishes.
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> cont) noexcept {
    h_.promise().continuation = cont;
    return h_;
  }
  T await_resume() {
    auto& p = h_.promise();
    if (p.error) std::rethrow_exception(p.error);
    if constexpr (!std::is_void_v<T>) return std::move(*p.value);
  }

  // For the engine, which drives root coroutines directly.
  Handle handle() const noexcept { return h_; }
  explicit operator bool() const noexcept { return static_cast<bool>(h_); }

 private:
  Handle h_{};
};

// co_await Then<T, F>(co, f): awaits `co`, then returns f(its result), in
// the step in which `co` returned.  For a call that only adds work after the
// coroutine it wraps (the trace of a utrace API call's return), without a
// coroutine frame of its own.
template <class T, class F>
class [[nodiscard]] Then {
 public:
  Then(Co<T> co, F f) noexcept : co_(std::move(co)), f_(std::move(f)) {}
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> cont) noexcept { return co_.await_suspend(cont); }
  decltype(auto) await_resume() { return f_(co_.await_resume()); }

 private:
  Co<T> co_;
  F f_;
};

namespace detail {
template <class T>
Co<T> Promise<T>::get_return_object() noexcept {
  return Co<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Co<void> Promise<void>::get_return_object() noexcept {
  return Co<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace sim
