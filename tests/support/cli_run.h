// tests/support/cli_run.h: the utsim command line, run in process, for
// tests that check what a user would see (exit code, stdout, stderr).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tools/cli.h"

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

// A file's bytes ("" when it cannot be read).
inline std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace testcli
