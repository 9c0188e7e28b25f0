// tests/unit/tools/cli/memory_cli_test.cpp: --max-memory SIZE and
// --stop-at-first (issue 11), in process through tools::run_cli: sizes
// parsed or refused with cli.E012; a tight budget stops dfs, dpor and a
// stateful check early, at the same schedule every time, marked in the
// report, exit 0 when nothing unexpected was found; an ample budget changes
// no byte; --stop-at-first stops at the first violation and still shrinks it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "tools/cli/memory.h"
#include "tools/export/format.h"

using nlohmann::json;
using testcli::cli;
using testcli::Result;
using testcli::show;

namespace {

const std::string kRaces = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/";
const std::string kR2 = kRaces + "r2-detach-before-stop.json";
const std::string kR2Bug = kRaces + "r2-detach-before-stop-bug.json";

// The report without its wall-clock timing.
json untimed(const Result& r) {
  json d = testcli::parse_json(r);
  d.erase("timing");
  return d;
}

TEST(MemoryFlag, ParsesSizes) {
  EXPECT_EQ(tools::parse_size("1"), 1u);
  EXPECT_EQ(tools::parse_size("1048576"), 1048576u);
  EXPECT_EQ(tools::parse_size("64K"), 64u << 10);
  EXPECT_EQ(tools::parse_size("512M"), 512u << 20);
  EXPECT_EQ(tools::parse_size("512m"), 512u << 20);
  EXPECT_EQ(tools::parse_size("2G"), std::uint64_t{2} << 30);
  EXPECT_EQ(tools::parse_size("2GiB"), std::uint64_t{2} << 30);
  EXPECT_EQ(tools::parse_size("2gb"), std::uint64_t{2} << 30);
  EXPECT_EQ(tools::parse_size("3T"), std::uint64_t{3} << 40);
  EXPECT_EQ(tools::parse_size("100B"), 100u);
  EXPECT_EQ(tools::parse_size("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(tools::parse_size("16777215T"), std::uint64_t{16777215} << 40);
}

TEST(MemoryFlag, RefusesWhatIsNotASize) {
  for (const char* bad : {"",          "nan",
                          "NaN",       "inf",
                          "-1",        "-1G",
                          "+5",        "1.5G",
                          "0.5",       "1e9",
                          "0x10",      "2X",
                          "G",         "2 G",
                          " 2G",       "2GG",
                          "2KiBB",     "0",
                          "0G",        "18446744073709551616",
                          "16777216T", "99999999999999999999G"}) {
    SCOPED_TRACE(bad);
    std::string why;
    EXPECT_FALSE(tools::parse_size(bad, &why).has_value());
    EXPECT_FALSE(why.empty());
  }
}

TEST(MemoryFlag, PrintsSizesAsTyped) {
  EXPECT_EQ(tools::memory_text(std::uint64_t{2} << 30), "2G");
  EXPECT_EQ(tools::memory_text(512u << 20), "512M");
  EXPECT_EQ(tools::memory_text(1536u << 10), "1536K");
  EXPECT_EQ(tools::memory_text(1000), "1000 bytes");
}

TEST(MemoryFlag, DefaultIsAFractionOfTheMachine) {
  const std::uint64_t d = tools::default_memory_budget();
  EXPECT_GE(d, std::uint64_t{64} << 20);
}

TEST(MemoryFlag, BadSizeIsCliE012OnEveryCommand) {
  const std::vector<std::vector<std::string>> commands = {
      {"explore", kR2}, {"check", kR2}, {"graph", kR2}, {"report", kR2, "--explore", "10"}};
  for (const auto& c : commands) {
    for (const char* bad : {"nan", "-1", "1.5G", "lots", "99999999999999999999"}) {
      std::vector<std::string> args = c;
      args.insert(args.end(), {"--max-memory", bad});
      SCOPED_TRACE(args[0] + " " + bad);
      const Result r = cli(args);
      EXPECT_EQ(r.code, 2) << show(r);
      EXPECT_NE(r.err.find("utsim " + args[0] + ": cli.E012: --max-memory '" + bad + "': "), std::string::npos)
          << show(r);
      EXPECT_EQ(r.out, "");
    }
  }
}

TEST(MemoryBudget, StopsDfsEarlyWithWhatItFoundTheSameEveryTime) {
  const std::vector<std::string> args = {"explore",      kR2,  "--strategy",      "dfs",     "--unbounded", "--json",
                                         "--max-memory", "2M", "--max-schedules", "1000000", "--no-shrink"};
  const Result a = cli(args);
  EXPECT_EQ(a.code, 0) << "a budget stop is not an error\n" << show(a);
  const json d = untimed(a);
  EXPECT_EQ(d["stopped"], "memory");
  EXPECT_EQ(d["memory_budget"], 2 << 20);
  EXPECT_FALSE(d["complete"].get<bool>());
  EXPECT_GT(d["schedules"].get<std::uint64_t>(), 0u);
  EXPECT_LT(d["schedules"].get<std::uint64_t>(), 1000000u);
  EXPECT_EQ(d["outcomes"].size(), 1u);
  EXPECT_EQ(untimed(cli(args)), d) << "counted, not measured: the same schedule every time";

  std::vector<std::string> text = args;
  text.erase(std::find(text.begin(), text.end(), "--json"));
  const Result t = cli(text);
  EXPECT_NE(t.out.find("complete    false: stopped by the memory budget (2M, --max-memory)"), std::string::npos)
      << show(t);
}

TEST(MemoryBudget, StopsDporInsideALongRun) {
  // Two tasks spin forever: DPOR records every step of a run of a million.
  const std::string spin = testing::TempDir() + "/utsim-spin.json";
  {
    std::ofstream(spin) << R"({"utsim": 1, "name": "spin", "summary": "two tasks spin",
      "tasks": [{"name": "A", "program": [{"loop": {"forever": true, "do": [{"compute": 1}]}}]},
                {"name": "B", "program": [{"loop": {"forever": true, "do": [{"compute": 1}]}}]}],
      "expect": {"allowed": ["hang"]}})";
  }
  for (const char* strategy : {"dpor", "portfolio"}) {
    SCOPED_TRACE(strategy);
    const std::vector<std::string> args = {"explore", spin,         "--strategy",   strategy, "--max-steps",
                                           "1000000", "--json",     "--max-memory", "4M",     "--max-schedules",
                                           "3",       "--no-shrink"};
    const Result r = cli(args);
    EXPECT_EQ(r.code, 0) << show(r);
    const json d = untimed(r);
    EXPECT_EQ(d["stopped"], "memory");
    EXPECT_EQ(d["schedules"], 0) << "the run it abandoned is not counted";
    EXPECT_EQ(untimed(cli(args)), d);
  }
}

TEST(MemoryBudget, StopsAStatefulCheck) {
  const Result r = cli({"check", kR2Bug, "--stateful", "--max-memory", "1M", "--json"});
  EXPECT_EQ(r.code, 0) << show(r);
  const json d = testcli::parse_json(r);
  EXPECT_EQ(d["scenarios"][0]["stopped"], "memory");
  EXPECT_EQ(d["scenarios"][0]["verdict"], "pass (memory budget)");
  const Result t = cli({"check", kR2Bug, "--stateful", "--max-memory", "1M"});
  EXPECT_NE(t.out.find("stopped by the memory budget (--max-memory) after"), std::string::npos) << show(t);
}

TEST(MemoryBudget, AnAmpleBudgetChangesNoByte) {
  for (const char* strategy : {"dfs", "dpor", "portfolio"}) {
    SCOPED_TRACE(strategy);
    const std::vector<std::string> args = {"explore",         kR2Bug, "--strategy", strategy,
                                           "--max-schedules", "3000", "--json"};
    std::vector<std::string> ample = args;
    ample.insert(ample.end(), {"--max-memory", "1T"});
    EXPECT_EQ(untimed(cli(ample)), untimed(cli(args)));
  }
  const Result g = cli({"graph", kR2Bug});
  const Result h = cli({"graph", kR2Bug, "--max-memory", "1T"});
  EXPECT_EQ(g.out, h.out);
  EXPECT_EQ(g.err, h.err);
}

TEST(StopAtFirst, StopsAtTheFirstViolationAndShrinksIt) {
  const Result full = cli({"explore", kR2Bug, "--strategy", "dfs", "--json"});
  const json all = untimed(full);
  ASSERT_GT(all["schedules"].get<std::uint64_t>(), 10u);

  const Result r = cli({"explore", kR2Bug, "--strategy", "dfs", "--stop-at-first", "--json"});
  EXPECT_EQ(r.code, 0) << "the violation is expected\n" << show(r);
  const json d = untimed(r);
  EXPECT_EQ(d["stopped"], "first-violation");
  EXPECT_FALSE(d["complete"].get<bool>());
  ASSERT_FALSE(d["violations"].empty());
  const std::uint64_t n = d["schedules"];
  EXPECT_LT(n, all["schedules"].get<std::uint64_t>());
  for (const json& v : d["violations"]) {
    EXPECT_EQ(v["count"], 1) << "found in the last schedule only";
    EXPECT_EQ(v["original"]["index"], n - 1);
    EXPECT_FALSE(v["shrink"].is_null()) << "shrunk as usual";
  }
  const Result t = cli({"explore", kR2Bug, "--strategy", "dfs", "--stop-at-first", "--no-shrink"});
  EXPECT_NE(t.out.find("complete    false: stopped at the first violation (--stop-at-first)"), std::string::npos)
      << show(t);
  EXPECT_EQ(t.out.find("kept as found"), std::string::npos) << "--no-shrink: shown as found";
}

TEST(StopAtFirst, AnUnexpectedViolationExitsOne) {
  // The fixed R2 run on the buggy model: the violation is not expected.
  const Result r = cli({"explore", kR2, "--bug", "R2", "--strategy", "dfs", "--stop-at-first", "--json"});
  EXPECT_EQ(r.code, 1) << show(r);
  EXPECT_EQ(untimed(r)["stopped"], "first-violation");
}

TEST(StopAtFirst, NoViolationRunsToTheEnd) {
  const Result r = cli({"explore", kR2, "--strategy", "dfs", "--max-schedules", "100000", "--stop-at-first", "--json"});
  EXPECT_EQ(r.code, 0) << show(r);
  const json d = untimed(r);
  EXPECT_FALSE(d.contains("stopped"));
  EXPECT_TRUE(d["complete"].get<bool>());
}

}  // namespace
