// tests/unit/tools/cli/cli_test.cpp: the utsim command line, in process
// (run_cli): exit codes, what each subcommand prints, and that its JSON parses.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "tools/cli/cli.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = UTSIM_SOURCE_DIR;

using testcli::cli;
using testcli::Result;
using testcli::show;

// A parent forks a child that exits 3 and reaps it.
constexpr const char* kForkWait = R"({
  "utsim": 1, "name": "fork-wait", "summary": "a parent forks a child that exits 3 and reaps it",
  "tasks": [{"name": "P", "program": [
    {"fork": {"child": "C", "program": [{"exit": 3}]}},
    {"waitpid": {"pid": "C", "options": []}, "expect": {"exited": EXITED}}
  ]}]
})";

std::string fork_wait(int exited, const std::string& name = "fork-wait") {
  std::string s = kForkWait;
  s.replace(s.find("EXITED"), 6, std::to_string(exited));
  s.replace(s.find("fork-wait"), 9, name);
  return s;
}

class CliTest : public testcli::TempDirTest {
 protected:
  CliTest() : TempDirTest("utsim-cli") {}
};

TEST(Cli, VersionAndHelpExitZero) {
  Result v = cli({"--version"});
  EXPECT_EQ(v.code, 0) << show(v);
  EXPECT_NE(v.out.find("utsim " UTSIM_VERSION), std::string::npos) << show(v);

  Result h = cli({"--help"});
  EXPECT_EQ(h.code, 0) << show(h);
  EXPECT_NE(h.out.find("Exit codes"), std::string::npos) << show(h);
  for (const char* sub : {"validate", "run", "replay", "check", "list"}) {
    Result s = cli({sub, "--help"});
    EXPECT_EQ(s.code, 0) << sub << "\n" << show(s);
    EXPECT_NE(s.out.find(sub), std::string::npos) << show(s);
  }
  EXPECT_NE(cli({"check", "--help"}).out.find("SIGINT"), std::string::npos);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(cli({"--bogus"}).code, 2);
  EXPECT_EQ(cli({}).code, 2);
  EXPECT_EQ(cli({"frobnicate"}).code, 2);
  EXPECT_EQ(cli({"run"}).code, 2);  // FILE is required
  EXPECT_EQ(cli({"run", "x.json", "--bogus"}).code, 2);
  EXPECT_EQ(cli({"run", "x.json", "--seed", "1", "--schedule", "a"}).code, 2);
  EXPECT_EQ(cli({"run", "x.json", "--max-steps", "-1"}).code, 2);
  EXPECT_EQ(cli({"run", "x.json", "--trace", "xml"}).code, 2);
  EXPECT_EQ(cli({"run", "x.json", "-o", "t.txt"}).code, 2);  // -o needs --trace
  EXPECT_EQ(cli({"replay", "x.json"}).code, 2);              // --schedule is required
  EXPECT_EQ(cli({"check", "x", "--strategy", "bfs"}).code, 2);
}

TEST(Cli, ValidateGoodAndBadFiles) {
  const std::string good = (kRoot / "tests/spec-examples/engines.json").string();
  Result g = cli({"validate", good});
  EXPECT_EQ(g.code, 0) << show(g);
  EXPECT_EQ(g.out, good + ": ok\n");

  const std::string bad = (kRoot / "tests/bad/dangling-task.json").string();
  Result b = cli({"validate", good, bad});
  EXPECT_EQ(b.code, 3) << show(b);
  EXPECT_NE(b.out.find(good + ": ok"), std::string::npos) << show(b);
  EXPECT_NE(b.out.find("scenario.E023"), std::string::npos) << show(b);

  Result missing = cli({"validate", "/nonexistent/x.json"});
  EXPECT_EQ(missing.code, 3) << show(missing);
}

