// sim/co.h: the coroutine type every simulated kernel path is written in.
//
// A `sim::Co<T>` is a lazily started coroutine that returns a T to the
// coroutine awaiting it (symmetric transfer, so a chain of nested kernel
// functions costs one resume, not one per level).  A virtual thread is a
// root `Co<void>`; when a coroutine anywhere in its call chain suspends at a
// yield point, the engine keeps the innermost handle and resumes it when the
// scheduler picks that thread again.
//
// Every frame also knows where it stands, for an exact state hash (issue 11,
// "exact state identity"): the site of its last co_await (file and line,
// recorded by the promise's await_transform), the frame it awaits (so a
// thread's frames can be walked from its root down), a digest of its
// parameters, taken when it is created while frame tracking is on
// (FrameTracking: stateful exploration), and the locals it registers with
// sim::Keep because it keeps them across a yield.  Engine::position()
// folds them into one hash per thread.  Parameters are digested by value
// through frame_digest(), found by argument-dependent lookup for class
// types: a coroutine whose parameter type has none does not compile.
//
// Frames come from a size-class free list (FramePool), because a kernel path
// calls a handful of small coroutines per step and the global allocator would
// dominate the cost of a step.  Sanitizer builds define UTSIM_NO_FRAME_POOL so
// that ASan sees every frame.
#pragma once

#include <concepts>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "sim/hash.h"

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
class Keep;

// ---- frame identity ------------------------------------------------------------

// Whether new frames digest their parameters (one flag per OS thread, like
// the engine).  Set for the whole of a stateful exploration (FrameTracking),
// so that every run of it digests alike; off, a frame's parameters count as
// nothing and creating one costs a test of this flag.
inline constinit thread_local bool tls_track_frames = false;

class FrameTracking {
 public:
  explicit FrameTracking(bool on) noexcept : old_(std::exchange(tls_track_frames, on)) {}
  ~FrameTracking() { tls_track_frames = old_; }
  FrameTracking(const FrameTracking&) = delete;
  FrameTracking& operator=(const FrameTracking&) = delete;

 private:
  bool old_;
};

namespace detail {
template <class>
inline constexpr bool kNoDigest = false;
}  // namespace detail

template <class T>
concept HasFrameDigest = requires(const T& v) {
  { frame_digest(v) } -> std::convertible_to<std::uint64_t>;
};

// The digest of one value kept in a frame: arithmetic and enumerations by
// value, strings by their text, a class by its frame_digest() (its value,
// or its identity for an object of the model such as a task: never its
// address), a pointer by what it points to when that has a frame_digest()
// and otherwise by whether it is null, an optional or a container by its
// contents, a function object as nothing.
template <class T>
std::uint64_t digest_of(const T& v) noexcept {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_arithmetic_v<U> || std::is_enum_v<U>) {
    return static_cast<std::uint64_t>(v);
  } else if constexpr (std::is_same_v<U, const char*> || std::is_same_v<U, char*>) {
    return v ? hash_bytes(kHashSeed, v) : 0;
  } else if constexpr (std::is_pointer_v<U>) {
    using P = std::remove_cv_t<std::remove_pointer_t<U>>;
    if constexpr (HasFrameDigest<P>)
      return v ? hash_mix(1, frame_digest(*v)) : 0;
    else
      return v != nullptr;
  } else if constexpr (HasFrameDigest<U>) {
    return frame_digest(v);
  } else if constexpr (requires {
                         v.has_value();
                         *v;
                       }) {  // std::optional
    return v.has_value() ? hash_mix(1, digest_of(*v)) : 0;
  } else if constexpr (requires {
                         v.begin();
                         v.end();
                         v.size();
                       }) {  // a container: its elements
    std::uint64_t h = v.size();
    for (const auto& x : v) h = hash_mix(h, digest_of(x));
    return h;
  } else if constexpr (requires { &U::operator(); }) {
    // A function object (a lambda a kernel function passes down to fill a
    // callback's arguments): what it captured, its creator's frame holds.
    return 0;
  } else {
    static_assert(detail::kNoDigest<U>,
                  "a coroutine parameter or sim::Keep local of this type needs a frame_digest() overload "
                  "(sim/co.h, frame identity)");
    return 0;
  }
}

