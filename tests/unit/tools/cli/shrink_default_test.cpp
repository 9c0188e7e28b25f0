// tests/unit/tools/cli/shrink_default_test.cpp: issue #14 item 1, "short by
// default".  The counterexamples utsim check, explore and report show are
// shrunk (explore/shrink.h) before they are printed, the original kept in
// the JSON: the printed schedule replays to the same violation, with fewer
// preemptions than the one the exploration found; --no-shrink shows the
// original; a budget of runs that runs out is said; shards merge with their
// shrunk examples.  In process through tools::run_cli.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"

using nlohmann::json;

namespace {

using testcli::cli;
using testcli::Result;
using testcli::show;

const std::string kR2 = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r2-detach-before-stop-bug.json";
const std::string kR7 = std::string(UTSIM_SOURCE_DIR) + "/scenarios/races/r7-reap-vs-death-bug.json";

json parse(const Result& r) { return testcli::parse_json(r); }

// The properties `utsim replay FILE --schedule S` reports broken.
std::vector<std::string> replayed(const std::string& file, const std::string& schedule) {
  const Result r = cli({"replay", file, "--schedule", schedule, "--json"});
  std::vector<std::string> props;
  const json d = parse(r);
  EXPECT_NE(d.value("end", ""), "diverged") << show(r);
  for (const json& v : d["violations"]) props.push_back(v["property"]);
  return props;
}

bool breaks(const std::string& file, const std::string& schedule, const std::string& property) {
  for (const std::string& p : replayed(file, schedule))
    if (p == property) return true;
  return false;
}

// The words of the replay command after "utsim", split as the shell would
// (the schedule is single-quoted by replay_command).
std::vector<std::string> words_of(const std::string& command) {
  std::vector<std::string> w;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : command) {
    if (c == '\'') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any || !cur.empty()) w.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
    }
  }
  if (any || !cur.empty()) w.push_back(cur);
  if (!w.empty() && w.front() == "utsim") w.erase(w.begin());
  return w;
}

class ShrinkDefault : public testcli::TempDirTest {
 protected:
  ShrinkDefault() : TempDirTest("utsim-shrink-default") {}
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
};

// The portfolio's first R2 counterexample has 15 preemptions (docs/exploration.md);
// explore shows it shrunk to 1, keeps the original, and both replay to the bug.
TEST_F(ShrinkDefault, ExploreJsonShowsTheShrunkScheduleAndKeepsTheOriginal) {
  const Result r = cli({"explore", kR2, "--max-schedules", "200", "--json"});
  ASSERT_EQ(r.code, 0) << show(r);
  const json d = parse(r);
  EXPECT_EQ(d["options"]["shrink_tries"], 20000);
  bool saw = false;
  for (const json& v : d["violations"]) {
    if (v["property"] != "stop-without-engine") continue;
    saw = true;
    const json& ex = v["example"];
    const json& orig = v["original"];
    const json& sh = v["shrink"];
    ASSERT_TRUE(orig.is_object()) << v.dump(2);
    EXPECT_EQ(ex["preemptions"], 1) << v.dump(2);
    EXPECT_GT(orig["preemptions"].get<int>(), 1) << "the exploration's own example is not the shortest";
    EXPECT_EQ(sh["preemptions_before"], orig["preemptions"]);
    EXPECT_EQ(sh["preemptions_after"], ex["preemptions"]);
    EXPECT_EQ(sh["steps_after"], ex["steps"]);
    EXPECT_TRUE(sh["minimal"].get<bool>());
    EXPECT_FALSE(sh["budget_exhausted"].get<bool>());
    EXPECT_TRUE(sh["error"].is_null());
    EXPECT_EQ(ex["index"], orig["index"]) << "the shrunk example names the run it came from";
    // The printed replay command replays the shrunk schedule to the same violation.
    const std::vector<std::string> words = words_of(ex["replay"]);
    ASSERT_EQ(words.size(), 4u) << ex["replay"];
    EXPECT_EQ(words[3], ex["schedule"]);
    const Result rp = cli({words[0], words[1], words[2], words[3], "--json"});
    EXPECT_NE(rp.out.find("\"stop-without-engine\""), std::string::npos) << show(rp);
    const json rj = parse(rp);
    EXPECT_EQ(rj["preemptions"], ex["preemptions"]);
    EXPECT_EQ(rj["steps"], ex["steps"]);
    // The original too, at its own step, with its own message.
    EXPECT_TRUE(breaks(kR2, orig["schedule"], "stop-without-engine"));
    EXPECT_EQ(orig["replay"], "utsim replay " + kR2 + " --schedule '" + orig["schedule"].get<std::string>() + "'");
  }
  EXPECT_TRUE(saw) << d.dump(2);
}

