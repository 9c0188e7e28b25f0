// fuzz/scenario_gen.h: a small structured generator of valid scenarios
// (SCENARIOS.md, version 1) for the interpreter's fuzz target.
//
// Every byte string is a scenario: the bytes steer the choices (how many
// tasks, which ops, which signals, which callbacks return what) and an
// exhausted input makes the smallest choice everywhere, so every program
// ends.  The result is small (a few dozen ops) but reaches the whole
// vocabulary: syscalls, compute, loops, signals and their handlers, kill,
// fork/vfork/clone/exec/exit/waitpid, ptrace requests, kthreads calling the
// utrace API, engines with random callback returns and `do` lists.
#pragma once

#include <nlohmann/json.hpp>

class FuzzedDataProvider;

namespace fuzzgen {

struct Options {
  bool bugs = true;  // may switch historical bugs on (model.bugs)
  int max_ops = 48;  // ops in the whole scenario
};

nlohmann::ordered_json generate_scenario(FuzzedDataProvider& in, const Options& opt = {});

}  // namespace fuzzgen
