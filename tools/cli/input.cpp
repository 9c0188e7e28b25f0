// tools/cli/input.cpp: reading a scenario file so that SIGINT and SIGTERM can
// stop it (input.h).
#include "tools/cli/input.h"

namespace tools {

InputResult load_scenario_interruptible(const std::string& path, const std::atomic<bool>* stop,
                                        const model::LoadLimits& limits) {
  InputResult r;
  r.loaded = model::load_scenario_file(path, limits, stop, &r.interrupted);
  return r;
}

}  // namespace tools
