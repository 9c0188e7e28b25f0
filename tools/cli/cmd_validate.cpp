// tools/cli/cmd_validate.cpp: utsim validate FILE...: every error of every
// file, one line each.
#include "scenario/load/loader.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/input.h"
#include "tools/export/format.h"

namespace tools {

int cmd_validate(const std::vector<std::string>& files, Io io) {
  bool any_error = false;
  for (const std::string& f : files) {
    const model::LoadResult r = load_scenario_interruptible(f, nullptr).loaded;
    if (r.errors.empty()) {
      io.out << printable(f) << ": ok\n";  // a file name may hold control characters
      continue;
    }
    any_error = true;
    for (const model::ScenarioError& e : r.errors) io.out << e.to_string() << '\n';
  }
  return any_error ? kExitInvalid : kExitOk;
}

}  // namespace tools