TEST_F(CliTest, RunAsExpected) {
  const std::string f = write("fork-wait.json", fork_wait(3));
  Result r = cli({"run", f});
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("schedule:      ''"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("C: exited 3"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("as expected"), std::string::npos) << show(r);

  // A seeded run prints the schedule it took, and replaying that schedule
  // gives the same run.
  Result s = cli({"run", f, "--seed", "7", "--json"});
  ASSERT_EQ(s.code, 0) << show(s);
  const auto j = nlohmann::json::parse(s.out);
  const std::string schedule = j.at("schedule");
  EXPECT_EQ(j.at("replay"), "utsim replay " + f + " --schedule '" + schedule + "'");
  Result p = cli({"replay", f, "--schedule", schedule, "--json"});
  ASSERT_EQ(p.code, 0) << show(p);
  const auto k = nlohmann::json::parse(p.out);
  EXPECT_EQ(k.at("schedule"), schedule);
  EXPECT_EQ(k.at("steps"), j.at("steps"));
  EXPECT_EQ(k.at("outcome"), j.at("outcome"));
}

TEST_F(CliTest, RunWithAWrongExpectationFails) {
  const std::string f = write("wrong.json", fork_wait(4));
  Result r = cli({"run", f});
  EXPECT_EQ(r.code, 1) << show(r);
  EXPECT_NE(r.out.find("unexpected-result"), std::string::npos) << show(r);
  // The failure ends with the command that reproduces it.
  const std::string replay = "utsim replay " + f + " --schedule ''";
  ASSERT_GE(r.out.size(), replay.size() + 1);
  EXPECT_EQ(r.out.substr(r.out.size() - replay.size() - 1), replay + "\n") << show(r);

  // Listed as expected, the same violation is not a failure of one run.
  std::string listed = fork_wait(4);
  listed.insert(listed.rfind('}'), R"(, "expect": {"violations": ["unexpected-result"]})");
  Result l = cli({"run", write("listed.json", listed)});
  EXPECT_EQ(l.code, 0) << show(l);
}

TEST_F(CliTest, ReplayOfAThreadThatDoesNotExistDiverges) {
  const std::string f = write("fork-wait.json", fork_wait(3));
  Result r = cli({"replay", f, "--schedule", "z"});
  EXPECT_EQ(r.code, 4) << show(r);
  EXPECT_NE(r.out.find("choice point 0"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("'z'"), std::string::npos) << show(r);
}

TEST_F(CliTest, MalformedScheduleIsAUsageError) {
  const std::string f = write("fork-wait.json", fork_wait(3));
  Result r = cli({"replay", f, "--schedule", "ab{3"});
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("offset 2"), std::string::npos) << show(r);
  EXPECT_EQ(cli({"run", f, "--schedule", "a!"}).code, 2);
}

TEST_F(CliTest, RunOfAnInvalidScenarioExitsThree) {
  Result r = cli({"run", (kRoot / "tests/bad/dangling-task.json").string()});
  EXPECT_EQ(r.code, 3) << show(r);
  EXPECT_NE(r.err.find("scenario.E023"), std::string::npos) << show(r);
}

TEST_F(CliTest, TraceToStdoutMovesTheSummaryToStderr) {
  const std::string f = write("fork-wait.json", fork_wait(3));
  Result t = cli({"run", f, "--trace", "text"});
  EXPECT_EQ(t.code, 0) << show(t);
  EXPECT_NE(t.out.find("utsim_"), std::string::npos) << show(t);
  EXPECT_NE(t.err.find("verdict:"), std::string::npos) << show(t);
  EXPECT_EQ(t.out.find("verdict:"), std::string::npos) << show(t);

  Result j = cli({"run", f, "--trace", "json"});
  ASSERT_EQ(j.code, 0) << show(j);
  std::istringstream lines(j.out);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n)
    EXPECT_TRUE(nlohmann::json::parse(line).contains("event")) << line;
  EXPECT_GT(n, 0);

  // With -o the trace goes to the file (written atomically) and the summary stays on stdout.
  const std::string out = (dir_ / "trace.jsonl").string();
  Result o = cli({"run", f, "--trace", "json", "-o", out, "--json"});
  ASSERT_EQ(o.code, 0) << show(o);
  EXPECT_EQ(nlohmann::json::parse(o.out).at("verdict"), "as expected");
  std::ifstream in(out);
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), j.out);
  EXPECT_FALSE(fs::exists(out + ".tmp"));
}