// --no-shrink: the example is the one the exploration found, the original's.
TEST_F(ShrinkDefault, NoShrinkShowsTheOriginal) {
  const json shrunk = parse(cli({"explore", kR2, "--max-schedules", "200", "--json"}));
  const json raw = parse(cli({"explore", kR2, "--max-schedules", "200", "--json", "--no-shrink"}));
  EXPECT_TRUE(raw["options"]["shrink_tries"].is_null());
  ASSERT_EQ(shrunk["violations"].size(), raw["violations"].size());
  for (std::size_t i = 0; i < raw["violations"].size(); ++i) {
    const json& a = shrunk["violations"][i];
    const json& b = raw["violations"][i];
    EXPECT_TRUE(b["original"].is_null());
    EXPECT_TRUE(b["shrink"].is_null());
    EXPECT_EQ(b["example"]["schedule"], a["original"]["schedule"]);
    EXPECT_EQ(b["example"]["preemptions"], a["original"]["preemptions"]);
    EXPECT_EQ(b["message"], a["original"]["message"]);
    EXPECT_EQ(b["step"], a["original"]["step"]);
    EXPECT_EQ(b["count"], a["count"]) << "shrinking changes no count";
  }
  const Result text = cli({"explore", kR2, "--max-schedules", "200", "--no-shrink"});
  EXPECT_EQ(text.out.find("shrunk from"), std::string::npos) << show(text);
  const Result bad = cli({"explore", kR2, "--no-shrink", "--shrink-tries", "5"});
  EXPECT_EQ(bad.code, 2) << show(bad);
}

// R7: 30 preemptions and 64 choice points as found; the text says what the
// shrink did, and the replay command under it reproduces the violation.
TEST_F(ShrinkDefault, ExploreTextSaysShrunkAndReplays) {
  const Result r = cli({"explore", kR7, "--max-schedules", "200"});
  ASSERT_EQ(r.code, 0) << show(r);
  const std::size_t at = r.out.find("expected reap-before-death:");
  ASSERT_NE(at, std::string::npos) << show(r);
  const std::size_t line2 = r.out.find('\n', at) + 1;
  const std::size_t line3 = r.out.find('\n', line2) + 1;
  const std::string shrunk = r.out.substr(line2, line3 - line2);
  EXPECT_NE(shrunk.find("shrunk from 30 to 1 preemption,"), std::string::npos) << shrunk;
  EXPECT_NE(shrunk.find("minimal: no schedule with fewer preemptions breaks it"), std::string::npos) << shrunk;
  const std::string replay = r.out.substr(line3, r.out.find('\n', line3) - line3);
  const std::vector<std::string> words = words_of(replay.substr(replay.find("utsim")));
  ASSERT_EQ(words.size(), 4u) << replay;
  EXPECT_TRUE(breaks(kR7, words[3], "reap-before-death")) << replay;
  EXPECT_NE(r.out.find("(1 preemption, "), std::string::npos) << "the violation line shows the shrunk schedule";
}

