// tests/unit/tools/cli/explore_cli_test.cpp: `utsim explore` and `utsim merge`,
// in process through tools::run_cli.  Every strategy finds a race of the
// catalogue; dfs and dpor exhaust a tiny scenario (complete: true); the shards
// of an exploration, merged, equal the unsharded exploration; merge refuses
// reports that are not shards of one exploration; SIGINT gives a whole JSON
// report and exit 130; bad flags exit 2.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "tools/cli/cli.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using testcli::cli;
using testcli::Result;
using testcli::show;

json parse(const Result& r) { return testcli::parse_json(r); }

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

const std::string kR6 = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r6-attach-vs-release-bug.json";

// P forks C, which exits 3; P reaps it.  About a thousand schedules with
// at most two preemptions, about 1400 Mazurkiewicz traces.
constexpr const char* kTiny = R"({
  "utsim": 1, "name": "tiny", "summary": "a child exits 3 and is reaped",
  "tasks": [{"name": "P", "program": [
    {"fork": {"child": "C", "program": [{"exit": 3}]}},
    {"waitpid": {"pid": "C"}, "expect": {"exited": 3}}]}]
})";

// Two tasks signal a third forever: never ends, never runs out of schedules.
constexpr const char* kEndless = R"({
  "utsim": 1, "name": "endless", "summary": "two tasks signal a third forever",
  "tasks": [{"name": "P", "program": [{"loop": {"forever": true, "do": [{"pause": {}}]}}]},
            {"name": "S", "program": [{"loop": {"forever": true, "do": [{"kill": {"pid": "P", "sig": "SIGCHLD"}}]}}]},
            {"name": "T", "program": [{"loop": {"forever": true, "do": [{"kill": {"pid": "P", "sig": "SIGCHLD"}}]}}]}],
  "expect": {"allowed": ["hang"]}
})";

// The same without the hang allowed: every run is an unexpected violation.
constexpr const char* kHangs = R"({
  "utsim": 1, "name": "hangs", "summary": "a task pauses forever",
  "tasks": [{"name": "P", "program": [{"pause": {}}]}]
})";

class ExploreCli : public testcli::TempDirTest {
 protected:
  ExploreCli() : TempDirTest("utsim-explore") {}
  void SetUp() override {
    TempDirTest::SetUp();
    tiny_ = write("tiny.json", kTiny);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Runs `explore ARGS... --shard i/n -o shard-i.json` for every i, then
  // merges the reports (in reverse order: merge must not care) and returns
  // the merged document.
  json sharded(const std::vector<std::string>& args, std::uint32_t n) {
    std::vector<std::string> merge{"merge", "--json"};
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::string out = path("shard-" + std::to_string(i) + ".json");
      std::vector<std::string> a = args;
      a.insert(a.end(), {"--shard", std::to_string(i) + "/" + std::to_string(n), "--json", "-o", out});
      const Result r = cli(a);
      EXPECT_EQ(r.code, 0) << show(r);
      EXPECT_EQ(r.out, "") << "-o: the report goes to the file";
      merge.insert(merge.begin() + 2, out);
    }
    const Result m = cli(merge);
    EXPECT_EQ(m.code, 0) << show(m);
    return parse(m);
  }

  std::string tiny_;
};

std::map<std::string, std::uint64_t> outcome_counts(const json& d) {
  std::map<std::string, std::uint64_t> m;
  for (const json& o : d["outcomes"]) m[o["signature"]] = o["count"];
  return m;
}
std::map<std::string, std::uint64_t> violation_counts(const json& d) {
  std::map<std::string, std::uint64_t> m;
  for (const json& v : d["violations"]) m[v["property"]] = v["count"];
  return m;
}

