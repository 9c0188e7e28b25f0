// PCT (Burckhardt et al., ASPLOS 2010): the probabilistic guarantee on a toy
// bug of depth 2, reproducibility, and depth 1 = no preemption.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/sched/pct.h"
#include "support/sim_fixture.h"

namespace {

using namespace simtest;

// The ordering bug: thread A sets x = 1 and later clears it; thread B reads
// x once.  B sees 1 only if B's read runs after A's set and before A's clear:
// two ordering constraints, a bug of depth 2.
struct Toy {
  int x = 0;
  bool bug = false;
};

sim::Co<void> thread_a(Toy* t, int before, int after) {
  for (int i = 0; i < before; ++i) co_await sim::point(ObjId{}, Acc::Local, "a_before");
  co_await sim::write(ObjId{1}, "a_set");
  t->x = 1;
  co_await sim::write(ObjId{1}, "a_clear");
  t->x = 0;
  for (int i = 0; i < after; ++i) co_await sim::point(ObjId{}, Acc::Local, "a_after");
}

sim::Co<void> thread_b(Toy* t) {
  co_await sim::read(ObjId{1}, "b_read");
  if (t->x == 1) t->bug = true;
}

struct Shape {
  int a_before = 0, a_after = 0, noise_threads = 0, noise_steps = 0;
};

struct ToyRun {
  sim::RunResult r;
  bool bug;
};

ToyRun run_toy(const Shape& sh, sim::Scheduler& s) {
  SimFixture f;
  f.hashing();
  Toy toy;
  f.spawn(thread_a(&toy, sh.a_before, sh.a_after));
  f.spawn(thread_b(&toy));
  for (int i = 0; i < sh.noise_threads; ++i) f.spawn(points(sh.noise_steps));
  ToyRun out{f.run(s), false};
  out.bug = toy.bug;
  EXPECT_EQ(out.r.end, RunEnd::Finished);
  return out;
}

struct Rate {
  unsigned n = 0;
  std::uint64_t k = 0;
  double bound = 0, rate = 0;
};

Rate pct_rate(const Shape& sh, unsigned depth, std::uint64_t runs) {
  Rate out;
  out.n = 2 + sh.noise_threads;
  // k: the number of steps of the program, from an actual run (every run of
  // this program has the same length; checked below).
  sim::PctScheduler probe(0, 1, 1);
  out.k = run_toy(sh, probe).r.steps;
  out.bound = 1.0 / (out.n * static_cast<double>(out.k));
  std::uint64_t hits = 0;
  sim::PctScheduler pct(0, depth, out.k);
  for (std::uint64_t seed = 0; seed < runs; ++seed) {
    pct.set_seed(seed);
    const ToyRun tr = run_toy(sh, pct);
    EXPECT_EQ(tr.r.steps, out.k);
    hits += tr.bug;
  }
  out.rate = static_cast<double>(hits) / static_cast<double>(runs);
  return out;
}

void report(const char* name, const Rate& r) {
  std::printf("[ PCT      ] %s: n=%u k=%llu bound 1/(n*k)=%.4f measured %.4f\n", name, r.n,
              static_cast<unsigned long long>(r.k), r.bound, r.rate);
  ::testing::Test::RecordProperty(std::string(name) + "_rate", std::to_string(r.rate));
}

TEST(SimPct, FindsADepth2BugAtLeastAsOftenAsTheBound) {
  constexpr std::uint64_t kRuns = 20'000;
  {
    // Minimal: A = 3 steps, B = 2 steps.  Exactly: A must start with the
    // higher priority (1/2) and the change point must fall on A's set step
    // (1/5), so the rate is 1/10 = the bound; a 5-sigma band around it.
    const Rate r = pct_rate(Shape{}, 2, kRuns);
    report("minimal", r);
    EXPECT_EQ(r.n, 2u);
    EXPECT_EQ(r.k, 5u);
    EXPECT_GE(r.rate, 0.8 * r.bound);
    EXPECT_NEAR(r.rate, 0.1, 5 * 0.0022);
  }
  {
    // With more steps around the bug and two threads of noise.
    const Rate r = pct_rate(Shape{2, 3, 2, 4}, 2, kRuns);
    report("noisy", r);
    EXPECT_EQ(r.n, 4u);
    EXPECT_GE(r.rate, 0.8 * r.bound);
  }
}

TEST(SimPct, Depth1NeverFindsTheDepth2Bug) {
  const Rate r = pct_rate(Shape{1, 1, 1, 3}, 1, 2000);
  EXPECT_EQ(r.rate, 0.0);
}

TEST(SimPct, SameSeedIsReproducible) {
  const Shape sh{2, 2, 2, 5};
  std::set<std::string> seen;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    sim::PctScheduler a(seed, 3, 20), b(seed, 3, 20);
    const ToyRun ra = run_toy(sh, a), rb = run_toy(sh, b), ra2 = run_toy(sh, a);
    EXPECT_EQ(ra.r.choices, rb.r.choices);
    EXPECT_EQ(ra.r.choices, ra2.r.choices);  // begin_run() restarts from the seed
    EXPECT_EQ(ra.r.hash, rb.r.hash);
    EXPECT_EQ(ra.bug, rb.bug);
    seen.insert(sim::encode_schedule(ra.r.choices));
  }
  EXPECT_GT(seen.size(), 20u);  // and different seeds do differ
}

