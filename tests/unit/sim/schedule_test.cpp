// Schedule strings: exact encodings and decoding errors with their offsets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/schedule.h"

namespace {

using sim::Tid;
using ::testing::HasSubstr;

std::vector<Tid> rep(Tid t, std::size_t n) { return std::vector<Tid>(n, t); }
std::vector<Tid> cat(std::initializer_list<std::vector<Tid>> parts) {
  std::vector<Tid> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(SimSchedule, EncodingExamples) {
  EXPECT_EQ(sim::encode_schedule({}), "");
  EXPECT_EQ(sim::encode_schedule(std::vector<Tid>{0}), "a");
  EXPECT_EQ(sim::encode_schedule(std::vector<Tid>{0, 0}), "aa");  // as short as "a2"
  EXPECT_EQ(sim::encode_schedule(rep(0, 3)), "a3");
  EXPECT_EQ(sim::encode_schedule(std::vector<Tid>{0, 1, 0}), "aba");
  EXPECT_EQ(sim::encode_schedule(std::vector<Tid>{25, 26, 51, 52}), "zAZ{52}");
  EXPECT_EQ(sim::encode_schedule(rep(1, 10)), "b10");
  EXPECT_EQ(sim::encode_schedule(rep(100, 3)), "{100}3");
  EXPECT_EQ(sim::encode_schedule(cat({rep(0, 3), rep(1, 12), rep(60, 3), {2}})), "a3b12{60}3c");
  // A run of two is written as two symbols, even for {n}.
  EXPECT_EQ(sim::encode_schedule(cat({rep(0, 3), rep(1, 12), rep(60, 2), {2}})), "a3b12{60}{60}c");
  EXPECT_EQ(sim::encode_schedule(rep(4294967294u, 1)), "{4294967294}");
}

TEST(SimSchedule, DecodingExamples) {
  EXPECT_EQ(*sim::decode_schedule(""), std::vector<Tid>{});
  EXPECT_EQ(*sim::decode_schedule("a3b12{60}2c"), cat({rep(0, 3), rep(1, 12), rep(60, 2), {2}}));
  EXPECT_EQ(*sim::decode_schedule("zAZ{52}"), (std::vector<Tid>{25, 26, 51, 52}));
  EXPECT_EQ(*sim::decode_schedule("{0}{1}2"), (std::vector<Tid>{0, 1, 1}));
  EXPECT_EQ(*sim::decode_schedule("a1"), (std::vector<Tid>{0}));
  EXPECT_EQ(*sim::decode_schedule("{4294967294}"), (std::vector<Tid>{4294967294u}));
  EXPECT_EQ(*sim::decode_schedule("a10", nullptr, 10), rep(0, 10));  // exactly max_len
}

struct Bad {
  const char* text;
  std::size_t offset;
  const char* message_part;
  std::size_t max_len = 10'000'000;
};

TEST(SimSchedule, DecodingErrorsSayWhereAndWhat) {
  const Bad cases[] = {
      {"3a", 0, "repeat count must follow a thread symbol"},
      {"ab7c#", 4, "unexpected character '#'"},
      {"#", 0, "unexpected character '#'"},
      {" a", 0, "unexpected character ' '"},
      {"{", 0, "'{' without a closing '}'"},
      {"ab{12", 2, "'{' without a closing '}'"},
      {"{x}", 0, "expected a thread number"},
      {"{}", 0, "expected a thread number"},
      {"{-1}", 0, "expected a thread number"},
      {"{+1}", 0, "expected a thread number"},
      {"{ 1}", 0, "expected a thread number"},
      {"{1x}", 0, "expected a thread number"},
      {"b{4294967295}", 1, "thread number too large"},  // kNoTid is not a thread
      {"{99999999999999999999999}", 0, "expected a thread number"},
      {"a0", 1, "bad repeat count"},
      {"ba00", 2, "bad repeat count"},
      {"a99999999999999999999999", 1, "bad repeat count"},  // does not fit 64 bits
      {"a999999999", 0, "schedule longer than 10000000 choices"},
      {"a11", 0, "schedule longer than 10 choices", 10},
      {"a5b6", 2, "schedule longer than 10 choices", 10},
      {"abcdefghijk", 10, "schedule longer than 10 choices", 10},
      {"{70}18446744073709551615", 0, "schedule longer than", 10},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.text);
    sim::ScheduleError err{999, "unset"};
    EXPECT_FALSE(sim::decode_schedule(c.text, &err, c.max_len).has_value());
    EXPECT_EQ(err.offset, c.offset);
    EXPECT_THAT(err.message, HasSubstr(c.message_part));
    // Without an error sink it fails the same way.
    EXPECT_FALSE(sim::decode_schedule(c.text, nullptr, c.max_len).has_value());
  }
}

TEST(SimSchedule, CountSwitches) {
  EXPECT_EQ(sim::count_switches(std::vector<Tid>{}), 0u);
  EXPECT_EQ(sim::count_switches(std::vector<Tid>{3}), 0u);
  EXPECT_EQ(sim::count_switches(*sim::decode_schedule("a3b12{60}2c")), 3u);
  EXPECT_EQ(sim::count_switches(*sim::decode_schedule("abab")), 3u);
}

}  // namespace