template <class... A>
std::uint64_t digest_all(const A&... a) noexcept {
  std::uint64_t h = sizeof...(A);
  ((h = hash_mix(h, digest_of(a))), ...);
  return h;
}

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();
  std::exception_ptr error;
  // Frame identity (see the top of this file).
  PromiseBase* parent = nullptr;  // the frame awaiting this one
  PromiseBase* child = nullptr;   // the frame this one awaits, while it does
  const char* site_file = nullptr;
  std::uint32_t site_line = 0;  // of the last co_await (0: not started)
  std::uint64_t args = 0;       // digest of the parameters (0 unless tracking)
  Keep* kept = nullptr;         // the innermost sim::Keep of this frame

  PromiseBase() noexcept = default;
  explicit PromiseBase(std::uint64_t a) noexcept : args(a) {}

  static void* operator new(std::size_t n) { return FramePool::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FramePool::deallocate(p, n); }

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      PromiseBase& p = h.promise();
      if (p.parent) p.parent->child = nullptr;
      return p.continuation;
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  void unhandled_exception() noexcept { error = std::current_exception(); }

  // Every co_await in a sim::Co records where it is (file and line of the
  // co_await expression, from the default arguments' builtins, which GCC
  // and Clang evaluate at the expression).
  template <class A>
  A&& await_transform(A&& a, const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) noexcept {
    site_file = file;
    site_line = line;
    return std::forward<A>(a);
  }
  // co_await sim::this_frame: the promise of the coroutine itself (for
  // sim::Keep); no yield, no site.
  struct ThisFrame {
    PromiseBase* p;
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    PromiseBase& await_resume() const noexcept { return *p; }
  };
  struct ThisFrameTag {};
  ThisFrame await_transform(const ThisFrameTag&) noexcept { return {this}; }

  // The digest of this frame's position: site, parameters, kept locals.
  std::uint64_t position() const noexcept;
};

template <class... A>
std::uint64_t args_digest(const A&... a) noexcept {
  return tls_track_frames ? digest_all(a...) : 0;
}

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Promise() noexcept = default;
  template <class... A>
  explicit Promise(const A&... a) noexcept : PromiseBase(args_digest(a...)) {}
  Co<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct Promise<void> : PromiseBase {
  Promise() noexcept = default;
  template <class... A>
  explicit Promise(const A&... a) noexcept : PromiseBase(args_digest(a...)) {}
  Co<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

// co_await sim::this_frame, inside a sim::Co: the frame's promise.
inline constexpr detail::PromiseBase::ThisFrameTag this_frame{};

// sim::Keep keep(co_await sim::this_frame, a, b): the locals a and b (up to
// four) are part of this frame's position while `keep` lives: a coroutine
// declares so each local it keeps across a yield that the rest of the
// state does not determine.  Read when the position is taken, so later
// assignments count.  Keeps of one frame nest (they are locals).
class Keep {
 public:
  template <class... T>
  requires(sizeof...(T) >= 1 && sizeof...(T) <= 4) explicit Keep(detail::PromiseBase& f, const T&... v) noexcept
      : frame_(&f), next_(f.kept), ptrs_{static_cast<const void*>(&v)...}, digest_(&digest<T...>) {
    f.kept = this;
  }
  ~Keep() { frame_->kept = next_; }
  Keep(const Keep&) = delete;
  Keep& operator=(const Keep&) = delete;

  std::uint64_t value() const noexcept { return digest_(ptrs_); }
  const Keep* next() const noexcept { return next_; }

 private:
  template <class... T, std::size_t... I>
  static std::uint64_t digest_at(const void* const* p, std::index_sequence<I...>) noexcept {
    return digest_all(*static_cast<const T*>(p[I])...);
  }
  template <class... T>
  static std::uint64_t digest(const void* const* p) noexcept {
    return digest_at<T...>(p, std::index_sequence_for<T...>{});
  }

  detail::PromiseBase* frame_;
  Keep* next_;
  const void* ptrs_[4];
  std::uint64_t (*digest_)(const void* const*) noexcept;
};

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
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> cont) noexcept {
    auto& p = h_.promise();
    p.continuation = cont;
    if constexpr (std::is_base_of_v<detail::PromiseBase, P>) {
      p.parent = &cont.promise();
      cont.promise().child = &p;
    }
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
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> cont) noexcept {
    return co_.await_suspend(cont);
  }
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

inline std::uint64_t PromiseBase::position() const noexcept {
  std::uint64_t h = hash_mix(site_line, args);
  if (site_file) {
    // The file's last two path components (stable across checkouts), by
    // their text: "utrace/engine.cpp".
    const char* tail = site_file;
    const char* last = nullptr;
    for (const char* c = site_file; *c; ++c)
      if (*c == '/') {
        tail = last ? last + 1 : tail;
        last = c;
      }
    h = hash_mix(h, hash_bytes(kHashSeed, tail));
  }
  for (const Keep* k = kept; k; k = k->next()) h = hash_mix(h, k->value());
  return h;
}
}  // namespace detail

}  // namespace sim
