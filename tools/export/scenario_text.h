// tools/export/scenario_text.h: how the tools name the parts of a scenario
// they print.  Shared by cli/ and teach/ too: export/ is the lowest folder of
// tools/ that needs it.
#pragma once

#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace tools {

// "2010-rhel6" or "2010-rhel6 +R2,R7" (the bugs brought back).
std::string kernel_text(const model::Scenario& s);
std::vector<std::string> bug_names(const model::Scenario& s);  // {"R2", "R7"}

// The flags that make utsim simulate the model `s` runs when the command
// line replaced the one its file names (Scenario::file_model):
// "--kernel 2009-rfc", "--bug R2", "--no-bugs --bug R7"; "" when the file's
// own model runs.  Every word is shell-safe: replay commands print them as
// they are.
std::string model_flags(const model::Scenario& s);

// kernel_text of the model the file names, overridden or not.
std::string file_kernel_text(const model::Scenario& s);

// What a verdict judged against `expect` must admit when the model was
// overridden: "expect was written for 2010-rhel6, not for the simulated
// 2010-rhel6 +R2 (--bug R2)"; "" when the file's own model runs.
std::string expect_caveat(const model::Scenario& s);
std::vector<std::string> property_names(const model::PropertySet& set);

}  // namespace tools
