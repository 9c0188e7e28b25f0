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
std::vector<std::string> property_names(const model::PropertySet& set);

}  // namespace tools
