// The random scheduler (sim/sched/random.h): a seed names a schedule, and
// its choices are uniform among the enabled threads.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>

#include "support/sim_fixture.h"

namespace {

using namespace simtest;

sim::RunResult run3(sim::Scheduler& s) {
  SimFixture f;
  f.hashing();
  for (int t = 0; t < 3; ++t) f.spawn(points(6));
  return f.run(s);
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
