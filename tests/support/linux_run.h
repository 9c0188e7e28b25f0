// tests/support/linux_run.h: the small helpers of the Linux model's unit tests
// (tests/unit/model/linux/): a load that must succeed, a traced run
// configuration, and a run's violations as text for a failure message.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "scenario/load/loader.h"
#include "scenario/run.h"

namespace model::test {

// The scenario of a load that must succeed (a failure is reported, and the
// test goes on with an empty scenario).
inline Scenario loaded(LoadResult r) {
  if (!r.ok()) {
    std::string e;
    for (const auto& err : r.errors) e += err.to_string() + "\n";
    ADD_FAILURE() << e;
    return Scenario{};
  }
  return std::move(*r.scenario);
}

// "property: message" per violation, one a line.
inline std::string violations(const RunOutput& out) {
  std::string s;
  for (const Violation& v : out.violations) s += std::string(property_name(v.property)) + ": " + v.message + "\n";
  return s;
}

// A run configuration with the trace on.
inline RunConfig traced() {
  RunConfig c;
  c.trace = true;
  return c;
}

}  // namespace model::test