// A budget of runs that runs out is said, in the text and the JSON; the
// schedule shown still breaks the property (the shrinker never accepts one
// that does not).  The budget is deterministic: the same bytes twice.
TEST_F(ShrinkDefault, ABudgetThatRunsOutIsSaid) {
  const std::vector<std::string> args{"explore", kR7, "--max-schedules", "200", "--shrink-tries", "20", "--json"};
  const Result r = cli(args);
  ASSERT_EQ(r.code, 0) << show(r);
  json d = parse(r);
  json again = parse(cli(args));
  d.erase("timing");  // wall-clock time, the only part that may differ
  again.erase("timing");
  EXPECT_EQ(again, d) << "a budget of runs gives the same document";
  bool saw = false;
  for (const json& v : d["violations"]) {
    if (v["property"] != "reap-before-death") continue;
    saw = true;
    EXPECT_TRUE(v["shrink"]["budget_exhausted"].get<bool>()) << v.dump(2);
    EXPECT_FALSE(v["shrink"]["minimal"].get<bool>());
    EXPECT_LE(v["shrink"]["runs"].get<int>(), 20);
    EXPECT_LE(v["example"]["preemptions"].get<int>(), v["original"]["preemptions"].get<int>());
    EXPECT_TRUE(breaks(kR7, v["example"]["schedule"], "reap-before-death"));
  }
  EXPECT_TRUE(saw);
  const Result t = cli({"explore", kR7, "--max-schedules", "200", "--shrink-tries", "20"});
  EXPECT_NE(t.out.find("the shrink budget of 20 runs ran out (--shrink-tries): not proven minimal"), std::string::npos)
      << show(t);
}

// A wall-clock limit that triggers is said too (a tiny one on R7 always does).
TEST_F(ShrinkDefault, ATimeLimitThatRunsOutIsSaid) {
  const Result r = cli({"explore", kR7, "--max-schedules", "200", "--shrink-time-limit", "0.001", "--json"});
  ASSERT_EQ(r.code, 0) << show(r);
  const json d = parse(r);
  EXPECT_EQ(d["options"]["shrink_time_limit"], 0.001);
  for (const json& v : d["violations"]) {
    if (v["shrink"]["minimal"].get<bool>()) continue;  // a fast one may finish first
    EXPECT_TRUE(v["shrink"]["timed_out"].get<bool>() || v["shrink"]["budget_exhausted"].get<bool>()) << v.dump(2);
    EXPECT_TRUE(breaks(kR7, v["example"]["schedule"], v["property"]));
  }
}

// check --json: every violation's schedule is shrunk, the original kept; the
// replay reproduces it.  check's text table of passing scenarios shows no
// counterexample, and shrinks none (check stays as fast).
TEST_F(ShrinkDefault, CheckJsonShrinksEveryCounterexample) {
  const Result r = cli({"check", kR2, "--max-schedules", "200", "--json"});
  ASSERT_EQ(r.code, 0) << show(r);
  const json d = parse(r);
  EXPECT_EQ(d["summary"]["shrink_tries"], 2000) << "check's own default: it must stay fast";
  EXPECT_EQ(d["summary"]["shrink_ran_out"], 0);
  const json& vs = d["scenarios"][0]["violations"];
  ASSERT_FALSE(vs.empty());
  for (const json& v : vs) {
    SCOPED_TRACE(v["property"].get<std::string>());
    ASSERT_TRUE(v["original"].is_object()) << v.dump(2);
    EXPECT_EQ(v["preemptions"], 1);
    EXPECT_GT(v["original"]["preemptions"].get<int>(), 1);
    EXPECT_TRUE(breaks(kR2, v["schedule"], v["property"]));
    EXPECT_EQ(v["replay"], "utsim replay " + kR2 + " --schedule '" + v["schedule"].get<std::string>() + "'");
  }
  const json raw = parse(cli({"check", kR2, "--max-schedules", "200", "--json", "--no-shrink"}));
  for (std::size_t i = 0; i < vs.size(); ++i) {
    EXPECT_EQ(raw["scenarios"][0]["violations"][i]["schedule"], vs[i]["original"]["schedule"]);
    EXPECT_TRUE(raw["scenarios"][0]["violations"][i]["original"].is_null());
  }
}

