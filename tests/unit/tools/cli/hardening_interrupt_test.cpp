// tests/unit/tools/cli/hardening_interrupt_test.cpp: results are never lost.  An
// exploration stopped by its stop flag, by SIGINT or by SIGTERM keeps what it
// found and reports it as complete JSON (exit 130); an output file is written
// whole or not at all, and a failed write leaves nothing behind.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "explore/check.h"
#include "scenario/load/loader.h"
#include "support/cli_run.h"
#include "tools/cli/cli.h"
#include "tools/export/format.h"

namespace fs = std::filesystem;

namespace {

using testcli::cli;
using testcli::read;
using testcli::Result;
using testcli::show;

using testcli::kQuick;

// Never ends, and explores (almost) forever: only a signal stops it.  S
// and T contend for P's siglock at every step, so the space of schedules
// never runs out (two independent loops would be one trace to DPOR).
constexpr const char* kEndless = R"({
  "utsim": 1, "name": "endless", "summary": "two tasks signal a third forever, explored forever",
  "tasks": [{"name": "P", "program": [{"loop": {"forever": true, "do": [{"pause": {}}]}}]},
            {"name": "S", "program": [{"loop": {"forever": true, "do": [{"kill": {"pid": "P", "sig": "SIGCHLD"}}]}}]},
            {"name": "T", "program": [{"loop": {"forever": true, "do": [{"kill": {"pid": "P", "sig": "SIGCHLD"}}]}}]}],
  "expect": {"allowed": ["hang"]},
  "explore": {"max_schedules": 1000000000000, "max_steps": 20000}
})";

class HardeningInterrupt : public testcli::TempDirTest {
 protected:
  HardeningInterrupt() : TempDirTest("utsim-interrupt") {}
  void SetUp() override {
    TempDirTest::SetUp();
    quick_ = write("d/a-quick.json", kQuick);
    endless_ = write("d/b-endless.json", kEndless);
  }

  std::string quick_, endless_;
};

// The verdicts a stopped `check --json` printed, checked for what was kept.
void expect_partial_report(const std::string& json) {
  nlohmann::json doc;
  ASSERT_NO_THROW(doc = nlohmann::json::parse(json)) << json;
  EXPECT_EQ(doc["summary"]["interrupted"], true) << json;
  EXPECT_EQ(doc["summary"]["exit_code"], 130) << json;
  ASSERT_EQ(doc["scenarios"].size(), 2u) << json;
  // The scenario finished before the signal keeps its verdict...
  EXPECT_EQ(doc["scenarios"][0]["scenario"], "quick");
  EXPECT_EQ(doc["scenarios"][0]["verdict"], "pass");
  EXPECT_EQ(doc["scenarios"][0]["schedules"], 3);
  // ... and the one being explored says how far it got.
  EXPECT_EQ(doc["scenarios"][1]["scenario"], "endless");
  EXPECT_EQ(doc["scenarios"][1]["interrupted"], true);
  EXPECT_EQ(doc["scenarios"][1]["verdict"], "pass (interrupted)");
}

TEST_F(HardeningInterrupt, StopFlagKeepsTheSchedulesExplored) {
  model::LoadResult r = model::load_scenario_text(kEndless);
  ASSERT_TRUE(r.ok());
  std::atomic<bool> stop{false};
  model::ExploreOptions opt = model::explore_options_for(*r.scenario, {});
  opt.run.max_steps = 1000;
  opt.stop = &stop;
  opt.progress = [&](std::uint64_t done, std::uint64_t) {
    if (done == 7) stop.store(true);
  };
  const model::Verdict v = model::check_scenario(*r.scenario, opt);
  EXPECT_TRUE(v.interrupted);
  EXPECT_FALSE(v.error) << v.error_message;
  EXPECT_EQ(v.schedules, 7u);
  // Every run, counted or not (DPOR's sleep-set-blocked ones), ran to the limit.
  EXPECT_EQ(v.steps, (v.schedules + v.redundant) * 1000u);
  ASSERT_FALSE(v.violations.empty());
  EXPECT_EQ(v.violations[0].property, model::Property::Hang);
  EXPECT_EQ(v.violations[0].count, 7u);
  EXPECT_TRUE(v.passed());  // hang is allowed
}

