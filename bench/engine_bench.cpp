// bench/engine_bench.cpp: throughput of the engine alone (no model).
//
//   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-rel --target utsim_bench && ./build-rel/bench/utsim_bench
//
// Goals (DESIGN.md, "Fast"): >= 20 M steps/s and >= 100 k schedules/s on
// one core for a 3-thread workload of ~200 yield points per schedule; the
// bare cost of a coroutine switch with a PRNG choice is the ~4 ns/step
// reference.
#include <benchmark/benchmark.h>

#include <coroutine>
#include <cstdint>

#include "sim/engine.h"
#include "sim/rng.h"
#include "sim/sched/random.h"

namespace {

using sim::Acc;
using sim::ObjId;

// ---- the synthetic workload -----------------------------------------------------

struct Shared {
  sim::SpinLock lock{ObjId{1}};
  std::uint64_t counter = 0;
};

// 1 start step + 13 iterations of 5 yield points = 66 steps per thread, so
// 198 steps per schedule with 3 threads.
constexpr int kIterations = 13;
constexpr int kThreads = 3;

sim::Co<void> worker(Shared* s) {
  for (int i = 0; i < kIterations; ++i) {
    co_await s->lock.lock("worker_lock");
    co_await sim::read(ObjId{2}, "worker_read");
    const std::uint64_t v = s->counter;
    co_await sim::write(ObjId{2}, "worker_write");
    s->counter = v + 1;
    s->lock.unlock();
    co_await sim::point(ObjId{}, Acc::Local, "worker_local");
    co_await sim::read(ObjId{3}, "worker_flag");
  }
}

// Whole schedules: reset, spawn the three threads, run with a random seed.
void BM_Schedules(benchmark::State& state) {
  const bool hashing = state.range(0) != 0;
  sim::Engine engine;
  engine.set_hashing(hashing);
  sim::RandomScheduler sched;
  Shared shared;
  std::uint64_t seed = 0, steps = 0, choices = 0;
  for (auto _ : state) {
    engine.reset();
    shared.counter = 0;
    for (int t = 0; t < kThreads; ++t) engine.spawn(worker(&shared));
    sched.set_seed(seed++);
    const sim::RunResult r = engine.run(sched);
    steps += r.steps;
    choices += r.choices.size();
    benchmark::DoNotOptimize(r.hash);
  }
  if (shared.counter != kThreads * kIterations) state.SkipWithError("lost update: the lock is broken");
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["schedules/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["ns/step"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["steps/sched"] = static_cast<double>(steps) / static_cast<double>(state.iterations());
  state.counters["choices/sched"] = static_cast<double>(choices) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Schedules)->Arg(0)->Arg(1)->ArgName("hashing");

// ---- the bare switch ------------------------------------------------------------

sim::Co<void> yield_forever() {
  for (;;) co_await sim::point(ObjId{}, Acc::Local, "yield");
}

// One run of many steps: N threads yielding in a loop until the step limit.
// With one thread there is no choice; with two, a random choice per step.
void BM_BareSwitch(benchmark::State& state) {
  const auto threads = static_cast<int>(state.range(0));
  constexpr std::uint64_t kSteps = 1'000'000;
  sim::Engine engine(sim::Limits{.max_steps = kSteps});
  sim::RandomScheduler sched(1);
  std::uint64_t steps = 0;
  for (auto _ : state) {
    engine.reset();
    for (int t = 0; t < threads; ++t) engine.spawn(yield_forever());
    const sim::RunResult r = engine.run(sched);
    steps += r.steps;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["ns/step"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_BareSwitch)->Arg(1)->Arg(2)->Arg(3)->ArgName("threads")->Unit(benchmark::kMillisecond);

// The floor without the engine: resume one of two suspended coroutines,
// picked by the same generator, and let it suspend again.
struct Bare {
  struct promise_type {
    Bare get_return_object() { return Bare{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> h;
};
Bare bare_loop(std::uint64_t* counter) {
  for (;;) {
    ++*counter;
    co_await std::suspend_always{};
  }
}

void BM_RawCoroutineSwitch(benchmark::State& state) {
  std::uint64_t counter = 0;
  Bare a = bare_loop(&counter), b = bare_loop(&counter);
  std::coroutine_handle<> hs[2] = {a.h, b.h};
  sim::Rng rng(1);
  for (auto _ : state) hs[rng.below(2)].resume();
  benchmark::DoNotOptimize(counter);
  a.h.destroy();
  b.h.destroy();
  state.counters["ns/step"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_RawCoroutineSwitch);

}  // namespace
