// tests/support/cli_run.h: the utsim command line, run in process, for
// tests that check what a user would see (exit code, stdout, stderr).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/load/loader.h"
#include "tools/cli/cli.h"

namespace testcli {

struct Result {
  int code = -1;
  std::string out, err;
};

// tools::run_cli with `args` (the words after "utsim").
inline Result cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  Result r;
  r.code = tools::run_cli(std::move(args), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// The whole of a result, for a failing assertion's message.
inline std::string show(const Result& r) {
  return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

// The JSON a command printed on stdout; an empty object, and a failed test
// saying why, when it is not JSON.
inline nlohmann::json parse_json(const Result& r) {
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << '\n' << show(r);
    return nlohmann::json::object();
  }
}

// A file's bytes ("" when it cannot be read).
inline std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// cli(args) with SIGINT sent to this process again and again from 300 ms
// on, until the command returns (as a user pressing Ctrl-C in the middle).
// A harmless handler of ours is in place before and after utsim's own, so a
// signal that arrives outside the command does not end the test binary.
inline Result cli_interrupted(std::vector<std::string> args) {
  struct sigaction quiet {
  }, saved{};
  quiet.sa_handler = [](int) {};
  sigemptyset(&quiet.sa_mask);
  EXPECT_EQ(sigaction(SIGINT, &quiet, &saved), 0);
  std::atomic<bool> done{false};
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    while (!done.load()) {
      ::kill(::getpid(), SIGINT);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  Result r = cli(std::move(args));
  done.store(true);
  sender.join();
  sigaction(SIGINT, &saved, nullptr);
  return r;
}

// A test's own directory, named after the test and the process, made empty
// before each test and removed after it; write() puts files in it (parent
// directories made, bytes as given).
class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / (prefix_ + "-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::filesystem::path p = dir_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  std::filesystem::path dir_;

 private:
  std::string prefix_;
};

// A scenario text that must load; its errors fail the test.
inline model::Scenario load_or_fail(const std::string& text) {
  model::LoadResult r = model::load_scenario_text(text);
  if (!r.ok()) {
    std::string why;
    for (const auto& e : r.errors) why += e.to_string() + "\n";
    ADD_FAILURE() << why;
    return {};
  }
  return std::move(*r.scenario);
}

// A scenario that explores in three schedules and passes: a child exits 3 and
// is reaped.
inline constexpr const char* kQuick = R"({
  "utsim": 1, "name": "quick", "summary": "a child exits 3 and is reaped",
  "tasks": [{"name": "P", "program": [
    {"fork": {"child": "C", "program": [{"exit": 3}]}},
    {"waitpid": {"pid": "C"}, "expect": {"exited": 3}}]}],
  "explore": {"max_schedules": 3}
})";

}  // namespace testcli
