// tests/unit/model/ptrace/ptrace_harness.h: run a small ptrace scenario once, under the
// default (non-preemptive) schedule, and read its labelled results.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "support/scenario_run.h"

namespace model::ptrace_test {

// A scenario of the given tasks (a JSON array).
inline std::string scenario(const std::string& tasks) {
  return R"({"utsim": 1, "name": "t", "summary": "unit test", "tasks": )" + tasks + "}";
}
// P forks C, which runs c_ops; P then runs p_ops.
inline std::string parent_child(const std::string& c_ops, const std::string& p_ops) {
  return scenario(R"([{"name": "P", "program": [{"fork": {"child": "C", "program": [)" + c_ops + R"(]}}, )" + p_ops +
                  "]}]");
}

// Runs it once (tests/support/scenario_run.h): ret(label), pid(task), violations().
using PtRun = test::ScenarioRun;

// C's first ops: traced by its parent, stopped at a SIGSTOP signal-delivery stop.
inline const char* kTracemeStop = R"({"ptrace": {"request": "PTRACE_TRACEME"}}, {"raise": "SIGSTOP"})";
// P's first op: wait for that stop.
inline const char* kWaitStop = R"({"waitpid": {"pid": "C"}})";

}  // namespace model::ptrace_test
