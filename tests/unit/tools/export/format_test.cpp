// tests/unit/tools/export/format_test.cpp: the text helpers
// (tools/export/format.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/schedule.h"
#include "tools/export/format.h"

namespace fs = std::filesystem;

TEST(CliFormat, ShellQuote) {
  EXPECT_EQ(tools::shell_quote("scenarios/r2-detach.json"), "scenarios/r2-detach.json");
  EXPECT_EQ(tools::shell_quote("my file.json"), "'my file.json'");
  EXPECT_EQ(tools::shell_quote("it's.json"), "'it'\\''s.json'");
  EXPECT_EQ(tools::shell_quote(""), "''");
  EXPECT_EQ(tools::shell_quote("$HOME"), "'$HOME'");
}

TEST(CliFormat, ReplayCommand) {
  EXPECT_EQ(tools::replay_command("a b.json", "a3b"), "utsim replay 'a b.json' --schedule 'a3b'");
  EXPECT_EQ(tools::replay_command("x.json", ""), "utsim replay x.json --schedule ''");
  EXPECT_EQ(tools::replay_command("x.json", "ab", "--kernel 2009-rfc --bug R2"),
            "utsim replay x.json --kernel 2009-rfc --bug R2 --schedule 'ab'");
}

TEST(CliFormat, ScheduleStopsAtTheLastSignificantChoice) {
  const std::vector<sim::Tid> choices{0, 0, 1, 1, 1};
  EXPECT_EQ(sim::decode_schedule(tools::schedule_of(choices, 3)), std::vector<sim::Tid>({0, 0, 1}));
  EXPECT_EQ(tools::schedule_of(choices, 0), "");
  EXPECT_EQ(sim::decode_schedule(tools::schedule_of(choices, 99)), choices);
}

TEST(CliFormat, WriteFileAtomic) {
  const fs::path p = fs::temp_directory_path() / ("utsim-atomic-" + std::to_string(::getpid()));
  EXPECT_EQ(tools::write_file_atomic(p.string(), [](std::ostream& o) { o << "one\n"; }), "");
  EXPECT_EQ(tools::write_file_atomic(p.string(), [](std::ostream& o) { o << "two\n"; }), "");
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "two\n");
  EXPECT_FALSE(fs::exists(p.string() + ".tmp"));
  fs::remove(p);
  EXPECT_NE(tools::write_file_atomic("/nonexistent-dir/x", [](std::ostream&) {}), "");
}