TEST_F(ExploreCli, EveryStrategyFindsTheR6Race) {
  for (const char* s : {"random", "pct", "dfs", "dpor", "portfolio"}) {
    SCOPED_TRACE(s);
    const Result r = cli({"explore", kR6, "--strategy", s, "--max-schedules", "2000", "--json"});
    EXPECT_EQ(r.code, 0) << "engine-lifetime is expected by the scenario\n" << show(r);
    const json d = parse(r);
    EXPECT_EQ(d["format"], "utsim-explore/1");
    EXPECT_EQ(d["options"]["strategy"], s);
    EXPECT_EQ(d["schedules"], 2000);
    EXPECT_FALSE(d["complete"].get<bool>());
    ASSERT_TRUE(violation_counts(d).count("engine-lifetime")) << d.dump(2);
    for (const json& v : d["violations"]) {
      if (v["property"] != "engine-lifetime") continue;
      EXPECT_TRUE(v["expected"].get<bool>());
      EXPECT_GT(v["count"].get<std::uint64_t>(), 0u);
      const std::string schedule = v["example"]["schedule"];
      EXPECT_NE(v["example"]["replay"].get<std::string>().find(schedule), std::string::npos);
      // The example replays to the same violation.
      const Result rp = cli({"replay", kR6, "--schedule", schedule, "--json"});
      EXPECT_NE(rp.out.find("engine-lifetime"), std::string::npos) << show(rp);
    }
    EXPECT_EQ(d["unexpected_violations"], 0);
    EXPECT_EQ(d["exit_code"], 0);
  }
}

// The document is a function of the command: only "timing" may differ.
TEST_F(ExploreCli, SameCommandSameDocument) {
  for (const char* s : {"portfolio", "dfs"}) {
    const std::vector<std::string> args{"explore", kR6, "--strategy", s, "--max-schedules", "1500", "--json"};
    json a = parse(cli(args)), b = parse(cli(args));
    ASSERT_TRUE(a.contains("timing"));
    a.erase("timing");
    b.erase("timing");
    EXPECT_EQ(a.dump(), b.dump()) << s;
    const auto ordered = nlohmann::ordered_json::parse(cli(args).out);
    std::vector<std::string> keys;
    for (auto it = ordered.begin(); it != ordered.end(); ++it) keys.push_back(it.key());
    ASSERT_GE(keys.size(), 3u);
    EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 3),
              (std::vector<std::string>{"format", "utsim", "scenario"}))
        << "keys in their fixed order";
    EXPECT_EQ(keys.back(), "timing");
  }
}

TEST_F(ExploreCli, DfsAndDporExhaustATinyScenario) {
  const json b0 = parse(cli({"explore", tiny_, "--strategy", "dfs", "--preemption-bound", "0", "--json"}));
  EXPECT_TRUE(b0["complete"].get<bool>()) << b0.dump(2);
  EXPECT_TRUE(b0["bounded"].get<bool>()) << "schedules with a preemption exist";
  EXPECT_EQ(b0["options"]["preemption_bound"], 0);
  EXPECT_EQ(b0["estimate"], 4.0) << "bound 0 leaves 4 schedules, and few random walks";
  EXPECT_EQ(b0["schedules"], 4);

  const json dfs = parse(cli({"explore", tiny_, "--strategy", "dfs", "--max-schedules", "100000", "--json"}));
  EXPECT_TRUE(dfs["complete"].get<bool>()) << dfs.dump(2);
  EXPECT_TRUE(dfs["bounded"].get<bool>());
  EXPECT_EQ(dfs["options"]["preemption_bound"], 2);
  EXPECT_GT(dfs["schedules"].get<std::uint64_t>(), 4u);
  EXPECT_LT(dfs["schedules"].get<std::uint64_t>(), 100000u);
  EXPECT_GT(dfs["estimate"].get<double>(), 0.0) << "Knuth's estimator ran";

  const json dpor = parse(cli({"explore", tiny_, "--strategy", "dpor", "--max-schedules", "100000", "--json"}));
  EXPECT_TRUE(dpor["complete"].get<bool>()) << dpor.dump(2);
  EXPECT_FALSE(dpor["bounded"].get<bool>());
  EXPECT_TRUE(dpor["options"]["preemption_bound"].is_null());
  // Both see every end state of the scenario (one: C is reaped with 3).
  std::set<std::string> a, b;
  for (const auto& [sig, n] : outcome_counts(dfs)) a.insert(sig);
  for (const auto& [sig, n] : outcome_counts(dpor)) b.insert(sig);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 1u);

  // A budget too small to finish: not complete, and the text says why.
  const Result cut = cli({"explore", tiny_, "--strategy", "dpor", "--max-schedules", "10"});
  EXPECT_EQ(cut.code, 0) << show(cut);
  EXPECT_NE(cut.out.find("complete    false: stopped at --max-schedules 10"), std::string::npos) << show(cut);
  const Result full = cli({"explore", tiny_, "--strategy", "dpor", "--max-schedules", "100000"});
  EXPECT_NE(full.out.find("complete    true"), std::string::npos) << show(full);
}