// SIGINT in the middle of `utsim check`, in process (testcli::cli_interrupted).
TEST_F(HardeningInterrupt, SigintStopsCheckWithCompleteJson) {
  Result r = testcli::cli_interrupted({"check", (dir_ / "d").string(), "--json"});
  EXPECT_EQ(r.code, 130) << show(r);
  expect_partial_report(r.out);
}

// SIGTERM to the real binary, its stdout a file: the JSON on it is whole.
TEST_F(HardeningInterrupt, SigtermStopsTheUtsimBinaryWithCompleteJson) {
  const fs::path utsim = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "tools/utsim";
  if (!fs::exists(utsim)) GTEST_SKIP() << utsim << " not built";
  const fs::path out = dir_ / "report.json", err = dir_ / "stderr.txt";
  const std::string dir = (dir_ / "d").string();

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::FILE* o = std::freopen(out.c_str(), "w", stdout);
    std::FILE* e = std::freopen(err.c_str(), "w", stderr);
    if (o && e) ::execl(utsim.c_str(), "utsim", "check", dir.c_str(), "--json", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until the quick scenario is surely done and the endless one running.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 130) << read(err);
  expect_partial_report(read(out));
}

TEST_F(HardeningInterrupt, OutputToAMissingDirectoryFailsCleanly) {
  const fs::path missing = dir_ / "no-such-dir" / "trace.jsonl";
  Result r = cli({"run", quick_, "--trace", "json", "-o", missing.string()});
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("cannot create"), std::string::npos) << show(r);
  EXPECT_FALSE(fs::exists(dir_ / "no-such-dir"));

  // Onto a directory: refused, and nothing is left beside it.
  fs::create_directories(dir_ / "out" / "trace.jsonl");
  Result d = cli({"run", quick_, "--trace", "json", "-o", (dir_ / "out" / "trace.jsonl").string()});
  EXPECT_EQ(d.code, 2) << show(d);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir_ / "out")) left.push_back(e.path().filename());
  EXPECT_EQ(left, std::vector<std::string>{"trace.jsonl"});
  EXPECT_TRUE(fs::is_directory(dir_ / "out" / "trace.jsonl"));
}

TEST_F(HardeningInterrupt, AtomicWriteLeavesTheOldFileOrTheNewOne) {
  const fs::path p = dir_ / "result.json";
  ASSERT_EQ(tools::write_file_atomic(p.string(), [](std::ostream& o) { o << "old\n"; }), "");
  EXPECT_EQ(read(p), "old\n");

  // A writer that fails half-way (an exception) leaves the old file, and no temporary.
  EXPECT_THROW(tools::write_file_atomic(p.string(),
                                        [](std::ostream& o) {
                                          o << "{\"half\": ";
                                          throw std::runtime_error("interrupted while writing");
                                        }),
               std::runtime_error);
  EXPECT_EQ(read(p), "old\n");
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);

  ASSERT_EQ(tools::write_file_atomic(p.string(), [](std::ostream& o) { o << "new\n"; }), "");
  EXPECT_EQ(read(p), "new\n");
}

// A FIFO (like /dev/null or /dev/stdout, which are not regular files
// either) is never replaced: renaming a temporary over it would replace it
// with a plain file (once, `-o /dev/null` did that to /dev/null).  It is
// refused, or written in place when asked (--output-through;
// hardening_output_test.cpp has the rest).
TEST_F(HardeningInterrupt, AtomicWriteToAFifoWritesThroughItWhenAsked) {
  const fs::path p = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  EXPECT_NE(tools::write_file_atomic(p.string(), [](std::ostream& o) { o << "x"; }), "");
  std::string got;
  std::thread reader([&] { got = read(p); });
  const std::string err = tools::write_file_atomic(
      p.string(), [](std::ostream& o) { o << "through\n"; }, tools::OutputMode::kThrough);
  reader.join();
  EXPECT_EQ(err, "");
  EXPECT_EQ(got, "through\n");
  EXPECT_TRUE(fs::is_fifo(p));
  EXPECT_NE(tools::write_file_atomic(dir_.string(), [](std::ostream& o) { o << "x"; }), "");
  EXPECT_TRUE(fs::is_directory(dir_));
}

}  // namespace