// A failing scenario (R2's bug with its expectation taken away): the text
// details show the shrunk counterexample, the problem quotes it, and the
// replay command printed under it reproduces the violation.
TEST_F(ShrinkDefault, CheckTextOfAFailureShowsTheShrunkCounterexample) {
  json s = json::parse(testcli::read(kR2));
  s["name"] = "r2-unexpected";
  s["expect"] = json::object();
  s["expect"]["allowed"] = {"hang"};
  const std::string file = path("r2-unexpected.json");
  std::ofstream(file) << s.dump(2);
  const Result r = cli({"check", file, "--max-schedules", "200"});
  ASSERT_EQ(r.code, 1) << show(r);
  EXPECT_NE(r.out.find("FAIL: r2-unexpected"), std::string::npos) << show(r);
  const std::size_t at = r.out.find("VIOLATION stop-without-engine:");
  ASSERT_NE(at, std::string::npos) << show(r);
  const std::size_t line2 = r.out.find('\n', at) + 1;
  const std::size_t line3 = r.out.find('\n', line2) + 1;
  EXPECT_NE(r.out.substr(line2, line3 - line2).find("    shrunk from 15 to 1 preemption,"), std::string::npos)
      << show(r);
  const std::string replay = r.out.substr(line3, r.out.find('\n', line3) - line3);
  const std::vector<std::string> words = words_of(replay.substr(replay.find("utsim")));
  ASSERT_EQ(words.size(), 4u) << replay;
  EXPECT_TRUE(breaks(file, words[3], "stop-without-engine"));
  EXPECT_NE(r.out.find("(schedule '" + words[3] + "')"), std::string::npos) << "the problem quotes the shrunk one";
  // --no-shrink: the exploration's own example, 15 preemptions.
  const Result raw = cli({"check", file, "--max-schedules", "200", "--no-shrink"});
  EXPECT_EQ(raw.out.find("shrunk from"), std::string::npos) << show(raw);
  EXPECT_EQ(raw.out.find("--schedule '" + words[3] + "'"), std::string::npos) << show(raw);
}

// Shards shrink their own examples; the merged report keeps, per property,
// the example with the fewest preemptions, then steps, with its original
// and facts; the text of the merge says it was shrunk; it replays.
TEST_F(ShrinkDefault, MergedShardsCarryShrunkCounterexamples) {
  std::vector<std::string> merge{"merge", "--json"};
  for (int i = 0; i < 3; ++i) {
    const std::string out = path("shard-" + std::to_string(i) + ".json");
    const Result r = cli({"explore", kR2, "--strategy", "random", "--max-schedules", "100", "--shard",
                          std::to_string(i) + "/3", "--json", "-o", out});
    ASSERT_EQ(r.code, 0) << show(r);
    merge.push_back(out);
  }
  const Result m = cli(merge);
  ASSERT_EQ(m.code, 0) << show(m);
  const json d = parse(m);
  bool saw = false;
  for (const json& v : d["violations"]) {
    if (v["property"] != "stop-without-engine") continue;
    saw = true;
    ASSERT_TRUE(v["original"].is_object()) << v.dump(2);
    EXPECT_EQ(v["example"]["preemptions"], 1);
    EXPECT_EQ(v["shrink"]["preemptions_after"], 1);
    EXPECT_EQ(v["original"]["shard"], v["example"]["shard"]);
    EXPECT_TRUE(breaks(kR2, v["example"]["schedule"], "stop-without-engine"));
  }
  EXPECT_TRUE(saw);
  merge.erase(merge.begin() + 1);  // text
  const Result t = cli(merge);
  EXPECT_NE(t.out.find("shrunk from "), std::string::npos) << show(t);
  // A merged report merges again (the facts survive the round trip).
  const std::string once = path("merged.json");
  std::ofstream(once) << m.out;
  const Result again = cli({"merge", "--json", once});
  ASSERT_EQ(again.code, 0) << show(again);
  EXPECT_EQ(parse(again)["violations"], d["violations"]);
}

// The HTML report's counterexample is the shrunk one.
TEST_F(ShrinkDefault, ReportShowsTheShrunkCounterexample) {
  const std::string out = path("r2.html");
  const Result r = cli({"report", kR2, "--explore", "200", "-o", out});
  ASSERT_EQ(r.code, 0) << show(r);
  const std::string html = testcli::read(out);
  EXPECT_NE(html.find("shrunk from 15 to 1 preemption,"), std::string::npos);
  const Result raw = cli({"report", kR2, "--explore", "200", "--no-shrink", "-o", out});
  ASSERT_EQ(raw.code, 0) << show(raw);
  EXPECT_EQ(testcli::read(out).find("shrunk from"), std::string::npos);
}

}  // namespace