TEST_F(ExploreCli, DfsShardsMergeToTheWhole) {
  const std::vector<std::string> args{"explore", tiny_, "--strategy", "dfs", "--max-schedules", "100000"};
  std::vector<std::string> whole_args = args;
  whole_args.push_back("--json");
  const json whole = parse(cli(whole_args));
  const json merged = sharded(args, 3);
  EXPECT_TRUE(merged["complete"].get<bool>()) << merged.dump(2);
  EXPECT_EQ(merged["shards"]["count"], 3);
  EXPECT_EQ(merged["shards"]["covered"], json({0, 1, 2}));
  // Disjoint and together the whole: every schedule counted exactly once.
  EXPECT_EQ(merged["schedules"], whole["schedules"]);
  EXPECT_EQ(outcome_counts(merged), outcome_counts(whole));
  EXPECT_EQ(merged["bounded"], whole["bounded"]);
  // Each shard alone covers a part, and says it is not the whole.
  std::uint64_t sum = 0;
  for (int i = 0; i < 3; ++i) {
    const json s = read_json(path("shard-" + std::to_string(i) + ".json"));
    EXPECT_FALSE(s["complete"].get<bool>());
    EXPECT_EQ(s["shards"]["exhausted"], json({i}));
    EXPECT_LT(s["schedules"].get<std::uint64_t>(), whole["schedules"].get<std::uint64_t>());
    sum += s["schedules"].get<std::uint64_t>();
  }
  EXPECT_EQ(sum, whole["schedules"].get<std::uint64_t>());
}

TEST_F(ExploreCli, DporShardsMergeToTheWhole) {
  const std::vector<std::string> args{"explore", tiny_, "--strategy", "dpor", "--max-schedules", "100000"};
  std::vector<std::string> whole_args = args;
  whole_args.push_back("--json");
  const json whole = parse(cli(whole_args));
  ASSERT_TRUE(whole["complete"].get<bool>());
  const json merged = sharded(args, 4);
  EXPECT_TRUE(merged["complete"].get<bool>()) << merged.dump(2);
  EXPECT_EQ(merged["schedules"], whole["schedules"]);
  EXPECT_EQ(outcome_counts(merged), outcome_counts(whole));
}

// Sampling: shard i of n runs the runs i, i+n, ...; n shards of k schedules
// are the unsharded exploration of n*k, run for run.
TEST_F(ExploreCli, RandomAndPctShardsMergeToTheWhole) {
  for (const char* s : {"random", "pct"}) {
    SCOPED_TRACE(s);
    const json whole = parse(cli({"explore", kR6, "--strategy", s, "--seed", "5", "--max-schedules", "300", "--json"}));
    const json merged = sharded({"explore", kR6, "--strategy", s, "--seed", "5", "--max-schedules", "100"}, 3);
    EXPECT_EQ(merged["schedules"], 300);
    if (std::string(s) == "random") {
      EXPECT_EQ(merged["steps"], whole["steps"]);
      EXPECT_EQ(merged["redundant"], 0);
    } else {
      // PCT learns the run length k from the default run (run 0, shard
      // 0's): shards 1 and 2 run it once more, uncounted.
      EXPECT_EQ(merged["redundant"], 2);
      EXPECT_GT(merged["steps"].get<std::uint64_t>(), whole["steps"].get<std::uint64_t>());
    }
    EXPECT_EQ(outcome_counts(merged), outcome_counts(whole));
    EXPECT_EQ(violation_counts(merged), violation_counts(whole));
    EXPECT_FALSE(merged["complete"].get<bool>()) << "sampling never exhausts the space";
  }
}

