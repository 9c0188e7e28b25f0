// tools/export/scenario_text.cpp: how the tools name the parts of a scenario.
#include "tools/export/scenario_text.h"

namespace tools {

std::vector<std::string> bug_names(const model::Scenario& s) {
  std::vector<std::string> out;
  for (int r = 1; r <= model::kMaxBug; ++r)
    if (s.has_bug(r)) out.push_back("R" + std::to_string(r));
  return out;
}

std::string kernel_text(const model::Scenario& s) {
  std::string t = model::kernel_version_name(s.kernel);
  const auto bugs = bug_names(s);
  for (std::size_t i = 0; i < bugs.size(); ++i) t += (i == 0 ? " +" : ",") + bugs[i];
  return t;
}

std::vector<std::string> property_names(const model::PropertySet& set) {
  std::vector<std::string> out;
  for (std::size_t p = 0; p < model::kPropertyCount; ++p)
    if (set.test(p)) out.push_back(model::property_name(static_cast<model::Property>(p)));
  return out;
}

}  // namespace tools
