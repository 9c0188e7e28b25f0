// tests/unit/tools/cli/habits_cli_test.cpp: the command line a new user
// expects (issue #14 item 5), in process: --kernel, --bug and --no-bugs
// override the file's model and every output says so; unknown subcommands
// and options are named as typed with the closest valid one; validate takes
// folders; a schedule that does not fit is refused alike by every command
// that takes one.  tests/cli/habits.sh runs the same with the real binary.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"

namespace {

using testcli::cli;
using testcli::Result;
using testcli::show;

// Two tasks, no race: whatever the model, it ends the same way.
constexpr const char* kTwo = R"({
  "utsim": 1, "name": "two", "summary": "two tasks compute and exit",
  "model": {"kernel": "2010-rhel6", "bugs": ["R7"]},
  "tasks": [{"name": "A", "program": [{"compute": 2}]}, {"name": "B", "program": [{"compute": 2}]}]
})";

class Habits : public testcli::TempDirTest {
 protected:
  Habits() : TempDirTest("utsim-habits") {}
  void SetUp() override {
    TempDirTest::SetUp();
    file_ = write("two.json", kTwo);
  }
  std::string file_;
};

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

TEST_F(Habits, KernelAndBugOverrideTheFilesModelAndTheReplayCarriesThem) {
  Result r = cli({"run", file_, "--kernel", "2009-rfc", "--bug", "R2", "--seed", "3", "--json"});
  ASSERT_EQ(r.code, 0) << show(r);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("kernel"), "2009-rfc +R2,R7");  // --bug adds to the file's R7
  EXPECT_EQ(j.at("model_flags"), "--kernel 2009-rfc --bug R2");
  EXPECT_EQ(j.at("file_kernel"), "2010-rhel6 +R7");
  const std::string schedule = j.at("schedule");
  EXPECT_EQ(j.at("replay"), "utsim replay " + file_ + " --kernel 2009-rfc --bug R2 --schedule '" + schedule + "'");
  EXPECT_EQ(j.at("verdict"),
            "as expected (expect was written for 2010-rhel6 +R7, not for the simulated 2009-rfc +R2,R7 "
            "(--kernel 2009-rfc --bug R2))");

  // The replay command's flags rebuild the same model, and the same run.
  Result p = cli({"replay", file_, "--kernel", "2009-rfc", "--bug", "R2", "--schedule", schedule, "--json"});
  ASSERT_EQ(p.code, 0) << show(p);
  const auto k = nlohmann::json::parse(p.out);
  EXPECT_EQ(k.at("kernel"), j.at("kernel"));
  EXPECT_EQ(k.at("steps"), j.at("steps"));
  EXPECT_EQ(k.at("replay"), j.at("replay"));

  // --no-bugs clears the file's races; without flags nothing is said.
  Result n = cli({"run", file_, "--no-bugs", "--json"});
  ASSERT_EQ(n.code, 0) << show(n);
  EXPECT_EQ(nlohmann::json::parse(n.out).at("kernel"), "2010-rhel6");
  EXPECT_EQ(nlohmann::json::parse(n.out).at("model_flags"), "--no-bugs");
  Result plain = cli({"run", file_});
  EXPECT_FALSE(has(plain.out, "the file names")) << show(plain);
  EXPECT_TRUE(has(plain.out, "verdict:       as expected\n")) << show(plain);
}

TEST_F(Habits, BadModelNamesAreUsageErrorsWithTheValidOnes) {
  Result k = cli({"explore", file_, "--kernel", "2011-3"});
  EXPECT_EQ(k.code, 2) << show(k);
  EXPECT_EQ(k.err,
            "utsim explore: cli.E004: --kernel '2011-3': unknown kernel version (expected 2009-rfc, 2010-rhel6 or "
            "2011-3x; did you mean '2011-3x'?)\n");
  EXPECT_TRUE(k.out.empty()) << show(k);
  Result b = cli({"check", file_, "--bug", "R2,R77"});
  EXPECT_EQ(b.code, 2) << show(b);
  EXPECT_TRUE(has(b.err, "utsim check: cli.E005: --bug 'R77': unknown bug")) << show(b);
  Result u = cli({"graph", file_, "--bug", "R13"});
  EXPECT_EQ(u.code, 2) << show(u);
  EXPECT_TRUE(has(u.err, "cli.E005: --bug 'R13': R13 cannot be switched on")) << show(u);
}

TEST(HabitsParse, UnknownSubcommandsAndOptionsAreNamedAsTyped) {
  Result s = cli({"rnu", "x.json"});
  EXPECT_EQ(s.code, 2) << show(s);
  EXPECT_TRUE(has(s.err,
                  "utsim: cli.E001: unknown subcommand 'rnu'; did you mean 'run'? (the subcommands: validate, "
                  "run, replay, check"))
      << show(s);
  Result far = cli({"frobnicate"});
  EXPECT_EQ(far.code, 2) << show(far);
  EXPECT_FALSE(has(far.err, "did you mean")) << show(far);

  // The first unknown option typed, not CLI11's reversed list of them all.
  Result o = cli({"run", "x.json", "--jsno", "--trce", "text"});
  EXPECT_EQ(o.code, 2) << show(o);
  EXPECT_EQ(o.err,
            "utsim run: cli.E002: unknown option '--jsno'; did you mean '--json'? (utsim run --help lists its "
            "options)\n");
  Result e = cli({"explain", "x.json", "y.json"});
  EXPECT_EQ(e.code, 2) << show(e);
  EXPECT_TRUE(has(e.err, "utsim explain: cli.E003: unexpected argument 'y.json'")) << show(e);
  // Options another subcommand has are still unknown here.
  Result v = cli({"validate", "x.json", "--json"});
  EXPECT_EQ(v.code, 2) << show(v);
  EXPECT_TRUE(has(v.err, "utsim validate: cli.E002: unknown option '--json'")) << show(v);
}

TEST_F(Habits, ValidateTakesFoldersAndSeveralPaths) {
  write("d/a.json", kTwo);
  write("d/sub/b.json", R"({"utsim": 1, "name": "b"})");
  write("d/notes.txt", "not a scenario");
  const std::string d = (dir_ / "d").string();
  Result r = cli({"validate", d, file_});
  EXPECT_EQ(r.code, 3) << show(r);
  EXPECT_TRUE(has(r.out, d + "/a.json: ok\n")) << show(r);
  EXPECT_TRUE(has(r.out, "scenario.E011")) << show(r);  // b lacks summary and tasks
  EXPECT_TRUE(has(r.out, file_ + ": ok\n")) << show(r);
  EXPECT_FALSE(has(r.out, "notes.txt")) << show(r);
}

TEST_F(Habits, EveryScheduleTakingCommandRefusesOneThatDoesNotFit) {
  for (const char* cmd : {"run", "replay", "explain", "report", "step", "shrink"}) {
    std::vector<std::string> args{cmd, file_, "--schedule", "z"};
    if (std::string(cmd) == "report") args.insert(args.end(), {"-o", (dir_ / "r.html").string()});
    Result r = cli(args);
    EXPECT_EQ(r.code, 4) << cmd << '\n' << show(r);
    EXPECT_TRUE(has(r.err, std::string("utsim ") + cmd +
                               ": cli.E006: --schedule 'z' does not fit this scenario: at choice point 0, the "
                               "schedule names thread 'z', which did not exist at that point"))
        << cmd << '\n'
        << show(r);
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "r.html"));
}

}  // namespace