TEST_F(ExploreCli, MergeKeepsTheShortestExampleAndIgnoresOrder) {
  const json a = sharded({"explore", kR6, "--strategy", "random", "--max-schedules", "200"}, 2);
  // The same files the other way round give the same document.
  const Result r = cli({"merge", "--json", path("shard-0.json"), path("shard-1.json")});
  ASSERT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(parse(r), a);
  EXPECT_FALSE(a.contains("timing")) << "merge leaves wall-clock time out";
  // Each violation's example is the one with the fewest preemptions, then steps.
  const json s0 = read_json(path("shard-0.json")), s1 = read_json(path("shard-1.json"));
  for (const json& v : a["violations"]) {
    std::pair<std::uint64_t, std::uint64_t> best{~0ull, ~0ull};
    for (const json* s : {&s0, &s1})
      for (const json& w : (*s)["violations"])
        if (w["property"] == v["property"])
          best = std::min(best,
                          std::pair<std::uint64_t, std::uint64_t>(w["example"]["preemptions"], w["example"]["steps"]));
    EXPECT_EQ(v["example"]["preemptions"], best.first) << v.dump();
    EXPECT_EQ(v["example"]["steps"], best.second) << v.dump();
  }
  // A merged report merges again (with nothing new it is the same).
  const fs::path m = dir_ / "merged.json";
  ASSERT_EQ(cli({"merge", "--json", "-o", m.string(), path("shard-0.json"), path("shard-1.json")}).code, 0);
  EXPECT_EQ(read_json(m), a);
  const Result again = cli({"merge", "--json", m.string()});
  EXPECT_EQ(parse(again), a);
}

TEST_F(ExploreCli, MergeRefusesReportsOfDifferentExplorations) {
  auto run = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> a{"explore", tiny_, "--max-schedules", "20", "--json", "-o", path(out)};
    a.insert(a.end(), extra.begin(), extra.end());
    const Result r = cli(a);
    ASSERT_EQ(r.code, 0) << show(r);
  };
  run("dfs-0.json", {"--strategy", "dfs", "--shard", "0/3"});
  run("dfs-1.json", {"--strategy", "dfs", "--shard", "1/3"});
  run("dpor-2.json", {"--strategy", "dpor", "--shard", "2/3"});
  run("dfs-2-seed.json", {"--strategy", "dfs", "--shard", "2/3", "--seed", "9"});
  run("dfs-2-bound.json", {"--strategy", "dfs", "--shard", "2/3", "--preemption-bound", "1"});
  run("dfs-1-of-2.json", {"--strategy", "dfs", "--shard", "1/2"});
  run("dfs-1-again.json", {"--strategy", "dfs", "--shard", "1/3"});

  struct Case {
    std::string file, says;
  };
  for (const Case& c : std::vector<Case>{{"dpor-2.json", "strategy dfs vs dpor"},
                                         {"dfs-2-seed.json", "seed 1 vs 9"},
                                         {"dfs-2-bound.json", "options differ"},
                                         {"dfs-1-of-2.json", "shard count 3 vs 2"},
                                         {"dfs-1-again.json", "shard 1 is in both"}}) {
    SCOPED_TRACE(c.file);
    const Result r = cli({"merge", path("dfs-0.json"), path("dfs-1.json"), path(c.file)});
    EXPECT_EQ(r.code, 2) << show(r);
    EXPECT_NE(r.err.find(c.says), std::string::npos) << show(r);
    EXPECT_EQ(r.out, "");
  }
  // Not a report, not JSON, not there.
  const std::string other = write("other.json", R"({"utsim": 1, "name": "x"})");
  const std::string garbage = write("garbage.json", "{\"format\": ");
  for (const std::string& f : {other, garbage, path("missing.json")}) {
    const Result r = cli({"merge", path("dfs-0.json"), f});
    EXPECT_EQ(r.code, 2) << show(r);
    EXPECT_NE(r.err.find(f), std::string::npos) << "the error names the file\n" << show(r);
  }
  // Shards missing: merged, but not complete, and the text says which.
  const Result part = cli({"merge", path("dfs-0.json"), path("dfs-1.json")});
  EXPECT_EQ(part.code, 0) << show(part);
  EXPECT_NE(part.out.find("shards      2 of 3 (indices 0, 1)"), std::string::npos) << show(part);
  EXPECT_NE(part.out.find("complete    false"), std::string::npos) << show(part);
}

TEST_F(ExploreCli, UnexpectedViolationExitsOne) {
  const std::string hangs = write("hangs.json", kHangs);
  const Result r =
      cli({"explore", hangs, "--strategy", "random", "--max-schedules", "3", "--max-steps", "100", "--json"});
  EXPECT_EQ(r.code, 1) << show(r);
  const json d = parse(r);
  EXPECT_EQ(d["exit_code"], 1);
  EXPECT_EQ(d["unexpected_violations"], 1);
  ASSERT_EQ(d["violations"].size(), 1u);
  EXPECT_EQ(d["violations"][0]["property"], "hang");
  EXPECT_FALSE(d["violations"][0]["expected"].get<bool>());
  // The text report says VIOLATION and how to replay it.
  const Result t = cli({"explore", hangs, "--strategy", "random", "--max-schedules", "3", "--max-steps", "100"});
  EXPECT_EQ(t.code, 1);
  EXPECT_NE(t.out.find("VIOLATION hang"), std::string::npos) << show(t);
  EXPECT_NE(t.out.find("utsim replay " + hangs + " --schedule"), std::string::npos) << show(t);
}

