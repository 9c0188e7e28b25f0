// The project's own generator (sim/rng.h).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "sim/rng.h"

namespace {

using sim::Rng;

TEST(SimRng, SplitMix64MatchesThePublishedSequence) {
  std::uint64_t x = 0;
  EXPECT_EQ(Rng::splitmix64(x), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(Rng::splitmix64(x), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(Rng::splitmix64(x), 0x06c45d188009454fULL);
}

TEST(SimRng, SeedMeansTheSameSequenceEverywhere) {
  // Values from an independent implementation (Python) of xoshiro256**
  // seeded through splitmix64: a seed must name the same run on every
  // machine and library.
  Rng r0(0);
  EXPECT_EQ(r0.next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(r0.next(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(r0.next(), 0x1a5f849d4933e6e0ULL);
  EXPECT_EQ(r0.next(), 0x6aa594f1262d2d2cULL);
  Rng r42(42);
  EXPECT_EQ(r42.next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(r42.next(), 0x6104d9866d113a7eULL);
  r42.reseed(0);
  EXPECT_EQ(r42.next(), 0x99ec5f36cb75f2b4ULL);
}

// Pearson's chi-square statistic of `draws` values of below(n).
double chi_square(std::uint64_t seed, std::uint64_t n, std::size_t draws) {
  Rng r(seed);
  std::vector<std::size_t> count(n);
  for (std::size_t i = 0; i < draws; ++i) {
    const std::uint64_t v = r.below(n);
    EXPECT_LT(v, n);
    ++count[v];
  }
  const double expected = static_cast<double>(draws) / static_cast<double>(n);
  double chi = 0;
  for (std::size_t c : count) chi += (c - expected) * (c - expected) / expected;
  return chi;
}

TEST(SimRng, BelowIsUniform) {
  // Critical values of chi-square at p = 0.001 (the seeds are fixed, so the
  // test is deterministic; the margin is for a reasonable generator).
  EXPECT_LT(chi_square(1, 2, 200'000), 10.83);      // 1 degree of freedom
  EXPECT_LT(chi_square(2, 3, 300'000), 13.82);      // 2
  EXPECT_LT(chi_square(3, 6, 600'000), 20.52);      // 5
  EXPECT_LT(chi_square(4, 7, 700'000), 22.46);      // 6
  EXPECT_LT(chi_square(5, 100, 1'000'000), 148.2);  // 99
}

TEST(SimRng, BelowHasNoModuloBiasForLargeBounds) {
  // n = 3 * 2^62: "next() % n" would give [0, 2^62) probability 1/2 instead
  // of 1/3.
  const std::uint64_t n = 3ULL << 62;
  Rng r(6);
  std::size_t low = 0;
  const std::size_t draws = 300'000;
  for (std::size_t i = 0; i < draws; ++i) {
    const std::uint64_t v = r.below(n);
    ASSERT_LT(v, n);
    low += v < (1ULL << 62);
  }
  const double frac = static_cast<double>(low) / draws;
  EXPECT_NEAR(frac, 1.0 / 3.0, 0.005);  // sd is about 0.0009
}

TEST(SimRng, BelowOneIsZero) {
  Rng r(8);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(r.below(1), 0u);
}

TEST(SimRng, BetweenIsInclusive) {
  Rng r(9);
  std::array<std::size_t, 3> seen{};
  for (int i = 0; i < 30'000; ++i) {
    const std::uint64_t v = r.between(3, 5);
    ASSERT_GE(v, 3u);
    ASSERT_LE(v, 5u);
    ++seen[v - 3];
  }
  for (std::size_t c : seen) EXPECT_NEAR(static_cast<double>(c), 10'000.0, 500.0);
  EXPECT_EQ(r.between(7, 7), 7u);
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(r.between(max, max), max);
  for (int i = 0; i < 100; ++i) EXPECT_GE(r.between(max - 1, max), max - 1);
}

TEST(SimRng, BetweenTheWholeRangeIsNotStuck) {
  // hi - lo + 1 wraps to 0 for the whole 64-bit range.
  Rng r(10);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 100; ++i) seen.insert(r.between(0, std::numeric_limits<std::uint64_t>::max()));
  EXPECT_GT(seen.size(), 95u);
  std::size_t high = 0;
  for (int i = 0; i < 10'000; ++i) high += r.between(0, std::numeric_limits<std::uint64_t>::max()) >> 63;
  EXPECT_NEAR(static_cast<double>(high), 5000.0, 300.0);
}

}  // namespace