// Three threads that never block: with depth 1 there are no change points,
// so the highest-priority thread runs to its end, then the next.
TEST(SimPct, Depth1RunsThreadsInPriorityOrderWithoutPreemption) {
  std::map<std::string, int> orders;
  for (std::uint64_t seed = 0; seed < 600; ++seed) {
    SimFixture f;
    for (int i = 0; i < 3; ++i) f.spawn(points(3));
    const std::vector<sim::StepRec>& steps = f.record().steps();
    sim::PctScheduler pct(seed, 1, 12);
    const sim::RunResult r = f.run(pct);
    ASSERT_EQ(r.end, RunEnd::Finished);
    EXPECT_EQ(r.preemptions, 0u);
    ASSERT_EQ(steps.size(), 12u);
    std::string order;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (i % 4 == 0) order += static_cast<char>('a' + steps[i].tid);
      EXPECT_EQ(steps[i].tid, steps[i - i % 4].tid) << "thread switch inside a block, seed " << seed;
    }
    ++orders[order];
  }
  // Every priority order shows up, about equally often (100 each).
  EXPECT_EQ(orders.size(), 6u);
  for (const auto& [order, count] : orders) {
    EXPECT_GT(count, 50) << order;
    EXPECT_LT(count, 150) << order;
  }
}

TEST(SimPct, PreemptionsAreAtMostDepthMinusOne) {
  for (unsigned depth : {2u, 3u, 4u}) {
    unsigned most = 0;
    for (std::uint64_t seed = 0; seed < 500; ++seed) {
      SimFixture f;
      for (int i = 0; i < 3; ++i) f.spawn(points(4));
      sim::PctScheduler pct(seed, depth, 15);
      const sim::RunResult r = f.run(pct);
      EXPECT_LE(r.preemptions, depth - 1) << "seed " << seed;
      most = std::max(most, r.preemptions);
    }
    EXPECT_EQ(most, depth - 1) << "depth " << depth;
  }
}

sim::Co<void> forker(int kids) {
  for (int i = 0; i < kids; ++i) {
    co_await sim::point(ObjId{}, Acc::Local, "fork");
    Engine::current().spawn(points(2));
  }
}

TEST(SimPct, ThreadsCreatedDuringTheRunAreScheduled) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    SimFixture f;
    f.spawn(forker(3));
    f.spawn(points(3));
    sim::PctScheduler pct(seed, 3, 20);
    const sim::RunResult r = f.run(pct);
    EXPECT_EQ(r.end, RunEnd::Finished);
    EXPECT_EQ(f.engine().thread_count(), 5u);
    EXPECT_EQ(r.steps, 4u + 4u + 3u * 3u);
  }
}

}  // namespace
