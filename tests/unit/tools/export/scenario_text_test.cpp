// tests/unit/tools/export/scenario_text_test.cpp: how the tools name a
// scenario's model, overridden or not (tools/export/scenario_text.h): the
// flags printed in replay commands must rebuild, from the file's model,
// exactly the model simulated.
#include <gtest/gtest.h>

#include "tools/export/scenario_text.h"

namespace {

model::BugSet bugs(std::initializer_list<int> ids) {
  model::BugSet b;
  for (int r : ids) b.set(static_cast<std::size_t>(r - 1));
  return b;
}

// A scenario whose file names `file_kernel` + `file_bugs` and that runs
// `kernel` + `run_bugs` (file_model kept only when they differ, as
// override_model does).
model::Scenario scenario(model::KernelVersion file_kernel, model::BugSet file_bugs, model::KernelVersion kernel,
                         model::BugSet run_bugs) {
  model::Scenario s;
  s.kernel = kernel;
  s.bugs = run_bugs;
  if (kernel != file_kernel || run_bugs != file_bugs) s.file_model = model::Scenario::FileModel{file_kernel, file_bugs};
  return s;
}

using K = model::KernelVersion;

}  // namespace

TEST(ScenarioText, TheFilesOwnModelNeedsNoFlags) {
  const model::Scenario s = scenario(K::V2010Rhel6, bugs({2}), K::V2010Rhel6, bugs({2}));
  EXPECT_EQ(tools::kernel_text(s), "2010-rhel6 +R2");
  EXPECT_EQ(tools::file_kernel_text(s), "2010-rhel6 +R2");
  EXPECT_EQ(tools::model_flags(s), "");
  EXPECT_EQ(tools::expect_caveat(s), "");
}

TEST(ScenarioText, FlagsRebuildTheSimulatedModel) {
  // A race added: --bug alone.
  EXPECT_EQ(tools::model_flags(scenario(K::V2010Rhel6, bugs({}), K::V2010Rhel6, bugs({2}))), "--bug R2");
  EXPECT_EQ(tools::model_flags(scenario(K::V2010Rhel6, bugs({7}), K::V2009Rfc, bugs({2, 7}))),
            "--kernel 2009-rfc --bug R2");
  // A race of the file's taken out: --no-bugs, then every race simulated.
  EXPECT_EQ(tools::model_flags(scenario(K::V2010Rhel6, bugs({2}), K::V2010Rhel6, bugs({}))), "--no-bugs");
  EXPECT_EQ(tools::model_flags(scenario(K::V2010Rhel6, bugs({2, 7}), K::V2011_3x, bugs({7, 11}))),
            "--kernel 2011-3x --no-bugs --bug R7 --bug R11");
}

TEST(ScenarioText, TheCaveatNamesBothModels) {
  const model::Scenario s = scenario(K::V2010Rhel6, bugs({2}), K::V2010Rhel6, bugs({}));
  EXPECT_EQ(tools::kernel_text(s), "2010-rhel6");
  EXPECT_EQ(tools::file_kernel_text(s), "2010-rhel6 +R2");
  EXPECT_EQ(tools::expect_caveat(s),
            "expect was written for 2010-rhel6 +R2, not for the simulated 2010-rhel6 (--no-bugs)");
}
