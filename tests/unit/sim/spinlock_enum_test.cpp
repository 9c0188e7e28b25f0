// Mutual exclusion of sim::SpinLock under every schedule of small programs,
// found by brute-force enumeration (tests/support/sim_enumerate.h).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine.h"
#include "sim/schedule.h"
#include "support/sim_enumerate.h"

namespace {

using sim::Acc;
using sim::ObjId;

struct Shared {
  sim::SpinLock lock{ObjId{1}};
  int counter = 0;
  int inside = 0;      // threads between acquire and release right now
  int max_inside = 0;  // the most ever seen together, checked at every yield inside
};

void observe(Shared* s) {
  if (s->inside > s->max_inside) s->max_inside = s->inside;
}

// lock; read the counter; yield; write counter+1; unlock -- `iters` times.
// Without the lock the acquire is replaced by a plain yield point, so both
// variants have the same steps.
sim::Co<void> worker(Shared* s, int iters, bool use_lock) {
  for (int i = 0; i < iters; ++i) {
    if (use_lock)
      co_await s->lock.lock("worker_lock");
    else
      co_await sim::point(ObjId{}, Acc::Local, "worker_nolock");
    ++s->inside;
    observe(s);
    const int v = s->counter;
    co_await sim::write(ObjId{2}, "worker_write");
    observe(s);  // re-checked after the yield inside the critical section
    s->counter = v + 1;
    --s->inside;
    if (use_lock) s->lock.unlock();
  }
}

struct Outcome {
  simtest::EnumStats stats;
  std::size_t distinct = 0;
  int max_inside = 0;
  int min_counter = 1 << 30;
  int max_counter = 0;
  bool all_finished = true;
};

Outcome explore(int threads, int iters, bool use_lock) {
  sim::Engine engine;
  Shared shared;
  Outcome out;
  std::set<std::string> schedules;
  auto setup = [&](sim::Engine& e) {
    shared.counter = 0;
    shared.inside = 0;
    shared.max_inside = 0;
    for (int t = 0; t < threads; ++t) e.spawn(worker(&shared, iters, use_lock));
  };
  auto visit = [&](const sim::RunResult& r, std::span<const std::vector<sim::Tid>> sets) {
    // Every recorded choice point really had a choice to make.
    for (const auto& s : sets) EXPECT_GE(s.size(), 2u);
    out.all_finished &= r.end == sim::RunEnd::Finished;
    schedules.insert(sim::encode_schedule(r.choices));
    out.max_inside = std::max(out.max_inside, shared.max_inside);
    out.min_counter = std::min(out.min_counter, shared.counter);
    out.max_counter = std::max(out.max_counter, shared.counter);
  };
  out.stats = simtest::enumerate_schedules(engine, setup, visit);
  out.distinct = schedules.size();
  return out;
}

// An independent count of the interleavings of the program above: each
// thread makes 1 + 2*iters steps (spawn, then per iteration "acquire and run
// to the inner yield" and "write, release, run on"); an acquire step may run
// only while nobody holds the lock.
std::size_t reference_count(int threads, int iters, bool use_lock) {
  const int steps = 1 + 2 * iters;
  std::map<std::pair<std::vector<int>, int>, std::size_t> memo;
  auto rec = [&](auto& self, const std::vector<int>& pos, int holder) -> std::size_t {
    auto key = std::make_pair(pos, holder);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    std::size_t total = 0;
    bool done = true;
    for (int t = 0; t < threads; ++t) {
      const int p = pos[t];
      if (p == steps) continue;
      done = false;
      const bool acquire = p >= 1 && (p - 1) % 2 == 0;
      const bool release = p >= 2 && (p - 2) % 2 == 0;
      int h = holder;
      if (use_lock && acquire) {
        if (holder != -1) continue;
        h = t;
      }
      if (use_lock && release) h = -1;
      auto next = pos;
      ++next[t];
      total += self(self, next, h);
    }
    if (done) total = 1;
    memo.emplace(key, total);
    return total;
  };
  return rec(rec, std::vector<int>(threads, 0), -1);
}

TEST(SimSpinLockEnum, TwoThreadsOneIterationHasEightSchedules) {
  // By hand: thread a makes steps a1 (spawn) a2 (acquire) a3 (release), b
  // likewise.  The lock forbids b2 between a2 and a3 and a2 between b2 and
  // b3, so the critical sections [a2 a3] and [b2 b3] do not overlap.  With a
  // first, the chain a1<a2<a3<b2<b3 is fixed and b1 may go in any of the 4
  // gaps before b2: 4 schedules; with b first, 4 more.  Total 8 (of the
  // C(6,3) = 20 interleavings without a lock).
  const Outcome o = explore(2, 1, true);
  EXPECT_EQ(o.stats.runs, 8u);
  EXPECT_EQ(o.distinct, 8u);
  EXPECT_FALSE(o.stats.truncated);
  EXPECT_EQ(o.max_inside, 1);
  EXPECT_EQ(o.min_counter, 2);
  EXPECT_EQ(o.max_counter, 2);
  EXPECT_TRUE(o.all_finished);
  EXPECT_EQ(reference_count(2, 1, true), 8u);
}

TEST(SimSpinLockEnum, WithoutLockTwoThreadsHaveAllTwentyInterleavings) {
  const Outcome o = explore(2, 1, false);
  EXPECT_EQ(o.stats.runs, 20u);  // C(6,3)
  EXPECT_EQ(o.distinct, 20u);
}

TEST(SimSpinLockEnum, MutualExclusionInEverySchedule) {
  for (auto [threads, iters] : {std::pair{2, 2}, {2, 3}, {3, 1}, {3, 2}}) {
    SCOPED_TRACE("threads=" + std::to_string(threads) + " iters=" + std::to_string(iters));
    const Outcome o = explore(threads, iters, true);
    EXPECT_FALSE(o.stats.truncated);
    EXPECT_EQ(o.stats.runs, reference_count(threads, iters, true));
    EXPECT_EQ(o.distinct, o.stats.runs) << "the enumerator ran a schedule twice";
    EXPECT_EQ(o.max_inside, 1) << "two threads inside the critical section";
    EXPECT_EQ(o.min_counter, threads * iters) << "lost update";
    EXPECT_EQ(o.max_counter, threads * iters);
    EXPECT_TRUE(o.all_finished);
  }
  // The numbers the reference model gives, for the record.
  EXPECT_EQ(reference_count(3, 2, true), 3444u);
}

// Control: the same checks do catch a race when the lock is missing.
TEST(SimSpinLockEnum, WithoutLockTheChecksFail) {
  const Outcome o = explore(2, 2, false);
  EXPECT_EQ(o.stats.runs, reference_count(2, 2, false));
  EXPECT_EQ(o.stats.runs, 252u);  // C(10,5)
  EXPECT_EQ(o.max_inside, 2);
  EXPECT_LT(o.min_counter, 4);
  EXPECT_EQ(o.max_counter, 4);
}

}  // namespace