TEST_F(ExploreCli, TextReportNamesOutcomesWithReplayCommands) {
  const Result r = cli({"explore", kR6, "--strategy", "dfs", "--max-schedules", "500"});
  EXPECT_EQ(r.code, 0) << show(r);
  for (const char* line : {"strategy    dfs, preemption bound 2, seed 1", "schedules   500 ", "outcomes    ",
                           "expected engine-lifetime: ", "estimate    ~", "utsim replay "})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << '\n' << show(r);
}

// SIGINT in the middle, in process (testcli::cli_interrupted).
TEST_F(ExploreCli, SigintGivesAWholeJsonReportAndExit130) {
  const std::string endless = write("endless.json", kEndless);
  const Result r = testcli::cli_interrupted(
      {"explore", endless, "--strategy", "dfs", "--max-steps", "2000", "--max-schedules", "1000000000000", "--json"});
  EXPECT_EQ(r.code, 130) << show(r);
  const json d = parse(r);
  EXPECT_EQ(d["interrupted"], true);
  EXPECT_EQ(d["complete"], false);
  EXPECT_EQ(d["exit_code"], 130);
  EXPECT_GT(d["schedules"].get<std::uint64_t>(), 0u) << "what was explored is kept";
  ASSERT_FALSE(d["violations"].empty());
  EXPECT_EQ(d["violations"][0]["property"], "hang");
  // An interrupted shard merges, and the merged report is not complete.
  const std::string f = write("interrupted.json", r.out);
  const Result m = cli({"merge", "--json", f});
  EXPECT_EQ(m.code, 0) << show(m);
  EXPECT_EQ(parse(m)["interrupted"], true);
}

TEST_F(ExploreCli, TimeLimitStopsWithAReport) {
  const std::string endless = write("endless.json", kEndless);
  const Result r = cli(
      {"explore", endless, "--time-limit", "0.2", "--max-steps", "2000", "--max-schedules", "1000000000000", "--json"});
  EXPECT_EQ(r.code, 0) << "hang is allowed\n" << show(r);
  const json d = parse(r);
  EXPECT_EQ(d["timed_out"], true);
  EXPECT_EQ(d["interrupted"], false);
  EXPECT_EQ(d["complete"], false);
  EXPECT_EQ(d["options"]["time_limit"], 0.2);
  EXPECT_GT(d["schedules"].get<std::uint64_t>(), 0u);
}

TEST_F(ExploreCli, BadFlagsExitTwo) {
  const std::vector<std::vector<std::string>> bad{
      {"explore"},
      {"explore", tiny_, "--strategy", "bfs"},
      {"explore", tiny_, "--shard", "3/3"},
      {"explore", tiny_, "--shard", "1"},
      {"explore", tiny_, "--shard", "-1/2"},
      {"explore", tiny_, "--shard", "0/0"},
      {"explore", tiny_, "--preemption-bound", "1", "--unbounded"},
      {"explore", tiny_, "--max-schedules", "0"},
      {"explore", tiny_, "--time-limit", "-1"},
      {"explore", tiny_, "--depth", "0"},
      {"explore", tiny_, "--bogus"},
      {"merge"},
  };
  for (const auto& args : bad) {
    const Result r = cli(args);
    std::string cmd;
    for (const std::string& a : args) cmd += a + ' ';
    EXPECT_EQ(r.code, 2) << cmd << '\n' << show(r);
    EXPECT_EQ(r.out, "") << cmd;
  }
  // A scenario that does not load is 3, as everywhere.
  const std::string invalid = write("invalid.json", R"({"utsim": 1})");
  EXPECT_EQ(cli({"explore", invalid}).code, 3);
  // -o into a missing directory: the report is not lost silently.
  const Result o = cli({"explore", tiny_, "--max-schedules", "2", "-o", path("no/such/dir.json")});
  EXPECT_EQ(o.code, 2) << show(o);
}

}  // namespace
