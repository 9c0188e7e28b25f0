// The random scheduler (sim/sched/random.h): a seed names a schedule, and
// its choices are uniform among the enabled threads.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>

#include "sim/engine.h"
#include "sim/sched/random.h"
#include "sim/schedule.h"

namespace {

sim::Co<void> pts(int n) {
  for (int i = 0; i < n; ++i) co_await sim::point(sim::ObjId{}, sim::Acc::Local, "p");
}

sim::RunResult run3(sim::Scheduler& s) {
  sim::Engine e;
  e.set_hashing(true);
  for (int t = 0; t < 3; ++t) e.spawn(pts(6));
  return e.run(s);
}

TEST(SimRandomScheduler, SameSeedSameSchedule) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    sim::RandomScheduler a(seed), b(seed);
    const sim::RunResult ra = run3(a), rb = run3(b), ra2 = run3(a);  // a reused: reseeded
    EXPECT_EQ(ra.choices, rb.choices);
    EXPECT_EQ(ra.choices, ra2.choices);
    EXPECT_EQ(ra.hash, rb.hash);
  }
}

TEST(SimRandomScheduler, DifferentSeedsExploreDifferentSchedules) {
  std::set<std::string> seen;
  sim::RandomScheduler s;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    s.set_seed(seed);
    EXPECT_EQ(s.seed(), seed);
    seen.insert(sim::encode_schedule(run3(s).choices));
  }
  // 3 threads of 7 steps: 21!/(7!)^3 = 399,072,960 interleavings; 500 seeds
  // should practically never repeat one.
  EXPECT_GE(seen.size(), 495u);
}

TEST(SimRandomScheduler, ChoicesAreUniformAmongEnabled) {
  std::array<std::size_t, 3> first{};
  for (std::uint64_t seed = 0; seed < 3000; ++seed) {
    sim::RandomScheduler s(seed);
    ++first[run3(s).choices.at(0)];
  }
  double chi = 0;
  for (std::size_t c : first) chi += (c - 1000.0) * (c - 1000.0) / 1000.0;
  EXPECT_LT(chi, 13.82);  // 2 degrees of freedom, p = 0.001
}

}  // namespace