TEST_F(CliTest, CheckTablesPassAndFail) {
  write("d/pass.json", fork_wait(3, "fork-wait-ok"));
  write("d/fail.json", fork_wait(4, "fork-wait-wrong"));
  write("d/notes.txt", "not a scenario");
  const std::string d = (dir_ / "d").string();
  Result r = cli({"check", d, "--max-schedules", "20"});
  EXPECT_EQ(r.code, 1) << show(r);
  EXPECT_NE(r.out.find("fork-wait-ok"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("fork-wait-wrong"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("FAIL"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("utsim replay " + d + "/fail.json --schedule ''"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("2 scenarios: 1 passed, 1 failed, 0 invalid, 0 errors; 40 schedules"), std::string::npos)
      << show(r);
  // Deterministic: the same command prints the same bytes.
  EXPECT_EQ(cli({"check", d, "--max-schedules", "20"}).out, r.out);

  Result j = cli({"check", d, "--max-schedules", "20", "--json"});
  EXPECT_EQ(j.code, 1) << show(j);
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc.at("scenarios").size(), 2u);
  EXPECT_EQ(doc["scenarios"][0]["scenario"], "fork-wait-wrong");  // d/fail.json sorts first
  EXPECT_EQ(doc["scenarios"][0]["verdict"], "FAIL");
  EXPECT_EQ(doc["scenarios"][0]["violations"][0]["property"], "unexpected-result");
  EXPECT_EQ(doc["scenarios"][1]["verdict"], "pass");
  EXPECT_EQ(doc["scenarios"][1]["outcomes"][0]["count"], 20);
  EXPECT_EQ(doc["summary"]["failed"], 1);
  EXPECT_EQ(doc["summary"]["exit_code"], 1);
}

TEST_F(CliTest, CheckExitCodesRankInternalOverInvalidOverFailed) {
  const std::string fail = write("fail.json", fork_wait(4));
  const std::string bad = (kRoot / "tests/bad/dangling-task.json").string();
  Result r = cli({"check", fail, bad, "--max-schedules", "5"});
  EXPECT_EQ(r.code, 3) << show(r);
  EXPECT_NE(r.out.find("invalid"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("scenario.E023"), std::string::npos) << show(r);
}

TEST_F(CliTest, NotImplementedIsAnInternalError) {
  // 2011-3x has upstream ptrace, which is not built on utrace: not modelled.
  const std::string f = write("traceme.json", R"({
    "utsim": 1, "name": "traceme", "summary": "PTRACE_TRACEME on 2011-3x, not in the model",
    "model": {"kernel": "2011-3x"},
    "tasks": [{"name": "T", "program": [{"ptrace": {"request": "PTRACE_TRACEME"}}]}]})");
  Result r = cli({"run", f});
  EXPECT_EQ(r.code, 70) << show(r);
  EXPECT_NE(r.err.find("not implemented"), std::string::npos) << show(r);

  Result c = cli({"check", f, "--max-schedules", "3"});
  EXPECT_EQ(c.code, 70) << show(c);
  EXPECT_NE(c.out.find("error"), std::string::npos) << show(c);
}

TEST(Cli, ListSections) {
  Result all = cli({"list"});
  EXPECT_EQ(all.code, 0) << show(all);
  for (const char* s : {"kernels:", "strategies:", "properties:", "callbacks:", "bugs:"})
    EXPECT_NE(all.out.find(s), std::string::npos) << s;

  Result bugs = cli({"list", "--bugs"});
  EXPECT_EQ(bugs.code, 0);
  EXPECT_NE(bugs.out.find("R2  stop-without-engine  detach-before-stop: "), std::string::npos) << bugs.out;
  EXPECT_EQ(bugs.out.find("kernels"), std::string::npos);
  EXPECT_NE(bugs.out.find("rd2  hang  a SIGCONT"), std::string::npos) << bugs.out;

  Result k = cli({"list", "--kernels"});
  EXPECT_NE(k.out.find("2010-rhel6"), std::string::npos);
  EXPECT_EQ(k.out.find("report_quiesce"), std::string::npos);
}

}  // namespace
